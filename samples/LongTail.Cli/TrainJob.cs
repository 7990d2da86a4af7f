using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.LongTail.Evaluation;
using Microsoft.ML.LongTail.Sweeping;

namespace LongTail.Cli;

/// <summary>The prediction task.</summary>
internal enum TaskKind { Auto, Binary, Multiclass, Regression }

/// <summary>What <c>train</c> was asked to do.</summary>
internal sealed record TrainSettings
{
    /// <summary>The CSV / TSV file; null: the embedded Glass Identification data.</summary>
    public string? Data { get; init; }
    public string Label { get; init; } = "Label";
    public string Output { get; init; } = "longtail-output";
    public TaskKind Task { get; init; } = TaskKind.Auto;
    public SweepMetric Metric { get; init; } = SweepMetric.MacroF1;
    public double BudgetSeconds { get; init; } = 60;
    public int Folds { get; init; } = 5;
    public int Seed { get; init; } = 1;
    public int? MaxTrials { get; init; }
    /// <summary>Whether the sweep stops clearly worse trials after a few folds (<c>--no-racing</c> turns it off).</summary>
    public bool Racing { get; init; } = true;
    public double TestFraction { get; init; } = 0.2;
    public double? ConformalAlpha { get; init; }
}

/// <summary>A failure with a message for the user and the process exit code.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Exit codes of <c>mlnet-longtail</c>.</summary>
internal static class ExitCodes
{
    public const int Ok = 0, Usage = 1, BadData = 2, BudgetTooSmall = 3, OutputNotWritable = 4, NoModel = 5, Cancelled = 130;
}

