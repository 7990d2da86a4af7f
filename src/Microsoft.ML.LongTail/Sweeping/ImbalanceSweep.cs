using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>The budget ran out before the first trial could finish: no pipeline was evaluated.</summary>
public sealed class SweepBudgetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SweepBudgetException(string message, double suggestedSeconds) : base(message) => SuggestedSeconds = suggestedSeconds;

    /// <summary>A budget that would have let the first trial finish (an estimate from its first folds).</summary>
    public double SuggestedSeconds { get; }
}

/// <summary>
/// An imbalance-aware search over strategy × trainer × hyper-parameters, each candidate scored by stratified k-fold
/// cross-validation (samplers and weights fitted on the training folds only), under a time budget.
/// </summary>
/// <remarks>
/// First every trainer as it is (the baselines). Then, until the budget, <see cref="ImbalanceSweepOptions.MaxTrials"/>,
/// the grid or the cancellation token ends it: every other strategy at default parameters with the two trainers whose
/// baselines scored best (the better one first), alternating with a local search that changes one thing about the best
/// trial so far (one hyper-parameter of its trainer or strategy, or its strategy for another one at defaults, keeping
/// the tuned trainer; the next best trial once every neighbour has been tried). Once those pairings are done, two
/// trials in three are local and the third explores: the other trainers' default pairings first, then random draws
/// from the whole grid, so the search does not stay stuck near one pipeline. No candidate runs twice.
/// A candidate whose trainer last took longer than the time left is skipped; a trial whose
/// first folds show it cannot finish in the time left is abandoned (kept in the leaderboard as
/// <see cref="SweepTrialStatus.Abandoned"/>) and the search goes on with other candidates; a trial still running at the
/// end of the budget is abandoned between folds. With <see cref="ImbalanceSweepOptions.Racing"/> (the default), a trial
/// that its first folds show to be clearly worse than the best completed trial on the same folds stops early
/// (<see cref="SweepTrialStatus.RacedOut"/>; the rule is in the option's remarks). The best completed trial is refitted on all the data. Cancelling keeps the best trial found so far (and throws only if none had completed).
/// </remarks>
public static class ImbalanceSweep
{
    private const string TestFoldColumn = "__SweepIsTrain";

    /// <summary>How many trainers (the best baselines) get every strategy at defaults before the local search starts.</summary>
    private const int LeadingTrainers = 2;

    /// <summary>Runs the sweep.</summary>
    /// <param name="mlContext">The ML context.</param>
    /// <param name="data">The training data: the label column and the raw columns the featuriser reads (or the feature column).</param>
    /// <param name="options">The search space, metric, budget and folds.</param>
    /// <param name="cancellationToken">Stops the search; the best trial so far is refitted and returned.</param>
    /// <returns>The leaderboard and the best pipeline refitted on all of <paramref name="data"/>.</returns>
    /// <exception cref="ArgumentException">A missing column, fewer than two classes, a class smaller than the folds,
    /// no trainer, or an invalid option.</exception>
    /// <exception cref="SweepBudgetException">The budget ran out before any trial completed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before any trial completed.</exception>
    public static SweepResult Run(MLContext mlContext, IDataView data, ImbalanceSweepOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Trainers is null || options.Trainers.Count == 0)
            throw new ArgumentException("The sweep needs at least one trainer.", nameof(options));
        if (options.Strategies is null || options.Strategies.Count == 0)
            throw new ArgumentException("The sweep needs at least one strategy (SweepStrategy.None() for none).", nameof(options));
        if (options.NumberOfFolds < 2)
            throw new ArgumentException($"NumberOfFolds must be at least 2, got {options.NumberOfFolds}.", nameof(options));
        if (options.NumberOfRepeats < 1)
            throw new ArgumentException($"NumberOfRepeats must be at least 1, got {options.NumberOfRepeats}.", nameof(options));
        if (options.TimeBudget <= TimeSpan.Zero)
            throw new ArgumentException($"TimeBudget must be positive, got {options.TimeBudget}.", nameof(options));
        if (options.MaxTrials is < 1)
            throw new ArgumentException($"MaxTrials must be at least 1, got {options.MaxTrials}.", nameof(options));
        if (!(options.BalancedImbalanceRatio >= 0 && double.IsFinite(options.BalancedImbalanceRatio)))
            throw new ArgumentException($"BalancedImbalanceRatio must be finite and at least 0, got {options.BalancedImbalanceRatio}.", nameof(options));
        if (options.Racing)
        {
            if (options.RacingMinimumFolds < 2)
                throw new ArgumentException($"RacingMinimumFolds must be at least 2, got {options.RacingMinimumFolds}.", nameof(options));
            if (!(options.RacingConfidence >= 0.5 && options.RacingConfidence < 1))
                throw new ArgumentException($"RacingConfidence must be in [0.5, 1), got {options.RacingConfidence}.", nameof(options));
            if (!(options.RacingMargin >= 0 && double.IsFinite(options.RacingMargin)))
                throw new ArgumentException($"RacingMargin must be finite and at least 0, got {options.RacingMargin}.", nameof(options));
        }

