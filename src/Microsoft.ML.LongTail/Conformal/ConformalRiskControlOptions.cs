namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Options of <see cref="ConformalRiskControl"/>.</summary>
/// <remarks>The label column may also be a known-size vector of <see cref="float"/> or <see cref="bool"/> of the score's length
/// (multi-hot: a nonzero slot is a positive label), for <see cref="ConformalLoss.FalseNegativeRate"/> and
/// <see cref="ConformalLoss.Custom"/>.</remarks>
public sealed class ConformalRiskControlOptions : ConformalSetOptions
{
    /// <summary>The loss whose expectation is bounded by <see cref="ConformalSetOptions.Alpha"/>. Default
    /// <see cref="ConformalLoss.FalseNegativeRate"/>.</summary>
    public ConformalLoss Loss { get; set; } = ConformalLoss.FalseNegativeRate;

    /// <summary>The loss of <see cref="ConformalLoss.Custom"/>. Default <see langword="null"/>.</summary>
    public ConformalSetLoss? CustomLoss { get; set; }

    /// <summary><c>B</c>, the loss's upper bound, in the correction <c>(n/(n+1)) R + B/(n+1) &lt;= alpha</c>. Default 1.</summary>
    public double LossBound { get; set; } = 1;

    /// <summary>Non-exchangeable risk control (Farinhas et al. 2023): a <see cref="float"/> column of calibration row weights
    /// (in [0, 1], not all zero), e.g. the similarity of each calibration row to the test distribution. The test point has
    /// weight 1, so a weight above 1 is refused (divide the weights by their maximum). Default <see langword="null"/>: no weights.</summary>
    public string? WeightColumnName { get; set; }

    /// <summary>Non-exchangeable risk control with a time-decay weight for drifting data: calibration row <c>i</c> of <c>n</c>
    /// (in data order, oldest first) gets weight <c>decay^(n - i)</c> (i 0-based; the newest row <c>decay^1</c>, the test point 1),
    /// as Barber et al. (2023). In (0, 1]; default <see langword="null"/>: no decay. Multiplies <see cref="WeightColumnName"/>'s weights.</summary>
    public double? TimeDecay { get; set; }
}
