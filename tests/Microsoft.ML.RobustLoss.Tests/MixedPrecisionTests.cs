using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss.Tests;

/// <summary>Mixed precision on the CPU (the same code path CUDA takes; no GPU is needed): the products really run in the reduced
/// type, the float32 master weights still learn, float16's loss scaling skips overflowed steps, and runs are reproducible.</summary>
public sealed class MixedPrecisionTests
{
    private static readonly int[] Counts = [120, 60, 30, 15];

    private static MulticlassNeuralNetworkOptions Small(MixedPrecision precision, NeuralNetworkNormalization normalization = NeuralNetworkNormalization.None) => new()
    {
        HiddenLayers = [16], Epochs = 30, BatchSize = 32, LearningRate = 0.02, Seed = 1, NumberOfThreads = 1,
        MixedPrecision = precision, Normalization = normalization, Device = TrainingDevice.Cpu,
    };

    private static (double Accuracy, float[] Scores) TrainAndScore(MulticlassNeuralNetworkOptions options)
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 1);
        var test = TestData.KeyedBlobs(ml, [40, 40, 40, 40], seed: 2);
        var scored = ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(train).Transform(test);
        var scores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        return (ml.MulticlassClassification.Evaluate(scored).MicroAccuracy, scores);
    }

    [Theory]
    [InlineData(MixedPrecision.Float16, NeuralNetworkNormalization.None)]
    [InlineData(MixedPrecision.BFloat16, NeuralNetworkNormalization.None)]
    [InlineData(MixedPrecision.Float16, NeuralNetworkNormalization.BatchNorm)]
    [InlineData(MixedPrecision.BFloat16, NeuralNetworkNormalization.LayerNorm)]
    public void TrainsAsWellAsFloat32AndDiffersFromIt(MixedPrecision precision, NeuralNetworkNormalization normalization)
    {
        var (full, fullScores) = TrainAndScore(Small(MixedPrecision.None, normalization));
        var (mixed, mixedScores) = TrainAndScore(Small(precision, normalization));
        Assert.True(mixed > 0.9, $"{precision} accuracy {mixed:F3}");
        Assert.True(mixed >= full - 0.03, $"{precision} accuracy {mixed:F3} against float32's {full:F3}");
        // The reduced products change the trajectory: identical scores would mean the option did nothing.
        Assert.NotEqual(fullScores, mixedScores);
    }

    [Theory]
    [InlineData(MixedPrecision.Float16)]
    [InlineData(MixedPrecision.BFloat16)]
    public void IsReproducibleGivenASeed(MixedPrecision precision)
    {
        var (_, first) = TrainAndScore(Small(precision));
        var (_, second) = TrainAndScore(Small(precision));
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(ScalarType.Float16, 1e-2)]
    [InlineData(ScalarType.BFloat16, 5e-2)]
    public void TrainingForwardComputesInTheReducedTypeAndEvaluationInFloat32(ScalarType type, double tolerance)
    {
        torch.random.manual_seed(3);
        using var net = new Mlp(8, [32, 16], 3, NeuralNetworkActivation.Gelu, NeuralNetworkNormalization.LayerNorm, 0);
        using var x = torch.randn(64, 8);
        net.train();
        using var reference = net.forward(x).detach();
        net.TrainingComputeType = type;
        using var reduced = net.forward(x);
        Assert.Equal(ScalarType.Float32, reduced.dtype);
        double difference = (reduced - reference).abs().max().item<float>();
        Assert.True(difference > 0, "the reduced-type forward pass equals float32's exactly");
        Assert.True(difference < tolerance, $"difference {difference}");

        // The gradients reach the float32 master weights in float32.
        reduced.sum().backward();
        foreach (var p in net.parameters())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.NotNull(p.grad);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
        }

        net.eval();
        using var evaluated = net.forward(x).detach();
        Assert.Equal(0f, (evaluated - reference).abs().max().item<float>());
    }

    [Fact]
    public void LossScalerSkipsOverflowedStepsHalvesTheScaleAndGrowsItBack()
    {
        var scaler = new DynamicLossScaler(initialScale: 1024, growthInterval: 3);
        using var w = new TorchSharp.Modules.Parameter(torch.ones(2));
        var parameters = new[] { w };

        w.grad = torch.tensor(new[] { 2048f, float.PositiveInfinity });
        Assert.False(scaler.UnscaleOrSkip(parameters));
        Assert.Equal(512, scaler.Scale);
        Assert.Equal(1, scaler.SkippedSteps);
        Assert.Equal([0f, 0f], w.grad!.data<float>().ToArray());

        for (int step = 1; step <= 3; step++)
        {
            w.grad = torch.tensor(new[] { 512f, -1024f });
            Assert.True(scaler.UnscaleOrSkip(parameters));
            Assert.Equal([1f, -2f], w.grad!.data<float>().ToArray());
            Assert.Equal(step < 3 ? 512 : 1024, scaler.Scale);
        }

        w.grad = torch.tensor(new[] { float.NaN, 1f });
        Assert.False(scaler.UnscaleOrSkip(parameters));
        Assert.Equal(512, scaler.Scale);
        Assert.Equal(2, scaler.SkippedSteps);
    }

    [Fact]
    public void Float16TrainingRecoversFromOverflowingGradients()
    {
        // A large learning-rate-free setting where the initial scale (2^16) times the loss gradient overflows float16 (max 65504):
        // the scaler must skip those steps and back off instead of corrupting the weights.
        var options = Small(MixedPrecision.Float16);
        options.Epochs = 5;
        var epochs = new List<NeuralNetworkEpoch>();
        options.Progress = new SyncProgress(epochs);
        var ml = new MLContext(seed: 1);
        var rows = TestData.Blobs(Counts, seed: 4).Select(r => new ClassRow { Label = r.Label, Features = [r.Features[0] * 1000, r.Features[1] * 1000] });
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("loss scaling")) messages.Add(e.Message); };
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(train);
        Assert.Equal(5, epochs.Count);
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.TrainingLoss)));
        Assert.Contains(messages, m => m.Contains("skipped"));
        var scores = model.Transform(train).GetColumn<float[]>("Score").SelectMany(s => s);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void WorksWithSamClassifierRetrainingAndTheBinaryAndRegressionTrainers()
    {
        var options = Small(MixedPrecision.Float16, NeuralNetworkNormalization.BatchNorm);
        options.SamRho = 0.05;
        options.ClassifierRetrainingEpochs = 3;
        options.Epochs = 15;
        var (accuracy, _) = TrainAndScore(options);
        Assert.True(accuracy > 0.9, $"float16 + SAM + re-training accuracy {accuracy:F3}");

        var ml = new MLContext(seed: 1);
        var binary = ml.Data.LoadFromEnumerable(TestData.BinaryBlobs(150, 30, seed: 3));
        var binaryModel = ml.BinaryClassification.Trainers.NeuralNetwork(new BinaryNeuralNetworkOptions
        {
            HiddenLayers = [16], Epochs = 30, BatchSize = 32, LearningRate = 0.02, Seed = 1, NumberOfThreads = 1, MixedPrecision = MixedPrecision.BFloat16,
        }).Fit(binary);
        double binaryAccuracy = ml.BinaryClassification.Evaluate(binaryModel.Transform(binary)).Accuracy;
        Assert.True(binaryAccuracy > 0.9, $"bfloat16 binary accuracy {binaryAccuracy:F3}");

        var regression = ml.Data.LoadFromEnumerable(TestData.Linear(400, seed: 5));
        var regressionModel = ml.Regression.Trainers.NeuralNetwork(new RegressionNeuralNetworkOptions
        {
            HiddenLayers = [32], Epochs = 30, BatchSize = 32, LearningRate = 0.01, Seed = 1, NumberOfThreads = 1, MixedPrecision = MixedPrecision.Float16,
        }).Fit(regression);
        double r2 = ml.Regression.Evaluate(regressionModel.Transform(regression)).RSquared;
        Assert.True(r2 > 0.95, $"float16 regression R^2 {r2:F3}");
    }

    [Fact]
    public void AnUndefinedPrecisionIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 1);
        var options = Small((MixedPrecision)7);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(train));
        Assert.Contains("MixedPrecision", error.Message);
    }
}
