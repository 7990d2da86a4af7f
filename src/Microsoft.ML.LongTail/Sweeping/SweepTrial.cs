namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>How a trial ended.</summary>
public enum SweepTrialStatus
{
    /// <summary>Every fold was fitted and evaluated.</summary>
    Completed,

    /// <summary>Fitting or evaluating threw; <see cref="SweepTrial.Error"/> says why.</summary>
    Failed,

    /// <summary>Stopped after its first folds: it could not finish in the time left (<see cref="SweepTrial.Error"/>
    /// gives the estimate). Its fold metrics are not used.</summary>
    Abandoned,

    /// <summary>Stopped by racing (<see cref="ImbalanceSweepOptions.Racing"/>) after some folds: it was clearly worse
    /// than the best completed trial on the same folds (<see cref="SweepTrial.Error"/> gives the comparison).
    /// <see cref="SweepTrial.FoldMetrics"/> holds the folds it ran; it has no mean and never becomes the best.</summary>
    RacedOut,
}

/// <summary>One pipeline the sweep evaluated: strategy, trainer, parameters and its cross-validated figures.</summary>
public sealed class SweepTrial
{
    internal SweepTrial(int index, string strategy, string trainer, SweepParameters strategyParameters, SweepParameters trainerParameters)
    {
        Index = index;
        StrategyName = strategy;
        TrainerName = trainer;
        StrategyParameters = strategyParameters;
        TrainerParameters = trainerParameters;
    }

    /// <summary>The trial's number, from 1 in the order run.</summary>
    public int Index { get; }

    /// <summary>The strategy's name.</summary>
    public string StrategyName { get; }

    /// <summary>The trainer's name.</summary>
    public string TrainerName { get; }

    /// <summary>The strategy's parameters.</summary>
    public SweepParameters StrategyParameters { get; }

    /// <summary>The trainer's hyper-parameters.</summary>
    public SweepParameters TrainerParameters { get; }

    /// <summary>How the trial ended.</summary>
    public SweepTrialStatus Status { get; internal set; }

    /// <summary>Why the trial failed, was abandoned or was raced out (null when it completed).</summary>
    public string? Error { get; internal set; }

    /// <summary>The optimised metric on each held-out fold (for a raced-out trial, the folds it ran).</summary>
    public IReadOnlyList<double> FoldMetrics { get; internal set; } = [];

    /// <summary>The mean of <see cref="FoldMetrics"/> (NaN unless the trial completed).</summary>
    public double MetricMean { get; internal set; } = double.NaN;

    /// <summary>The sample standard deviation of <see cref="FoldMetrics"/>.</summary>
    public double MetricStandardDeviation { get; internal set; } = double.NaN;

    /// <summary>Every metric's mean over the folds (PR-AUC where it is defined).</summary>
    public IReadOnlyDictionary<SweepMetric, double> Means { get; internal set; } = new Dictionary<SweepMetric, double>();

    /// <summary>Wall-clock seconds the trial took.</summary>
    public double Seconds { get; internal set; }

    /// <summary>Whether this trial was the best so far when it finished.</summary>
    public bool IsBestSoFar { get; internal set; }

    /// <summary>The pipeline's description: <c>strategy(params) + trainer(params)</c>.</summary>
    public string Description =>
        $"{StrategyName}{Wrap(StrategyParameters)} + {TrainerName}{Wrap(TrainerParameters)}";

    private static string Wrap(SweepParameters p) => p.Values.Count == 0 ? "" : $"({p})";

    /// <inheritdoc/>
    public override string ToString() => Status == SweepTrialStatus.Completed
        ? $"#{Index} {Description}: {MetricMean:0.0000} ± {MetricStandardDeviation:0.0000} ({Seconds:0.0} s)"
        : $"#{Index} {Description}: {StatusName(Status)} ({Error})";

    /// <summary>The status as the leaderboards print it: <c>completed</c>, <c>failed</c>, <c>abandoned</c>,
    /// <c>raced out</c>.</summary>
    public static string StatusName(SweepTrialStatus status) => status switch
    {
        SweepTrialStatus.RacedOut => "raced out",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>Why the sweep stopped.</summary>
public enum SweepStopReason
{
    /// <summary>Every candidate was tried.</summary>
    Exhausted,

    /// <summary>The time budget ran out.</summary>
    Budget,

    /// <summary><see cref="ImbalanceSweepOptions.MaxTrials"/> trials were run.</summary>
    MaxTrials,

    /// <summary>The cancellation token was cancelled.</summary>
    Cancelled,
}

/// <summary>What <see cref="ImbalanceSweep.Run"/> returns: the leaderboard and the best pipeline fitted.</summary>
public sealed class SweepResult
{
    internal SweepResult(SweepMetric metric, IReadOnlyList<SweepTrial> trials, SweepTrial best, IEstimator<ITransformer> bestPipeline,
        ITransformer bestModel, SweepStopReason stopReason, TimeSpan elapsed, IReadOnlyList<string> classNames)
    {
        Metric = metric;
        Trials = trials;
        BestTrial = best;
        BestPipeline = bestPipeline;
        BestModel = bestModel;
        StopReason = stopReason;
        Elapsed = elapsed;
        ClassNames = classNames;
    }

    /// <summary>The imbalance ratio of the data the sweep ran on: the largest class's rows over the smallest's.</summary>
    public double ImbalanceRatio { get; init; }

    /// <summary>The names of the strategies not searched because the classes are balanced
    /// (<see cref="ImbalanceSweepOptions.BalancedImbalanceRatio"/>); empty when every strategy was searched.</summary>
    public IReadOnlyList<string> StrategiesSetAside { get; init; } = [];

    /// <summary>The optimised metric.</summary>
    public SweepMetric Metric { get; }

    /// <summary>The trials in the order run.</summary>
    public IReadOnlyList<SweepTrial> Trials { get; }

    /// <summary>The trials best first: completed ones by mean metric, then the raced-out ones, then the abandoned and
    /// failed ones (each group in the order run).</summary>
    public IReadOnlyList<SweepTrial> Leaderboard => Trials
        .OrderBy(t => t.Status switch { SweepTrialStatus.Completed => 0, SweepTrialStatus.RacedOut => 1, _ => 2 })
        .ThenByDescending(t => t.Status == SweepTrialStatus.Completed ? t.MetricMean : double.NegativeInfinity)
        .ThenBy(t => t.Index).ToArray();

    /// <summary>The best trial.</summary>
    public SweepTrial BestTrial { get; }

    /// <summary>The best trial's pipeline, unfitted (label mapping excluded, featuriser included).</summary>
    public IEstimator<ITransformer> BestPipeline { get; }

    /// <summary>The best pipeline refitted on all the sweep's data (with the label mapping in front where the sweep
    /// added one, and <c>PredictedLabel</c> mapped back to the class names where asked); saves with
    /// <c>mlContext.Model.Save</c>.</summary>
    public ITransformer BestModel { get; }

    /// <summary>Why the sweep stopped.</summary>
    public SweepStopReason StopReason { get; }

    /// <summary>The sweep's wall-clock time, refit included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The class names in key order.</summary>
    public IReadOnlyList<string> ClassNames { get; }
}
