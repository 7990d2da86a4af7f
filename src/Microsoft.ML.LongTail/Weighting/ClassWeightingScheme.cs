namespace Microsoft.ML.LongTail.Weighting;

/// <summary>How <see cref="ClassBalancedWeightsEstimator"/> weighs a class with <c>n_c</c> training rows (before the
/// weights are scaled so that their mean over the training rows is 1).</summary>
public enum ClassWeightingScheme
{
    /// <summary><c>1 / n_c</c>: every class carries the same total weight (scikit-learn's <c>class_weight="balanced"</c>).</summary>
    InverseFrequency,

    /// <summary><c>1 / sqrt(n_c)</c>: a milder re-balancing.</summary>
    SquareRootInverseFrequency,

    /// <summary>The inverse effective number of samples of Cui et al. (2019), <c>(1 - beta) / (1 - beta^n_c)</c>:
    /// <c>beta = 0</c> gives equal weights, <c>beta</c> towards 1 approaches inverse frequency.</summary>
    EffectiveNumber,

    /// <summary>The weights given in <see cref="ClassBalancedWeightsOptions.ClassWeights"/>, by class name.</summary>
    UserDefined,
}
