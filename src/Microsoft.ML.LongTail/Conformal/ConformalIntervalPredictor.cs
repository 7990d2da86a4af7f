namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// A calibrated regression conformal predictor: the threshold <c>qhat</c> on the residual score, one for all rows or one per
/// group (Mondrian on <see cref="ConformalRegressorOptions.GroupColumnName"/>). Returned by <see cref="ConformalRegressor.Calibrate"/>;
/// the estimator's <c>Fit</c> compiles it into stock ML.NET transforms (<c>Expression</c>, <c>MapValue</c> for the groups,
/// <c>Concatenate</c>). Use it directly for managed prediction.
/// </summary>
/// <remarks>The interval is computed in float32: <c>[s - q, s + q]</c> (absolute residuals), <c>[s - q * d, s + q * d]</c>
/// (normalised residuals), <c>[lo - q, hi + q]</c> (CQR). The compiled chain performs the same operations on the same floats,
/// so its intervals equal <see cref="Predict"/> / <see cref="PredictInGroup"/> bit for bit, for every input including NaN,
/// infinities, signed zeros and subnormals. An infinite <c>q</c> gives an infinite interval (a NaN bound where the prediction
/// itself is infinite or NaN, or where <c>q * d</c> is <c>infinity * 0</c>).</remarks>
public sealed class ConformalIntervalPredictor
{
    private readonly float[]? _groupThresholds;
    private readonly int[]? _groupCounts;

    internal ConformalIntervalPredictor(ConformalRegressionScore score, double alpha, float threshold, int calibrationCount,
        float[]? groupThresholds = null, int[]? groupCounts = null)
    {
        Score = score;
        Alpha = alpha;
        Threshold = threshold;
        CalibrationCount = calibrationCount;
        _groupThresholds = groupThresholds;
        _groupCounts = groupCounts;
    }

    /// <summary>The non-conformity score.</summary>
    public ConformalRegressionScore Score { get; }

    /// <summary>The miscoverage level calibrated for.</summary>
    public double Alpha { get; }

    /// <summary>The marginal <c>qhat</c> over all calibration rows; +infinity (an infinite interval) when the calibration set is
    /// too small for alpha. A group-conditional predictor does not predict with it (see <see cref="GroupThresholds"/>); it is
    /// the threshold of the <see cref="ConformalFallback.MarginalQuantile"/> fallback.</summary>
    public float Threshold { get; }

    /// <summary>The number of calibration rows (all of them, including rows with a missing group).</summary>
    public int CalibrationCount { get; }

    /// <summary>Whether the thresholds are per group (<see cref="ConformalRegressorOptions.GroupColumnName"/>).</summary>
    public bool IsGroupConditional => _groupThresholds is not null;

    /// <summary>Group-conditional only: <c>qhat</c> per group, indexed by the 0-based group (raw key - 1); +infinity for a group
    /// with an infinite interval (too few rows under <see cref="ConformalFallback.FullSet"/>). <see langword="null"/> when
    /// marginal.</summary>
    public IReadOnlyList<float>? GroupThresholds => _groupThresholds;

    /// <summary>Group-conditional only: the calibration rows of each group; <see langword="null"/> when marginal.</summary>
    public IReadOnlyList<int>? GroupCalibrationCounts => _groupCounts;

    /// <summary>The threshold a row of <paramref name="group"/> gets: its group's <c>qhat</c>, or +infinity for a missing (-1) or
    /// uncalibrated group (beyond <see cref="GroupThresholds"/>). Marginal predictors return <see cref="Threshold"/> for any group.</summary>
    /// <param name="group">The 0-based group (raw key - 1); -1 for a missing key.</param>
    public float ThresholdOf(int group) => _groupThresholds is not { } thresholds ? Threshold
        : group >= 0 && group < thresholds.Length ? thresholds[group] : float.PositiveInfinity;

    /// <summary>The interval of one row of a marginal predictor, computed in float32 as the compiled chain does.</summary>
    /// <param name="prediction">The point prediction (ignored by <see cref="ConformalRegressionScore.QuantileRegression"/>).</param>
    /// <param name="difficulty">Normalised residuals: sigma(x) &gt; 0. Quantile regression: the lower quantile prediction.
    /// Ignored by absolute residuals.</param>
    /// <param name="upper">Quantile regression: the upper quantile prediction; ignored otherwise.</param>
    /// <exception cref="InvalidOperationException">The predictor is group-conditional: use <see cref="PredictInGroup"/>.</exception>
    public (float Lower, float Upper) Predict(float prediction, float difficulty = 1f, float upper = 0f)
    {
        if (IsGroupConditional)
            throw new InvalidOperationException("This predictor is conditional on a group: call PredictInGroup with the row's group.");
        return Interval(Score, Threshold, prediction, difficulty, upper);
    }

    /// <summary>The interval of one row in <paramref name="group"/>, computed in float32 as the compiled chain does; a missing
    /// or uncalibrated group gets an infinite interval (<see cref="ThresholdOf"/>). A marginal predictor ignores the group.</summary>
    /// <param name="group">The row's 0-based group (raw key - 1); -1 for a missing key.</param>
    /// <param name="prediction">The point prediction (ignored by <see cref="ConformalRegressionScore.QuantileRegression"/>).</param>
    /// <param name="difficulty">Normalised residuals: sigma(x) &gt; 0. Quantile regression: the lower quantile prediction.
    /// Ignored by absolute residuals.</param>
    /// <param name="upper">Quantile regression: the upper quantile prediction; ignored otherwise.</param>
    public (float Lower, float Upper) PredictInGroup(int group, float prediction, float difficulty = 1f, float upper = 0f) =>
        Interval(Score, ThresholdOf(group), prediction, difficulty, upper);

    private static (float Lower, float Upper) Interval(ConformalRegressionScore score, float q, float prediction, float difficulty, float upper) => score switch
    {
        ConformalRegressionScore.AbsoluteResidual => (prediction - q, prediction + q),
        ConformalRegressionScore.NormalizedResidual => (prediction - q * difficulty, prediction + q * difficulty),
        _ => (difficulty - q, upper + q),
    };

    /// <summary>The stock chain adding the <c>[lower, upper]</c> column (<see cref="ConformalIntervalChain"/>).</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="options">The column names (and the group column when group-conditional).</param>
    /// <param name="shapeOnly">Only for schema propagation: the threshold literal is not checked.</param>
    internal IEstimator<ITransformer> CreateEstimator(MLContext mlContext, ConformalRegressorOptions options, bool shapeOnly = false) =>
        ConformalIntervalChain.CreateEstimator(mlContext, this, options, shapeOnly);
}
