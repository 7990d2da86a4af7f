using Microsoft.ML;
using Microsoft.ML.Data;

namespace LongTail.Cli.Tests;

[Collection("cli")]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Train_Multiclass_WritesModelReportPicturesLeaderboardAndSnippet()
    {
        string data = CliFixture.Multiclass(_directory);
        string output = Path.Combine(_directory, "out");
        var (exit, log) = CliFixture.Run("train", "--data", data, "--label", "kind", "--output", output, "--budget", "60", "--max-trials", "4", "--folds", "3");
        Assert.True(exit == 0, log);

        // Diagnosis and featurisation first, then the sweep's progress.
        Assert.Contains("imbalance ratio (largest / smallest class): 6", log);
        Assert.Contains("Recommendation:", log);
        Assert.Contains("ignored (id-like", log);
        Assert.Contains("ignored (constant)", log);
        Assert.Contains("free text", log);
        Assert.Contains("categorical, one-hot (3 values)", log);
        Assert.Contains("trial   4", log);
        Assert.Contains("best macro-F1 so far", log);
        Assert.Contains("Balanced accuracy", log);

        foreach (string file in new[] { "model.zip", "report.md", "leaderboard.csv", "leaderboard.md", "Predict.cs" })
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} missing: {log}");
        foreach (string picture in new[] { "recall.png", "confusion.png", "reliability.png" })
            CliFixture.AssertNonTrivialPng(Path.Combine(output, picture));
        Assert.False(File.Exists(Path.Combine(output, "precision-recall.png")));
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("![Recall per class](recall.png)", report);
        Assert.Contains("![Confusion matrix](confusion.png)", report);
        Assert.Contains("![Reliability diagram](reliability.png)", report);
        Assert.Contains("Best pipeline:", report);
        var leaderboard = File.ReadAllLines(Path.Combine(output, "leaderboard.csv"));
        Assert.StartsWith("rank,trial,strategy", leaderboard[0]);
        Assert.Equal(5, leaderboard.Length);
        string snippet = File.ReadAllText(Path.Combine(output, "Predict.cs"));
        Assert.Contains("mlContext.Model.Load(\"model.zip\"", snippet);
        Assert.Contains("public float X1 { get; set; }", snippet);
        Assert.Contains("public string Note { get; set; }", snippet);
        Assert.DoesNotContain("Constant", snippet);
        // The snippet compiles as a console app and predicts the first row of the file (class a).
        string printed = CliFixture.CompileAndRunSnippet(Path.Combine(output, "Predict.cs"), Path.Combine(output, "model.zip"));
        Assert.Contains("Predicted class: a", printed);
        Assert.Matches(@"Scores \(one per class, in the model's class order\): [-0-9.E]+, [-0-9.E]+, [-0-9.E]+", printed);
        // Nothing staged is left beside the output folder.
        Assert.Empty(Directory.GetDirectories(_directory, ".out.partial-*"));

        // The model loads in a fresh context and predicts class names.
        var ml = new MLContext(3);
        var model = ml.Model.Load(Path.Combine(output, "model.zip"), out _);
        var rows = CsvSchema.Infer(data, "kind").Load(ml);
        var predicted = model.Transform(rows).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(v => v.ToString()).ToArray();
        Assert.Equal(90, predicted.Length);
        Assert.All(predicted, p => Assert.Contains(p, new[] { "a", "b", "c" }));
        Assert.True(predicted.Count(p => p == "a") > 40);
    }

    [Fact]
    public void Train_Binary_DrawsThePrecisionRecallCurve_AndOptimisesPrAuc()
    {
        string data = CliFixture.Multiclass(_directory, "binary.csv", (row, kind) => kind == "c" ? "yes" : "no");
        string output = Path.Combine(_directory, "binary-out");
        var (exit, log) = CliFixture.Run("train", "--data", data, "--label", "kind", "--output", output, "--metric", "pr-auc", "--max-trials", "3", "--folds", "3", "--no-racing");
        Assert.True(exit == 0, log);
        Assert.Contains("task: binary", log);
        // Without racing no trial is stopped early.
        Assert.Contains("Sweep done: 3 trials", log);
        Assert.DoesNotContain("raced out", log);
        Assert.Contains("best PR-AUC so far", log);
        CliFixture.AssertNonTrivialPng(Path.Combine(output, "precision-recall.png"));
        Assert.Contains("![Precision-recall curve of 'yes'](precision-recall.png)", File.ReadAllText(Path.Combine(output, "report.md")));

        // A multiclass run into the same folder replaces this run's outputs, removes the curve it does not draw, and
        // leaves a file of the user's alone.
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");
        (exit, log) = CliFixture.Run("train", "--data", CliFixture.Multiclass(_directory), "--label", "kind", "--output", output, "--max-trials", "2", "--folds", "3");
        Assert.True(exit == 0, log);
        Assert.False(File.Exists(Path.Combine(output, "precision-recall.png")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "notes.txt")));
        CliFixture.AssertNonTrivialPng(Path.Combine(output, "confusion.png"));
    }

    [Fact]
    public void Train_Conformal_ReportsCoverage_AndTheModelOutputsPredictionSets()
    {
        string data = CliFixture.Multiclass(_directory);
        string output = Path.Combine(_directory, "conformal-out");
        var (exit, log) = CliFixture.Run("train", "--data", data, "--label", "kind", "--output", output, "--max-trials", "3", "--folds", "3", "--conformal", "0.2");
        Assert.True(exit == 0, log);
        Assert.Contains("Conformal prediction sets (LAC score, alpha 0.2)", log);
        Assert.Contains("Coverage", log);
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("## Conformal prediction sets", report);
        Assert.Contains("| coverage | target | mean set size | worst-class coverage | class-coverage gap |", report);
        Assert.DoesNotContain("not in this build", report);

        var ml = new MLContext(3);
        var model = ml.Model.Load(Path.Combine(output, "model.zip"), out _);
        var scored = model.Transform(CsvSchema.Infer(data, "kind").Load(ml));
        var sets = scored.GetColumn<VBuffer<float>>("PredictionSet").Select(v => v.DenseValues().ToArray()).ToArray();
        Assert.Equal(90, sets.Length);
        Assert.All(sets, s => Assert.Equal(3, s.Length));
        Assert.All(sets, s => Assert.All(s, v => Assert.True(v == 0 || v == 1)));
        // Well-separated classes: most sets hold the predicted class, and coverage of the true class is high overall.
        // The model keys the label: slot key - 1 of the set is the true class. Well-separated classes: high coverage.
        var truth = scored.GetColumn<uint>("kind").ToArray();
        double covered = sets.Zip(truth).Count(p => p.First[p.Second - 1] == 1) / 90.0;
        Assert.True(covered >= 0.7, $"coverage on all rows {covered}");
    }

    [Fact]
    public void Train_Binary_WithConformal_WritesPredictionSetsOfTwoSlots()
    {
        string data = CliFixture.Multiclass(_directory, "binary-conformal.csv", (row, kind) => kind == "c" ? "yes" : "no");
        string output = Path.Combine(_directory, "binary-conformal-out");
        var (exit, log) = CliFixture.Run("train", "--data", data, "--label", "kind", "--output", output, "--max-trials", "2", "--folds", "3", "--conformal", "0.2");
        Assert.True(exit == 0, log);
        Assert.Contains("Conformal prediction sets", File.ReadAllText(Path.Combine(output, "report.md")));
        var ml = new MLContext(3);
        var model = ml.Model.Load(Path.Combine(output, "model.zip"), out _);
        var sets = model.Transform(CsvSchema.Infer(data, "kind").Load(ml)).GetColumn<VBuffer<float>>("PredictionSet").ToArray();
        Assert.All(sets, s => Assert.Equal(2, s.Length));
    }

    [Fact]
    public void Train_Regression_WritesModelAndScatter()
    {
        string data = CliFixture.Regression(_directory);
        string output = Path.Combine(_directory, "regression-out");
        var (exit, log) = CliFixture.Run("train", "--data", data, "--label", "y", "--output", output, "--max-trials", "2", "--folds", "3");
        Assert.True(exit == 0, log);
        Assert.Contains("task: regression", log);
        Assert.Contains("RMSE", log);
        CliFixture.AssertNonTrivialPng(Path.Combine(output, "predicted-vs-actual.png"));
        var ml = new MLContext(1);
        var model = ml.Model.Load(Path.Combine(output, "model.zip"), out _);
        var scores = model.Transform(CsvSchema.Infer(data, "y").Load(ml, numericLabel: true)).GetColumn<float>("Score").ToArray();
        Assert.Equal(80, scores.Length);
        Assert.Contains("public float Y { get; set; }", File.ReadAllText(Path.Combine(output, "Predict.cs")));
        string printed = CliFixture.CompileAndRunSnippet(Path.Combine(output, "Predict.cs"), Path.Combine(output, "model.zip"));
        Assert.Matches(@"Predicted: -?[0-9.E-]+", printed);
    }

    [Fact]
    public void CtrlC_StopsTheSweep_AndKeepsTheBestModel()
    {
        string data = CliFixture.Multiclass(_directory);
        string output = Path.Combine(_directory, "cancelled");
        using var cts = new CancellationTokenSource();
        var writer = new CancellingWriter("trial   2", cts);
        int exit = CliApp.Run(["train", "--data", data, "--label", "kind", "--output", output, "--folds", "3"], writer, writer, cts.Token);
        string log = writer.ToString();
        Assert.True(exit == 0, log);
        Assert.DoesNotContain("trial   4", log);
        Assert.Contains("stopped by Ctrl-C; best so far kept", log);
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
        Assert.Contains("stopped by Ctrl-C", File.ReadAllText(Path.Combine(output, "report.md")));
    }

    [Fact]
    public void TsvAndGzippedFiles_AreRead()
    {
        string csv = CliFixture.Multiclass(_directory);
        string tsv = Path.Combine(_directory, "tiny.tsv");
        // The note holds a comma, so it stays quoted; the other fields move to tabs.
        File.WriteAllLines(tsv, File.ReadAllLines(csv).Select(l => System.Text.RegularExpressions.Regex.Replace(l, ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", "\t")));
        var (exit, log) = CliFixture.Run("train", "--data", tsv, "--label", "kind", "--output", Path.Combine(_directory, "tsv-out"), "--max-trials", "1", "--folds", "3");
        Assert.True(exit == 0, log);
        Assert.Contains("categorical, one-hot (3 values)", log);

        string gz = Path.Combine(_directory, "tiny.csv.gz");
        using (var file = File.Create(gz))
        using (var zip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
            zip.Write(File.ReadAllBytes(csv));
        (exit, log) = CliFixture.Run("train", "--data", gz, "--label", "kind", "--output", Path.Combine(_directory, "gz-out"), "--max-trials", "1", "--folds", "3");
        Assert.True(exit == 0, log);
        Assert.True(File.Exists(Path.Combine(_directory, "gz-out", "model.zip")));
    }

    [Fact]
    public void NoData_UsesTheEmbeddedDataset()
    {
        string output = Path.Combine(_directory, "embedded");
        var (exit, log) = CliFixture.Run("train", "--output", output, "--max-trials", "1");
        Assert.True(exit == 0, log);
        Assert.Contains("embedded Glass Identification", log);
        Assert.Contains("imbalance ratio (largest / smallest class): 8.44", log);
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
    }

    /// <summary>Cancels the token once a given text has been written (as Ctrl-C would mid-sweep).</summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            lock (this)
            {
                base.WriteLine(value);
                if (value is not null && value.Contains(trigger))
                    cts.Cancel();
            }
        }
    }
}
