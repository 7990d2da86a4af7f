using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Split conformal regression: fitted on held-out calibration data scored by any ML.NET regression model, it adds an interval
/// column that contains the label with probability at least <c>1 - alpha</c>: absolute residuals, normalised residuals with a
/// difficulty column, or conformalised quantile regression on a lower/upper pair of columns (see <see cref="ConformalRegressionScore"/>).
/// </summary>
/// <remarks>
/// <para>The threshold is the <c>k</c>-th smallest calibration residual score with <c>k = ceil((n + 1)(1 - alpha))</c> computed
/// exactly (<see cref="ConformalQuantile"/>), +infinity when <c>k &gt; n</c> (an infinite interval). Scores are computed in
/// float32.</para>
/// <para><c>Fit</c> returns a stock ONNX chain; the output column is a known-size <c>Vector&lt;Single, 2&gt;</c> (ONNX dimensions
/// [1, 2]) holding [lower, upper]. It saves and loads with <c>mlContext.Model.Save/Load</c> and works in <c>PredictionEngine</c>.
/// The input columns are scalar <see cref="float"/> columns (ONNX inputs [N, 1]).</para>
/// </remarks>
public sealed class ConformalRegressor : CompiledEstimator
{
    private const string OptionsName = nameof(ConformalRegressorOptions);
    private readonly ConformalRegressorOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.Regression.ConformalRegressor(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    public ConformalRegressor(MLContext mlContext, ConformalRegressorOptions options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConformalValidation.Alpha(options.Alpha, OptionsName);
        if (!Enum.IsDefined(options.Score))
            throw new ArgumentOutOfRangeException(nameof(options.Score), options.Score, $"{OptionsName}.Score is not defined.");
        _options = options;
    }

    /// <summary>The state computed by the last <c>Fit</c> (or <see cref="Calibrate"/>); <see langword="null"/> before.</summary>
    public ConformalIntervalPredictor? LastCalibration { get; private set; }

    private string[] InputColumns => _options.Score switch
    {
        ConformalRegressionScore.AbsoluteResidual => [_options.ScoreColumnName],
        ConformalRegressionScore.NormalizedResidual => [_options.ScoreColumnName, _options.DifficultyColumnName],
        _ => [_options.LowerColumnName, _options.UpperColumnName],
    };

    /// <summary>Computes the threshold from scored calibration data.</summary>
    /// <param name="calibrationData">Held-out rows: the <see cref="float"/> label and the prediction column(s).</param>
    /// <returns>The calibrated predictor.</returns>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite, a difficulty is not positive, or the data is empty.</exception>
    public ConformalIntervalPredictor Calibrate(IDataView calibrationData)
    {
        ArgumentNullException.ThrowIfNull(calibrationData);
        var names = InputColumns.Prepend(_options.LabelColumnName).ToArray();
        var columns = new DataViewSchema.Column[names.Length];
        for (int c = 0; c < names.Length; c++)
        {
            string role = c == 0 ? "label" : _options.Score switch
            {
                ConformalRegressionScore.AbsoluteResidual => "score",
                ConformalRegressionScore.NormalizedResidual => c == 1 ? "score" : "difficulty",
                _ => c == 1 ? "lower quantile" : "upper quantile",
            };
            columns[c] = SchemaValidation.GetColumn(calibrationData.Schema, names[c], role, role + " column");
            if (columns[c].Type != NumberDataViewType.Single)
                throw new ArgumentException($"The {role} column '{names[c]}' has type {columns[c].Type}; Single is required.", nameof(calibrationData));
        }
        var scores = new List<float>();
        using (var cursor = calibrationData.GetRowCursor(columns))
        {
            var getters = columns.Select(c => cursor.GetGetter<float>(c)).ToArray();
            var values = new float[columns.Length];
            int row = 0;
            while (cursor.MoveNext())
            {
                for (int c = 0; c < getters.Length; c++)
                {
                    getters[c](ref values[c]);
                    if (!float.IsFinite(values[c]))
                        throw new InvalidOperationException($"The column '{names[c]}' has the non-finite value {values[c]} at row {row}; conformal calibration needs finite values.");
                }
                float y = values[0];
                scores.Add(_options.Score switch
                {
                    ConformalRegressionScore.AbsoluteResidual => MathF.Abs(y - values[1]),
                    ConformalRegressionScore.NormalizedResidual => values[2] > 0 ? MathF.Abs(y - values[1]) / values[2]
                        : throw new InvalidOperationException($"The difficulty column '{names[2]}' has {values[2]} at row {row}; it must be positive."),
                    _ => MathF.Max(values[1] - y, y - values[2]),
                });
                row++;
            }
        }
        if (scores.Count == 0)
            throw new InvalidOperationException("The calibration data has no rows.");
        var array = scores.ToArray();
        float threshold = ConformalQuantile.Threshold(array, ConformalQuantile.QuantileIndex(array.Length, _options.Alpha));
        LastCalibration = new ConformalIntervalPredictor(_options.Score, _options.Alpha, threshold, array.Length);
        return LastCalibration;
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> Compile(IDataView trainingData) => Calibrate(trainingData).CreateEstimator(MLContext, _options);

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema)
    {
        foreach (string name in InputColumns)
        {
            var column = FindColumn(inputSchema, name, "input");
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The column '{name}' must be a Single scalar.");
        }
        return new ConformalIntervalPredictor(_options.Score, _options.Alpha, float.PositiveInfinity, 0).CreateEstimator(MLContext, _options);
    }
}
