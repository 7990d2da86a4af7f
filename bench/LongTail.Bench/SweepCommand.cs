using System.Diagnostics;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Evaluation;
using Microsoft.ML.LongTail.Sweeping;

namespace LongTail.Bench;

/// <summary>
/// <c>sweep --data FILE.csv --label COL [--budget 60] [--folds 5] [--repeats 1] [--seed 1] [--metric macro-f1|balanced-accuracy|g-mean|pr-auc|worst-class-recall] [--test-fraction 0.2] [--racing on|off]</c>:
/// the imbalance sweep (every default strategy x LightGBM / SDCA / FastTree, the command line's search space) against
/// plain LightGBM given the same time budget (the same search restricted to strategy 'none' and LightGBM, so it spends
/// the budget on LightGBM's hyper-parameters). Both search on the same stratified training part by stratified k-fold
/// CV; each best pipeline is refitted on it and scored on the same stratified held-out part. Both race (stop clearly
/// worse trials after a few folds, <see cref="ImbalanceSweepOptions.Racing"/>) unless <c>--racing off</c>. <c>--repeats R</c>
/// repeats the CV of both searches R times with other fold assignments (<see cref="ImbalanceSweepOptions.NumberOfRepeats"/>).
/// Prints one JSON line.
/// </summary>
public static class SweepCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "data", "label", "budget", "folds", "repeats", "seed", "metric", "test-fraction", "racing");
        string path = a.Require("data"), label = a.Require("label");
        double budget = double.Parse(a.Get("budget") ?? "60", System.Globalization.CultureInfo.InvariantCulture);
        int folds = a.GetInt("folds", 5), repeats = a.GetInt("repeats", 1), seed = a.GetInt("seed", 1);
        double testFraction = double.Parse(a.Get("test-fraction") ?? "0.2", System.Globalization.CultureInfo.InvariantCulture);
        var metric = (a.Get("metric") ?? "macro-f1") switch
        {
            "macro-f1" => SweepMetric.MacroF1,
            "balanced-accuracy" => SweepMetric.BalancedAccuracy,
            "g-mean" => SweepMetric.GeometricMean,
            "pr-auc" => SweepMetric.PrAuc,
            "worst-class-recall" => SweepMetric.WorstClassRecall,
            var m => throw new BenchArgumentException($"Unknown metric '{m}'."),
        };
        bool racing = (a.Get("racing") ?? "on") switch
        {
            "on" => true,
            "off" => false,
            var r => throw new BenchArgumentException($"--racing expects on or off, got '{r}'."),
        };
        if (!File.Exists(path))
            throw new BenchArgumentException($"The data file '{path}' does not exist.");

        var ml = new MLContext(seed);
        var schema = CsvSchema.Infer(path, label);
        var raw = schema.Load(ml);
        int holdoutFolds = Math.Max(2, (int)Math.Round(1 / testFraction));
        var withFolds = ml.Data.AddStratifiedFoldColumn(raw, label, holdoutFolds, seed, "__Holdout");
        var split = ml.Data.TrainTestSplit(withFolds, testFraction: 1.0 / holdoutFolds, samplingKeyColumnName: "__Holdout");
        var train = ml.Data.Cache(split.TrainSet);
        var test = ml.Data.Cache(split.TestSet);
        string positive = schema.LabelCounts.MinBy(p => p.Value).Key;
        // As the command line: no more folds than the smallest class has training rows.
        int smallest = train.GetColumn<ReadOnlyMemory<char>>(label).GroupBy(v => v.ToString()).Min(g => g.Count());
        if (smallest < folds)
        {
            BenchOutput.Log($"{smallest} folds instead of {folds}: the smallest class has {smallest} training rows.");
            folds = Math.Max(2, smallest);
        }

        object Search(IList<SweepStrategy> strategies, IList<SweepTrainer> trainers)
        {
            var clock = Stopwatch.StartNew();
            var result = ImbalanceSweep.Run(ml, train, new ImbalanceSweepOptions
            {
                LabelColumnName = label,
                Featurizer = Featurizer.Create(ml, schema),
                Metric = metric,
                PositiveClass = positive,
                TimeBudget = TimeSpan.FromSeconds(budget),
                NumberOfFolds = folds,
                NumberOfRepeats = repeats,
                Seed = seed,
                Trainers = trainers,
                Strategies = strategies,
                MapPredictedLabelToValue = false,
                Racing = racing,
                Progress = new SyncProgress(t => BenchOutput.Log($"  {t}")),
            });
            double seconds = clock.Elapsed.TotalSeconds;
            var held = ml.MulticlassClassification.EvaluateImbalanced(result.BestModel.Transform(test), new ImbalancedEvaluationOptions
            {
                LabelColumnName = label,
                ProbabilityColumnName = null,
            });
            BenchOutput.Log($"best: {result.BestTrial}; held-out macro-F1 {held.MacroF1Score:0.0000}");
            return new
            {
                trials = result.Trials.Count,
                failed = result.Trials.Count(t => t.Status == SweepTrialStatus.Failed),
                abandoned = result.Trials.Count(t => t.Status == SweepTrialStatus.Abandoned),
                raced_out = result.Trials.Count(t => t.Status == SweepTrialStatus.RacedOut),
                strategies_set_aside = result.StrategiesSetAside,
                best = result.BestTrial.Description,
                cv_metric = result.BestTrial.MetricMean,
                cv_metric_sd = result.BestTrial.MetricStandardDeviation,
                holdout_macro_f1 = held.MacroF1Score,
                holdout_balanced_accuracy = held.BalancedAccuracy,
                holdout_worst_class_recall = held.WorstClassRecall,
                seconds,
                top5 = result.Leaderboard.Take(5).Select(t => $"{t.Description}: {t.MetricMean:0.0000}").ToArray(),
            };
        }

        bool withMlp = Trainers.MlpAvailable(out string? noMlp);
        var trainers = Trainers.All(withMlp).ToList();
        BenchOutput.Log($"sweep: all strategies x {string.Join(" / ", trainers.Select(t => t.Name))}, {budget} s{(withMlp ? "" : $" (no MLP: {noMlp})")}");
        var sweep = Search(SweepStrategy.Defaults().ToList(), trainers);
        BenchOutput.Log($"plain LightGBM: strategy 'none', LightGbm's hyper-parameters only, {budget} s");
        var plain = Search([SweepStrategy.None()], [Trainers.LightGbm()]);
        BenchOutput.Emit(new
        {
            command = "sweep",
            data = Path.GetFileName(path),
            rows = schema.RowCount,
            classes = schema.LabelCounts.Count,
            metric = metric.ToString(),
            budget,
            folds,
            repeats,
            seed,
            racing,
            sweep,
            lightgbm = plain,
        });
        return 0;
    }

    private sealed class SyncProgress(Action<SweepTrial> action) : IProgress<SweepTrial>
    {
        public void Report(SweepTrial value) => action(value);
    }
}
