using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// Post-hoc logit adjustment (Menon et al., 2021): replaces a multiclass score vector by
/// <c>softmax(log p(y|x) - tau * log prior(y))</c> and the predicted label by its arg-max, which trades head-class accuracy for
/// tail-class recall without retraining. The priors come from the training labels (or are given); <c>tau</c> is fixed or tuned
/// on scored validation data to maximise balanced accuracy or a metric of your choice.
/// </summary>
/// <remarks>
/// <para>Append it to a multiclass trainer (<c>trainer.Append(...)</c>, or <c>model.Append(estimator.Fit(scoredTraining))</c>);
/// it is fitted on the trainer's scored training data, whose label column gives the class priors. With raw scores
/// (<see cref="MulticlassScoreKind.RawScores"/>) the scores are taken as logits: <c>softmax(s - tau * log prior)</c>.</para>
/// <para>The fitted model is made of stock ML.NET transformers: an ONNX graph (the adjustment, renormalisation and the
/// one-hot of the arg-max), a naive Bayes model trained on K synthetic one-hot rows that maps that one-hot vector to the
/// key of the same class (see <c>docs/architecture.md</c>), and column copies. The score column is replaced (it loses
/// ML.NET's score annotations: give evaluators the column names, as <c>CrossValidate</c> does); the predicted label column
/// is a key of the label's type with its key values. A column named <c>Score</c> or <c>PredictedLabel</c> that is not the
/// configured score or predicted label column is dropped.</para>
/// </remarks>
public sealed class LogitAdjustmentEstimator : CompiledEstimator
{
    private readonly LogitAdjustmentOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.MulticlassClassification.LogitAdjustment(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">An option is out of range: a negative or non-finite <c>tau</c>, a prior that is not
    /// positive, an empty column name (the message names the option).</exception>
    public LogitAdjustmentEstimator(MLContext mlContext, LogitAdjustmentOptions options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.LabelColumnName, nameof(options.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.ScoreColumnName, nameof(options.ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.PredictedLabelColumnName, nameof(options.PredictedLabelColumnName));
        if (!Enum.IsDefined(options.ScoreKind))
            throw new ArgumentOutOfRangeException(nameof(options), options.ScoreKind, "ScoreKind is not a MulticlassScoreKind value.");
        CheckTau(options.Tau, nameof(options.Tau));
        if (!(options.PriorSmoothing >= 0) || double.IsInfinity(options.PriorSmoothing))
            throw new ArgumentOutOfRangeException(nameof(options), options.PriorSmoothing, "PriorSmoothing must be finite and non-negative.");
        if (options.Priors is not null)
            CheckPriors(options.Priors, "Priors");
        ArgumentNullException.ThrowIfNull(options.TauCandidates, nameof(options.TauCandidates));
        if (options.ValidationData is not null && options.TauCandidates.Count == 0)
            throw new ArgumentException("TauCandidates must not be empty when ValidationData is given.", nameof(options));
        foreach (double tau in options.TauCandidates)
            CheckTau(tau, nameof(options.TauCandidates));
        _options = options;
    }

    /// <summary>The <c>tau</c> of the most recent fit (given or tuned); <see langword="null"/> before the first fit.</summary>
    public double? FittedTau { get; private set; }

    /// <summary>The priors of the most recent fit, in key order; <see langword="null"/> before the first fit.</summary>
    public IReadOnlyList<double>? FittedPriors { get; private set; }

    /// <summary>When <c>tau</c> was tuned: the validation metric of each candidate, in <see cref="LogitAdjustmentOptions.TauCandidates"/> order.</summary>
    public IReadOnlyList<double>? TuningScores { get; private set; }

    /// <summary>
    /// The adjusted scores of one row, as the fitted model computes them: <c>softmax(log p - tau * log prior)</c>.
    /// </summary>
    /// <param name="scores">The row's score vector.</param>
    /// <param name="priors">Class priors (positive).</param>
    /// <param name="tau">The adjustment strength.</param>
    /// <param name="kind">Whether <paramref name="scores"/> are probabilities or raw scores.</param>
    /// <returns>Probabilities summing to 1.</returns>
    public static double[] Adjust(ReadOnlySpan<float> scores, IReadOnlyList<double> priors, double tau, MulticlassScoreKind kind = MulticlassScoreKind.Probabilities)
    {
        ArgumentNullException.ThrowIfNull(priors);
        if (priors.Count != scores.Length)
            throw new ArgumentException($"{priors.Count} priors for {scores.Length} scores.", nameof(priors));
        var z = new double[scores.Length];
        double max = double.NegativeInfinity;
        for (int c = 0; c < z.Length; c++)
        {
            double log = kind == MulticlassScoreKind.Probabilities ? Math.Log(Math.Max(scores[c], 1e-30)) : scores[c];
            z[c] = log - tau * Math.Log(priors[c]);
            max = Math.Max(max, z[c]);
        }
        double sum = 0;
        for (int c = 0; c < z.Length; c++)
            sum += z[c] = Math.Exp(z[c] - max);
        for (int c = 0; c < z.Length; c++)
            z[c] /= sum;
        return z;
    }

    /// <summary>Fits priors (and <c>tau</c>, when tuning) and returns the stock transformer chain.</summary>
    /// <param name="input">The scored training data: the label column and the score column.</param>
    public override ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return PredictedLabelStage.FitInOrder(input, CompileStages(input));
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> Compile(IDataView trainingData) => PredictedLabelStage.Chain(CompileStages(trainingData));

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema)
    {
        if (!FindColumn(inputSchema, _options.LabelColumnName, "label").IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The label column '{_options.LabelColumnName}' must be a key column.");
        var score = FindColumn(inputSchema, _options.ScoreColumnName, "score");
        if (score.Kind != SchemaShape.Column.VectorKind.Vector || score.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The score column '{_options.ScoreColumnName}' must be a known-size vector of Single.");
        // Vector sizes are not part of SchemaShape: a one-class graph has the same output shape.
        return PredictedLabelStage.Chain([
            ScoreAdjustmentGraph.CreateEstimator(MLContext, _options.ScoreColumnName, [0f], _options.ScoreKind),
            PredictedLabelStage.ShapeEstimator(MLContext, _options.LabelColumnName),
            .. PredictedLabelStage.Finish(MLContext, _options.ScoreColumnName, _options.PredictedLabelColumnName),
        ]);
    }

    private List<IEstimator<ITransformer>> CompileStages(IDataView trainingData)
    {
        var labelColumn = Data.SchemaValidation.GetColumn(trainingData.Schema, _options.LabelColumnName, "label", nameof(LogitAdjustmentOptions.LabelColumnName));
        int k = MulticlassScores.KeyClassCount(labelColumn, nameof(LogitAdjustmentOptions.LabelColumnName));
        double[] priors;
        if (_options.Priors is not null)
        {
            if (_options.Priors.Count != k)
                throw new ArgumentException($"Priors has {_options.Priors.Count} entries but the label column '{_options.LabelColumnName}' has {k} classes.", nameof(LogitAdjustmentOptions.Priors));
            double sum = _options.Priors.Sum();
            priors = _options.Priors.Select(p => p / sum).ToArray();
            // Validates the score column against the label.
            MulticlassScores.Read(MLContext.Data.TakeRows(trainingData, 1), "training data", _options.ScoreColumnName, _options.LabelColumnName, k, _options.ScoreKind);
        }
        else
        {
            var training = MulticlassScores.Read(trainingData, "training data", _options.ScoreColumnName, _options.LabelColumnName, k, _options.ScoreKind);
            priors = FitPriors(training.CountClasses(), _options.PriorSmoothing, labelColumn);
        }

        double tau = _options.Tau;
        TuningScores = null;
        if (_options.ValidationData is not null)
            (tau, TuningScores) = TuneTau(_options.ValidationData, priors, labelColumn);
        FittedTau = tau;
        FittedPriors = priors;

        var bias = priors.Select(p => (float)(-tau * Math.Log(p))).ToArray();
        return [
            ScoreAdjustmentGraph.CreateEstimator(MLContext, _options.ScoreColumnName, bias, _options.ScoreKind),
            new PrefittedEstimator(PredictedLabelStage.FitLabeler(MLContext, labelColumn, k),
                PredictedLabelStage.ShapeEstimator(MLContext, _options.LabelColumnName)),
            .. PredictedLabelStage.Finish(MLContext, _options.ScoreColumnName, _options.PredictedLabelColumnName),
        ];
    }

    private (double Tau, double[] Scores) TuneTau(IDataView validation, double[] priors, DataViewSchema.Column trainingLabel)
    {
        int k = priors.Length;
        var data = MulticlassScores.Read(validation, "validation data", _options.ScoreColumnName, _options.LabelColumnName, k, _options.ScoreKind);
        var logScores = data.LogScores(_options.ScoreKind);
        var logPriors = priors.Select(p => Math.Log(p)).ToArray();
        var names = Data.SchemaValidation.ClassNames(trainingLabel, k);
        var metric = _options.TuningMetric ?? (m => m.BalancedAccuracy);
        var results = new double[_options.TauCandidates.Count];
        var bias = new double[k];
        var counts = new long[k * k];
        int best = 0;
        for (int t = 0; t < results.Length; t++)
        {
            double tau = _options.TauCandidates[t];
            for (int c = 0; c < k; c++)
                bias[c] = -tau * logPriors[c];
            Array.Clear(counts);
            for (int r = 0; r < data.RowCount; r++)
            {
                int predicted = ScoreAdjustmentGraph.ArgMax(logScores.AsSpan(r * k, k), bias);
                counts[data.Labels![r] * k + predicted]++;
            }
            var summary = ConfusionSummary.Compute(counts, k, names, 0.1);
            var metrics = new ImbalancedMulticlassMetrics(summary, null, [], new Dictionary<int, double>(), null, null, null);
            results[t] = metric(metrics);
            if (double.IsNaN(results[t]))
                throw new InvalidOperationException($"TuningMetric returned NaN for tau = {tau.ToString(CultureInfo.InvariantCulture)}.");
            if (results[t] > results[best])
                best = t;
        }
        return (_options.TauCandidates[best], results);
    }

    private static double[] FitPriors(long[] counts, double smoothing, DataViewSchema.Column label)
    {
        int k = counts.Length;
        double total = counts.Sum() + smoothing * k;
        var priors = new double[k];
        var names = Data.SchemaValidation.ClassNames(label, k);
        for (int c = 0; c < k; c++)
        {
            priors[c] = (counts[c] + smoothing) / total;
            if (priors[c] <= 0)
                throw new InvalidOperationException($"Class '{names[c]}' of the label column '{label.Name}' has no rows in the training data, so its prior " +
                    "would be 0 and log(prior) infinite; set PriorSmoothing > 0 or give Priors.");
        }
        return priors;
    }

    private static void CheckTau(double tau, string option)
    {
        if (!double.IsFinite(tau) || tau < 0)
            throw new ArgumentOutOfRangeException(option, tau, $"{option}: tau must be finite and non-negative (0 leaves the scores' arg-max unchanged).");
    }

    internal static void CheckPriors(IReadOnlyList<double> priors, string option)
    {
        if (priors.Count == 0)
            throw new ArgumentException($"{option} must not be empty.", option);
        for (int c = 0; c < priors.Count; c++)
        {
            if (!double.IsFinite(priors[c]) || priors[c] <= 0)
                throw new ArgumentOutOfRangeException(option, priors[c], $"{option}[{c}] must be positive and finite (log(prior) is taken).");
        }
    }
}
