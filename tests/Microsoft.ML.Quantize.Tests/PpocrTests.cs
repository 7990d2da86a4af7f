using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

/// <summary>The PaddleOCR direction classifier in ../shared/models (skipped when absent).</summary>
public class PpocrTests(ITestOutputHelper output)
{
    private const int Row = 3 * 48 * 192;
    private static readonly Dictionary<string, int[]> Shapes = new() { ["x"] = [1, 3, 48, 192] };

    private static double Accuracy(byte[] model, float[] x, int[] y)
    {
        using var session = new InferenceSession(model);
        int correct = 0;
        for (int start = 0; start < y.Length; start += 50)
        {
            int n = Math.Min(50, y.Length - start);
            using var value = OrtValue.CreateTensorValueFromMemory(x.AsSpan(start * Row, n * Row).ToArray(), [n, 3, 48, 192]);
            using var ro = new RunOptions();
            using var results = session.Run(ro, ["x"], [value], [session.OutputNames[0]]);
            var p = results[0].GetTensorDataAsSpan<float>();
            for (int i = 0; i < n; i++)
                if ((p[2 * i + 1] > p[2 * i] ? 1 : 0) == y[start + i]) correct++;
        }
        return 100.0 * correct / y.Length;
    }

    [PpocrFact]
    public void StaticInt8KeepsAccuracyAndFusesConvs()
    {
        var (x, y) = PpocrData.Load();
        var ml = new MLContext(1);
        // Calibrate on every 4th image (50 rows); evaluate on all 200.
        var calibrationRows = Enumerable.Range(0, 50).SelectMany(i => x.AsSpan(i * 4 * Row, Row).ToArray()).ToArray();
        var calibration = DataViews.Vectors(ml, "x", calibrationRows, Row);
        byte[] model = File.ReadAllBytes(PpocrData.ModelPath);
        byte[] q = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { InputShapes = Shapes }, out var report);
        output.WriteLine(report.ToString());
        double floatAccuracy = Accuracy(model, x, y), quantizedAccuracy = Accuracy(q, x, y);
        output.WriteLine($"float {floatAccuracy} %, int8 {quantizedAccuracy} %");
        Assert.Equal(97.0, floatAccuracy, 3);
        Assert.True(quantizedAccuracy >= floatAccuracy - 0.5);
        Assert.Equal(report.QuantizedNodesByOpType["Conv"], report.OptimizedOpCounts!.GetValueOrDefault("QLinearConv"));
    }

    [PpocrFact]
    public void ActivationOperatorsFuseAndKeepAccuracy()
    {
        var (x, y) = PpocrData.Load();
        var ml = new MLContext(1);
        var calibrationRows = Enumerable.Range(0, 50).SelectMany(i => x.AsSpan(i * 4 * Row, Row).ToArray()).ToArray();
        var calibration = DataViews.Vectors(ml, "x", calibrationRows, Row);
        byte[] model = File.ReadAllBytes(PpocrData.ModelPath);
        var options = new OnnxQuantizationOptions { InputShapes = Shapes, CalibrationMethod = CalibrationMethod.Mse, OpTypesToQuantize = OnnxQuantizationOptions.StaticOpTypes };
        byte[] q = OnnxQuantizer.Quantize(model, calibration, options, out var report);
        output.WriteLine(report.ToString());
        double accuracy = Accuracy(q, x, y);
        output.WriteLine($"int8 {accuracy} %");
        Assert.True(accuracy >= 96.5);
        var fused = report.OptimizedOpCounts!;
        Assert.Equal(53, fused.GetValueOrDefault("QLinearConv"));
        Assert.Equal(report.QuantizedNodesByOpType["Add"], fused.GetValueOrDefault("QLinearAdd"));
        Assert.Equal(report.QuantizedNodesByOpType["Mul"], fused.GetValueOrDefault("QLinearMul"));
        Assert.Equal(10, fused.GetValueOrDefault("QLinearGlobalAveragePool"));
        // Hard-swish's Clip is removed, its Div folded into the QuantizeLinear scale, HardSigmoid folded into its Conv:
        // the QuantizeLinear nodes left are the input's and the one after the float MaxPool.
        foreach (string op in new[] { "Add", "Mul", "Div", "Clip", "HardSigmoid", "GlobalAveragePool", "Conv" })
            Assert.False(fused.ContainsKey(op), $"{op} left float");
        Assert.Equal(2, fused.GetValueOrDefault("QuantizeLinear"));
    }

    [PpocrFact]
    public void StaticInt8WithPerChannelScalesOnlyWhereTheyPayIsAtMost027OfTheFloatFile()
    {
        var (x, y) = PpocrData.Load();
        var ml = new MLContext(1);
        var calibrationRows = Enumerable.Range(0, 50).SelectMany(i => x.AsSpan(i * 4 * Row, Row).ToArray()).ToArray();
        var calibration = DataViews.Vectors(ml, "x", calibrationRows, Row);
        byte[] model = File.ReadAllBytes(PpocrData.ModelPath);
        var options = new OnnxQuantizationOptions { InputShapes = Shapes, CalibrationMethod = CalibrationMethod.Mse, PerChannelMinErrorReduction = 8 };
        byte[] q = OnnxQuantizer.Quantize(model, calibration, options, out var report);
        output.WriteLine(report.ToString());
        double accuracy = Accuracy(q, x, y);
        output.WriteLine($"int8 {accuracy} %, size ratio {report.SizeRatio:F4}");
        Assert.True(report.SizeRatio <= 0.27, $"size ratio {report.SizeRatio}");
        Assert.True(accuracy >= 96.5, $"accuracy {accuracy}");
        Assert.True(report.PerChannelWeights > 0 && report.PerTensorWeights > 0);
        Assert.Equal(53, report.OptimizedOpCounts!.GetValueOrDefault("QLinearConv"));
        Assert.Equal(1, report.OptimizedOpCounts!.GetValueOrDefault("QLinearMatMul"));
        Assert.False(report.OptimizedOpCounts!.ContainsKey("Conv"));
        // The Casts widening int16 biases are folded away: at most the float model's own 3 remain.
        Assert.True(report.OptimizedOpCounts!.GetValueOrDefault("Cast") <= 3);
    }

    [PpocrFact]
    public void Int4WeightOnlyPerChannelAbove85()
    {
        var (x, y) = PpocrData.Load();
        byte[] model = File.ReadAllBytes(PpocrData.ModelPath);
        byte[] q = OnnxQuantizer.Quantize(model, null, new OnnxQuantizationOptions { Mode = QuantizationMode.Int4WeightOnly, Int4BlockSize = 0, WeightClipping = true }, out var report);
        output.WriteLine(report.ToString());
        double accuracy = Accuracy(q, x, y);
        output.WriteLine($"int4 {accuracy} %");
        Assert.True(accuracy > 85);
    }

    [PpocrFact]
    public void EstimatorScoresThePaddleOcrModelInMlNetAndReloads()
    {
        var (x, y) = PpocrData.Load();
        var ml = new MLContext(1);
        var all = DataViews.Vectors(ml, "x", x, Row, y);
        var calibration = ml.Data.TakeRows(all, 16);
        var estimator = ml.Transforms.QuantizeOnnxModel(PpocrData.ModelPath, new QuantizeOnnxModelOptions { InputShapes = Shapes, CalibrationMethod = CalibrationMethod.Mse });
        var transformer = estimator.Fit(calibration);
        output.WriteLine(estimator.LastReport!.ToString());
        float[][] scores = transformer.Transform(all).GetColumn<float[]>("softmax_0.tmp_0").ToArray();
        double accuracy = 100.0 * Enumerable.Range(0, y.Length).Count(i => (scores[i][1] > scores[i][0] ? 1 : 0) == y[i]) / y.Length;
        output.WriteLine($"int8 through ML.NET's OnnxTransformer: {accuracy} %");
        Assert.True(accuracy >= 96.5);

        string path = Path.Combine(Path.GetTempPath(), $"ppocr_q_{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(transformer, all.Schema, path);
            var reloaded = new MLContext().Model.Load(path, out _).Transform(ml.Data.TakeRows(all, 8)).GetColumn<float[]>("softmax_0.tmp_0").ToArray();
            for (int i = 0; i < reloaded.Length; i++)
                Assert.Equal(scores[i], reloaded[i]);
        }
        finally { File.Delete(path); }
    }
}
