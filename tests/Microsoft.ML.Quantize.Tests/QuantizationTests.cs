using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.Quantize.Onnx;
using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

public class QuantizationTests(ITestOutputHelper output)
{
    private readonly MLContext _ml = new(seed: 1);

    [Theory]
    [InlineData(CalibrationMethod.MinMax)]
    [InlineData(CalibrationMethod.Percentile)]
    [InlineData(CalibrationMethod.Entropy)]
    [InlineData(CalibrationMethod.Mse)]
    public void StaticMlpFusesIntoIntegerKernelsAndStaysClose(CalibrationMethod method)
    {
        byte[] model = TestModels.Mlp();
        var calibration = TestModels.Calibration(_ml, "x", 32, 200, 11);
        byte[] q = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { CalibrationMethod = method }, out var report);
        output.WriteLine(report.ToString());
        Assert.Equal(2, report.QuantizedNodesByOpType["Gemm"]);
        Assert.Equal(1, report.QuantizedNodesByOpType["MatMul"]);
        var fused = OnnxQuantizer.CountOptimizedOps(q);
        output.WriteLine(string.Join(", ", fused.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(2, fused.GetValueOrDefault("QGemm"));
        Assert.Equal(1, fused.GetValueOrDefault("QLinearMatMul"));
        Assert.False(fused.ContainsKey("Gemm"));
        Assert.False(fused.ContainsKey("MatMul"));

        float[] x = TestModels.Random(20 * 32, 99);
        float[] expected = TestModels.Run(model, "x", x, [20, 32]);
        float[] actual = TestModels.Run(q, "x", x, [20, 32]);
        float scale = expected.Max(Math.Abs);
        float mean = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Average();
        output.WriteLine($"max diff {TestModels.MaxAbsDiff(expected, actual)}, mean {mean} of {scale}");
        // KL clipping trades the largest errors for resolution: on these small Gaussian-like activations it clips at
        // about 3 sigma, which costs more than the rounding it saves.
        bool entropy = method == CalibrationMethod.Entropy;
        Assert.True(mean < (entropy ? 0.08f : 0.01f) * scale);
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < (entropy ? 0.5f : 0.03f) * scale);
    }

    [Fact]
    public void StaticConvNetFusesConvAbsorbsReluAndClipAndQuantizesBias()
    {
        byte[] model = TestModels.ConvNet();
        var calibration = TestModels.Calibration(_ml, "x", 3 * 8 * 8, 64, 5, 2f);
        // Biases and their scales stored plainly (int32 initializers), so they can be read here; the default storage
        // (int16 behind a Cast, scales computed by a Mul) is checked against this one in CompactOutputTests.
        var quantized = OnnxQuantizer.Quantize(OnnxModelFile.Parse(model), calibration,
            new OnnxQuantizationOptions { NarrowBiasStorage = false, ComputedBiasScales = false }, out var report);
        output.WriteLine(report.ToString());
        Assert.Equal(3, report.QuantizedNodesByOpType["Conv"]);
        Assert.Contains(report.PreparationSteps, s => s.Contains("BatchNormalization"));
        var fused = OnnxQuantizer.CountOptimizedOps(OnnxQuantizerTestsHelpers.Bytes(quantized));
        output.WriteLine(string.Join(", ", fused.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(3, fused.GetValueOrDefault("QLinearConv"));
        Assert.False(fused.ContainsKey("Relu"));
        Assert.False(fused.ContainsKey("Clip"));
        Assert.False(fused.ContainsKey("Conv"));

        // Bias: int32, scale = input scale x weight scale, per channel.
        var g = quantized.Graph;
        var conv = g.Node.First(n => n.OpType == "Conv" && n.Input.Count == 3);
        var biasDq = g.Node.Single(n => n.Output[0] == conv.Input[2]);
        var weightDq = g.Node.Single(n => n.Output[0] == conv.Input[1]);
        var inputDq = g.Node.Single(n => n.Output[0] == conv.Input[0]);
        var init = g.Initializer.ToDictionary(t => t.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Int32, init[biasDq.Input[0]].DataType);
        Assert.Equal((int)TensorProto.Types.DataType.Int8, init[weightDq.Input[0]].DataType);
        float inScale = TensorData.ToSingles(init[inputDq.Input[1]])[0];
        float[] wScale = TensorData.ToSingles(init[weightDq.Input[1]]);
        float[] bScale = TensorData.ToSingles(init[biasDq.Input[1]]);
        Assert.Equal(8, wScale.Length);
        for (int c = 0; c < wScale.Length; c++)
            Assert.Equal(inScale * wScale[c], bScale[c]);
        Assert.Equal(2, weightDq.Input.Count); // symmetric: zero point omitted (0)

        float[] x = TestModels.Random(16 * 3 * 64, 42, 2f);
        float[] expected = TestModels.Run(model, "x", x, [16, 3, 8, 8]);
        float[] actual = TestModels.Run(OnnxQuantizerTestsHelpers.Bytes(quantized), "x", x, [16, 3, 8, 8]);
        output.WriteLine($"max diff {TestModels.MaxAbsDiff(expected, actual)}");
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < 0.03f);
    }

    [Fact]
    public void SignedActivationsAndPerTensorWeightsAlsoFuse()
    {
        byte[] model = TestModels.ConvNet();
        var calibration = TestModels.Calibration(_ml, "x", 3 * 8 * 8, 64, 5, 2f);
        byte[] q = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { ActivationType = ActivationType.Int8, PerChannel = false }, out var report);
        output.WriteLine(report.ToString());
        Assert.Equal(3, report.OptimizedOpCounts!.GetValueOrDefault("QLinearConv"));
        var g = Microsoft.ML.LongTail.Onnx.Proto.ModelProto.Parser.ParseFrom(q).Graph;
        Assert.All(g.Node.Where(n => n.OpType == "QuantizeLinear"), n =>
            Assert.Equal((int)TensorProto.Types.DataType.Int8, g.Initializer.Single(t => t.Name == n.Input[2]).DataType));
        float[] x = TestModels.Random(16 * 3 * 64, 42, 2f);
        float[] expected = TestModels.Run(model, "x", x, [16, 3, 8, 8]);
        Assert.True(TestModels.MaxAbsDiff(expected, TestModels.Run(q, "x", x, [16, 3, 8, 8])) < 0.03f);
    }

