using Microsoft.ML;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.LongTail.Evaluation;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Samples;

/// <summary>
/// Conformal prediction sets on top of LightGBM: train on half of Glass, calibrate the sets on a quarter the model never
/// saw, measure coverage on the last quarter. Each set holds the true class with probability at least 1 - alpha.
/// </summary>
public static class ConformalPredictionSets
{
    public static ConformalClassificationMetrics Run(TextWriter output, double alpha = 0.1)
    {
        var ml = new MLContext(seed: 1);
        var data = GlassData.Load(ml);

        // Stratified quarters: folds 1-2 train, fold 3 calibrates, fold 4 tests (a fold column is a key; fold i sits at (i - 1) / 4).
        var quarters = ml.Data.AddStratifiedFoldColumn(data, "Label", numberOfFolds: 4, seed: 1, outputColumnName: "Fold");
        var train = ml.Data.FilterRowsByKeyColumnFraction(quarters, "Fold", 0, 0.5);
        var calibration = ml.Data.FilterRowsByKeyColumnFraction(quarters, "Fold", 0.5, 0.75);
        var test = ml.Data.FilterRowsByKeyColumnFraction(quarters, "Fold", 0.75, 1);

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                NumberOfIterations = 100, MinimumExampleCountPerLeaf = 5, Seed = 1, NumberOfThreads = 1, Deterministic = true, Silent = true, Verbose = false,
            }));
        var model = pipeline.Fit(train);

        // LAC (1 - p_y): the smallest sets on average; NonconformityScore.Aps gives sets that grow with the uncertainty.
        var sets = ml.MulticlassClassification.ConformalClassifier(alpha, NonconformityScore.Lac).Fit(model.Transform(calibration));
        var withSets = model.Append(sets);                        // saves and loads like any ML.NET model
        var scored = withSets.Transform(test);                    // adds PredictionSet: Vector<Single, 6>, 1 = class in the set

        var metrics = ml.MulticlassClassification.EvaluateConformal(scored, alpha);
        output.WriteLine($"Glass, LightGBM + conformal sets (LAC, alpha {alpha}):");
        output.WriteLine(metrics.ToReport());
        return metrics;
    }
}