        var clock = Stopwatch.StartNew();
        string label = options.LabelColumnName;
        var labelColumn = SchemaValidation.GetColumn(data.Schema, label, "label", nameof(options));
        ITransformer? labelMapping = null;
        var original = data;
        if (labelColumn.Type is not KeyDataViewType)
        {
            labelMapping = mlContext.Transforms.Conversion.MapValueToKey(label).Fit(data);
            data = labelMapping.Transform(data);
        }
        data = mlContext.Data.Cache(data);
        var (labels, encoding) = LabelColumn.Read(data, label, nameof(data));
        int classCount = encoding.ClassCount;
        var counts = new int[classCount];
        foreach (int l in labels)
            counts[l]++;
        int present = counts.Count(c => c > 0);
        if (present < 2)
            throw new ArgumentException($"The label column '{label}' has {present} class with rows; a classifier needs at least two.", nameof(data));
        for (int c = 0; c < classCount; c++)
        {
            if (counts[c] > 0 && counts[c] < options.NumberOfFolds)
                throw new ArgumentException($"Class '{encoding.GetClassName(c)}' has {counts[c]} rows, fewer than the {options.NumberOfFolds} folds: " +
                    "merge or drop it, or use fewer folds.", nameof(data));
        }
        int positive = PositiveClass(options, encoding, counts);
        double imbalanceRatio = (double)counts.Max() / counts.Where(c => c > 0).Min();
        var strategies = options.Strategies.ToList();
        var setAside = new List<string>();
        if (imbalanceRatio < options.BalancedImbalanceRatio && strategies.Any(s => !s.AddressesImbalance))
        {
            setAside = strategies.Where(s => s.AddressesImbalance).Select(s => s.Name).ToList();
            strategies = strategies.Where(s => !s.AddressesImbalance).ToList();
        }

        // One view per fold (of each repeat) with a two-valued key column (1: held out, 2: training), split by key range.
        // The first repeat's folds are those of a single cross-validation with this seed.
        var splits = Enumerable.Range(0, options.NumberOfRepeats).SelectMany(r =>
        {
            int[] folds = StratifiedFolds.Assign(labels, options.NumberOfFolds, unchecked(options.Seed + 7919 * r));
            return Enumerable.Range(0, options.NumberOfFolds).Select(f =>
            {
                var view = new FoldColumnDataView(data, TestFoldColumn, folds.Select(x => x == f ? 1u : 2u).ToArray(), 2);
                return (Train: mlContext.Data.FilterRowsByKeyColumnFraction(view, TestFoldColumn, 0.5, 1.0),
                        Test: mlContext.Data.FilterRowsByKeyColumnFraction(view, TestFoldColumn, 0.0, 0.5),
                        TrainCounts: Enumerable.Range(0, classCount).Select(c => (long)Enumerable.Range(0, labels.Length).Count(i => folds[i] != f && labels[i] == c)).ToArray());
            });
        }).ToArray();

