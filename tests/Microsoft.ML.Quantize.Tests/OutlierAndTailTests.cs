using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

public class OutlierAndTailTests(ITestOutputHelper output)
{
    private readonly MLContext _ml = new(seed: 1);

    /// <summary>Inputs whose channel 3 is 200 times larger than the others (an outlier channel).</summary>
    private static float[] OutlierRows(int rows, int seed)
    {
        float[] x = TestModels.Random(rows * 32, seed);
        for (int r = 0; r < rows; r++) x[r * 32 + 3] *= 200f;
        return x;
    }

    private static float RelativeError(byte[] model, byte[] quantized, float[] x)
    {
        float[] e = TestModels.Run(model, "x", x, [x.Length / 32, 32]);
        float[] a = TestModels.Run(quantized, "x", x, [x.Length / 32, 32]);
        double err = 0, energy = 0;
        for (int i = 0; i < e.Length; i++) { err += (e[i] - a[i]) * (e[i] - a[i]); energy += e[i] * e[i]; }
        return (float)(err / energy);
    }

    [Fact]
    public void SmoothQuantReducesErrorFromOutlierChannels()
    {
        byte[] model = TestModels.Mlp();
        var calibration = DataViews.Vectors(_ml, "x", OutlierRows(200, 1), 32);
        float[] test = OutlierRows(100, 2);
        byte[] plain = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions(), out _);
        byte[] smooth = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { SmoothQuantAlpha = 0.5f }, out var report);
        output.WriteLine(report.ToString());
        float ePlain = RelativeError(model, plain, test), eSmooth = RelativeError(model, smooth, test);
        output.WriteLine($"relative error plain {ePlain}, SmoothQuant {eSmooth}");
        Assert.Contains(report.PreparationSteps, s => s.Contains("SmoothQuant"));
        Assert.True(eSmooth < ePlain / 2, $"{eSmooth} vs {ePlain}");
        Assert.Equal(2, report.OptimizedOpCounts!.GetValueOrDefault("QGemm"));
    }

    [Fact]
    public void SensitivityReportRanksLayersAndKeepsTheWorstInFloat()
    {
        byte[] model = TestModels.ConvNet();
        var calibration = TestModels.Calibration(_ml, "x", 3 * 64, 64, 5, 2f);
        OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { SensitivityAnalysis = true }, out var report);
        output.WriteLine(report.ToString());
        Assert.Equal(4, report.Sensitivity.Count);
        Assert.True(report.Sensitivity.Zip(report.Sensitivity.Skip(1)).All(p => p.First.RelativeError >= p.Second.RelativeError));
        Assert.All(report.Sensitivity, s => Assert.True(s.RelativeError > 0));

        OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { KeepMostSensitiveInFloat = 1 }, out var kept);
        Assert.Equal(3, kept.QuantizedNodesByOpType.Values.Sum());
        var excluded = Assert.Single(kept.ExcludedNodes);
        Assert.Equal(report.Sensitivity[0].Name, excluded.Name);
        Assert.Contains("sensitivity rank 1", excluded.Reason);
    }

    [Fact]
    public void WeightClippingLowersInt4Error()
    {
        byte[] model = TestModels.Mlp(64, 256, 10);
        // Heavy-tailed weights: a few large values per column.
        var m = Microsoft.ML.LongTail.Onnx.Proto.ModelProto.Parser.ParseFrom(model);
        foreach (var t in m.Graph.Initializer.Where(t => t.Name.StartsWith('W')))
        {
            float[] w = Onnx.TensorData.ToSingles(t);
            for (int i = 0; i < w.Length; i += 97) w[i] *= 8;
            t.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.AsSpan()));
        }
        model = Google.Protobuf.MessageExtensions.ToByteArray(m);
        float[] x = TestModels.Random(50 * 64, 3);
        float Err(byte[] q)
        {
            float[] e = TestModels.Run(model, "x", x, [50, 64]), a = TestModels.Run(q, "x", x, [50, 64]);
            return e.Zip(a, (u, v) => (u - v) * (u - v)).Sum();
        }
        byte[] rtn = OnnxQuantizer.Quantize(model, null, new OnnxQuantizationOptions { Mode = QuantizationMode.Int4WeightOnly }, out _);
        byte[] mse = OnnxQuantizer.Quantize(model, null, new OnnxQuantizationOptions { Mode = QuantizationMode.Int4WeightOnly, WeightClipping = true }, out _);
        output.WriteLine($"int4 squared error: round-to-nearest {Err(rtn)}, MSE clipping {Err(mse)}");
        Assert.True(Err(mse) < Err(rtn));
    }

    [Fact]
    public void AccuracyReportSeparatesFewShotClasses()
    {
        byte[] model = TestModels.Mlp(32, 64, 3);
        float[] x = TestModels.Random(400 * 32, 8);
        // Labels: the float model's own argmax, with the rare class 2 limited to a few rows.
        float[] scores = TestModels.Run(model, "x", x, [400, 32]);
        int[] y = Enumerable.Range(0, 400).Select(r => Enumerable.Range(0, 3).MaxBy(k => scores[r * 3 + k])).ToArray();
        var data = DataViews.Vectors(_ml, "x", x, 32, y);
        byte[] q = OnnxQuantizer.Quantize(model, data, new OnnxQuantizationOptions { CalibrationMethod = CalibrationMethod.Entropy }, out _);
        var report = OnnxQuantizer.CompareAccuracy(model, q, data, "Label", fewShotRows: y.Count(v => v == y.GroupBy(v => v).MinBy(g => g.Count())!.Key) + 1);
        output.WriteLine(report.ToString());
        Assert.Equal(400, report.Rows);
        Assert.Equal(100.0, report.FloatAccuracy);
        Assert.Equal(report.Agreement, report.QuantizedAccuracy, 6);
        Assert.Equal(y.Distinct().Count(), report.Classes.Count);
        Assert.Single(report.FewShotClasses);
        Assert.NotNull(report.FewShotQuantizedAccuracy);
        Assert.Equal(report.Classes.Max(c => c.Drop), report.LargestDrop!.Drop);
    }
}
