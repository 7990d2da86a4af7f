using Microsoft.ML.Data;
using TorchSharp;

namespace Microsoft.ML.RobustLoss.Tests;

public sealed class TrainingOptionsTests
{
    private static MulticlassNeuralNetworkOptions Small(List<NeuralNetworkEpoch>? epochs = null) => new()
    {
        HiddenLayers = [8], Epochs = 6, BatchSize = 32, LearningRate = 0.02, Seed = 7, NumberOfThreads = 1,
        Progress = epochs is null ? null : new SyncProgress(epochs),
    };

    private static IDataView Train(MLContext ml) => TestData.KeyedBlobs(ml, [120, 60, 30, 15], seed: 5);

    private static float[][] Scores(MLContext ml, ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();

    [Fact]
    public void SameSeedOnCpuGivesTheSameModel()
    {
        var ml = new MLContext();
        var data = Train(ml);
        var a = Scores(ml, ml.MulticlassClassification.Trainers.NeuralNetwork(Small()).Fit(data), data);
        var b = Scores(ml, ml.MulticlassClassification.Trainers.NeuralNetwork(Small()).Fit(data), data);
        var o = Small();
        o.Seed = 8;
        var c = Scores(ml, ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(data), data);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ProgressAndLogReportEveryEpochWithValidationAndSchedule()
    {
        var ml = new MLContext();
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var epochs = new List<NeuralNetworkEpoch>();
        var o = Small(epochs);
        o.ValidationFraction = 0.25;
        o.WarmupEpochs = 2;
        o.Schedule = LearningRateSchedule.Step;
        o.StepSize = 3;
        o.StepGamma = 0.1;
        ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Train(ml));
        Assert.Equal(Enumerable.Range(1, 6), epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => Assert.True(e.ValidationMetric is >= 0 and <= 1 && double.IsFinite(e.TrainingLoss) && e.Stage == 1));
        Assert.Equal(0.01, epochs[0].LearningRate, 6);       // half-way through the 2-epoch warm-up
        Assert.Equal(0.02, epochs[2].LearningRate, 6);       // warm-up done, first step
        Assert.Equal(0.002, epochs[3].LearningRate, 6);      // epoch 4: one step decay
        Assert.Contains(messages, m => m.Contains("MulticlassNeuralNetwork: stage 1 epoch 6/6"));
    }

    [Fact]
    public void CosineScheduleEndsNearZero()
    {
        var ml = new MLContext();
        var epochs = new List<NeuralNetworkEpoch>();
        ml.MulticlassClassification.Trainers.NeuralNetwork(Small(epochs)).Fit(Train(ml));
        Assert.True(epochs[^1].LearningRate < 0.02 * 0.01 && epochs[0].LearningRate > 0.018, string.Join(", ", epochs.Select(e => e.LearningRate)));
    }

    [Fact]
    public void EarlyStoppingStopsWhenValidationStopsImproving()
    {
        var ml = new MLContext();
        var epochs = new List<NeuralNetworkEpoch>();
        var o = Small(epochs);
        o.Epochs = 200;
        o.ValidationFraction = 0.3;
        o.EarlyStoppingPatience = 3;
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(Train(ml));
        Assert.True(epochs.Count < 200, $"ran {epochs.Count} epochs");
        double best = epochs.Max(e => e.ValidationMetric!.Value);
        int bestEpoch = epochs.First(e => e.ValidationMetric == best).Epoch;
        Assert.Equal(bestEpoch + 3, epochs[^1].Epoch);
        Assert.NotNull(model);
    }

    [Fact]
    public void CancellationKeepsAUsableBestSoFarModel()
    {
        var ml = new MLContext();
        using var cancel = new CancellationTokenSource();
        var epochs = new List<NeuralNetworkEpoch>();
        var o = Small();
        o.Epochs = 100;
        o.ValidationFraction = 0.25;
        o.CancellationToken = cancel.Token;
        o.Progress = new SyncProgress(epochs, e => { if (e.Epoch == 3) cancel.Cancel(); });
        var data = Train(ml);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(data);
        Assert.Equal(3, epochs.Count);
        var scores = Scores(ml, model, data);
        Assert.All(scores, s => Assert.Equal(1.0, s.Sum(), 4));
    }

    [Fact]
    public void TwoStageRetrainsOnlyTheClassifierWithBalancedSampling()
    {
        var ml = new MLContext();
        var epochs = new List<NeuralNetworkEpoch>();
        var o = Small(epochs);
        o.ClassifierRetrainingEpochs = 4;
        o.Loss = TailLoss.BalancedSoftmax;
        var data = Train(ml);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(data);
        Assert.Equal(6, epochs.Count(e => e.Stage == 1));
        Assert.Equal(Enumerable.Range(1, 4), epochs.Where(e => e.Stage == 2).Select(e => e.Epoch));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.True(metrics.MacroAccuracy > 0.9, $"macro accuracy {metrics.MacroAccuracy}");
    }

    [Theory]
    [InlineData(TailLoss.WeightedCrossEntropy)]
    [InlineData(TailLoss.Focal)]
    [InlineData(TailLoss.ClassBalancedFocal)]
    [InlineData(TailLoss.LdamDrw)]
    [InlineData(TailLoss.LogitAdjusted)]
    [InlineData(TailLoss.Equalization)]
    public void EveryTailLossTrainsWithSgdSamClippingAndSampling(TailLoss loss)
    {
        var ml = new MLContext();
        var o = Small();
        o.Loss = loss;
        o.Epochs = 15;
        o.Optimizer = NeuralNetworkOptimizer.Sgd;
        o.Nesterov = true;
        o.LearningRate = 0.05;
        o.SamRho = 0.05;
        o.GradientClipNorm = 5;
        o.GradientClipValue = 1;
        o.Sampling = BatchSampling.ClassBalanced;
        o.Activation = loss == TailLoss.Focal ? NeuralNetworkActivation.Gelu : NeuralNetworkActivation.Relu;
        o.Normalization = loss == TailLoss.LogitAdjusted ? NeuralNetworkNormalization.LayerNorm : NeuralNetworkNormalization.None;
        var data = Train(ml);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.True(metrics.MacroAccuracy > 0.85, $"{loss}: macro accuracy {metrics.MacroAccuracy}");
    }

    [Fact]
    public void OnnxExportMatchesTheTorchNetworkForEveryActivationAndNorm()
    {
        foreach (var activation in Enum.GetValues<NeuralNetworkActivation>())
        {
            foreach (var norm in Enum.GetValues<NeuralNetworkNormalization>())
            {
                torch.random.manual_seed(3);
                using var net = new Mlp(3, [5, 4], 2, activation, norm, 0.1);
                var x = torch.randn(16, 3);
                net.train();
                net.forward(x); // moves batch-norm running statistics away from 0 / 1
                net.eval();
                float[] expected = net.forward(x).data<float>().ToArray();
                var g = new Microsoft.ML.LongTail.Onnx.OnnxGraphBuilder();
                g.AddFloatInput("Features", 3);
                g.AddFloatOutput(net.Export(g, "Features"), 2);
                var ml = new MLContext();
                var rows = Enumerable.Range(0, 16).Select(i => new Vec3 { Features = x[i].data<float>().ToArray() }).ToList();
                var data = ml.Data.LoadFromEnumerable(rows);
                var scored = Microsoft.ML.LongTail.Onnx.OnnxScoring.CreateEstimator(ml, g.ToBytes(), ["logits"], ["Features"]).Fit(data).Transform(data);
                float[] actual = scored.GetColumn<float[]>("logits").SelectMany(v => v).ToArray();
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"{activation}/{norm}: {expected[i]} vs {actual[i]}");
            }
        }
    }

    public sealed class Vec3
    {
        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void SamplersDrawClassesUniformlyOrBySquareRoot()
    {
        var classes = Enumerable.Repeat(0L, 900).Concat(Enumerable.Repeat(1L, 100)).ToArray();
        var set = new TrainingSet(new float[1000], 1000, 1, classes, null);
        var random = new Random(1);
        double Minority(BatchSampling s) => Enumerable.Range(0, 20).SelectMany(_ => new BatchSampler(set, s).NextEpoch(random)).Average(r => (double)classes[r]);
        Assert.Equal(0.5, Minority(BatchSampling.ClassBalanced), 1);
        Assert.Equal(10.0 / 40, Minority(BatchSampling.SquareRoot), 1);  // sqrt(100) / (sqrt(900) + sqrt(100))
        Assert.Equal(0.1, Minority(BatchSampling.Uniform), 6);
        Assert.Equal(Enumerable.Range(0, 1000), new BatchSampler(set, BatchSampling.Uniform).NextEpoch(random).Order());
    }
}
