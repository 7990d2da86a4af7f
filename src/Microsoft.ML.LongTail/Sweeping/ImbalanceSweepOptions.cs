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

    /// <summary>
    /// Repeats of the cross-validation, each with its own stratified fold assignment: every trial is evaluated on
    /// <c>NumberOfRepeats x NumberOfFolds</c> splits (racing compares them pairwise, in the same order, as it does folds).
    /// Default 1. On very small data (a few hundred rows, tail classes of a handful) one 5-fold estimate is too noisy to rank
    /// many pipelines; repeats trade trials for steadier estimates.
    /// </summary>
    public int NumberOfRepeats { get; set; } = 1;

    /// <summary>Seed of the folds, the search order, the samplers and the trainers. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Most trials to run (null: no limit but the budget).</summary>
    public int? MaxTrials { get; set; }

    /// <summary>The trainers to search over (required).</summary>
    public IList<SweepTrainer> Trainers { get; set; } = [SweepTrainer.SdcaMaximumEntropy()];

    /// <summary>The strategies to search over. Default <see cref="SweepStrategy.Defaults"/>.</summary>
    public IList<SweepStrategy> Strategies { get; set; } = SweepStrategy.Defaults().ToList();

    /// <summary>Classes whose imbalance ratio (the largest class's rows over the smallest's, in the data given to the sweep) is
    /// below this value count as balanced (KEEL's convention: a data set is imbalanced from a ratio of 1.5). Then the sweep
    /// searches only the <see cref="Strategies"/> that do not address imbalance (<see cref="SweepStrategy.AddressesImbalance"/>,
    /// e.g. <see cref="SweepStrategy.None"/>): weights and resampling cannot help there, and the whole budget goes to the
    /// trainers and their hyper-parameters. The strategies left out are listed in
    /// <see cref="SweepResult.StrategiesSetAside"/>. 0 searches every strategy whatever the ratio; so does a list without
    /// such a strategy. Default 1.5.</summary>
    public double BalancedImbalanceRatio { get; set; } = 1.5;

    /// <summary>
    /// Racing: whether a trial that is clearly worse than the best completed trial so far stops before its last fold
    /// (status <see cref="SweepTrialStatus.RacedOut"/>), leaving the budget to other candidates. Default true.
    /// </summary>
    /// <remarks>
    /// Every trial is scored on the same folds, so after each fold n (from <see cref="RacingMinimumFolds"/> on, while
    /// folds are left) the trial's metric is compared fold by fold with the best completed trial's on those n folds:
    /// with the paired differences d_i = trial_i - best_i, their mean d̄ and sample standard deviation s, the trial
    /// stops when the one-sided upper confidence bound d̄ + t(n - 1, <see cref="RacingConfidence"/>) · s / √n is below
    /// -<see cref="RacingMargin"/> (every <see cref="SweepMetric"/> is maximised). A trial whose mean difference is zero or
    /// positive is never stopped, nor one with an undefined (NaN) fold value. The rule reads only the fold metrics, not
    /// the clock, so given the seed the same trials are stopped on every run that reaches them. A stopped trial is kept
    /// in the leaderboard after the completed ones; it never becomes the best, and its partial folds are not ranked as a
    /// mean.
    /// </remarks>
    public bool Racing { get; set; } = true;

    /// <summary>Folds a trial always runs before racing may stop it (at least 2: the bound needs the differences'
    /// spread). Default 2; racing stops nothing when it is not below <see cref="NumberOfFolds"/>.</summary>
    public int RacingMinimumFolds { get; set; } = 2;

    /// <summary>One-sided confidence level of racing's upper bound on the mean paired difference, in [0.5, 1): higher
    /// stops fewer trials. Default 0.95.</summary>
    public double RacingConfidence { get; set; } = 0.95;

    /// <summary>How far below the best trial (in the metric's units) racing's upper bound must be before a trial stops;
    /// at least 0. It keeps a trial whose first folds happen to differ from the best's by about the same small amount (a
    /// spread near zero, which two folds give easily): within a point of the best is not clearly worse. Default 0.01.</summary>
    public double RacingMargin { get; set; } = 0.01;

    /// <summary>Told of each trial as it finishes.</summary>
    public IProgress<SweepTrial>? Progress { get; set; }

    /// <summary>Whether <see cref="SweepResult.BestModel"/> maps <c>PredictedLabel</c> back to the class values
    /// (default true).</summary>
    public bool MapPredictedLabelToValue { get; set; } = true;
}
