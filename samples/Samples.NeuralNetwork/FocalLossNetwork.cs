using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Evaluation;
using Microsoft.ML.RobustLoss;

namespace LongTail.Samples;

/// <summary>
/// A multilayer perceptron trained with focal loss (TorchSharp, CPU) on Glass: fit, evaluate on a stratified held-out
/// quarter, save, load in a fresh context (no libtorch needed to score) and predict.
/// </summary>
public static class FocalLossNetwork
{
    /// <returns>Held-out balanced accuracy, and whether the loaded model predicts what the fitted one did.</returns>
    public static (double BalancedAccuracy, bool SameAfterLoad) Run(TextWriter output, int epochs = 60)
    {
        var ml = new MLContext(seed: 1);
        var data = GlassData.Load(ml);
        var quarters = ml.Data.AddStratifiedFoldColumn(data, "Label", numberOfFolds: 4, seed: 1, outputColumnName: "Fold");
        var train = ml.Data.FilterRowsByKeyColumnFraction(quarters, "Fold", 0, 0.75);
        var test = ml.Data.FilterRowsByKeyColumnFraction(quarters, "Fold", 0.75, 1);

        // The network uses features as they are: scale them first.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(new MulticlassNeuralNetworkOptions
            {
                Loss = TailLoss.Focal, FocalGamma = 2,          // down-weights easy (mostly head-class) rows
                HiddenLayers = [64], Epochs = epochs, BatchSize = 32, LearningRate = 1e-2,
                Seed = 1, Device = TrainingDevice.Cpu, NumberOfThreads = 1,
            }));
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(model.Transform(test));
        output.WriteLine($"Glass, MLP with focal loss ({epochs} epochs): held-out balanced accuracy {metrics.BalancedAccuracy:0.000}, macro-F1 {metrics.MacroF1Score:0.000}");

        // Save, load in a fresh context, predict: the saved model is stock ML.NET transformers (an ONNX graph).
        string path = Path.Combine(Path.GetTempPath(), $"focal-{Environment.ProcessId}.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        File.Delete(path);
        var before = model.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
        var after = loaded.Transform(test).GetColumn<uint>("PredictedLabel").ToArray();
        output.WriteLine($"Loaded model: {after.Length} predictions, {(before.SequenceEqual(after) ? "identical to" : "different from")} the fitted model's");
        return (metrics.BalancedAccuracy, before.SequenceEqual(after));
    }
}
