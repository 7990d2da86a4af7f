namespace Microsoft.ML.LongTail.Conformal;

/// <summary>The loss bounded by <see cref="ConformalRiskControl"/>; every loss must not increase as the set grows.</summary>
public enum ConformalLoss
{
    /// <summary>1 when the label is not in the set: risk control then equals split conformal (exact integer arithmetic
    /// when there are no weights).</summary>
    Miscoverage,

    /// <summary>The false-negative rate of the set: the fraction of the row's positive labels left out of it (0 for a row
    /// with none). With one label per row (a key label) it equals <see cref="Miscoverage"/>; with a multi-hot label vector it
    /// is the multi-label FNR of Angelopoulos et al. (2022).</summary>
    FalseNegativeRate,

    /// <summary>A user-supplied set loss (<see cref="ConformalRiskControlOptions.CustomLoss"/>), bounded by
    /// <see cref="ConformalRiskControlOptions.LossBound"/>.</summary>
    Custom,
}
