using Microsoft.ML.Data;
using Microsoft.ML.Quantize;

namespace Microsoft.ML.RobustLoss.Tests;

/// <summary>The trainers' optional post-training quantization of the exported network (Microsoft.ML.Quantize): the fitted model
/// scores the quantized graph, predicts nearly as the float network does, and saves and loads like any other.</summary>
public sealed class QuantizedNetworkTests
{
    private static readonly int[] Counts = [120, 60, 30, 15];

    private static MulticlassNeuralNetworkOptions Options(OnnxQuantizationOptions? quantization) => new()
    {
        HiddenLayers = [32, 16], Epochs = 20, BatchSize = 32, LearningRate = 0.02, Seed = 1, NumberOfThreads = 1,
        Quantization = quantization,
    };

    [Theory]
    [InlineData(QuantizationMode.Static)]
    [InlineData(QuantizationMode.Dynamic)]
    public void MulticlassNetworkIsQuantizedAndPredictsAsTheFloatNetwork(QuantizationMode mode)
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 1);
        var test = TestData.KeyedBlobs(ml, [40, 40, 40, 40], seed: 2);

        var floatTrainer = ml.MulticlassClassification.Trainers.NeuralNetwork(Options(null));
        var floatScored = floatTrainer.Fit(train).Transform(test);
        Assert.Null(floatTrainer.LastQuantizationReport);

        var trainer = ml.MulticlassClassification.Trainers.NeuralNetwork(Options(new OnnxQuantizationOptions { Mode = mode }));
        var model = trainer.Fit(train);
        var report = Assert.IsType<QuantizationReport>(trainer.LastQuantizationReport);
        Assert.Equal(mode, report.Mode);
        // Three Gemm layers (two hidden, one output), all quantized.
        Assert.Equal(3, report.QuantizedNodesByOpType.Where(kv => kv.Key is "Gemm" or "MatMul").Sum(kv => kv.Value));
        Assert.True(report.OutputSizeBytes < report.InputSizeBytes, $"{report.OutputSizeBytes} >= {report.InputSizeBytes} bytes");
        if (mode == QuantizationMode.Static)
            Assert.True(report.CalibrationRows > 0);

        var scored = model.Transform(test);
        var expected = floatScored.GetColumn<float[]>("Score").ToArray();
        var actual = scored.GetColumn<float[]>("Score").ToArray();
        double maxDifference = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(1.0, actual[i].Sum(), 3);
            for (int j = 0; j < actual[i].Length; j++)
                maxDifference = Math.Max(maxDifference, Math.Abs(actual[i][j] - expected[i][j]));
        }
        // Quantized, so not identical, but close.
        Assert.True(maxDifference > 0, "the quantized network's scores equal the float network's exactly");
        Assert.True(maxDifference < 0.15, $"max score difference {maxDifference}");
        double floatAccuracy = ml.MulticlassClassification.Evaluate(floatScored).MicroAccuracy;
        double accuracy = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
        Assert.True(accuracy >= floatAccuracy - 0.02, $"quantized accuracy {accuracy:F3}, float {floatAccuracy:F3}");

        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.Equal((uint)Array.IndexOf(actual[i], actual[i].Max()) + 1, predicted[i]);

        string path = Path.Combine(Path.GetTempPath(), $"robustloss-quantized-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            Assert.Equal(actual, loaded.Transform(test).GetColumn<float[]>("Score").ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RegressionNetworkQuantizesDynamically()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Linear(400, seed: 5));
        var options = new RegressionNeuralNetworkOptions { HiddenLayers = [32], Epochs = 30, BatchSize = 32, LearningRate = 0.01, Seed = 1, NumberOfThreads = 1 };
        var floatScores = ml.Regression.Trainers.NeuralNetwork(options).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();
        options.Quantization = new OnnxQuantizationOptions { Mode = QuantizationMode.Dynamic };
        var trainer = ml.Regression.Trainers.NeuralNetwork(options);
        var scored = trainer.Fit(data).Transform(data);
        Assert.NotNull(trainer.LastQuantizationReport);
        var scores = scored.GetColumn<float>("Score").ToArray();
        double meanAbsolute = scores.Zip(floatScores, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanAbsolute > 0 && meanAbsolute < 0.05, $"mean |quantized - float| = {meanAbsolute}");
        Assert.True(ml.Regression.Evaluate(scored).RSquared > 0.95);
    }

    [Fact]
    public void StaticQuantizationWithAClassBalancedCalibrationReadsTheLabel()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 1);
        var trainer = ml.MulticlassClassification.Trainers.NeuralNetwork(Options(new OnnxQuantizationOptions { RowsPerClass = 10, LabelColumnName = "Label" }));
        trainer.Fit(train);
        Assert.Equal(40, trainer.LastQuantizationReport!.CalibrationRows);
    }
    [Fact]
    public void QuantizationOptionsThatCannotApplyFailBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 1);
        foreach (var bad in new[]
        {
            new OnnxQuantizationOptions { PerChannelMinErrorReduction = 0.5 },
            new OnnxQuantizationOptions { RowsPerClass = 5, LabelColumnName = "NoSuchColumn" },
        })
        {
            var options = Options(bad);
            var epochs = new List<NeuralNetworkEpoch>();
            options.Progress = new SyncProgress(epochs);
            var error = Assert.ThrowsAny<Exception>(() => ml.MulticlassClassification.Trainers.NeuralNetwork(options).Fit(train));
            Assert.Contains("quantiz", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(epochs);
        }
    }
}
