namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Conformal risk control (Angelopoulos, Bates, Fisch, Lei, Schuster, ICLR 2024): chooses the set threshold <c>lambda</c> so
/// that the expected value of a monotone loss of the set (its false-negative rate, miscoverage, or a user loss) is at most
/// <c>alpha</c>, with the finite-sample correction <c>(n/(n+1)) R_n(lambda) + B/(n+1) &lt;= alpha</c>. With weights it is the
/// non-exchangeable version (Farinhas, Zerva, Ulmer, Martins, ICLR 2024): <c>sum_i w~_i L_i(lambda) + w~_(n+1) B &lt;= alpha</c>
/// with <c>w~_i = w_i / (sum_j w_j + 1)</c> and the test point's weight 1.
/// </summary>
/// <remarks>
/// <para>The sets are <c>{k : s(x, k) &lt;= lambda}</c> for the chosen <see cref="NonconformityScore"/> (nested in lambda, so
/// the losses are monotone), and <c>lambda</c> is the smallest calibration score value (or -infinity) that satisfies the bound;
/// +infinity (the full set) when none does. Unweighted miscoverage with <c>B = 1</c> is computed in integers and equals split
/// conformal; other losses and weights sum in double precision.</para>
/// <para>The label is a key (one label per row) or a multi-hot vector (see <see cref="ConformalRiskControlOptions"/>).
/// <c>Fit</c> compiles to the same stock chain as <see cref="ConformalClassifier"/> (marginal): a <c>Vector&lt;Single, K&gt;</c>
/// set column.</para>
/// </remarks>
public sealed class ConformalRiskControl : CompiledEstimator
{
    private const string OptionsName = nameof(ConformalRiskControlOptions);
    private readonly ConformalRiskControlOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.MulticlassClassification.ConformalRiskControl(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    public ConformalRiskControl(MLContext mlContext, ConformalRiskControlOptions options) : base(mlContext)
    {
        ConformalValidation.SetOptions(options, OptionsName);
        if (!Enum.IsDefined(options.Loss))
            throw new ArgumentOutOfRangeException(nameof(options.Loss), options.Loss, $"{OptionsName}.Loss is not defined.");
        if (options.Loss == ConformalLoss.Custom && options.CustomLoss is null)
            throw new ArgumentException($"{OptionsName}.Loss is Custom but {OptionsName}.CustomLoss is null.", nameof(options.CustomLoss));
        if (!(options.LossBound > 0) || !double.IsFinite(options.LossBound))
            throw new ArgumentOutOfRangeException(nameof(options.LossBound), options.LossBound, $"{OptionsName}.LossBound must be positive and finite; got {options.LossBound}.");
        if (options.TimeDecay is { } decay && !(decay > 0 && decay <= 1))
            throw new ArgumentOutOfRangeException(nameof(options.TimeDecay), decay, $"{OptionsName}.TimeDecay must lie in (0, 1]; got {decay}.");
        _options = options;
    }

    /// <summary>The state computed by the last <c>Fit</c> (or <see cref="Calibrate"/>); <see langword="null"/> before.</summary>
    public ConformalSetPredictor? LastCalibration { get; private set; }

    /// <summary>Chooses the threshold from scored calibration data (in data order, oldest first, for <see cref="ConformalRiskControlOptions.TimeDecay"/>).</summary>
    /// <param name="calibrationData">Held-out rows scored by the model.</param>
    /// <returns>The calibrated (marginal) predictor.</returns>
    /// <exception cref="InvalidOperationException">Bad scores, a negative weight, all-zero weights, or a custom loss outside [0, B].</exception>
    public ConformalSetPredictor Calibrate(IDataView calibrationData)
    {
        var data = CalibrationData.Read(calibrationData, _options.ScoreColumnName, _options.LabelColumnName,
            allowMultiHot: true, groupColumnName: null, _options.WeightColumnName);
        var scorer = ConformalValidation.Scorer(_options, data, OptionsName);
        ConformalValidation.Rows(scorer, data, _options.ScoreColumnName);
        double[]? weights = Weights(data);
        float lambda = RiskControlSolver.Solve(scorer, data, weights, _options);
        int k = data.ClassCount;
        var counts = new int[k];
        foreach (int y in data.Labels)
            if (y >= 0) counts[y]++;
        var result = new ConformalSetPredictor(scorer, _options.Alpha, Enumerable.Repeat(lambda, k).ToArray(), false, counts, null, marginal: true);
        LastCalibration = result;
        return result;
    }

    private double[]? Weights(CalibrationData data)
    {
        if (data.Weights is null && _options.TimeDecay is null)
            return null;
        int n = data.RowCount;
        var w = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double wi = data.Weights is null ? 1 : data.Weights[i];
            if (_options.TimeDecay is { } decay)
                wi *= Math.Pow(decay, n - i);
            // The weighted guarantee (Farinhas et al. 2023) gives the test point weight 1 and needs every calibration
            // weight in [0, 1]: larger weights would shrink the test point's share and weaken the correction silently.
            if (wi > 1)
                throw new InvalidOperationException(
                    $"Calibration row {i} has weight {wi} ({(_options.WeightColumnName is null ? "time decay" : $"column '{_options.WeightColumnName}'")}); " +
                    "weighted conformal risk control needs weights in [0, 1] (the test point has weight 1). Divide the weights by their maximum.");
            w[i] = wi;
            total += wi;
        }
        if (!(total > 0))
            throw new InvalidOperationException(
                $"The calibration weights ({(_options.WeightColumnName is null ? "time decay" : $"column '{_options.WeightColumnName}'")}) are all zero" +
                (_options.TimeDecay is null ? "" : " (or underflow with the time decay)") + "; at least one row needs a positive weight.");
        return w;
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> Compile(IDataView trainingData) =>
        Calibrate(trainingData).CreateEstimator(MLContext, _options.ScoreColumnName, _options.OutputColumnName, null);

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema) =>
        ConformalClassifier.Placeholder(MLContext, inputSchema, _options, null);
}
