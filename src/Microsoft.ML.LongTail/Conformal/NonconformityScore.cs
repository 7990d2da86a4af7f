namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// The non-conformity score <c>s(x, y)</c> of a classification conformal predictor: the larger, the less <c>y</c> conforms
/// to the model's scores for <c>x</c>. A class <c>y</c> is in the prediction set when <c>s(x, y) &lt;= qhat</c>.
/// </summary>
/// <remarks>Ranks (for APS, RAPS and top-k) sort the scores in decreasing order, the lower class index first on ties
/// (as ONNX <c>TopK</c>).</remarks>
public enum NonconformityScore
{
    /// <summary>Least ambiguous set-valued classifier (Sadinle et al. 2019): <c>1 - p_y</c>. Smallest sets on average.
    /// Needs probabilities in [0, 1] (independent per-class probabilities of a multi-label model are fine).</summary>
    Lac,

    /// <summary>Adaptive prediction sets (Romano et al. 2020): the total probability of the classes ranked above <c>y</c>
    /// plus <c>u * p_y</c>, with <c>u = 1</c> or, randomised, a uniform draw. Needs a probability vector (in [0, 1], summing to 1).</summary>
    Aps,

    /// <summary>Regularised APS (Angelopoulos et al. 2021): APS plus <c>lambda * max(0, rank(y) - k_reg)</c> (1-based rank),
    /// which penalises long tails of tiny probabilities. Needs a probability vector.</summary>
    Raps,

    /// <summary>The 1-based rank of <c>y</c>: the sets are the top-k classes with k calibrated. Any scores (logits too).</summary>
    TopK,

    /// <summary>Prevalence-adjusted softmax: <c>-(p_y / prior_y)</c>, the classes whose probability is high relative to their
    /// prior. On long-tailed label sets it keeps the marginal guarantee with sets that cover rare classes more evenly than
    /// LAC. Needs probabilities in [0, 1]; the priors are the calibration class frequencies (smoothed) unless given.</summary>
    Pas,
}
