namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>Options of <see cref="ImbalanceSweep"/>.</summary>
public sealed class ImbalanceSweepOptions
{
    /// <summary>The label column: a key, or text / numbers / booleans mapped to a key by the sweep. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The float-vector feature column the trainers read (written by <see cref="Featurizer"/> where one is
    /// given). Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Optional featurisation fitted inside each fold ahead of the strategy and trainer (one-hot, text,
    /// normalisation...); it must write <see cref="FeatureColumnName"/>.</summary>
    public IEstimator<ITransformer>? Featurizer { get; set; }

    /// <summary>The metric to maximise. Default <see cref="SweepMetric.MacroF1"/>.</summary>
    public SweepMetric Metric { get; set; } = SweepMetric.MacroF1;

    /// <summary>The positive class for <see cref="SweepMetric.PrAuc"/> with two classes; default the smaller class.</summary>
    public string? PositiveClass { get; set; }

    /// <summary>Wall-clock budget for the search (the final refit comes on top). Default 60 s.</summary>
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Stratified folds of the cross-validation. Default 5.</summary>
    public int NumberOfFolds { get; set; } = 5;

    /// <summary>Seed of the folds, the search order, the samplers and the trainers. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Most trials to run (null: no limit but the budget).</summary>
    public int? MaxTrials { get; set; }

    /// <summary>The trainers to search over (required).</summary>
    public IList<SweepTrainer> Trainers { get; set; } = [SweepTrainer.SdcaMaximumEntropy()];

    /// <summary>The strategies to search over. Default <see cref="SweepStrategy.Defaults"/>.</summary>
    public IList<SweepStrategy> Strategies { get; set; } = SweepStrategy.Defaults().ToList();

    /// <summary>Told of each trial as it finishes.</summary>
    public IProgress<SweepTrial>? Progress { get; set; }

    /// <summary>Whether <see cref="SweepResult.BestModel"/> maps <c>PredictedLabel</c> back to the class values
    /// (default true).</summary>
    public bool MapPredictedLabelToValue { get; set; } = true;
}