    [Fact]
    public void DynamicMlpFusesIntoDynamicQuantizeMatMul()
    {
        byte[] model = TestModels.Mlp(64, 256, 10);
        byte[] q = OnnxQuantizer.Quantize(model, null, new OnnxQuantizationOptions { Mode = QuantizationMode.Dynamic }, out var report);
        output.WriteLine(report.ToString());
        Assert.Equal(3, report.QuantizedNodesByOpType.Values.Sum());
        var fused = OnnxQuantizer.CountOptimizedOps(q);
        output.WriteLine(string.Join(", ", fused.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(3, fused.GetValueOrDefault("DynamicQuantizeMatMul"));
        Assert.False(fused.ContainsKey("MatMulInteger"));
        Assert.True(report.SizeRatio <= 0.27, $"size ratio {report.SizeRatio}");

        float[] x = TestModels.Random(20 * 64, 5);
        float[] expected = TestModels.Run(model, "x", x, [20, 64]);
        float[] actual = TestModels.Run(q, "x", x, [20, 64]);
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < 0.03f * expected.Max(Math.Abs), $"{TestModels.MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void Int4MlpUsesMatMulNBitsAndConvNetUsesInt4Weights()
    {
        byte[] model = TestModels.Mlp(64, 256, 10);
        byte[] q = OnnxQuantizer.Quantize(model, null, new OnnxQuantizationOptions { Mode = QuantizationMode.Int4WeightOnly }, out var report);
        output.WriteLine(report.ToString());
        var ops = report.OutputOpCounts;
        Assert.Equal(3, ops["MatMulNBits"]);
        Assert.True(report.SizeRatio < 0.2, $"size ratio {report.SizeRatio}");
        float[] x = TestModels.Random(20 * 64, 5);
        float[] expected = TestModels.Run(model, "x", x, [20, 64]);
        float[] actual = TestModels.Run(q, "x", x, [20, 64]);
        output.WriteLine($"int4 mlp max diff {TestModels.MaxAbsDiff(expected, actual)} of {expected.Max(Math.Abs)}");
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < 0.15f * expected.Max(Math.Abs));

        byte[] conv = TestModels.ConvNet();
        byte[] qc = OnnxQuantizer.Quantize(conv, null, new OnnxQuantizationOptions { Mode = QuantizationMode.Int4WeightOnly }, out var convReport);
        output.WriteLine(convReport.ToString());
        Assert.Equal(3, convReport.QuantizedNodesByOpType["Conv"]);
        Assert.Equal(1, convReport.QuantizedNodesByOpType["Gemm"]);
        float[] xc = TestModels.Random(16 * 3 * 64, 42, 2f);
        float[] e2 = TestModels.Run(conv, "x", xc, [16, 3, 8, 8]);
        float[] a2 = TestModels.Run(qc, "x", xc, [16, 3, 8, 8]);
        output.WriteLine($"int4 conv max diff {TestModels.MaxAbsDiff(e2, a2)}");
        Assert.True(TestModels.MaxAbsDiff(e2, a2) < 0.1f);
    }
}

internal static class OnnxQuantizerTestsHelpers
{
    public static byte[] Bytes(ModelProto m) => Google.Protobuf.MessageExtensions.ToByteArray(m);
    public static T Let<T>(this T value, Action<T> action) { action(value); return value; }
}
