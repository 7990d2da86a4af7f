namespace Microsoft.ML.RobustLoss;

/// <summary>The loss a multiclass neural-network trainer minimises.</summary>
/// <remarks>All losses take the network's logits <c>z</c> (one per class) and the class index <c>y</c>; the batch loss is the
/// mean over rows unless stated. <c>n_c</c> is the training count of class <c>c</c> (a class without rows counts as 1).</remarks>
public enum TailLoss
{
    /// <summary>Cross-entropy <c>-log softmax(z)_y</c>, with optional label smoothing (PyTorch's <c>label_smoothing</c>).</summary>
    CrossEntropy,

    /// <summary>Class-weighted cross-entropy: weights by inverse frequency or effective number (see <see cref="ClassWeighting"/>),
    /// normalised to sum to the number of classes; the batch loss is <c>sum w_y l / sum w_y</c> (PyTorch's <c>weight=</c>).</summary>
    WeightedCrossEntropy,

    /// <summary>Focal loss (Lin et al. 2017): <c>-alpha_y (1 - p_y)^gamma log p_y</c> with optional per-class <c>alpha</c>.</summary>
    Focal,

    /// <summary>Class-balanced focal loss (Cui et al. 2019): focal loss with <c>alpha</c> = effective-number weights
    /// <c>(1 - beta) / (1 - beta^n_c)</c>, normalised to sum to the number of classes.</summary>
    ClassBalancedFocal,

    /// <summary>LDAM with deferred re-weighting (Cao et al. 2019): cross-entropy of <c>s (z - m_y e_y)</c> with margins
    /// <c>m_c</c> proportional to <c>n_c^(-1/4)</c> scaled so the largest is the maximum margin; from the re-weighting epoch on,
    /// weighted by effective-number weights. Logits are plain linear outputs (the paper's normalised classifier is not used).</summary>
    LdamDrw,

    /// <summary>Balanced softmax (Ren et al. 2020): cross-entropy of <c>z + log n_c</c>; scoring uses plain <c>softmax(z)</c>.</summary>
    BalancedSoftmax,

    /// <summary>Logit-adjusted cross-entropy (Menon et al. 2021): cross-entropy of <c>z + tau log prior_c</c>; scoring uses <c>softmax(z)</c>.</summary>
    LogitAdjusted,

    /// <summary>Equalization loss, softmax version (Tan et al. 2020, section 3.3, their form for classification without a
    /// background class): cross-entropy of <c>exp(z_y) / sum_k w_k exp(z_k)</c> with <c>w_k = 1 - beta T(f_k) (1 - y_k)</c>:
    /// the logit of a tail class (training frequency <c>n_k / N</c> below lambda) that is not the row's class is left out of the
    /// softmax when <c>beta</c>, drawn per row and class from Bernoulli(gamma), is 1. Scoring uses <c>softmax(z)</c>.
    /// (The sigmoid version needs background rows to push tail logits down; without them tail classes take over.)</summary>
    Equalization,
}

/// <summary>How class weights are derived from the training class counts <c>n_c</c>.</summary>
public enum ClassWeighting
{
    /// <summary><c>1 / n_c</c>.</summary>
    InverseFrequency,

    /// <summary>Inverse effective number (Cui et al. 2019): <c>(1 - beta) / (1 - beta^n_c)</c>.</summary>
    EffectiveNumber,
}

/// <summary>The loss a binary neural-network trainer minimises; <c>p = sigmoid(z)</c> of the single logit <c>z</c>.</summary>
public enum BinaryLoss
{
    /// <summary>Binary cross-entropy.</summary>
    CrossEntropy,

    /// <summary>Focal binary cross-entropy: <c>-alpha_t (1 - p_t)^gamma log p_t</c>; <c>alpha_t = alpha</c> for positives and
    /// <c>1 - alpha</c> for negatives, or 1 when alpha is negative.</summary>
    Focal,

    /// <summary>Asymmetric loss ASL (Ridnik et al. 2021): positives <c>-(1 - p)^gamma+ log p</c>; negatives
    /// <c>-p_m^gamma- log(1 - p_m)</c> with the shifted probability <c>p_m = max(p - clip, 0)</c>.</summary>
    Asymmetric,
}

/// <summary>The loss a regression neural-network trainer minimises, of the residual <c>r = prediction - target</c>.</summary>
public enum RegressionLoss
{
    /// <summary>Squared error <c>r^2</c>.</summary>
    Squared,

    /// <summary>Huber: <c>r^2 / 2</c> for <c>|r| &lt;= delta</c>, else <c>delta (|r| - delta / 2)</c> (PyTorch's <c>HuberLoss</c>).</summary>
    Huber,

    /// <summary>Pseudo-Huber: <c>delta^2 (sqrt(1 + (r / delta)^2) - 1)</c>; delta may move linearly over the epochs.</summary>
    PseudoHuber,

    /// <summary>Tukey's biweight: <c>c^2 / 6 (1 - (1 - (r / c)^2)^3)</c> for <c>|r| &lt;= c</c>, else <c>c^2 / 6</c> (outliers get no gradient).</summary>
    TukeyBiweight,

    /// <summary>Log-cosh <c>log(cosh(r))</c>, computed stably.</summary>
    LogCosh,

    /// <summary>Quantile (pinball) loss for a set of quantiles, one output per quantile: <c>max(q (y - f), (q - 1)(y - f))</c>,
    /// averaged over rows and quantiles.</summary>
    Quantile,
}
