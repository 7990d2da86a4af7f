namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Options of <see cref="ConformalRegressor"/>.</summary>
public sealed class ConformalRegressorOptions
{
    /// <summary>The label column: a <see cref="float"/>. Default <c>"Label"</c>. Only read while calibrating.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The point prediction: a <see cref="float"/> column. Default <c>"Score"</c> (ML.NET's regression output). Not
    /// read by <see cref="ConformalRegressionScore.QuantileRegression"/>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The column to add: the interval as a <c>Vector&lt;Single&gt;</c> of length 2, [lower, upper].
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
}
