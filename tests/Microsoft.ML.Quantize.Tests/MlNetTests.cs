using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

public class MlNetTests(ITestOutputHelper output)
{
    [Fact]
    public void EstimatorQuantizesScoresAndSavesLoadsInFreshContext()
    {
        var ml = new MLContext(seed: 1);
        byte[] model = TestModels.Mlp();
        var data = TestModels.Calibration(ml, "x", 32, 100, 3);
        var estimator = ml.Transforms.QuantizeOnnxModel(model, new QuantizeOnnxModelOptions { CalibrationMethod = CalibrationMethod.Percentile });
        var transformer = estimator.Fit(data);
        Assert.NotNull(estimator.LastReport);
        output.WriteLine(estimator.LastReport!.ToString());
        Assert.Equal(3, estimator.LastReport.QuantizedNodesByOpType.Values.Sum());

        var scored = transformer.Transform(data);
        var quantizedScores = scored.GetColumn<float[]>("y").ToArray();
        var floatScores = ml.Transforms.ApplyOnnxModel(["y"], ["x"], new MemoryStream(model)).Fit(data).Transform(data).GetColumn<float[]>("y").ToArray();
        float maxDiff = quantizedScores.Zip(floatScores, (a, b) => TestModels.MaxAbsDiff(a, b)).Max();
        output.WriteLine($"max |quantized - float| = {maxDiff}");
        Assert.True(maxDiff < 0.01f);
        Assert.Contains(quantizedScores.Zip(floatScores), p => !p.First.SequenceEqual(p.Second)); // really the quantized model

        string path = Path.Combine(Path.GetTempPath(), $"quantized_{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(transformer, data.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out _);
            var reloaded = loaded.Transform(data).GetColumn<float[]>("y").ToArray();
            for (int i = 0; i < reloaded.Length; i++)
                Assert.Equal(quantizedScores[i], reloaded[i]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EstimatorOutputSchemaIsTheModelOutput()
    {
        var ml = new MLContext(seed: 1);
        var data = TestModels.Calibration(ml, "x", 32, 10, 3);
        var estimator = ml.Transforms.QuantizeOnnxModel(TestModels.Mlp(), new QuantizeOnnxModelOptions { Mode = QuantizationMode.Dynamic });
        // SchemaShape.Create is internal, hence reflection (test only).
        var create = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!;
        var schema = estimator.GetOutputSchema((SchemaShape)create.Invoke(null, [data.Schema])!);
        Assert.Contains(schema, c => c.Name == "y" && c.ItemType == NumberDataViewType.Single);
        estimator.Fit(data);
        Assert.Equal(QuantizationMode.Dynamic, estimator.LastReport!.Mode);
    }

    [Fact]
    public void ClassBalancedCalibrationUsesEqualRowsPerClass()
    {
        var ml = new MLContext(seed: 1);
        float[] x = TestModels.Random(300 * 32, 4);
        int[] labels = Enumerable.Range(0, 300).Select(i => i < 270 ? 0 : i < 290 ? 1 : 2).ToArray();
        var data = DataViews.Vectors(ml, "x", x, 32, labels);
        var options = new OnnxQuantizationOptions { LabelColumnName = "Label", RowsPerClass = 10 };
        OnnxQuantizer.Quantize(TestModels.Mlp(), data, options, out var report);
        Assert.Equal(30, report.CalibrationRows);
    }
}
