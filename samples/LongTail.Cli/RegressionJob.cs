using System.Diagnostics;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Cli;

/// <summary>The simple regression path: LightGBM, FastTree and SDCA regression with a few settings each, compared
/// by cross-validated RMSE under the budget; the best refitted and evaluated on a held-out split (RMSE, MAE, R²).</summary>
internal static class RegressionJob
{
    private sealed record Row(int Index, string Name, double Rmse, double RmseSd, double Mae, double Seconds);

    public static void Run(MLContext ml, CsvSchema schema, TrainSettings settings, string staging, TextWriter output, CancellationToken cancellationToken)
    {
        string label = settings.Label;
        var raw = schema.Load(ml, numericLabel: true);
        var split = ml.Data.TrainTestSplit(raw, settings.TestFraction, seed: settings.Seed);
        var train = ml.Data.Cache(split.TrainSet);
        var test = ml.Data.Cache(split.TestSet);
        var featurize = Featurizer.Create(ml, schema);
        var candidates = new (string Name, Func<IEstimator<ITransformer>> Create)[]
        {
            ("LightGbm(iterations=100)", () => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options { LabelColumnName = label, NumberOfIterations = 100, Seed = settings.Seed, NumberOfThreads = 1, Deterministic = true, Silent = true, Verbose = false })),
            ("FastTree(trees=100)", () => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options { LabelColumnName = label, NumberOfTrees = 100, NumberOfThreads = 1 })),
            ("Sdca", () => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { LabelColumnName = label, NumberOfThreads = 1 })),
            ("LightGbm(iterations=300, leaves=15)", () => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options { LabelColumnName = label, NumberOfIterations = 300, NumberOfLeaves = 15, Seed = settings.Seed, NumberOfThreads = 1, Deterministic = true, Silent = true, Verbose = false })),
            ("FastTree(trees=300, leaves=10)", () => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options { LabelColumnName = label, NumberOfTrees = 300, NumberOfLeaves = 10, NumberOfThreads = 1 })),
        };
        output.WriteLine($"Regression: {candidates.Length} pipelines, {settings.Folds}-fold cross-validation, RMSE, budget {settings.BudgetSeconds:0} s.");
        var clock = Stopwatch.StartNew();
        var rows = new List<Row>();
        foreach (var (name, create) in candidates)
        {
            if (rows.Count > 0 && (clock.Elapsed.TotalSeconds >= settings.BudgetSeconds || cancellationToken.IsCancellationRequested))
                break;
            if (settings.MaxTrials is { } max && rows.Count >= max)
                break;
            var sw = Stopwatch.StartNew();
            var cv = ml.Regression.CrossValidate(train, featurize.Append(create()), settings.Folds, label, seed: settings.Seed);
            var rmse = cv.Select(r => r.Metrics.RootMeanSquaredError).ToArray();
            double mean = rmse.Average();
            var row = new Row(rows.Count + 1, name, mean, Math.Sqrt(rmse.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, rmse.Length - 1)),
                cv.Average(r => r.Metrics.MeanAbsoluteError), sw.Elapsed.TotalSeconds);
            rows.Add(row);
            output.WriteLine($"  trial {row.Index,3}  RMSE {TrainJob.F(row.Rmse)} ± {TrainJob.F(row.RmseSd)}  {row.Seconds,5:0.0} s  {name}; best so far {TrainJob.F(rows.Min(r => r.Rmse))}; {Math.Max(0, settings.BudgetSeconds - clock.Elapsed.TotalSeconds):0} s left");
        }
        if (rows.Count == 1 && clock.Elapsed.TotalSeconds > settings.BudgetSeconds)
            output.WriteLine($"Note: the first trial alone took {rows[0].Seconds:0.0} s, more than the budget.");
        var best = rows.MinBy(r => r.Rmse)!;
        var model = featurize.Append(candidates[best.Index - 1].Create()).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.Regression.Evaluate(scored, label);
        string evaluation = $"RMSE {TrainJob.F(metrics.RootMeanSquaredError)}, MAE {TrainJob.F(metrics.MeanAbsoluteError)}, R² {TrainJob.F(metrics.RSquared)}";
        output.WriteLine($"Best: {best.Name}, cross-validated RMSE {TrainJob.F(best.Rmse)}; held out: {evaluation}");

        var actual = scored.GetColumn<float>(label).Select(v => (double)v).ToArray();
        var predicted = scored.GetColumn<float>("Score").Select(v => (double)v).ToArray();
        Charts.PredictedVersusActual(actual, predicted, Path.Combine(staging, "predicted-vs-actual.png"));
        ml.Model.Save(model, raw.Schema, Path.Combine(staging, "model.zip"));
        var board = new StringBuilder("| rank | trial | pipeline | RMSE (mean ± sd over folds) | MAE | seconds |\n|---:|---:|---|---:|---:|---:|\n");
        var csv = new StringBuilder("rank,trial,pipeline,rmse,sd,mae,seconds\n");
        int rank = 0;
        foreach (var r in rows.OrderBy(r => r.Rmse))
        {
            board.AppendLine($"| {++rank} | {r.Index} | {r.Name} | {TrainJob.F(r.Rmse)} ± {TrainJob.F(r.RmseSd)} | {TrainJob.F(r.Mae)} | {r.Seconds:0.0} |");
            csv.AppendLine($"{rank},{r.Index},\"{r.Name}\",{TrainJob.F(r.Rmse)},{TrainJob.F(r.RmseSd)},{TrainJob.F(r.Mae)},{r.Seconds:0.0}");
        }
        File.WriteAllText(Path.Combine(staging, "leaderboard.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(staging, "leaderboard.md"), board.ToString());
        File.WriteAllText(Path.Combine(staging, "Predict.cs"), Snippet.Create(schema, regression: true));
        File.WriteAllText(Path.Combine(staging, "report.md"),
            $"# mlnet-longtail report (regression)\n\n- Data: `{(settings.Data is null ? "embedded" : Path.GetFileName(settings.Data))}`, {schema.RowCount} rows; target `{label}`.\n" +
            $"- Best pipeline: **{best.Name}**, cross-validated RMSE {TrainJob.F(best.Rmse)} ± {TrainJob.F(best.RmseSd)}.\n" +
            $"- Held out ({settings.TestFraction:P0} of the rows): {evaluation}.\n\n![Predicted against actual](predicted-vs-actual.png)\n\n## Leaderboard\n\n{board}\n" +
            "## Using the model\n\n`Predict.cs` loads `model.zip` with `mlContext.Model.Load` and predicts the file's first row.\n");
    }
}
