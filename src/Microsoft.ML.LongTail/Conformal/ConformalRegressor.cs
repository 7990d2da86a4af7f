using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Split conformal regression: fitted on held-out calibration data scored by any ML.NET regression model, it adds an interval
/// column that contains the label with probability at least <c>1 - alpha</c>: absolute residuals, normalised residuals with a
/// difficulty column, or conformalised quantile regression on a lower/upper pair of columns (see <see cref="ConformalRegressionScore"/>),
/// marginally or per group of a key column (Mondrian, <see cref="ConformalRegressorOptions.GroupColumnName"/>).
/// </summary>
/// <remarks>
/// <para>The threshold is the <c>k</c>-th smallest calibration residual score with <c>k = ceil((n + 1)(1 - alpha))</c> computed
/// exactly (<see cref="ConformalQuantile"/>), +infinity when <c>k &gt; n</c> (an infinite interval). With a group column, one
/// threshold per group from that group's rows (<c>n</c> = the group's count), so coverage holds within each group; a group
/// with too few rows gets <see cref="ConformalRegressorOptions.Fallback"/> (an infinite interval by default), and a row whose
/// group is missing or was not calibrated an infinite interval. Scores are computed in float32.</para>
/// <para><c>Fit</c> returns a chain of stock, vectorised ML.NET transforms (<c>Expression</c>, <c>MapValue</c> look-ups of the
/// group's threshold, <c>Concatenate</c>, <c>DropColumns</c>; no ONNX); the output column is a known-size
/// <c>Vector&lt;Single, 2&gt;</c> holding [lower, upper], equal bit for bit to <see cref="ConformalIntervalPredictor.Predict"/>.
/// It saves and loads with <c>mlContext.Model.Save/Load</c> and works in <c>PredictionEngine</c>. The input columns are scalar
/// <see cref="float"/> columns; the group column a key.</para>
/// </remarks>
public sealed class ConformalRegressor : CompiledEstimator
{
    private const string OptionsName = nameof(ConformalRegressorOptions);
    private readonly ConformalRegressorOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.Regression.ConformalRegressor(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it).</exception>
    /// <exception cref="ArgumentException">A column name is empty.</exception>
    public ConformalRegressor(MLContext mlContext, ConformalRegressorOptions options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConformalValidation.Alpha(options.Alpha, OptionsName);
        if (!Enum.IsDefined(options.Score))
            throw new ArgumentOutOfRangeException(nameof(options.Score), options.Score, $"{OptionsName}.Score is not defined.");
        if (options.Fallback is { } f && !Enum.IsDefined(f))
            throw new ArgumentOutOfRangeException(nameof(options.Fallback), f, $"{OptionsName}.Fallback is not defined.");
        if (options.MinimumGroupCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(options.MinimumGroupCount), options.MinimumGroupCount, $"{OptionsName}.MinimumGroupCount must be at least 1.");
        if (options.GroupColumnName is { Length: 0 })
            throw new ArgumentException($"{OptionsName}.GroupColumnName must not be empty; leave it null for marginal intervals.", nameof(options.GroupColumnName));
        _options = options;
    }

    /// <summary>The state computed by the last <c>Fit</c> (or <see cref="Calibrate"/>); <see langword="null"/> before.</summary>
    public ConformalIntervalPredictor? LastCalibration { get; private set; }

    private string[] InputColumns => ConformalIntervalChain.InputColumns(_options.Score, _options);

    /// <summary>Computes the threshold (per group with a group column) from scored calibration data.</summary>
    /// <param name="calibrationData">Held-out rows: the <see cref="float"/> label and the prediction column(s), and the group
    /// key column when <see cref="ConformalRegressorOptions.GroupColumnName"/> is set.</param>
    /// <returns>The calibrated predictor.</returns>
    /// <exception cref="ArgumentException">A column is missing or mistyped (the message names it).</exception>
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
        var (groupColumn, groupCount) = CalibrationData.GroupColumn(calibrationData.Schema, _options.GroupColumnName);
        var scores = new List<float>();
        var groups = new List<int>();
        using (var cursor = calibrationData.GetRowCursor(groupColumn is { } g ? columns.Append(g) : columns))
        {
            var getters = columns.Select(c => cursor.GetGetter<float>(c)).ToArray();
            Func<ulong>? readGroup = groupColumn is { } gc ? EvaluationSchema.KeyReader(cursor, gc) : null;
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
                if (readGroup is not null)
                    groups.Add((int)readGroup() - 1);  // raw key - 1; -1 for a missing key
                row++;
            }
        }
        if (scores.Count == 0)
            throw new InvalidOperationException("The calibration data has no rows.");
        var array = scores.ToArray();
        var (p, q) = ConformalQuantile.ToFraction(_options.Alpha);
        float threshold = ConformalQuantile.Threshold(array.ToArray(), ConformalQuantile.QuantileIndex(array.Length, p, q));
        if (groupColumn is null)
        {
            LastCalibration = new ConformalIntervalPredictor(_options.Score, _options.Alpha, threshold, array.Length);
            return LastCalibration;
        }
        // One exact quantile per group over that group's rows; small groups get the fallback (the classifier's rule).
        var (groupThresholds, counts) = ConformalClassifier.PerBucket(array, groups.ToArray(), groupCount, p, q, _options.Alpha,
            _options.Fallback ?? ConformalFallback.FullSet, _options.MinimumGroupCount);
        LastCalibration = new ConformalIntervalPredictor(_options.Score, _options.Alpha, threshold, array.Length, groupThresholds, counts);
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
        bool grouped = _options.GroupColumnName is not null;
        if (grouped && !FindColumn(inputSchema, _options.GroupColumnName!, "group").IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The group column '{_options.GroupColumnName}' must be a key column.");
        var placeholder = new ConformalIntervalPredictor(_options.Score, _options.Alpha, float.PositiveInfinity, 0,
            grouped ? [float.PositiveInfinity] : null, grouped ? [0] : null);
        return placeholder.CreateEstimator(MLContext, _options, shapeOnly: true);
    }
}
