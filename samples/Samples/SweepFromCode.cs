using Microsoft.ML;
using Microsoft.ML.LongTail.Sweeping;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Samples;

/// <summary>The imbalance sweep from code: strategies x trainers under a time budget, stratified CV, the leaderboard,
/// and the best pipeline refitted and saved.</summary>
public static class SweepFromCode
{
    public static SweepResult Run(TextWriter output, double budgetSeconds = 20, int? maxTrials = 6)
    {
        var ml = new MLContext(seed: 1);
        var data = GlassData.Load(ml);
        var lightGbm = new SweepTrainer("LightGbm", c => c.Context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, ExampleWeightColumnName = c.ExampleWeightColumnName,
            NumberOfIterations = c.Parameters.Get("iterations", 100), Seed = c.Seed, NumberOfThreads = 1, Silent = true, Verbose = false,
        }), SweepParameter.Choice("iterations", 100, 50));
        var result = ImbalanceSweep.Run(ml, data, new ImbalanceSweepOptions
        {
            LabelColumnName = "Label",
            Featurizer = ml.Transforms.NormalizeMeanVariance("Features"),
            Trainers = [lightGbm, SweepTrainer.SdcaMaximumEntropy()],
            Strategies = [SweepStrategy.None(), SweepStrategy.ClassBalancedWeights(), SweepStrategy.Smote(), SweepStrategy.LogitAdjustment()],
            Metric = SweepMetric.MacroF1,
            TimeBudget = TimeSpan.FromSeconds(budgetSeconds),
            MaxTrials = maxTrials,
            Progress = new Progress<SweepTrial>(t => output.WriteLine($"  {t}")),
        });
        foreach (var trial in result.Leaderboard)
            output.WriteLine(trial);
        output.WriteLine($"Best: {result.BestTrial.Description}");
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sweep-sample-{Environment.ProcessId}.zip");
        ml.Model.Save(result.BestModel, data.Schema, path);
        output.WriteLine($"Saved {path}");
        File.Delete(path);
        return result;
    }
}
