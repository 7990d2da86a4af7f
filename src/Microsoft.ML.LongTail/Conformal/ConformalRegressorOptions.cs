namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Options of <see cref="ConformalRegressor"/>.</summary>
public sealed class ConformalRegressorOptions
{
    /// <summary>The label column: a <see cref="float"/>. Default <c>"Label"</c>. Only read while calibrating.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The point prediction: a <see cref="float"/> column. Default <c>"Score"</c> (ML.NET's regression output). Not
    /// read by <see cref="ConformalRegressionScore.QuantileRegression"/>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The column to add: the interval as a known-size <c>Vector&lt;Single, 2&gt;</c>, [lower, upper].
    /// Default <c>"PredictionInterval"</c>.</summary>
    public string OutputColumnName { get; set; } = "PredictionInterval";

    /// <summary>The miscoverage level: the interval covers the label with probability at least 1 - alpha. Default 0.1.</summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>The non-conformity score. Default <see cref="ConformalRegressionScore.AbsoluteResidual"/>.</summary>
    public ConformalRegressionScore Score { get; set; } = ConformalRegressionScore.AbsoluteResidual;

    /// <summary><see cref="ConformalRegressionScore.NormalizedResidual"/>: the <see cref="float"/> difficulty column sigma(x),
    /// positive and finite. Default <c>"Difficulty"</c>.</summary>
    public string DifficultyColumnName { get; set; } = "Difficulty";

    /// <summary><see cref="ConformalRegressionScore.QuantileRegression"/>: the lower quantile prediction column (e.g. a quantile
    /// regressor at alpha / 2). Default <c>"Lower"</c>.</summary>
    public string LowerColumnName { get; set; } = "Lower";

    /// <summary><see cref="ConformalRegressionScore.QuantileRegression"/>: the upper quantile prediction column (at 1 - alpha / 2).
    /// Default <c>"Upper"</c>.</summary>
    public string UpperColumnName { get; set; } = "Upper";

    /// <summary>Group-conditional (Mondrian) intervals: a key column whose values are the groups, one threshold <c>qhat</c> per
    /// group from that group's calibration rows, so that coverage holds within every group (e.g. per region or per product
    /// line with different noise). Default <see langword="null"/>: one marginal threshold. Map a text or numeric column to a key
    /// first with <c>mlContext.Transforms.Conversion.MapValueToKey</c>. The column is read at prediction time too; a row whose
    /// group is missing (raw key 0) or beyond the calibrated key values gets an infinite interval. Calibration rows with a
    /// missing group count only for the marginal quantile (<see cref="ConformalFallback.MarginalQuantile"/>,
    /// <see cref="ConformalIntervalPredictor.Threshold"/>).</summary>
    public string? GroupColumnName { get; set; }

    /// <summary>With <see cref="GroupColumnName"/>: what a group with fewer than <see cref="MinimumGroupCount"/> calibration rows
    /// (including a key value with no calibration row) gets. Default <see langword="null"/>: <see cref="ConformalFallback.FullSet"/>,
    /// an infinite interval. <see cref="ConformalFallback.MarginalQuantile"/> gives the marginal <c>qhat</c> over all calibration
    /// rows (no guarantee for that group), <see cref="ConformalFallback.PooledQuantile"/> one <c>qhat</c> over the small groups'
    /// rows together. Ignored without a group column.</summary>
    public ConformalFallback? Fallback { get; set; }

    /// <summary>With <see cref="GroupColumnName"/>: the fewest calibration rows a group needs for its own threshold (the
    /// classifier's <see cref="ConformalClassifierOptions.MinimumClassCount"/>). Default <see langword="null"/>:
    /// <see cref="ConformalQuantile.MinimumCalibrationSize"/>(alpha), the least count whose quantile is finite (9 at alpha = 0.1).
    /// Ignored without a group column.</summary>
    public int? MinimumGroupCount { get; set; }
}