/// <summary>
/// <c>train</c>: diagnose the class profile, sweep strategy × trainer × hyper-parameters under the budget with
/// stratified cross-validation on the training part, evaluate the best pipeline on a held-out stratified split, and
/// write model.zip, the leaderboard, a report with pictures and a C# snippet. Everything is written to a hidden
/// folder next to the output folder and moved into it at the end, so a failed run leaves nothing that looks complete.
/// </summary>
internal static class TrainJob
{
    public static int Run(TrainSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? staging = null;
        try
        {
            Validate(settings);
            staging = CreateStaging(settings.Output);
            Execute(settings, staging, output, cancellationToken);
            Publish(staging, settings.Output);
            staging = null;
            output.WriteLine($"Wrote {Path.GetFullPath(settings.Output)}: model.zip, report.md (+ PNG pictures), leaderboard.csv, leaderboard.md, Predict.cs");
            return ExitCodes.Ok;
        }
        catch (CliException e)
        {
            error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (SweepBudgetException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BudgetTooSmall;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("error: cancelled before any trial completed: no model was written.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or FormatException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadData;
        }
        finally
        {
            if (staging is not null && Directory.Exists(staging))
            {
                try { Directory.Delete(staging, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static void Validate(TrainSettings s)
    {
        if (!(s.BudgetSeconds >= 1))
            throw new CliException($"--budget must be at least 1 second, got {s.BudgetSeconds.ToString(CultureInfo.InvariantCulture)}: it is too small for one trial.", ExitCodes.BudgetTooSmall);
        if (s.Folds < 2)
            throw new CliException($"--folds must be at least 2, got {s.Folds}.", ExitCodes.Usage);
        if (s.ConformalAlpha is { } a && !(a > 0 && a < 1))
            throw new CliException($"--conformal expects a miscoverage level in (0, 1), such as 0.1, got {a.ToString(CultureInfo.InvariantCulture)}.", ExitCodes.Usage);
        if (s.Data is not null && !File.Exists(s.Data))
            throw new CliException($"The data file '{s.Data}' does not exist.", ExitCodes.BadData);
    }

    /// <summary>Creates the hidden staging folder beside the output folder (same file system, so the final move is a rename),
    /// checking early that the output location can be written.</summary>
    private static string CreateStaging(string outputFolder)
    {
        string full = Path.GetFullPath(outputFolder);
        string parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar)) ?? full;
        string name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        try
        {
            if (File.Exists(full))
                throw new IOException($"'{full}' is a file, not a folder");
            Directory.CreateDirectory(parent);
            string staging = Path.Combine(parent, $".{name}.partial-{Environment.ProcessId}");
            if (Directory.Exists(staging))
                Directory.Delete(staging, true);
            Directory.CreateDirectory(staging);
            File.WriteAllText(Path.Combine(staging, ".probe"), "");
            File.Delete(Path.Combine(staging, ".probe"));
            if (Directory.Exists(full))
            {
                // The final move writes into it: check that too.
                string probe = Path.Combine(full, $".probe-{Environment.ProcessId}");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            return staging;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"The output folder '{outputFolder}' cannot be written: {e.Message}", ExitCodes.OutputNotWritable);
        }
    }

    /// <summary>Every file name a run can write into the output folder.</summary>
    private static readonly string[] OutputNames =
    [
        "model.zip", "report.md", "leaderboard.csv", "leaderboard.md", "Predict.cs",
        "recall.png", "confusion.png", "reliability.png", "precision-recall.png", "predicted-vs-actual.png",
    ];

    private static void Publish(string staging, string outputFolder)
    {
        string full = Path.GetFullPath(outputFolder);
        try
        {
            if (!Directory.Exists(full))
            {
                Directory.Move(staging, full);
                return;
            }
            // The folder exists and may hold the user's own files: only this job's outputs are replaced. An output an
            // earlier run wrote and this one does not (a binary run's precision-recall.png, say) is removed first, so the
            // folder never mixes two runs.
            var produced = Directory.GetFiles(staging).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            foreach (string name in OutputNames.Where(n => !produced.Contains(n)))
                File.Delete(Path.Combine(full, name));
            foreach (string file in Directory.GetFiles(staging))
                File.Move(file, Path.Combine(full, Path.GetFileName(file)), overwrite: true);
            Directory.Delete(staging, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"The output folder '{outputFolder}' cannot be written: {e.Message}", ExitCodes.OutputNotWritable);
        }
    }

    private static void Execute(TrainSettings settings, string staging, TextWriter output, CancellationToken cancellationToken)
    {
        string path = settings.Data ?? EmbeddedData.ExtractGlass();
        var schema = CsvSchema.Infer(path, settings.Label);
        var task = InferTask(settings, schema);
        output.WriteLine($"Data: {(settings.Data is null ? "embedded Glass Identification (UCI; samples/LongTail.Cli/Data/README.md)" : settings.Data)}: " +
            $"{schema.RowCount} rows, {schema.Names.Length} columns; label '{settings.Label}'; task: {task.ToString().ToLowerInvariant()}");
        output.WriteLine("Columns:");
        output.WriteLine(Featurizer.Describe(schema));
        output.WriteLine();
        var ml = new MLContext(settings.Seed);
        if (task == TaskKind.Regression)
        {
            if (settings.ConformalAlpha is not null)
                output.WriteLine("Note: --conformal applies to classification only; regression intervals are not computed by this command (see Regression.ConformalRegressor).");
            RegressionJob.Run(ml, schema, settings, staging, output, cancellationToken);
            return;
        }
        RunClassification(ml, schema, task, settings, staging, output, cancellationToken);
    }

    private static TaskKind InferTask(TrainSettings settings, CsvSchema schema)
    {
        string label = settings.Label;
        int classes = schema.LabelCounts.Count;
        if (classes == 0)
            throw new CliException($"The label column '{label}' has no values.", ExitCodes.BadData);
        if (classes == 1)
            throw new CliException($"The label column '{label}' has a single value ('{schema.LabelCounts.Keys.First()}') on every row: there is nothing to predict.", ExitCodes.BadData);
        var task = settings.Task;
        if (task == TaskKind.Auto)
            task = schema.LabelIsNumeric && (!schema.LabelIsIntegral || classes > 20) ? TaskKind.Regression : classes == 2 ? TaskKind.Binary : TaskKind.Multiclass;
        if (task == TaskKind.Regression)
        {
            if (!schema.LabelIsNumeric)
                throw new CliException($"--task regression needs a numeric label, but column '{label}' holds text (for example '{schema.LabelCounts.Keys.First(k => !double.TryParse(k, NumberStyles.Float, CultureInfo.InvariantCulture, out _))}').", ExitCodes.BadData);
            if (schema.FirstMissingLabelLine is { } line)
                throw new CliException($"{path(schema)}, line {line}: the regression target '{label}' is missing or NaN; remove or fill such rows.", ExitCodes.BadData);
        }
        else
        {
            if (task == TaskKind.Binary && classes != 2)
                throw new CliException($"--task binary needs two classes, but '{label}' has {classes}.", ExitCodes.BadData);
            if (schema.FirstMissingLabelLine is { } line)
                throw new CliException($"{path(schema)}, line {line}: the label '{label}' is empty; remove or fill such rows.", ExitCodes.BadData);
        }
        return task;

        static string path(CsvSchema s) => s.Path;
    }

    private static void RunClassification(MLContext ml, CsvSchema schema, TaskKind task, TrainSettings settings, string staging,
        TextWriter output, CancellationToken cancellationToken)
    {
        string label = settings.Label;
        var diagnosis = Diagnosis.Of(schema.LabelCounts);
        output.WriteLine("Diagnosis");
        output.WriteLine(diagnosis.Describe());

        var raw = schema.Load(ml);
        // Stratified held-out split: whole stratified folds held out, so every class keeps its share in both parts.
        int holdoutFolds = Math.Max(2, (int)Math.Round(1 / settings.TestFraction));
        var withFolds = ml.Data.AddStratifiedFoldColumn(raw, label, holdoutFolds, settings.Seed, "__Holdout");
        var split = ml.Data.TrainTestSplit(withFolds, testFraction: 1.0 / holdoutFolds, samplingKeyColumnName: "__Holdout");
        var train = ml.Data.Cache(split.TrainSet);
        var test = ml.Data.Cache(split.TestSet);
        var trainCounts = train.GetColumn<ReadOnlyMemory<char>>(label).Select(v => v.ToString()).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        int smallest = trainCounts.Values.Min();
        int folds = Math.Min(settings.Folds, smallest);
        if (folds < 2)
            throw new CliException($"Class '{trainCounts.MinBy(p => p.Value).Key}' has {schema.LabelCounts[trainCounts.MinBy(p => p.Value).Key]} rows: " +
                "too few for a held-out split and cross-validation (at least 3 rows per class). Merge or drop it.", ExitCodes.BadData);
        if (folds < settings.Folds)
            output.WriteLine($"Note: {folds} folds instead of {settings.Folds}: class '{trainCounts.MinBy(p => p.Value).Key}' has only {smallest} training rows.");
        string positive = diagnosis.Classes[^1].Name;
        var metric = settings.Metric;
        if (metric == SweepMetric.PrAuc && task != TaskKind.Binary)
            output.WriteLine("Note: PR-AUC on more than two classes is the mean one-vs-rest average precision.");

        bool withMlp = Trainers.MlpAvailable(out string? noMlp);
        if (!withMlp)
            output.WriteLine($"Note: the TorchSharp MLP and its tail-aware losses are left out of the sweep: {noMlp}.");
        var options = new ImbalanceSweepOptions
        {
            LabelColumnName = label,
            Featurizer = Featurizer.Create(ml, schema),
            Metric = metric,
            PositiveClass = positive,
            TimeBudget = TimeSpan.FromSeconds(settings.BudgetSeconds),
            NumberOfFolds = folds,
            Seed = settings.Seed,
            MaxTrials = settings.MaxTrials,
            Racing = settings.Racing,
            Trainers = Trainers.All(withMlp).ToList(),
            Strategies = SweepStrategy.Defaults().ToList(),
            MapPredictedLabelToValue = false,
        };
        output.WriteLine($"Sweep: {options.Strategies.Count} strategies x {options.Trainers.Count} trainers ({string.Join(", ", options.Trainers.Select(t => t.Name))}), " +
            $"{folds}-fold stratified cross-validation on {trainCounts.Values.Sum()} training rows, optimising {MetricName(metric)}, budget {settings.BudgetSeconds:0} s. Ctrl-C stops and keeps the best.");
        var view = SweepProgressView.Create(output, settings.BudgetSeconds, MetricName(metric));
        options.Progress = view;
        var result = view.Run(() =>
        {
            try
            {
                return ImbalanceSweep.Run(ml, train, options, cancellationToken);
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith("Every trial failed", StringComparison.Ordinal))
            {
                throw new CliException(e.Message, ExitCodes.NoModel);
            }
        });
        output.WriteLine();
        output.WriteLine($"Sweep done: {Trials(result)} in {result.Elapsed.TotalSeconds:0.0} s ({Stop(result.StopReason)}).");
        if (result.StrategiesSetAside.Count > 0)
            output.WriteLine($"The classes are balanced (imbalance ratio {result.ImbalanceRatio:0.##} < 1.5): the sweep left out the imbalance strategies " +
                $"({string.Join(", ", result.StrategiesSetAside)}) and spent the budget on the trainers and their hyper-parameters.");
        output.WriteLine($"Best: {result.BestTrial.Description}: {MetricName(metric)} {result.BestTrial.MetricMean:0.0000} ± {result.BestTrial.MetricStandardDeviation:0.0000}");
        var baseline = result.Trials.FirstOrDefault(t => t.StrategyName == "none" && t.TrainerName == "LightGbm" && t.Status == SweepTrialStatus.Completed);
        if (baseline is not null)
            output.WriteLine($"Plain LightGBM (trial #{baseline.Index}): {baseline.MetricMean:0.0000} ± {baseline.MetricStandardDeviation:0.0000}");

        // The held-out report.
        var scored = result.BestModel.Transform(test);
        var keyedTrainCounts = result.ClassNames.Select(n => (long)trainCounts.GetValueOrDefault(n)).ToArray();
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(scored, new ImbalancedEvaluationOptions
        {
            LabelColumnName = label,
            ProbabilityColumnName = null,
            TrainingClassCounts = keyedTrainCounts,
        });
        output.WriteLine();
        output.WriteLine($"Best pipeline on the held-out {1.0 / holdoutFolds:P0} (stratified):");
        string evaluation = metrics.ToReport();
        output.WriteLine(evaluation);

        // Pictures.
        var pictures = new List<(string File, string Caption)>();
        void Picture(string file, string caption, Action<string> draw)
        {
            draw(Path.Combine(staging, file));
            pictures.Add((file, caption));
        }
        Picture("recall.png", "Recall per class", p => Charts.RecallBars(metrics, diagnosis.Classes, p));
        Picture("confusion.png", "Confusion matrix", p => Charts.ConfusionHeatmap(metrics, p));
        Picture("reliability.png", "Reliability diagram", p => Charts.Reliability(metrics, p));
        double? averagePrecision = null;
        if (task == TaskKind.Binary)
        {
            int positiveIndex = result.ClassNames.ToList().IndexOf(positive);
            var curve = PrecisionRecall.Curve(scored, label, "Score", positiveIndex);
            averagePrecision = PrecisionRecall.AreaUnderCurve(scored, label, "Score", positiveIndex, 2);
            double rate = (double)metrics.PerClass[positiveIndex].Support / metrics.RowCount;
            Picture("precision-recall.png", $"Precision-recall curve of '{positive}'", p => Charts.PrecisionRecall(curve, positive, averagePrecision.Value, rate, p));
        }

        // Optional conformal step, on the held-out rows (never seen by the sweep or the final fit).
        ConformalOutcome? conformal = null;
        if (settings.ConformalAlpha is { } alpha)
        {
            conformal = Conformal(ml, result.BestModel, test, label, alpha, settings.Seed);
            output.WriteLine();
            output.WriteLine(conformal.Describe());
            output.WriteLine(conformal.Metrics.ToReport());
        }

        // The model: the best pipeline (+ the conformal sets), with PredictedLabel mapped back to the class values.
        var mapBack = ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored);
        var model = conformal is null
            ? new TransformerChain<ITransformer>(result.BestModel, mapBack)
            : new TransformerChain<ITransformer>(result.BestModel, conformal.Transformer, mapBack);
        ml.Model.Save(model, raw.Schema, Path.Combine(staging, "model.zip"));

        File.WriteAllText(Path.Combine(staging, "leaderboard.csv"), LeaderboardCsv(result));
        File.WriteAllText(Path.Combine(staging, "leaderboard.md"), LeaderboardMarkdown(result, int.MaxValue));
        File.WriteAllText(Path.Combine(staging, "Predict.cs"), Snippet.Create(schema, regression: false));
        File.WriteAllText(Path.Combine(staging, "report.md"), Report(settings, schema, task, diagnosis, result, baseline, evaluation, pictures,
            folds, holdoutFolds, positive, averagePrecision, conformal));
    }

    /// <summary>What the conformal step fitted and measured.</summary>
    private sealed record ConformalOutcome(ITransformer Transformer, ConformalClassificationMetrics Metrics, NonconformityScore Score,
        long CalibrationRows, double Alpha)
    {
        public string Describe() =>
            $"Conformal prediction sets ({Score.ToString().ToUpperInvariant()} score, alpha {Alpha.ToString(CultureInfo.InvariantCulture)}): " +
            $"calibrated on {CalibrationRows} held-out rows, evaluated on the other {Metrics.RowCount} (a stratified half each).";
    }

    /// <summary>
    /// Split conformal on the held-out rows: a stratified half calibrates the thresholds, the other half measures coverage.
    /// The score is LAC (<c>1 - p_y</c>): the smallest sets on average, and it only needs per-class scores in [0, 1], which
    /// every swept trainer gives (FastTree one-versus-all's calibrated scores do not sum to one, which APS would need).
    /// Binary tasks are swept as two-class multiclass, so the same step applies to them. Should a model's scores not be
    /// probabilities, the top-k score (any scores) is used instead.
    /// </summary>
    private static ConformalOutcome Conformal(MLContext ml, ITransformer model, IDataView heldOut, string label, double alpha, int seed)
    {
        var halves = ml.Data.AddStratifiedFoldColumn(heldOut, label, 2, seed, "__Conformal");
        var split = ml.Data.TrainTestSplit(halves, testFraction: 0.5, samplingKeyColumnName: "__Conformal");
        var calibration = ml.Data.Cache(model.Transform(split.TrainSet));
        var evaluation = model.Transform(split.TestSet);
        long calibrationRows = calibration.GetRowCount() ?? calibration.GetColumn<float[]>("Score").LongCount();
        if (calibrationRows == 0 || (evaluation.GetRowCount() ?? evaluation.GetColumn<float[]>("Score").LongCount()) == 0)
            throw new CliException("--conformal needs held-out rows for both calibration and evaluation; raise --test-fraction or use more data.", ExitCodes.BadData);
        var score = NonconformityScore.Lac;
        ITransformer sets;
        try
        {
            sets = ml.MulticlassClassification.ConformalClassifier(alpha, score, labelColumnName: label).Fit(calibration);
        }
        catch (InvalidOperationException)
        {
            score = NonconformityScore.TopK;
            sets = ml.MulticlassClassification.ConformalClassifier(alpha, score, labelColumnName: label).Fit(calibration);
        }
        var metrics = ml.MulticlassClassification.EvaluateConformal(sets.Transform(evaluation), alpha, labelColumnName: label);
        return new ConformalOutcome(sets, metrics, score, calibrationRows, alpha);
    }

    internal static string MetricName(SweepMetric metric) => metric switch
    {
        SweepMetric.MacroF1 => "macro-F1",
        SweepMetric.BalancedAccuracy => "balanced accuracy",
        SweepMetric.GeometricMean => "G-mean",
        SweepMetric.PrAuc => "PR-AUC",
        _ => "worst-class recall",
    };

    /// <summary>"40 trials (12 raced out, 2 failed, 1 abandoned)": how many ran and how many did not complete, by why.</summary>
    internal static string Trials(SweepResult result)
    {
        var others = new[] { SweepTrialStatus.RacedOut, SweepTrialStatus.Failed, SweepTrialStatus.Abandoned }
            .Select(s => (Status: s, Count: result.Trials.Count(t => t.Status == s)))
            .Where(x => x.Count > 0)
            .Select(x => $"{x.Count} {SweepTrial.StatusName(x.Status)}")
            .ToArray();
        return $"{result.Trials.Count} trials" + (others.Length == 0 ? "" : $" ({string.Join(", ", others)})");
    }

    private static string Stop(SweepStopReason reason) => reason switch
    {
        SweepStopReason.Budget => "time budget reached",
        SweepStopReason.Cancelled => "stopped by Ctrl-C; best so far kept",
        SweepStopReason.MaxTrials => "--max-trials reached",
        _ => "every candidate tried",
    };

    private static string LeaderboardCsv(SweepResult result)
    {
        var sb = new StringBuilder("rank,trial,strategy,strategy_parameters,trainer,trainer_parameters,status,metric,mean,sd,macro_f1,balanced_accuracy,g_mean,worst_class_recall,pr_auc,seconds,error\n");
        int rank = 0;
        foreach (var t in result.Leaderboard)
        {
            string M(SweepMetric m) => t.Means.TryGetValue(m, out double v) ? F(v) : "";
            sb.AppendLine(string.Join(",", ++rank, t.Index, Csv(t.StrategyName), Csv(t.StrategyParameters.ToString()), Csv(t.TrainerName),
                Csv(t.TrainerParameters.ToString()), SweepTrial.StatusName(t.Status), result.Metric, F(t.MetricMean), F(t.MetricStandardDeviation),
                M(SweepMetric.MacroF1), M(SweepMetric.BalancedAccuracy), M(SweepMetric.GeometricMean), M(SweepMetric.WorstClassRecall), M(SweepMetric.PrAuc),
                F(t.Seconds), Csv(t.Error ?? "")));
        }
        return sb.ToString();
    }

    internal static string LeaderboardMarkdown(SweepResult result, int top)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"| rank | trial | pipeline | {MetricName(result.Metric)} (mean ± sd over folds) | macro-F1 | balanced accuracy | seconds |");
        sb.AppendLine("|---:|---:|---|---:|---:|---:|---:|");
        int rank = 0;
        foreach (var t in result.Leaderboard.Take(top))
        {
            string main = t.Status == SweepTrialStatus.Completed ? $"{F(t.MetricMean)} ± {F(t.MetricStandardDeviation)}" : $"{SweepTrial.StatusName(t.Status)}: {t.Error}";
            string M(SweepMetric m) => t.Means.TryGetValue(m, out double v) ? F(v) : "";
            sb.AppendLine($"| {++rank} | {t.Index} | {t.Description.Replace("|", "\\|")} | {main.Replace("|", "\\|")} | {M(SweepMetric.MacroF1)} | {M(SweepMetric.BalancedAccuracy)} | {t.Seconds:0.0} |");
        }
        return sb.ToString();
    }

    private static string Report(TrainSettings settings, CsvSchema schema, TaskKind task, Diagnosis diagnosis, SweepResult result, SweepTrial? baseline,
        string evaluation, List<(string File, string Caption)> pictures, int folds, int holdoutFolds, string positive, double? averagePrecision,
        ConformalOutcome? conformal)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# mlnet-longtail report");
        sb.AppendLine();
        sb.AppendLine($"- Data: `{(settings.Data is null ? "embedded Glass Identification (UCI)" : Path.GetFileName(settings.Data))}`, {schema.RowCount} rows; label `{settings.Label}`; task: {task.ToString().ToLowerInvariant()}" +
            (task == TaskKind.Binary ? $" (positive class for PR: `{positive}`, the smaller class)" : ""));
        sb.AppendLine($"- Sweep: {Trials(result)} in {result.Elapsed.TotalSeconds:0.0} s ({Stop(result.StopReason)}), {folds}-fold stratified cross-validation on the training part, optimising {MetricName(result.Metric)}; seed {settings.Seed}.");
        sb.AppendLine($"- Best pipeline: **{result.BestTrial.Description}**, {MetricName(result.Metric)} {F(result.BestTrial.MetricMean)} ± {F(result.BestTrial.MetricStandardDeviation)}" +
            (baseline is null ? "" : $" (plain LightGBM: {F(baseline.MetricMean)} ± {F(baseline.MetricStandardDeviation)})"));
        sb.AppendLine($"- Held out: a stratified {1.0 / holdoutFolds:P0} of the rows, never seen by the sweep; `model.zip` is the best pipeline fitted on the other {1 - 1.0 / holdoutFolds:P0}.");
        if (conformal is not null)
            sb.AppendLine($"- Conformal prediction sets (alpha {conformal.Alpha.ToString(CultureInfo.InvariantCulture)}): coverage {F(conformal.Metrics.Coverage)} " +
                $"(target {F(1 - conformal.Alpha)}), mean set size {conformal.Metrics.MeanSetSize:0.000}; `model.zip` adds a `PredictionSet` column (see below).");
        sb.AppendLine();
        sb.AppendLine("## Columns");
        sb.AppendLine();
        sb.AppendLine("```text");
        sb.AppendLine(Featurizer.Describe(schema));
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("## Diagnosis");
        sb.AppendLine();
        sb.AppendLine("```text");
        sb.Append(diagnosis.Describe());
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("## Held-out evaluation of the best pipeline");
        sb.AppendLine();
        foreach (var (file, caption) in pictures)
            sb.AppendLine($"![{caption}]({file})").AppendLine();
        if (averagePrecision is { } ap)
            sb.AppendLine($"Average precision (PR-AUC) of `{positive}`: {F(ap)}").AppendLine();
        sb.AppendLine("```text");
        sb.AppendLine(evaluation.TrimEnd());
        sb.AppendLine("```");
        sb.AppendLine();
        if (conformal is not null)
        {
            sb.AppendLine("## Conformal prediction sets");
            sb.AppendLine();
            sb.AppendLine(conformal.Describe() + " `model.zip` outputs `PredictionSet`, a `Vector<Single, K>` with 1 for each class in the set " +
                "(slot order: the label's key order); the sets contain the true class with probability at least 1 - alpha when new rows resemble the held-out ones.");
            sb.AppendLine();
            sb.AppendLine($"| coverage | target | mean set size | worst-class coverage | class-coverage gap | empty sets |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
            var m = conformal.Metrics;
            sb.AppendLine($"| {F(m.Coverage)} | {F(1 - conformal.Alpha)} | {m.MeanSetSize:0.000} | {F(m.WorstClassCoverage)} | {F(m.ClassCoverageGap)} | {F(m.EmptySetRate)} |");
            sb.AppendLine();
            sb.AppendLine("```text");
            sb.AppendLine(m.ToReport().TrimEnd());
            sb.AppendLine("```");
            sb.AppendLine();
        }
        sb.AppendLine("## Leaderboard (top 20; all trials in `leaderboard.csv` / `leaderboard.md`)");
        sb.AppendLine();
        sb.Append(LeaderboardMarkdown(result, 20));
        sb.AppendLine();
        sb.AppendLine("## Using the model");
        sb.AppendLine();
        sb.AppendLine("`Predict.cs` loads `model.zip` with `mlContext.Model.Load` and predicts the file's first row.");
        return sb.ToString();
    }

    internal static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') || s.Contains('\n') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