        int smallest = (int)splits.Min(s => s.TrainCounts.Where(n => n > 0).Min());
        // Seconds of each trainer's latest completed trial: the search tries cheaper trainers first after the
        // baselines, and skips a candidate whose trainer last took longer than the time left.
        var trainerSeconds = new Dictionary<string, double>(StringComparer.Ordinal);
        var completed = new List<(Candidate Candidate, double Score)>();
        var candidates = Candidates(options, strategies, trainerSeconds, completed);
        var trials = new List<SweepTrial>();
        SweepTrial? best = null;
        IEstimator<ITransformer>? bestPipeline = null;
        var stop = SweepStopReason.Exhausted;
        bool skippedForTime = false;
        foreach (var candidate in candidates)
        {
            if (cancellationToken.IsCancellationRequested) { stop = SweepStopReason.Cancelled; break; }
            if (best is not null && clock.Elapsed >= options.TimeBudget) { stop = SweepStopReason.Budget; break; }
            if (options.MaxTrials is { } max && trials.Count >= max) { stop = SweepStopReason.MaxTrials; break; }

            if (best is not null && trainerSeconds.TryGetValue(candidate.Trainer.Name, out double typical)
                && typical > (options.TimeBudget - clock.Elapsed).TotalSeconds)
            {
                skippedForTime = true;
                continue;
            }

            var trial = new SweepTrial(trials.Count + 1, candidate.Strategy.Name, candidate.Trainer.Name, candidate.StrategyParameters, candidate.TrainerParameters);
            var pipeline = BuildPipeline(mlContext, options, candidate, smallest);
            var trialClock = Stopwatch.StartNew();
            var perFold = new List<Dictionary<SweepMetric, double>>();
            bool abandoned = false;
            double? projected = null;
            bool racedOut = false;
            try
            {
                foreach (var split in splits)
                {
                    // The first trial's first fold always runs: it tells how long a trial takes.
                    if ((best is not null || perFold.Count > 0) && (cancellationToken.IsCancellationRequested || clock.Elapsed >= options.TimeBudget))
                    {
                        abandoned = true;
                        break;
                    }
                    var model = pipeline.Fit(split.Train);
                    var scored = model.Transform(split.Test);
                    perFold.Add(Evaluate(mlContext, scored, label, split.TrainCounts, positive, classCount));
                    int left = splits.Length - perFold.Count;
                    // Racing: a trial clearly worse than the best on the same folds stops (the fold metrics only, no clock).
                    if (options.Racing && best is not null && left > 0 && perFold.Count >= options.RacingMinimumFolds)
                    {
                        var race = SweepRacing.Compare(perFold.Select(m => m[options.Metric]).ToArray(), best.FoldMetrics,
                            options.RacingConfidence, options.RacingMargin);
                        if (race.Stop)
                        {
                            racedOut = true;
                            trial.Error = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                                $"stopped after {perFold.Count} of {splits.Length} folds: paired mean {race.MeanDifference:0.000} below the best (#{best.Index}) " +
                                $"on the same folds, {options.RacingConfidence:0.##%} upper bound {race.UpperBound:0.000} < -{options.RacingMargin:0.###}");
                            break;
                        }
                    }
                    // Once a trial has completed, a slow trial that cannot finish in the time left gives way to others.
                    if (best is not null && left > 0)
                    {
                        double perFoldSeconds = trialClock.Elapsed.TotalSeconds / perFold.Count;
                        double remaining = (options.TimeBudget - clock.Elapsed).TotalSeconds;
                        if (perFoldSeconds * left > remaining)
                        {
                            projected = perFoldSeconds * splits.Length;
                            trial.Error = $"abandoned after {perFold.Count} of {splits.Length} folds: a trial takes about {projected:0} s, " +
                                $"more than the {Math.Max(0, remaining):0} s left";
                            break;
                        }
                    }
                }
                trial.Status = racedOut ? SweepTrialStatus.RacedOut : projected is null ? SweepTrialStatus.Completed : SweepTrialStatus.Abandoned;
            }
            // A cancellation inside Fit (Ctrl-C during a fold) is the sweep being stopped, not a failed trial.
            catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
            {
                trial.Status = SweepTrialStatus.Failed;
                trial.Error = FirstLine(e);
            }
            trial.Seconds = trialClock.Elapsed.TotalSeconds;
            if (!abandoned && trial.Status == SweepTrialStatus.Completed)
                trainerSeconds[candidate.Trainer.Name] = trial.Seconds;
            if (projected is { } estimate)
                trainerSeconds[candidate.Trainer.Name] = estimate;
            if (trial.Status == SweepTrialStatus.RacedOut)
            {
                // What the whole trial would have taken; its folds are kept for the record, but it has no mean.
                trainerSeconds[candidate.Trainer.Name] = trial.Seconds / perFold.Count * splits.Length;
                trial.FoldMetrics = perFold.Select(m => m[options.Metric]).ToArray();
            }
            if (abandoned)
            {
                if (best is null)
                {
                    if (cancellationToken.IsCancellationRequested)
                        throw new OperationCanceledException("The sweep was cancelled before its first trial completed.", cancellationToken);
                    double perFoldSeconds = trial.Seconds / Math.Max(1, perFold.Count);
                    double suggested = Math.Ceiling(Math.Max(trial.Seconds, perFoldSeconds * splits.Length) * 1.5 + 1);
                    throw new SweepBudgetException(
                        $"The time budget of {options.TimeBudget.TotalSeconds:0.#} s is too small for one trial: the first pipeline " +
                        $"({trial.Description}) finished {perFold.Count} of {splits.Length} folds in {trial.Seconds:0.#} s. " +
                        $"Give a budget of at least {suggested:0} s, or fewer folds.", suggested);
                }
                stop = cancellationToken.IsCancellationRequested ? SweepStopReason.Cancelled : SweepStopReason.Budget;
                break;
            }
            if (trial.Status == SweepTrialStatus.Completed)
            {
                var values = perFold.Select(m => m[options.Metric]).ToArray();
                trial.FoldMetrics = values;
                trial.MetricMean = values.Average();
                trial.MetricStandardDeviation = values.Length < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - trial.MetricMean) * (v - trial.MetricMean)) / (values.Length - 1));
                trial.Means = perFold[0].Keys.ToDictionary(k => k, k => perFold.Average(m => m[k]));
                if (!double.IsNaN(trial.MetricMean))
                    completed.Add((candidate, trial.MetricMean));
                if (!double.IsNaN(trial.MetricMean) && (best is null || trial.MetricMean > best.MetricMean))
                {
                    best = trial;
                    bestPipeline = pipeline;
                    trial.IsBestSoFar = true;
                }
            }
            trials.Add(trial);
            options.Progress?.Report(trial);
        }

        if (stop == SweepStopReason.Exhausted && (skippedForTime || clock.Elapsed >= options.TimeBudget))
            stop = SweepStopReason.Budget;
        if (best is null || bestPipeline is null)
        {
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("The sweep was cancelled before any trial completed.", cancellationToken);
            throw new InvalidOperationException("Every trial failed: " +
                string.Join("; ", trials.Select(t => $"{t.Description}: {t.Error}").Distinct().Take(5)));
        }

        ITransformer fitted = bestPipeline.Fit(data);
        ITransformer bestModel = labelMapping is null ? fitted : new TransformerChain<ITransformer>(labelMapping, fitted);
        if (options.MapPredictedLabelToValue)
        {
            var map = mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(bestModel.Transform(original));
            bestModel = bestModel is TransformerChain<ITransformer> chain ? chain.Append(map) : new TransformerChain<ITransformer>(bestModel, map);
        }
        return new SweepResult(options.Metric, trials, best, bestPipeline, bestModel, stop, clock.Elapsed, encoding.ClassNames)
        {
            ImbalanceRatio = imbalanceRatio,
            StrategiesSetAside = setAside,
        };
    }

    private sealed record Candidate(SweepStrategy Strategy, SweepTrainer Trainer, SweepParameters StrategyParameters, SweepParameters TrainerParameters);

    /// <summary>Baselines; then each strategy × trainer at defaults, the best baselines' trainers first; then a local
    /// search around the best trials interleaved with random grid draws (see the class remarks). Lazy: each phase reads
    /// the scores of the trials completed so far.</summary>
    private static IEnumerable<Candidate> Candidates(ImbalanceSweepOptions options, IReadOnlyList<SweepStrategy> strategies, IReadOnlyDictionary<string, double> trainerSeconds,
        IReadOnlyList<(Candidate Candidate, double Score)> completed)
    {
        var random = new Random(options.Seed);
        var seen = new HashSet<string>();
        var pairs = strategies.SelectMany(s => options.Trainers.Where(s.Supports).Select(t => (Strategy: s, Trainer: t))).ToArray();
        if (pairs.Length == 0)
            throw new ArgumentException("No strategy can be combined with any of the trainers.", nameof(options));
        var baseline = pairs.Take(options.Trainers.Count(t => strategies[0].Supports(t))).ToArray();
        var rest = pairs.Skip(baseline.Length).ToArray();
        random.Shuffle(rest);
        Candidate AtDefaults((SweepStrategy Strategy, SweepTrainer Trainer) p) => new(p.Strategy, p.Trainer, Defaults(p.Strategy.Parameters), Defaults(p.Trainer.Parameters));
        foreach (var c in baseline.Select(AtDefaults))
        {
            if (seen.Add(Key(c)))
                yield return c;
        }
        // Evaluated lazily: by now the baselines have run and their scores and times are known (a stable sort keeps
        // the shuffle among equals). A trainer without a completed baseline sorts last.
        double BaselineScore(SweepTrainer t) => completed.Where(x => x.Candidate.Trainer == t).Select(x => x.Score).DefaultIfEmpty(double.NegativeInfinity).Max();
        // Only the two best baselines' trainers get every strategy at defaults early, alternating with the local search
        // (so that tuning the winner does not wait for every pairing); the other trainers' default pairings wait for the
        // exploration slots, ahead of random draws, so a short budget is not spent on them.
        var ranked = rest.OrderByDescending(p => BaselineScore(p.Trainer)).ThenBy(p => trainerSeconds.GetValueOrDefault(p.Trainer.Name)).ToArray();
        var leaders = ranked.Select(p => p.Trainer).Distinct().Take(LeadingTrainers).ToHashSet();
        var leading = new Queue<Candidate>(ranked.Where(p => leaders.Contains(p.Trainer)).Select(AtDefaults));
        var deferred = new Queue<Candidate>(ranked.Where(p => !leaders.Contains(p.Trainer)).Select(AtDefaults));
        Candidate? Next(Queue<Candidate> queue)
        {
            while (queue.TryDequeue(out var c))
            {
                if (!seen.Contains(Key(c)))
                    return c;
            }
            return null;
        }
        Candidate? Local() => completed.OrderByDescending(x => x.Score)
            .SelectMany(x => Neighbours(x.Candidate, strategies, random))
            .FirstOrDefault(c => !seen.Contains(Key(c)));

        long gridSize = pairs.Sum(p => Size(p.Strategy.Parameters) * Size(p.Trainer.Parameters));
        int misses = 0, step = 0;
        while (seen.Count < gridSize && misses < 1000)
        {
            // While the leaders' default pairings last, they alternate with the local search (the first untried
            // neighbour of the best trials, best first); then two local trials in three, the third exploring.
            bool pairing = leading.Count > 0 && step % 2 == 0;
            bool explore = leading.Count == 0 && step % 3 == 2;
            step++;
            var next = pairing ? Next(leading) : null;
            if (next is null && !explore)
                next = Local() ?? Next(leading);
            next ??= Next(deferred);
            if (next is null)
            {
                var (s, t) = pairs[random.Next(pairs.Length)];
                next = new Candidate(s, t, Draw(s.Parameters, random), Draw(t.Parameters, random));
            }
            if (seen.Add(Key(next))) { misses = 0; yield return next; }
            else misses++;
        }
    }

    /// <summary>The candidates one change away from <paramref name="c"/>, in random order: one hyper-parameter of its
    /// trainer or strategy set to another value, or another strategy (at its defaults) with the same tuned trainer.</summary>
    private static IEnumerable<Candidate> Neighbours(Candidate c, IReadOnlyList<SweepStrategy> strategies, Random random)
    {
        var list = new List<Candidate>();
        foreach (var p in c.Trainer.Parameters)
        {
            foreach (var v in p.Values.Where(v => !Equals(v, c.TrainerParameters.Values.GetValueOrDefault(p.Name))))
                list.Add(c with { TrainerParameters = With(c.TrainerParameters, p.Name, v) });
        }
        foreach (var p in c.Strategy.Parameters)
        {
            foreach (var v in p.Values.Where(v => !Equals(v, c.StrategyParameters.Values.GetValueOrDefault(p.Name))))
                list.Add(c with { StrategyParameters = With(c.StrategyParameters, p.Name, v) });
        }
        foreach (var s in strategies.Where(s => s != c.Strategy && s.Supports(c.Trainer)))
            list.Add(c with { Strategy = s, StrategyParameters = Defaults(s.Parameters) });
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }

    private static SweepParameters With(SweepParameters parameters, string name, object value)
    {
        var values = parameters.Values.ToDictionary(p => p.Key, p => p.Value);
        values[name] = value;
        return new SweepParameters(values);
    }

    private static long Size(IReadOnlyList<SweepParameter> space) => space.Aggregate(1L, (n, p) => n * p.Values.Count);

    private static SweepParameters Defaults(IReadOnlyList<SweepParameter> space) =>
        new(space.ToDictionary(p => p.Name, p => p.Values[0]));

    private static SweepParameters Draw(IReadOnlyList<SweepParameter> space, Random random) =>
        new(space.ToDictionary(p => p.Name, p => p.Values[random.Next(p.Values.Count)]));

    private static string Key(Candidate c) => $"{c.Strategy.Name}|{c.StrategyParameters}|{c.Trainer.Name}|{c.TrainerParameters}";

    private static IEstimator<ITransformer> BuildPipeline(MLContext ml, ImbalanceSweepOptions options, Candidate candidate, int smallest)
    {
        var context = new SweepStrategyContext(ml, options.LabelColumnName, options.FeatureColumnName, candidate.StrategyParameters, options.Seed,
            weight => candidate.Trainer.Create(new SweepTrainerContext(ml, options.LabelColumnName, options.FeatureColumnName, weight,
                candidate.TrainerParameters, options.Seed)), smallest)
        {
            CreateTrainerWithLoss = loss => candidate.Trainer.Create(new SweepTrainerContext(ml, options.LabelColumnName, options.FeatureColumnName, null,
                candidate.TrainerParameters, options.Seed, loss)),
        };
        var step = candidate.Strategy.Build(context);
        return options.Featurizer is null ? step : options.Featurizer.Append(step);
    }

    private static Dictionary<SweepMetric, double> Evaluate(MLContext ml, IDataView scored, string label, long[] trainCounts, int positive, int classCount)
    {
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(scored, new ImbalancedEvaluationOptions
        {
            LabelColumnName = label,
            ProbabilityColumnName = null,
            TrainingClassCounts = trainCounts,
        });
        return new Dictionary<SweepMetric, double>
        {
            [SweepMetric.MacroF1] = metrics.MacroF1Score,
            [SweepMetric.BalancedAccuracy] = metrics.BalancedAccuracy,
            [SweepMetric.GeometricMean] = metrics.GeometricMean,
            [SweepMetric.WorstClassRecall] = metrics.WorstClassRecall,
            [SweepMetric.PrAuc] = PrecisionRecall.AreaUnderCurve(scored, label, "Score", positive, classCount),
        };
    }

    private static int PositiveClass(ImbalanceSweepOptions options, LabelEncoding encoding, int[] counts)
    {
        if (options.PositiveClass is { } name)
        {
            int index = encoding.ClassNames.ToList().IndexOf(name);
            return index >= 0 ? index
                : throw new ArgumentException($"PositiveClass '{name}' is not a class of '{options.LabelColumnName}'. Classes: {string.Join(", ", encoding.ClassNames)}.", nameof(options));
        }
        int smallest = -1;
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] > 0 && (smallest < 0 || counts[c] < counts[smallest]))
                smallest = c;
        }
        return smallest;
    }

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
