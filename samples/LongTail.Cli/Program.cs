using System.CommandLine;
using System.Globalization;
using LongTail.Cli;
using Microsoft.ML.LongTail.Sweeping;

// mlnet-longtail: diagnose a CSV file's class imbalance, sweep imbalance strategies x trainers under a time budget,
// and write the model, a leaderboard, a report with pictures and a C# snippet. With no arguments it runs the whole job
// on the embedded Glass Identification data (Data/README.md) with a 60 s budget, into ./longtail-output.
return CliApp.Run(args, Console.Out, Console.Error);

internal static class CliApp
{
    /// <summary>Parses <paramref name="args"/> and runs the command; Ctrl-C (once) stops the sweep and keeps the best model.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cts.IsCancellationRequested)
                return; // a second Ctrl-C ends the process
            e.Cancel = true;
            error.WriteLine("Stopping: finishing with the best pipeline so far (Ctrl-C again to abort)...");
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var root = Build(output, error, cts.Token);
            var parsed = root.Parse(args);
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static RootCommand Build(TextWriter output, TextWriter error, CancellationToken token)
    {
        var data = new Option<string?>("--data") { Description = "The CSV or TSV file (.gz too), with a header row." };
        var label = new Option<string>("--label") { Description = "The label column.", DefaultValueFactory = _ => "Label" };
        var outputDir = new Option<string>("--output") { Description = "The output folder.", DefaultValueFactory = _ => "longtail-output" };
        var task = new Option<string>("--task") { Description = "binary | multiclass | regression (default: inferred from the label).", DefaultValueFactory = _ => "auto" };
        task.AcceptOnlyFromAmong("auto", "binary", "multiclass", "regression");
        var metric = new Option<string>("--metric") { Description = "macro-f1 | balanced-accuracy | g-mean | pr-auc | worst-class-recall.", DefaultValueFactory = _ => "macro-f1" };
        metric.AcceptOnlyFromAmong("macro-f1", "balanced-accuracy", "g-mean", "pr-auc", "worst-class-recall");
        var budget = new Option<double>("--budget") { Description = "Time budget of the sweep in seconds.", DefaultValueFactory = _ => 60 };
        var folds = new Option<int>("--folds") { Description = "Stratified cross-validation folds.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the splits, the search order and the trainers.", DefaultValueFactory = _ => 1 };
        var maxTrials = new Option<int?>("--max-trials") { Description = "Stop after this many trials." };
        var noRacing = new Option<bool>("--no-racing") { Description = "Run every trial's folds to the end (by default a trial clearly worse than the best on its first folds is stopped: 'raced out')." };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of the rows held out for the report.", DefaultValueFactory = _ => 0.2 };
        var conformal = new Option<double?>("--conformal") { Description = "Miscoverage level for conformal prediction sets calibrated on half the held-out rows (e.g. 0.1); model.zip then outputs PredictionSet." };

        var train = new Command("train", "Diagnose, sweep strategies x trainers under the budget, and write model.zip, the leaderboard, a report with pictures and a C# snippet.");
        foreach (var o in new Option[] { data, label, outputDir, task, metric, budget, folds, seed, maxTrials, noRacing, testFraction, conformal })
            train.Options.Add(o);
        train.SetAction(parse =>
        {
            string? file = parse.GetValue(data);
            if (file is null)
                output.WriteLine("No --data: using the embedded Glass Identification dataset (label 'Label').");
            double fraction = parse.GetValue(testFraction);
            if (!(fraction > 0 && fraction < 1))
            {
                error.WriteLine($"error: --test-fraction expects a number in (0, 1), got {fraction.ToString(CultureInfo.InvariantCulture)}.");
                return ExitCodes.Usage;
            }
            return TrainJob.Run(new TrainSettings
            {
                Data = file,
                Label = file is null ? "Label" : parse.GetValue(label)!,
                Output = parse.GetValue(outputDir)!,
                Task = Enum.Parse<TaskKind>(parse.GetValue(task)!, ignoreCase: true),
                Metric = parse.GetValue(metric) switch
                {
                    "balanced-accuracy" => SweepMetric.BalancedAccuracy,
                    "g-mean" => SweepMetric.GeometricMean,
                    "pr-auc" => SweepMetric.PrAuc,
                    "worst-class-recall" => SweepMetric.WorstClassRecall,
                    _ => SweepMetric.MacroF1,
                },
                BudgetSeconds = parse.GetValue(budget),
                Folds = parse.GetValue(folds),
                Seed = parse.GetValue(seed),
                MaxTrials = parse.GetValue(maxTrials),
                Racing = !parse.GetValue(noRacing),
                TestFraction = fraction,
                ConformalAlpha = parse.GetValue(conformal),
            }, output, error, token);
        });

        var root = new RootCommand("mlnet-longtail: imbalance-aware training for ML.NET. With no arguments: the whole job on the embedded Glass dataset (60 s budget, output ./longtail-output).");
        root.Subcommands.Add(train);
        root.SetAction(_ =>
        {
            output.WriteLine("mlnet-longtail with no arguments: the whole job on the embedded Glass Identification dataset, 60 s budget, output ./longtail-output");
            output.WriteLine("(see 'mlnet-longtail train --help' for your own file)");
            output.WriteLine();
            return TrainJob.Run(new TrainSettings(), output, error, token);
        });
        return root;
    }
}
