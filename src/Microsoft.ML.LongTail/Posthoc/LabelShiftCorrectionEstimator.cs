using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// Label-shift correction at test time: estimates the class priors of unlabelled target data (EM of Saerens et al. 2002, or
/// black-box shift estimation of Lipton et al. 2018) and re-weights the model's posteriors,
/// <c>p_t(y|x) ∝ p_s(y|x) pi_t(y) / pi_s(y)</c>, with a new predicted label.
/// </summary>
/// <remarks>
/// <para>Fit it on the <em>scored target data</em> (no label needed): <c>LabelShiftCorrection(scoredValidation).Fit(model.Transform(target))</c>,
/// then transform the target data with it (or append it to the model). The source side comes from
/// <see cref="LabelShiftCorrectionOptions.SourceData"/>: scored, labelled rows of the training distribution.</para>
/// <para>A class whose estimated target prior is 0 gets weight 1e-30 (it is then predicted only when the model gives every
/// other class probability 0). The fitted model is stock ML.NET transformers, as for <see cref="LogitAdjustmentEstimator"/>:
/// an ONNX graph, a naive Bayes labeller trained on synthetic one-hot rows and column copies.</para>
/// </remarks>
public sealed class LabelShiftCorrectionEstimator : CompiledEstimator
{
    private const double MinimumWeight = 1e-30;
    private readonly LabelShiftCorrectionOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.MulticlassClassification.LabelShiftCorrection(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options; <see cref="LabelShiftCorrectionOptions.SourceData"/> is required.</param>
    public LabelShiftCorrectionEstimator(MLContext mlContext, LabelShiftCorrectionOptions options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SourceData is null)
            throw new ArgumentException("SourceData (scored, labelled rows of the training distribution) is required.", nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.LabelColumnName, nameof(options.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.ScoreColumnName, nameof(options.ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.PredictedLabelColumnName, nameof(options.PredictedLabelColumnName));
        if (!Enum.IsDefined(options.Method))
            throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Method is not a LabelShiftMethod value.");
        if (!Enum.IsDefined(options.ScoreKind))
            throw new ArgumentOutOfRangeException(nameof(options), options.ScoreKind, "ScoreKind is not a MulticlassScoreKind value.");
        if (options.SourcePriors is not null)
            LogitAdjustmentEstimator.CheckPriors(options.SourcePriors, nameof(options.SourcePriors));
        if (options.MaximumIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaximumIterations, "MaximumIterations must be at least 1.");
        if (!(options.Tolerance > 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Tolerance, "Tolerance must be positive.");
        _options = options;
    }

    /// <summary>The target priors estimated by the most recent fit, in key order; <see langword="null"/> before it.</summary>
    public IReadOnlyList<double>? FittedTargetPriors { get; private set; }

    /// <summary>The source priors of the most recent fit, in key order.</summary>
    public IReadOnlyList<double>? FittedSourcePriors { get; private set; }

    /// <summary>The EM steps of the most recent fit (0 for black-box shift estimation).</summary>
    public int FittedIterations { get; private set; }

    /// <summary>Estimates the target priors from <paramref name="input"/> and returns the stock transformer chain.</summary>
    /// <param name="input">The scored target data (the score column; no label needed).</param>
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
        var score = FindColumn(inputSchema, _options.ScoreColumnName, "score");
        if (score.Kind != SchemaShape.Column.VectorKind.Vector || score.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The score column '{_options.ScoreColumnName}' must be a known-size vector of Single.");
        // The labeller's output shape needs the key label in the input shape; scored target data without it usually carries the
        // trainer's PredictedLabel, a key of the same kind, which the placeholder keeps.
        bool hasLabel = inputSchema.Any(c => c.Name == _options.LabelColumnName && c.IsKey);
        IEstimator<ITransformer> labeller;
        if (hasLabel)
            labeller = PredictedLabelStage.ShapeEstimator(MLContext, _options.LabelColumnName);
        else if (inputSchema.Any(c => c.Name == PredictedLabelStage.ScorerPredictedLabelColumn && c.IsKey))
            labeller = MLContext.Transforms.CopyColumns(PredictedLabelStage.ScorerScoreColumn, ScoreAdjustmentGraph.AdjustedColumn);
        else
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The schema needs the key label column '{_options.LabelColumnName}' or a key " +
                $"'{PredictedLabelStage.ScorerPredictedLabelColumn}' column to type the corrected predicted label.");
        return PredictedLabelStage.Chain([
            ScoreAdjustmentGraph.CreateEstimator(MLContext, _options.ScoreColumnName, [0f], _options.ScoreKind),
            labeller,
            .. PredictedLabelStage.Finish(MLContext, _options.ScoreColumnName, _options.PredictedLabelColumnName),
        ]);
    }

    private List<IEstimator<ITransformer>> CompileStages(IDataView targetData)
    {
        var sourceData = _options.SourceData!;
        var labelColumn = SchemaValidation.GetColumn(sourceData.Schema, _options.LabelColumnName, "label", nameof(LabelShiftCorrectionOptions.LabelColumnName));
        int k = MulticlassScores.KeyClassCount(labelColumn, nameof(LabelShiftCorrectionOptions.LabelColumnName));
        var names = SchemaValidation.ClassNames(labelColumn, k);
        var source = MulticlassScores.Read(sourceData, "source data", _options.ScoreColumnName, _options.LabelColumnName, k, _options.ScoreKind);
        var target = MulticlassScores.Read(targetData, "target data", _options.ScoreColumnName, null, k, _options.ScoreKind);

        double[] sourcePriors;
        if (_options.SourcePriors is not null)
        {
            if (_options.SourcePriors.Count != k)
                throw new ArgumentException($"SourcePriors has {_options.SourcePriors.Count} entries but the label column '{_options.LabelColumnName}' has {k} classes.",
                    nameof(LabelShiftCorrectionOptions.SourcePriors));
            double total = _options.SourcePriors.Sum();
            sourcePriors = _options.SourcePriors.Select(p => p / total).ToArray();
        }
        else
        {
            var counts = source.CountClasses();
            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                    throw new InvalidOperationException($"The source data has no row of class '{names[c]}' (label column '{_options.LabelColumnName}'), so its source " +
                        "prior would be 0; give SourcePriors or source data with every class.");
            }
            sourcePriors = counts.Select(n => (double)n / source.RowCount).ToArray();
        }

        double[] targetPriors;
        if (_options.Method == LabelShiftMethod.ExpectationMaximization)
        {
            targetPriors = EmPriorEstimator.Estimate(target.Probabilities(_options.ScoreKind), k, sourcePriors, out int iterations,
                _options.MaximumIterations, _options.Tolerance);
            FittedIterations = iterations;
        }
        else
        {
            var sourceLogs = source.LogScores(_options.ScoreKind);
            var targetLogs = target.LogScores(_options.ScoreKind);
            var zero = new double[k];
            var sourcePredictions = Enumerable.Range(0, source.RowCount).Select(r => ScoreAdjustmentGraph.ArgMax(sourceLogs.AsSpan(r * k, k), zero)).ToArray();
            var targetPredictions = Enumerable.Range(0, target.RowCount).Select(r => ScoreAdjustmentGraph.ArgMax(targetLogs.AsSpan(r * k, k), zero)).ToArray();
            var w = BlackBoxShiftEstimator.EstimateWeights(source.Labels, sourcePredictions, targetPredictions, k, names);
            var validationPriors = source.CountClasses().Select(n => (double)n / source.RowCount).ToArray();
            targetPriors = new double[k];
            for (int c = 0; c < k; c++)
                targetPriors[c] = w[c] * validationPriors[c];
            double sum = targetPriors.Sum();
            for (int c = 0; c < k; c++)
                targetPriors[c] /= sum;
            FittedIterations = 0;
        }
        FittedSourcePriors = sourcePriors;
        FittedTargetPriors = targetPriors;

        var bias = new float[k];
        for (int c = 0; c < k; c++)
            bias[c] = (float)Math.Log(Math.Max(targetPriors[c] / sourcePriors[c], MinimumWeight));
        return [
            ScoreAdjustmentGraph.CreateEstimator(MLContext, _options.ScoreColumnName, bias, _options.ScoreKind),
            new PrefittedEstimator(PredictedLabelStage.FitLabeler(MLContext, labelColumn, k),
                PredictedLabelStage.ShapeEstimator(MLContext, _options.LabelColumnName)),
            .. PredictedLabelStage.Finish(MLContext, _options.ScoreColumnName, _options.PredictedLabelColumnName),
        ];
    }
}
