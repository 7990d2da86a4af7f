using Microsoft.ML;
using Microsoft.ML.LongTail.Weighting;
using Microsoft.ML.Trainers.FastTree;

namespace LongTail.Samples;

/// <summary>
/// Class-balanced example weights with FastTree: a binary task (glass type 1, "building windows, float processed",
/// against the rest), each row weighted by the inverse frequency of its class, evaluated on a stratified
/// held-out split; the model saves and loads like any ML.NET model.
/// </summary>
public static class ClassBalancedWeightsFastTree
{
    /// <returns>Balanced accuracy on the held-out rows with the weights and without.</returns>
    public static (double Weighted, double Plain) Run(TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        var data = GlassData.Load(ml);
        // Binary label: is it vehicle-window (non-float), container or tableware glass (classes 3, 5, 6: 39 rows of 214)?
        var binary = ml.Transforms.CustomMapping<LabelIn, LabelOut>((i, o) => o.IsRare = i.Label is "3" or "5" or "6", contractName: null)
            .Fit(data).Transform(data);
        var withFolds = ml.Data.AddStratifiedFoldColumn(binary, "IsRare", numberOfFolds: 4, seed: 1, outputColumnName: "Fold");
        var split = ml.Data.TrainTestSplit(withFolds, testFraction: 0.25, samplingKeyColumnName: "Fold");

        FastTreeBinaryTrainer FastTree(string? weights) => ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = "IsRare", ExampleWeightColumnName = weights, NumberOfTrees = 50, NumberOfLeaves = 8, NumberOfThreads = 1,
        });
        var weighted = ml.Transforms.ClassBalancedWeights("Weight", "IsRare", ClassWeightingScheme.InverseFrequency)
            .Append(FastTree("Weight"));
        var plain = FastTree(null);

        double BalancedAccuracy(IEstimator<ITransformer> pipeline)
        {
            var model = pipeline.Fit(split.TrainSet);
            var metrics = ml.BinaryClassification.EvaluateImbalanced(model.Transform(split.TestSet), labelColumnName: "IsRare");
            return metrics.BalancedAccuracy;
        }

        var result = (Weighted: BalancedAccuracy(weighted), Plain: BalancedAccuracy(plain));
        output.WriteLine($"Glass, rare types vs the rest, held-out 25 %: balanced accuracy with class-balanced weights {result.Weighted:0.000}, plain FastTree {result.Plain:0.000}");
        return result;
    }

    private sealed class LabelIn
    {
        public string Label { get; set; } = "";
    }

    private sealed class LabelOut
    {
        public bool IsRare { get; set; }
    }
}
