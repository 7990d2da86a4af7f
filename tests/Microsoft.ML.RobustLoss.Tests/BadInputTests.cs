using Microsoft.ML.Data;
using TorchSharp;

namespace Microsoft.ML.RobustLoss.Tests;

public sealed class BadInputTests
{
    private sealed class KeyRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    private sealed class VariableRow
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private static MulticlassNeuralNetworkOptions Small() => new() { HiddenLayers = [4], Epochs = 2, BatchSize = 16, Seed = 1 };

    private static IDataView Blobs(MLContext ml) => TestData.KeyedBlobs(ml, [20, 20], seed: 1);

    [Fact]
    public void LabelOutsideTheKeyRangeIsNamed()
    {
        var ml = new MLContext();
        // LoadFromEnumerable stores a [KeyType] property as value + 1: 5 becomes raw key 6 of a 3-value key.
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new KeyRow { Label = i == 7 ? 5u : (uint)(i % 3), Features = [i, 1] }));
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(Small()).Fit(data));
        Assert.Contains("'Label'", e.Message);
        Assert.Contains("row 7", e.Message);
    }

    [Fact]
    public void NonFiniteFeaturesAndTargetsAreNamed()
    {
        var ml = new MLContext();
        var rows = TestData.Blobs([10, 10], 1);
        rows[4].Features[1] = float.NaN;
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(Small()).Fit(
            ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows))));
        Assert.Contains("'Features'", e.Message);

        var reg = TestData.Linear(10, 1);
        reg[3].Label = float.PositiveInfinity;
        var r = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.NeuralNetwork(epochs: 1).Fit(ml.Data.LoadFromEnumerable(reg)));
        Assert.Contains("'Label'", r.Message);
        Assert.Contains("row 3", r.Message);

        reg = TestData.Linear(10, 1);
        reg[6].Features[0] = float.NegativeInfinity;
        r = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.NeuralNetwork(epochs: 1).Fit(ml.Data.LoadFromEnumerable(reg)));
        Assert.Contains("'Features'", r.Message);
        Assert.Contains("row 6", r.Message);
    }

    [Fact]
    public void VariableSizeFeaturesAreRejected()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Label = 1, Features = [1, 2] }, new VariableRow { Label = 2, Features = [1, 2, 3] } });
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Trainers.NeuralNetwork(epochs: 1).Fit(data));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("variable", e.Message);
    }

    [Fact]
    public void ZeroEpochsAndBadLearningRatesNameTheOption()
    {
        var ml = new MLContext();
        var o = Small();
        o.Epochs = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml)));
        Assert.Equal("Epochs", e.ParamName);
        o = Small();
        o.LearningRate = double.NaN;
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml))).ParamName);
    }

    [Fact]
    public void ALearningRateThatBlowsUpTheLossStopsNamingTheEpoch()
    {
        var ml = new MLContext();
        var o = Small();
        o.Optimizer = NeuralNetworkOptimizer.Sgd;
        o.LearningRate = 1e30;
        o.Schedule = LearningRateSchedule.Constant;
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml)));
        Assert.Matches("training loss became (NaN|∞|-∞|Infinity) in epoch 1", e.Message);
    }

    [Fact]
    public void CudaWithoutCudaThrowsAndAutoPicksTheCpu()
    {
        Assert.False(torch.cuda.is_available());
        Assert.Equal(DeviceType.CPU, NetworkTrainer.ResolveDevice(TrainingDevice.Auto).type);
        var ml = new MLContext();
        var o = Small();
        o.Device = TrainingDevice.Cuda;
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml)));
        Assert.Contains("Device = Cuda", e.Message);
        var r = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.NeuralNetwork(new RegressionNeuralNetworkOptions { Device = TrainingDevice.Cuda })
            .Fit(ml.Data.LoadFromEnumerable(TestData.Linear(10, 1))));
        Assert.Contains("Device = Cuda", r.Message);
    }

    [Fact]
    public void OptionsThatDoNotFitTheLossAreRejected()
    {
        var ml = new MLContext();
        var o = Small();
        o.FocalAlpha = [0.5f, 0.5f];
        Assert.Equal("FocalAlpha", Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml))).ParamName);
        o = Small();
        o.Loss = TailLoss.Focal;
        o.FocalAlpha = [0.5f, -0.5f];   // a negative alpha would flip the sign of that class's loss
        Assert.Equal("FocalAlpha", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml))).ParamName);
        o.FocalAlpha = [0.5f, float.NaN];
        Assert.Equal("FocalAlpha", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml))).ParamName);
        o = Small();
        o.Loss = TailLoss.Focal;
        o.LabelSmoothing = 0.1;
        Assert.Equal("LabelSmoothing", Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml))).ParamName);
        o = Small();
        o.DeferredReweightingEpoch = 2;   // an LDAM-DRW option on plain cross-entropy
        Assert.Equal("DeferredReweightingEpoch", Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Blobs(ml))).ParamName);
        var reg = new RegressionNeuralNetworkOptions { Loss = RegressionLoss.Huber, Quantiles = [0.5] };
        Assert.Equal("Quantiles", Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.NeuralNetwork(reg).Fit(ml.Data.LoadFromEnumerable(TestData.Linear(10, 1)))).ParamName);
        var bin = new BinaryNeuralNetworkOptions { Loss = BinaryLoss.Asymmetric, FocalAlpha = 0.25 };
        Assert.Equal("FocalAlpha", Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.NeuralNetwork(bin).Fit(ml.Data.LoadFromEnumerable(TestData.BinaryBlobs(5, 5, 1)))).ParamName);
        // A text label is not a Boolean: the binary trainer names the column.
        var text = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.NeuralNetwork().Fit(ml.Data.LoadFromEnumerable(TestData.Blobs([5, 5], 1))));
        Assert.Contains("'Label'", text.Message);
        // A regression target must be a float: a key label (a class) is refused with the column named.
        var key = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.NeuralNetwork().Fit(Blobs(ml)));
        Assert.Contains("'Label'", key.Message);
    }
}
