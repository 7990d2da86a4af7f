using Microsoft.ML;
using Microsoft.ML.LongTail.Sweeping;
using Microsoft.ML.RobustLoss;
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

    /// <summary>The tail-aware losses the MLP offers to <see cref="SweepStrategy.TailLoss"/>, by the bench's names.</summary>
    private static readonly Dictionary<string, TailLoss> MlpLosses = new(StringComparer.Ordinal)
    {
        ["balanced-softmax"] = TailLoss.BalancedSoftmax,
        ["ldam-drw"] = TailLoss.LdamDrw,
        ["cb-focal"] = TailLoss.ClassBalancedFocal,
        ["logit-adjusted"] = TailLoss.LogitAdjusted,
        ["focal"] = TailLoss.Focal,
        ["weighted-ce"] = TailLoss.WeightedCrossEntropy,
    };

    /// <summary>Microsoft.ML.RobustLoss's TorchSharp MLP (CPU, one thread): hidden layers, epochs and learning rate;
    /// cross-entropy unless a tail-loss trial names another loss. Features are already normalised by the featuriser.
    /// No example weights: the losses carry the class balance.</summary>
    public static SweepTrainer Mlp() => new("Mlp", c => c.Context.MulticlassClassification.Trainers.NeuralNetwork(new MulticlassNeuralNetworkOptions
    {
        LabelColumnName = c.LabelColumnName,
        FeatureColumnName = c.FeatureColumnName,
        Loss = c.Loss is null ? TailLoss.CrossEntropy : MlpLosses[c.Loss],
        HiddenLayers = c.Parameters.Get("hidden", "64").Split('-').Select(int.Parse).ToArray(),
        Epochs = c.Parameters.Get("epochs", 100),
        LearningRate = c.Parameters.Get("learningRate", 1e-2),
        // Small batches: on the few hundred rows of a typical tabular file, larger ones leave too few steps to converge.
        BatchSize = 32,
        Seed = c.Seed,
        Device = TrainingDevice.Cpu,
        NumberOfThreads = 1,
    }),
        SweepParameter.Choice("hidden", "64", "128-64", "256"),
        SweepParameter.Choice("epochs", 100, 200, 40),
        SweepParameter.Choice("learningRate", 1e-2, 3e-3, 3e-2))
    { SupportsExampleWeights = false, Losses = MlpLosses.Keys.ToArray() };

    /// <summary>Whether libtorch's native runtime loads here (it ships with the tool on Linux x64 only).</summary>
    public static bool MlpAvailable(out string? reason)
    {
        try
        {
            reason = TorchSharp.torch.TryInitializeDeviceType(TorchSharp.DeviceType.CPU) ? null : "libtorch's native runtime did not load";
        }
        // TorchSharp reports a missing or unloadable native library as one of these; the sweep goes on without the MLP.
        catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException or BadImageFormatException)
        {
            reason = e.Message.Split('\n')[0];
        }
        return reason is null;
    }

    /// <summary>LightGBM, SDCA, the MLP (where libtorch loads), FastTree: the baseline trials run in this order (FastTree
    /// one-versus-all is the slowest).</summary>
    public static IReadOnlyList<SweepTrainer> All(bool withMlp) => withMlp ? [LightGbm(), Sdca(), Mlp(), FastTree()] : [LightGbm(), Sdca(), FastTree()];
}
