using Microsoft.ML;
using Microsoft.ML.LongTail.Sweeping;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Cli;

/// <summary>The trainers the command line sweeps over. The library takes trainers as factories; this is where
/// LightGBM and FastTree come in. Add a trainer (for example Microsoft.ML.RobustLoss's MLP) as one more entry.</summary>
internal static class Trainers
{
    public static SweepTrainer LightGbm() => new("LightGbm", c => c.Context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
    {
        LabelColumnName = c.LabelColumnName,
        FeatureColumnName = c.FeatureColumnName,
        ExampleWeightColumnName = c.ExampleWeightColumnName,
        NumberOfIterations = c.Parameters.Get("iterations", 100),
        NumberOfLeaves = c.Parameters.Get("leaves", 31),
        LearningRate = c.Parameters.Get("learningRate", 0.1),
        MinimumExampleCountPerLeaf = c.Parameters.Get("minLeaf", 5),
        Seed = c.Seed,
        NumberOfThreads = 1,
        Deterministic = true,
        Silent = true,
        Verbose = false,
    }),
        SweepParameter.Choice("iterations", 100, 50, 200),
        SweepParameter.Choice("leaves", 31, 8),
        SweepParameter.Choice("learningRate", 0.1, 0.05, 0.2),
        SweepParameter.Choice("minLeaf", 5, 2, 20));

    /// <summary>FastTree is binary only in ML.NET: one-versus-all over calibrated FastTree models (scores are
    /// per-class probabilities, not normalised to sum to one, so logit adjustment is not combined with it).</summary>
    public static SweepTrainer FastTree() => new("FastTree", c => c.Context.MulticlassClassification.Trainers.OneVersusAll(
        c.Context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = c.LabelColumnName,
            FeatureColumnName = c.FeatureColumnName,
            ExampleWeightColumnName = c.ExampleWeightColumnName,
            NumberOfTrees = c.Parameters.Get("trees", 50),
            NumberOfLeaves = c.Parameters.Get("leaves", 20),
            MinimumExampleCountPerLeaf = c.Parameters.Get("minLeaf", 5),
            NumberOfThreads = 1,
        }), labelColumnName: c.LabelColumnName),
        SweepParameter.Choice("trees", 50, 100),
        SweepParameter.Choice("leaves", 20, 8),
        SweepParameter.Choice("minLeaf", 5, 2))
    { ProducesProbabilities = false };

    public static SweepTrainer Sdca() => SweepTrainer.SdcaMaximumEntropy();

    /// <summary>LightGBM, SDCA, FastTree: the baseline trials run in this order (FastTree one-versus-all is the slowest).</summary>
    public static IReadOnlyList<SweepTrainer> All() => [LightGbm(), Sdca(), FastTree()];
}
