using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Sweeping;
using Microsoft.ML.Trainers.LightGbm;

namespace Microsoft.ML.LongTail.Tests.Sweeping;

public sealed class ImbalanceSweepTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-sweep-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public sealed class Row
    {
        public string Label { get; set; } = "";
        public float X { get; set; }
        public float Y { get; set; }
    }

    public sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";
    }

    /// <summary>Three classes (60 / 20 / 8 rows) around separate centres, with noise.</summary>
    private static IDataView Data(MLContext ml)
    {
        var random = new Random(3);
        var rows = new List<Row>();
        foreach (var (label, count, cx) in new[] { ("head", 60, 0f), ("mid", 20, 2f), ("tail", 8, 4f) })
        {
            for (int i = 0; i < count; i++)
                rows.Add(new Row { Label = label, X = cx + (float)(random.NextDouble() * 2 - 1), Y = (float)random.NextDouble() });
        }
        return ml.Data.LoadFromEnumerable(rows);
    }

    private static SweepTrainer LightGbm() => new("LightGbm", c => c.Context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, ExampleWeightColumnName = c.ExampleWeightColumnName,
        NumberOfIterations = c.Parameters.Get("iterations", 20), MinimumExampleCountPerLeaf = 2, NumberOfThreads = 1, Seed = c.Seed,
        Deterministic = true, Silent = true, Verbose = false,
    }), SweepParameter.Choice("iterations", 20, 40));

    /// <summary>A trainer that cannot split (a leaf needs more rows than a fold has): it predicts the head class only.</summary>
    private static SweepTrainer ConstantTrainer() => new("Constant", c => c.Context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, ExampleWeightColumnName = c.ExampleWeightColumnName,
        NumberOfIterations = 2, MinimumExampleCountPerLeaf = 1000, NumberOfThreads = 1, Deterministic = true, Silent = true, Verbose = false,
    }));

    private static ImbalanceSweepOptions Options(MLContext ml) => new()
    {
        Featurizer = ml.Transforms.Concatenate("Features", "X", "Y"),
        Trainers = [LightGbm(), SweepTrainer.SdcaMaximumEntropy()],
        NumberOfFolds = 3,
        TimeBudget = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public void Run_ReturnsLeaderboard_BaselineFirst_AndARefittedModelThatSavesAndLoads()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        options.MaxTrials = 5;
        var reported = new List<SweepTrial>();
        options.Progress = new SyncProgress(reported.Add);
        var result = ImbalanceSweep.Run(ml, Data(ml), options);

        Assert.Equal(SweepStopReason.MaxTrials, result.StopReason);
        Assert.Equal(5, result.Trials.Count);
        Assert.Equal(5, reported.Count);
        Assert.Equal("none", result.Trials[0].StrategyName);
        Assert.Equal("LightGbm", result.Trials[0].TrainerName);
        Assert.Equal("SdcaMaxEnt", result.Trials[1].TrainerName);
        // ADASYN may refuse this well-separated tail (no other class among its neighbours): a failed trial, kept.
        Assert.All(result.Trials.Where(t => t.StrategyName != "adasyn"), t => Assert.True(t.Status == SweepTrialStatus.Completed, t.ToString()));
        Assert.All(result.Trials.Where(t => t.Status == SweepTrialStatus.Completed), t => Assert.Equal(3, t.FoldMetrics.Count));
        var board = result.Leaderboard.Where(t => t.Status == SweepTrialStatus.Completed).ToArray();
        Assert.Same(result.BestTrial, board[0]);
        for (int i = 1; i < board.Length; i++)
            Assert.True(board[i - 1].MetricMean >= board[i].MetricMean);
        Assert.True(result.BestTrial.MetricMean > 0.5, result.BestTrial.ToString());
        Assert.Equal(["head", "mid", "tail"], result.ClassNames);

        string path = Path.Combine(_directory, "model.zip");
        ml.Model.Save(result.BestModel, Data(ml).Schema, path);
        var loaded = new MLContext(2).Model.Load(path, out _);
        var engine = new MLContext(2).Model.CreatePredictionEngine<Row, Prediction>(loaded);
        Assert.Equal("tail", engine.Predict(new Row { Label = "", X = 4f, Y = 0.5f }).PredictedLabel);
        Assert.Equal("head", engine.Predict(new Row { Label = "", X = 0f, Y = 0.5f }).PredictedLabel);
    }

    [Fact]
    public void Run_StopsAtTheBudget_AndOnCancellation_KeepingTheBestSoFar()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        options.TimeBudget = TimeSpan.FromSeconds(4);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = ImbalanceSweep.Run(ml, Data(ml), options);
        Assert.Equal(SweepStopReason.Budget, result.StopReason);
        // The search stops at the budget (a trial is abandoned between folds); the refit comes on top.
        Assert.True(clock.Elapsed.TotalSeconds < 4 + 8, $"took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.NotEmpty(result.Trials);

        using var cts = new CancellationTokenSource();
        options.TimeBudget = TimeSpan.FromSeconds(60);
        options.Progress = new SyncProgress(t => { if (t.Index == 2) cts.Cancel(); });
        var cancelled = ImbalanceSweep.Run(ml, Data(ml), options, cts.Token);
        Assert.Equal(SweepStopReason.Cancelled, cancelled.StopReason);
        Assert.Equal(2, cancelled.Trials.Count);
        Assert.NotNull(cancelled.BestModel);
    }

    [Fact]
    public void Run_BudgetTooSmallForOneTrial_Throws_AndEveryStrategyRunsOnGlass()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        options.TimeBudget = TimeSpan.FromMilliseconds(1);
        var e = Assert.Throws<SweepBudgetException>(() => ImbalanceSweep.Run(ml, Data(ml), options));
        Assert.Contains("too small for one trial", e.Message);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ImbalanceSweep.Run(ml, Data(ml), Options(ml), cts.Token));

        // Every default strategy, once, with LightGBM. ADASYN may refuse a tail class with no other class near it
        // (well separated here): that trial is kept in the leaderboard as failed, with the reason, and ranked last.
        var all = Options(ml);
        all.Trainers = [LightGbm()];
        // (The tail-aware losses need a trainer that offers them: LightGBM does not.)
        var withLightGbm = SweepStrategy.Defaults().Where(s => s.Supports(LightGbm())).ToArray();
        Assert.Equal(SweepStrategy.Defaults().Count - 1, withLightGbm.Length);
        // The baseline, then each other strategy at defaults alternating with a local trial.
        all.MaxTrials = 2 * withLightGbm.Length - 1;
        all.Metric = SweepMetric.PrAuc;
        var result = ImbalanceSweep.Run(ml, Data(ml), all);
        Assert.Equal(withLightGbm.Select(s => s.Name).Order(), result.Trials.Select(t => t.StrategyName).Distinct().Order());
        // (Racing may stop a trial clearly worse than the best: it ran, and did not fail.)
        Assert.All(result.Trials.Where(t => t.StrategyName != "adasyn"),
            t => Assert.True(t.Status is SweepTrialStatus.Completed or SweepTrialStatus.RacedOut, t.ToString()));
        Assert.All(result.Trials.Where(t => t.Status == SweepTrialStatus.Completed), t => Assert.InRange(t.MetricMean, 0, 1));
        Assert.All(result.Trials.Where(t => t.Status == SweepTrialStatus.Failed), t => Assert.False(string.IsNullOrEmpty(t.Error)));
        Assert.Equal(SweepTrialStatus.Completed, result.Leaderboard[0].Status);
    }

    [Fact]
    public void Run_BadInput_IsRefusedWithTheReason()
    {
        var ml = new MLContext(1);
        var one = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new Row { Label = "a", X = i }));
        var e = Assert.Throws<ArgumentException>(() => ImbalanceSweep.Run(ml, one, Options(ml)));
        Assert.Contains("at least two", e.Message);
        var options = Options(ml);
        options.LabelColumnName = "Missing";
        Assert.Throws<ArgumentException>(() => ImbalanceSweep.Run(ml, Data(ml), options));
        options = Options(ml);
        options.NumberOfFolds = 10;
        Assert.Contains("fewer than the 10 folds", Assert.Throws<ArgumentException>(() => ImbalanceSweep.Run(ml, Data(ml), options)).Message);
    }

    [Fact]
    public void Run_AbandonsATrialThatCannotFinish_AndGoesOnWithCheaperCandidates()
    {
        var ml = new MLContext(1);
        // Time one warm trial of the fast trainer on this machine, now: the budget is set from it, so the outcome does
        // not depend on how fast or loaded the machine is.
        var warm = Options(ml);
        warm.Trainers = [LightGbm()];
        warm.MaxTrials = 1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ImbalanceSweep.Run(ml, Data(ml), warm);
        double fast = watch.Elapsed.TotalSeconds;

        // A trial is abandoned when its time per fold times the folds left exceeds the time left. The slow trainer's
        // first fold takes d; its two folds left need 2d, more than the at most 3d - 0.5 - d left: always abandoned.
        // What is left after it (2d - 0.5 - the first trial - the slow fold's own work, at least 15 s and 7 fast) must
        // exceed the fast trainer's last trial time, or the sweep skips it: d has a floor because under parallel test load
        // a trial can take several times the warm one.
        double d = Math.Max(8, 4 * fast);
        var options = Options(ml);
        var slow = new SweepTrainer("Slow", c => new SlowEstimator(c.Context.MulticlassClassification.Trainers.SdcaMaximumEntropy(
            c.LabelColumnName, c.FeatureColumnName, c.ExampleWeightColumnName), TimeSpan.FromSeconds(d)));
        options.Trainers = [LightGbm(), slow];
        options.TimeBudget = TimeSpan.FromSeconds(3 * d - 0.5);
        options.MaxTrials = 4;
        var result = ImbalanceSweep.Run(ml, Data(ml), options);
        var second = result.Trials[1];
        Assert.Equal("Slow", second.TrainerName);
        Assert.Equal(SweepTrialStatus.Abandoned, second.Status);
        Assert.Contains("abandoned after 1 of 3 folds", second.Error);
        // The search went on with the fast trainer and never tried the slow one again.
        Assert.Contains(result.Trials.Skip(2), t => t.TrainerName == "LightGbm" && t.Status == SweepTrialStatus.Completed);
        Assert.DoesNotContain(result.Trials.Skip(2), t => t.TrainerName == "Slow");
        Assert.Equal("LightGbm", result.BestTrial.TrainerName);
    }

    [Fact]
    public void Run_TriesTheBestBaselinesTrainerFirst_ThenSearchesNearTheBestTrial()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        var constant = ConstantTrainer();
        // The weak trainer is listed first, so its baseline runs first: the order after the baselines comes from the scores.
        options.Trainers = [constant, LightGbm()];
        options.Strategies = [SweepStrategy.None(), SweepStrategy.ClassBalancedWeights(), SweepStrategy.RandomOverSampling()];
        options.MaxTrials = 12;
        var result = ImbalanceSweep.Run(ml, Data(ml), options);
        var trials = result.Trials;
        // Racing stops the weak trainer's later trials (far below the best after two folds), and only those.
        Assert.All(trials, t => Assert.True(t.Status == SweepTrialStatus.Completed || (t.Status == SweepTrialStatus.RacedOut && t.TrainerName == "Constant"), t.ToString()));
        Assert.Contains(trials, t => t.Status == SweepTrialStatus.RacedOut);
        Assert.Equal(["Constant", "LightGbm"], trials.Take(2).Select(t => t.TrainerName));
        Assert.True(trials[1].MetricMean > trials[0].MetricMean + 0.2, $"{trials[0]} / {trials[1]}");
        // Then the better baseline's trainer with another strategy at defaults, and next a trial one change away from the
        // best trial so far (the local search alternates with the default pairings).
        Assert.Equal("LightGbm", trials[2].TrainerName);
        Assert.NotEqual("none", trials[2].StrategyName);
        Assert.Equal("iterations=20", trials[2].TrainerParameters.ToString());
        var best = trials.Take(3).Where(t => t.MetricMean == trials.Take(3).Max(x => x.MetricMean)).First();
        Assert.Equal(1, Changes(best, trials[3]));
        // Every default pairing of the better trainer comes before any of the weak one's.
        bool IsDefaultPairing(SweepTrial t) => t.StrategyName != "none" && t.StrategyParameters.ToString() == SweepParametersOfDefaults(t.StrategyName)
            && (t.TrainerName == "Constant" || t.TrainerParameters.ToString() == "iterations=20");
        int lastLightGbm = trials.ToList().FindLastIndex(t => t.TrainerName == "LightGbm" && IsDefaultPairing(t));
        int firstConstant = trials.ToList().FindIndex(t => t.TrainerName == "Constant" && IsDefaultPairing(t));
        Assert.True(firstConstant < 0 || firstConstant > lastLightGbm, string.Join("; ", trials.Select(t => t.Description)));
        Assert.Equal(trials.Count, trials.Select(t => $"{t.StrategyName}|{t.StrategyParameters}|{t.TrainerName}|{t.TrainerParameters}").Distinct().Count());
    }

    [Fact]
    public void TailLossStrategy_PassesItsLossToTrainersThatOfferIt_AndSkipsTheOthers()
    {
        var ml = new MLContext(1);
        var asked = new List<string?>();
        var lossAware = new SweepTrainer("LossAware", c =>
        {
            asked.Add(c.Loss);
            return c.Context.MulticlassClassification.Trainers.SdcaMaximumEntropy(c.LabelColumnName, c.FeatureColumnName, c.ExampleWeightColumnName);
        })
        { Losses = ["balanced-softmax", "focal"], SupportsExampleWeights = false };
        var options = Options(ml);
        options.Trainers = [LightGbm(), lossAware];
        options.Strategies = [SweepStrategy.None(), SweepStrategy.TailLoss("balanced-softmax", "focal")];
        options.MaxTrials = 10;
        var result = ImbalanceSweep.Run(ml, Data(ml), options);

        // The whole grid: none × LightGBM (two iteration counts) and × the loss-aware trainer, and tail-loss with each of
        // its two losses, with the trainer that offers them only.
        Assert.Equal(SweepStopReason.Exhausted, result.StopReason);
        Assert.Equal(5, result.Trials.Count);
        Assert.All(result.Trials.Where(t => t.StrategyName == "tail-loss"), t => Assert.Equal("LossAware", t.TrainerName));
        Assert.Equal(["balanced-softmax", "focal"], result.Trials.Where(t => t.StrategyName == "tail-loss").Select(t => t.StrategyParameters.Get("loss", "")).Order());
        // The factory was told each trial's loss (null: the trainer's own default), once per trial.
        Assert.Equal([null, "balanced-softmax", "focal"], asked.Order());
        Assert.False(SweepStrategy.TailLoss().Supports(LightGbm()));
    }

    [Fact]
    public void Run_GivesEveryStrategyToTheTwoBestBaselinesTrainersFirst_AndTheThirdTrainerLater()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        var constant = ConstantTrainer();
        options.Trainers = [constant, LightGbm(), SweepTrainer.SdcaMaximumEntropy()];
        options.Strategies = [SweepStrategy.None(), SweepStrategy.ClassBalancedWeights(), SweepStrategy.RandomOverSampling()];
        options.MaxTrials = 12;
        var trials = ImbalanceSweep.Run(ml, Data(ml), options).Trials;
        Assert.Equal(["Constant", "LightGbm", "SdcaMaxEnt"], trials.Take(3).Select(t => t.TrainerName));
        // The weak trainer's default pairings wait until the two better trainers' pairings (two strategies each, which
        // alternate with local trials) are done: then two local trials, then an exploration slot, which is the weak
        // trainer's first pairing.
        string all = string.Join("; ", trials.Select(t => t.Description));
        int firstConstant = trials.ToList().FindIndex(3, t => t.TrainerName == "Constant");
        Assert.True(firstConstant > 3, all);
        Assert.Equal(4, trials.Take(firstConstant).Skip(3).Count(t => t.StrategyName != "none"
            && t.TrainerParameters.ToString() is "iterations=20" or "l2=0.0001, iterations=100"
            && t.StrategyParameters.ToString() == SweepParametersOfDefaults(t.StrategyName)));
        Assert.NotEqual("none", trials[firstConstant].StrategyName);
        // The two trials just before it were local ones (one change from an earlier trial of the same trainer).
        Assert.All(trials.Skip(firstConstant - 2).Take(2), t => Assert.Contains(trials.Take(t.Index - 1),
            earlier => earlier.TrainerName == t.TrainerName && Changes(earlier, t) == 1));
    }

    [Fact]
    public void Racing_StopsAClearlyWorseTrialAfterTheMinimumFolds_AndKeepsItOutOfTheRanking()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        // LightGBM's baseline runs first and is the best; the constant trainer (head class only) is far below it.
        options.Trainers = [LightGbm(), ConstantTrainer()];
        options.Strategies = [SweepStrategy.None()];
        options.NumberOfFolds = 4;
        options.MaxTrials = 2;
        var reported = new List<SweepTrial>();
        options.Progress = new SyncProgress(reported.Add);
        Assert.True(options.Racing);
        Assert.Equal(2, options.RacingMinimumFolds);
        var result = ImbalanceSweep.Run(ml, Data(ml), options);

        var (first, constant) = (result.Trials[0], result.Trials[1]);
        Assert.Equal(SweepTrialStatus.Completed, first.Status);
        Assert.Equal(4, first.FoldMetrics.Count);
        Assert.Equal("Constant", constant.TrainerName);
        Assert.Equal(SweepTrialStatus.RacedOut, constant.Status);
        Assert.StartsWith("stopped after 2 of 4 folds: paired mean -0.", constant.Error);
        Assert.Contains("below the best (#1)", constant.Error);
        Assert.Contains("95% upper bound", constant.Error);
        Assert.Contains("raced out (stopped after 2 of 4 folds", constant.ToString());
        // Its two folds are kept for the record, but it has no mean and is never the best.
        Assert.Equal(2, constant.FoldMetrics.Count);
        Assert.All(constant.FoldMetrics.Select((v, i) => (v, i)), x => Assert.True(x.v < first.FoldMetrics[x.i] - 0.2, $"fold {x.i}: {x.v} / {first.FoldMetrics[x.i]}"));
        Assert.True(double.IsNaN(constant.MetricMean));
        Assert.Empty(constant.Means);
        Assert.False(constant.IsBestSoFar);
        Assert.Same(first, result.BestTrial);
        Assert.Equal([first, constant], result.Leaderboard);
        Assert.Same(constant, reported[1]);

        // A later minimum: the same trial runs three folds before it stops.
        options.RacingMinimumFolds = 3;
        var later = ImbalanceSweep.Run(ml, Data(ml), options).Trials[1];
        Assert.Equal(SweepTrialStatus.RacedOut, later.Status);
        Assert.StartsWith("stopped after 3 of 4 folds", later.Error);
        Assert.Equal(3, later.FoldMetrics.Count);
        Assert.Equal(constant.FoldMetrics, later.FoldMetrics.Take(2));

        // Racing off: every fold runs and the trial completes, with the same values on the folds both ran.
        options.Racing = false;
        var off = ImbalanceSweep.Run(ml, Data(ml), options);
        Assert.All(off.Trials, t => Assert.Equal(SweepTrialStatus.Completed, t.Status));
        Assert.Equal(4, off.Trials[1].FoldMetrics.Count);
        Assert.Equal(constant.FoldMetrics, off.Trials[1].FoldMetrics.Take(2));
        Assert.True(off.Trials[1].MetricMean < off.Trials[0].MetricMean - 0.2, $"{off.Trials[0]} / {off.Trials[1]}");
        Assert.Equal(off.Trials[0].FoldMetrics, first.FoldMetrics);
    }

    [Fact]
    public void Racing_NeverStopsATrialThatIsTiedOrBetter()
    {
        var ml = new MLContext(1);
        var options = Options(ml);
        // The constant trainer is first, so the best when the others run: its twin ties it on every fold (paired
        // differences all zero) and LightGBM is far above it.
        var twin = ConstantTrainer();
        options.Trainers = [ConstantTrainer(), new SweepTrainer("ConstantTwin", twin.Create), LightGbm()];
        options.Strategies = [SweepStrategy.None()];
        options.NumberOfFolds = 4;
        options.MaxTrials = 3;
        var result = ImbalanceSweep.Run(ml, Data(ml), options);
        Assert.Equal(["Constant", "ConstantTwin", "LightGbm"], result.Trials.Select(t => t.TrainerName));
        Assert.All(result.Trials, t => Assert.Equal(SweepTrialStatus.Completed, t.Status));
        Assert.All(result.Trials, t => Assert.Equal(4, t.FoldMetrics.Count));
        Assert.Equal(result.Trials[0].FoldMetrics, result.Trials[1].FoldMetrics);
        Assert.False(result.Trials[1].IsBestSoFar);
        Assert.True(result.Trials[2].IsBestSoFar);
        Assert.Same(result.Trials[2], result.BestTrial);
    }

    [Fact]
    public void Racing_Rule_StopsOnlyWhenTheUpperBoundIsBelowTheMargin()
    {
        double[] best = [0.80, 0.70, 0.75, 0.85, 0.78];
        var defaults = new ImbalanceSweepOptions();
        Assert.Equal((0.95, 0.01), (defaults.RacingConfidence, defaults.RacingMargin));
        SweepRacing.Comparison Compare(double[] trial, double confidence = 0.95) => SweepRacing.Compare(trial, best, confidence, defaults.RacingMargin);
        // Clearly worse on every fold: stopped after two folds.
        var worse = Compare([0.50, 0.42]);
        Assert.True(worse.Stop);
        Assert.Equal(-0.29, worse.MeanDifference, 12);
        // d = (-0.30, -0.28): s = 0.01414, t(1, 0.95) = 6.3138, U = -0.29 + 6.3138 * 0.01 = -0.2269.
        Assert.Equal(-0.29 + 6.313752 * 0.01, worse.UpperBound, 5);
        // Behind on average but with a spread that leaves room to be ahead: kept.
        Assert.False(Compare([0.70, 0.78]).Stop);
        // Behind by about the same small amount on both folds (a spread near zero): within the margin, kept; beyond it, stopped.
        Assert.False(Compare([0.791, 0.6908]).Stop);
        Assert.True(Compare([0.78, 0.6795]).Stop);
        // A lower confidence stops sooner: this one is kept at 95 % and stopped at 75 %.
        double[] noisy = [0.70, 0.66, 0.72];
        Assert.False(Compare(noisy).Stop);
        Assert.True(Compare(noisy, 0.75).Stop);
        // Tied, or one fold missing its metric: kept.
        Assert.False(SweepRacing.Compare(best.Take(3).ToArray(), best, 0.5, 0).Stop);
        Assert.False(SweepRacing.Compare([0.1, double.NaN], best, 0.5, 0).Stop);
        // One fold tells nothing about the spread.
        Assert.False(SweepRacing.Compare([0.1], best, 0.5, 0).Stop);

        // Never a trial that is ahead on average, whatever the spread, level or margin.
        var random = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            int n = random.Next(2, 6);
            var b = Enumerable.Range(0, 5).Select(_ => random.NextDouble()).ToArray();
            var c = b.Take(n).Select(v => v + (random.NextDouble() - 0.5) * 0.4).ToArray();
            var comparison = SweepRacing.Compare(c, b, 0.5 + random.NextDouble() * 0.49, random.NextDouble() * 0.01);
            if (comparison.MeanDifference >= 0)
                Assert.False(comparison.Stop, $"{string.Join(", ", c)} against {string.Join(", ", b)}");
        }
    }

    [Theory]
    [InlineData(0.95, 1, 6.313752)]
    [InlineData(0.95, 2, 2.919986)]
    [InlineData(0.95, 3, 2.353363)]
    [InlineData(0.95, 4, 2.131847)]
    [InlineData(0.975, 9, 2.262157)]
    [InlineData(0.99, 3, 4.540703)]
    [InlineData(0.9, 30, 1.310415)]
    [InlineData(0.5, 7, 0)]
    public void Racing_StudentTQuantile_MatchesTheTables(double p, int df, double expected) =>
        Assert.Equal(expected, SweepRacing.StudentTQuantile(p, df), 5);

    /// <summary>Three classes of 30 rows each (imbalance ratio 1) around separate centres.</summary>
    private static IDataView BalancedData(MLContext ml)
    {
        var random = new Random(5);
        var rows = new List<Row>();
        foreach (var (label, cx) in new[] { ("a", 0f), ("b", 2f), ("c", 4f) })
        {
            for (int i = 0; i < 30; i++)
                rows.Add(new Row { Label = label, X = cx + (float)(random.NextDouble() * 2 - 1), Y = (float)random.NextDouble() });
        }
        return ml.Data.LoadFromEnumerable(rows);
    }

    [Fact]
    public void BalancedClasses_SearchOnlyTheStrategiesThatDoNotAddressImbalance_UnlessTurnedOff()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(ml);
        options.Strategies = [SweepStrategy.None(), SweepStrategy.ClassBalancedWeights(), SweepStrategy.RandomOverSampling()];
        options.MaxTrials = 6;
        var balanced = ImbalanceSweep.Run(ml, BalancedData(ml), options);
        Assert.Equal(1.0, balanced.ImbalanceRatio);
        Assert.Equal(["weights", "random-over"], balanced.StrategiesSetAside);
        Assert.Equal(6, balanced.Trials.Count);
        Assert.All(balanced.Trials, t => Assert.Equal("none", t.StrategyName));
        // The budget went to the trainers' hyper-parameters instead: both trainers, more than their defaults.
        Assert.Equal(2, balanced.Trials.Select(t => t.TrainerName).Distinct().Count());
        Assert.True(balanced.Trials.Select(t => t.Description).Distinct().Count() == 6);

        options.BalancedImbalanceRatio = 0;
        var everything = ImbalanceSweep.Run(ml, BalancedData(ml), options);
        Assert.Empty(everything.StrategiesSetAside);
        Assert.Contains(everything.Trials, t => t.StrategyName != "none");

        // Imbalanced data (60 / 20 / 8) keeps every strategy at the default threshold.
        options.BalancedImbalanceRatio = 1.5;
        var imbalanced = ImbalanceSweep.Run(ml, Data(ml), options);
        Assert.Equal(7.5, imbalanced.ImbalanceRatio);
        Assert.Empty(imbalanced.StrategiesSetAside);
        Assert.Contains(imbalanced.Trials, t => t.StrategyName != "none");

        // A list without a strategy that leaves the imbalance alone is searched as it is.
        options.Strategies = [SweepStrategy.ClassBalancedWeights()];
        options.MaxTrials = 2;
        var weightsOnly = ImbalanceSweep.Run(ml, BalancedData(ml), options);
        Assert.Empty(weightsOnly.StrategiesSetAside);
        Assert.All(weightsOnly.Trials, t => Assert.Equal("weights", t.StrategyName));

        options.BalancedImbalanceRatio = double.NaN;
        Assert.Throws<ArgumentException>(() => ImbalanceSweep.Run(ml, BalancedData(ml), options));
    }

    [Fact]
    public void Repeats_EvaluateEveryTrialOnRepeatsTimesFolds_TheFirstRepeatBeingTheSingleCrossValidation()
    {
        var ml = new MLContext(seed: 1);
        var once = Options(ml);
        once.MaxTrials = 2;
        once.Racing = false;
        var single = ImbalanceSweep.Run(ml, Data(ml), once);

        var twice = Options(ml);
        twice.MaxTrials = 2;
        twice.Racing = false;
        twice.NumberOfRepeats = 2;
        var repeated = ImbalanceSweep.Run(ml, Data(ml), twice);
        Assert.Equal(single.Trials.Select(t => t.Description), repeated.Trials.Select(t => t.Description));
        for (int i = 0; i < repeated.Trials.Count; i++)
        {
            var folds = repeated.Trials[i].FoldMetrics;
            Assert.Equal(6, folds.Count);
            // The first repeat is the single cross-validation, fold for fold; the second has other folds.
            Assert.Equal(single.Trials[i].FoldMetrics, folds.Take(3));
            Assert.NotEqual(folds.Take(3), folds.Skip(3));
            Assert.Equal(folds.Average(), repeated.Trials[i].MetricMean, 12);
        }
        // Seeded: the same splits again.
        var again = ImbalanceSweep.Run(ml, Data(ml), twice);
        Assert.Equal(repeated.Trials.Select(t => t.FoldMetrics), again.Trials.Select(t => t.FoldMetrics));

        twice.NumberOfRepeats = 0;
        Assert.Contains("NumberOfRepeats", Assert.Throws<ArgumentException>(() => ImbalanceSweep.Run(ml, Data(ml), twice)).Message);
    }

    [Fact]
    public void Racing_InvalidOptions_AreRefused()
    {
        var ml = new MLContext(1);
        foreach (var set in new Action<ImbalanceSweepOptions>[] { o => o.RacingMinimumFolds = 1, o => o.RacingConfidence = 1, o => o.RacingConfidence = 0.4,
            o => o.RacingMargin = -0.1, o => o.RacingMargin = double.NaN })
        {
            var options = Options(ml);
            set(options);
            Assert.Contains("Racing", Assert.Throws<ArgumentException>(() => ImbalanceSweep.Run(ml, Data(ml), options)).Message);
            // Off, the racing settings are not read.
            options.Racing = false;
            options.MaxTrials = 1;
            Assert.Single(ImbalanceSweep.Run(ml, Data(ml), options).Trials);
        }
    }

    private static string SweepParametersOfDefaults(string strategy) => strategy switch
    {
        "weights" => "scheme=InverseFrequency",
        "random-over" => "q=0",
        _ => "",
    };

    /// <summary>How many things differ between two trials of one trainer: a different strategy counts once.</summary>
    private static int Changes(SweepTrial a, SweepTrial b)
    {
        Assert.Equal(a.TrainerName, b.TrainerName);
        int changes = a.TrainerParameters.Values.Count(p => !Equals(p.Value, b.TrainerParameters.Values[p.Key]));
        if (a.StrategyName != b.StrategyName)
            return changes + 1;
        return changes + a.StrategyParameters.Values.Count(p => !Equals(p.Value, b.StrategyParameters.Values[p.Key]));
    }

    private sealed class SlowEstimator(IEstimator<ITransformer> inner, TimeSpan delay) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            Thread.Sleep(delay);
            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    [Fact]
    public void FoldSplit_KeyFractionFilter_HoldsOutExactlyTheFoldRows()
    {
        // The sweep splits each fold with a two-valued key (1: held out, 2: training) and FilterRowsByKeyColumnFraction.
        var ml = new MLContext(1);
        var data = Data(ml);
        uint[] keys = Enumerable.Range(0, 88).Select(i => i % 4 == 0 ? 1u : 2u).ToArray();
        var view = new Microsoft.ML.LongTail.Data.FoldColumnDataView(data, "__Split", keys, 2);
        var test = ml.Data.FilterRowsByKeyColumnFraction(view, "__Split", 0.0, 0.5);
        var train = ml.Data.FilterRowsByKeyColumnFraction(view, "__Split", 0.5, 1.0);
        Assert.All(test.GetColumn<uint>("__Split"), k => Assert.Equal(1u, k));
        Assert.All(train.GetColumn<uint>("__Split"), k => Assert.Equal(2u, k));
        Assert.Equal(22, test.GetColumn<uint>("__Split").Count());
        Assert.Equal(66, train.GetColumn<uint>("__Split").Count());
    }

    [Fact]
    public void PrecisionRecall_AveragePrecision_MatchesAHandComputedValue()
    {
        var ml = new MLContext(1);
        // Scores for class "p": positives at 0.9, 0.4; negatives at 0.8, 0.1 -> AP = 0.5 * 1 + 0.5 * 2/3.
        var rows = new[] { ("p", 0.9f), ("n", 0.8f), ("p", 0.4f), ("n", 0.1f) }
            .Select(r => new ScoredRow { Label = r.Item1, Score = [1 - r.Item2, r.Item2] });
        var view = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        Assert.Equal(0.5 + 0.5 * 2 / 3.0, PrecisionRecall.AreaUnderCurve(view, "Label", "Score", 1, 2), 12);
        Assert.Equal(4, PrecisionRecall.Curve(view, "Label", "Score", 1).Count);
    }

    public sealed class ScoredRow
    {
        public string Label { get; set; } = "";

        [VectorType(2)]
        public float[] Score { get; set; } = [];
    }

    private sealed class SyncProgress(Action<SweepTrial> action) : IProgress<SweepTrial>
    {
        public void Report(SweepTrial value) => action(value);
    }
}

