using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

/// <summary>Static QDQ around activation operators (Add, Mul, pooling, Concat, Sigmoid, pass-through ops), checked on
/// the graph ONNX Runtime optimises.</summary>
public class ActivationOpTests(ITestOutputHelper output)
{
    private readonly MLContext _ml = new(seed: 1);
    private static readonly string[] FloatActivationOps = ["Add", "Mul", "Div", "Clip", "HardSigmoid", "Relu", "GlobalAveragePool", "AveragePool", "Concat", "Sigmoid"];

    private (byte[] Model, QuantizationReport Report, IReadOnlyDictionary<string, int> Fused) Quantize(OnnxQuantizationOptions options)
    {
        byte[] model = TestModels.ActivationNet();
        var calibration = TestModels.Calibration(_ml, "x", 3 * 8 * 8, 64, 5, 2f);
        byte[] q = OnnxQuantizer.Quantize(model, calibration, options, out var report);
        output.WriteLine(report.ToString());
        var fused = OnnxQuantizer.CountOptimizedOps(q);
        output.WriteLine("optimised: " + string.Join(", ", fused.Select(kv => $"{kv.Key} {kv.Value}")));
        return (q, report, fused);
    }

    private float RelativeMaxError(byte[] q)
    {
        byte[] model = TestModels.ActivationNet();
        float[] x = TestModels.Random(32 * 3 * 64, 42, 2f);
        float[] expected = TestModels.Run(model, "x", x, [32, 3, 8, 8]);
        float[] actual = TestModels.Run(q, "x", x, [32, 3, 8, 8]);
        float range = expected.Max() - expected.Min();
        float err = TestModels.MaxAbsDiff(expected, actual) / range;
        output.WriteLine($"max diff {TestModels.MaxAbsDiff(expected, actual)} over an output range of {range}: {err:P2}");
        return err;
    }

    [Fact]
    public void EveryActivationOperatorFusesIntoAnIntegerKernel()
    {
        var (q, report, fused) = Quantize(new OnnxQuantizationOptions { OpTypesToQuantize = [.. OnnxQuantizationOptions.StaticOpTypes, "MaxPool"] });
        Assert.Equal(2, report.QuantizedNodesByOpType["Add"]);
        Assert.Equal(3, report.QuantizedNodesByOpType["Mul"]);
        Assert.Equal(1, report.QuantizedNodesByOpType["Div"]); // hard-swish's "/ 6", folded into the Q scale
        Assert.Contains(report.PreparationSteps, s => s.Contains("1 HardSigmoid"));

        Assert.Equal(5, fused.GetValueOrDefault("QLinearConv"));
        Assert.Equal(1, fused.GetValueOrDefault("QGemm"));
        Assert.Equal(2, fused.GetValueOrDefault("QLinearAdd"));
        Assert.Equal(3, fused.GetValueOrDefault("QLinearMul"));
        Assert.Equal(2, fused.GetValueOrDefault("QLinearGlobalAveragePool"));
        Assert.Equal(1, fused.GetValueOrDefault("QLinearAveragePool"));
        Assert.Equal(1, fused.GetValueOrDefault("QLinearConcat"));
        Assert.Equal(1, fused.GetValueOrDefault("QLinearSigmoid"));
        Assert.Equal(1, fused.GetValueOrDefault("MaxPool")); // on uint8 data: the DQ/Q pair around it is dropped
        foreach (string op in FloatActivationOps.Append("Conv").Append("Gemm"))
            Assert.False(fused.ContainsKey(op), $"{op} left float");
        // One QuantizeLinear for the graph input; nothing is dequantized inside the graph (QGemm has a float output).
        Assert.Equal(1, fused.GetValueOrDefault("QuantizeLinear"));
        Assert.Equal(0, fused.GetValueOrDefault("DequantizeLinear"));
        Assert.True(RelativeMaxError(q) < 0.08f);
    }

    [Fact]
    public void SignedActivationsFuseWhereEachTensorHasOneReader()
    {
        // With int8 activations ONNX Runtime (x64) leaves float every Conv, Add and Mul next to a quantized tensor that
        // several nodes read (c1, h1, r5 here), with the default op list too; the single-reader ones fuse.
        var (q, _, fused) = Quantize(new OnnxQuantizationOptions { OpTypesToQuantize = OnnxQuantizationOptions.StaticOpTypes, ActivationType = ActivationType.Int8 });
        Assert.True(fused.GetValueOrDefault("QLinearConv") >= 2);
        Assert.True(fused.GetValueOrDefault("QLinearGlobalAveragePool") >= 1);
        Assert.True(fused.GetValueOrDefault("QLinearAveragePool") >= 1);
        Assert.True(RelativeMaxError(q) < 0.08f);
    }

    [Fact]
    public void MaxPoolStaysFloatUnlessListed()
    {
        var (q, report, fused) = Quantize(new OnnxQuantizationOptions { OpTypesToQuantize = OnnxQuantizationOptions.StaticOpTypes });
        Assert.False(report.QuantizedNodesByOpType.ContainsKey("MaxPool"));
        Assert.Equal(2, fused.GetValueOrDefault("QLinearAdd"));
        Assert.Equal(3, fused.GetValueOrDefault("QLinearMul"));
        // The MaxPool runs in float between a DequantizeLinear and a QuantizeLinear (plus the graph input's Q).
        Assert.Equal(2, fused.GetValueOrDefault("QuantizeLinear"));
        Assert.Equal(1, fused.GetValueOrDefault("DequantizeLinear"));
        Assert.True(RelativeMaxError(q) < 0.08f);
    }

    [Fact]
    public void DefaultQuantizesOnlyWeightedOperators()
    {
        var (q, report, fused) = Quantize(new OnnxQuantizationOptions());
        Assert.False(report.QuantizedNodesByOpType.ContainsKey("Add"));
        Assert.Equal(5, fused.GetValueOrDefault("QLinearConv"));
        Assert.Equal(0, fused.GetValueOrDefault("QLinearAdd"));
        Assert.True(fused.GetValueOrDefault("QuantizeLinear") > 1);
        Assert.True(fused.ContainsKey("Div"));
        Assert.True(RelativeMaxError(q) < 0.08f);
    }

    [Fact]
    public void ExclusionListsKeepActivationOperatorsFloat()
    {
        var options = new OnnxQuantizationOptions
        {
            OpTypesToQuantize = OnnxQuantizationOptions.StaticOpTypes,
            NodesToExclude = ["hs_add"],
            OpTypesToExclude = ["Mul", "Div"],
            CompactNames = false,
        };
        var (q, report, fused) = Quantize(options);
        Assert.Contains(report.ExcludedNodes, e => e.Name == "hs_add" && e.Reason.Contains("NodesToExclude"));
        Assert.Equal(3, report.ExcludedNodes.Count(e => e.OpType == "Mul" && e.Reason.Contains("OpTypesToExclude")));
        Assert.Equal(1, report.QuantizedNodesByOpType["Add"]); // the residual one
        Assert.False(report.QuantizedNodesByOpType.ContainsKey("Mul"));
        Assert.False(report.QuantizedNodesByOpType.ContainsKey("Div"));

        // The quantizer adds nothing for excluded nodes: the hard-swish Add still reads the float constant, the Div is kept.
        var g = Microsoft.ML.LongTail.Onnx.Proto.ModelProto.Parser.ParseFrom(q).Graph;
        Assert.Equal("three", g.Node.Single(n => n.Name == "hs_add").Input[1]);
        Assert.Single(g.Node, n => n.OpType == "Div");
        Assert.DoesNotContain(g.Node, n => n.OpType == "QuantizeLinear" && n.Input[0] == "hs_mul");

        Assert.Equal(1, fused.GetValueOrDefault("QLinearAdd"));
        Assert.Equal(1, fused.GetValueOrDefault("Add"));
        Assert.Equal(1, fused.GetValueOrDefault("Div"));
        // hard-swish's Mul sits between float nodes and stays float. (ONNX Runtime itself may still fuse an excluded
        // Mul whose neighbours are all quantized, as the squeeze-excite and swish ones here.)
        Assert.True(fused.GetValueOrDefault("Mul") >= 1);
        Assert.Equal(2, fused.GetValueOrDefault("QLinearGlobalAveragePool"));
        Assert.True(RelativeMaxError(q) < 0.08f);
    }

    [Fact]
    public void ActivationOperatorsOfAnOpTypeListAlone()
    {
        // Only Conv, Gemm and GlobalAveragePool: no Add is quantized here, the pools fuse. (ONNX Runtime's own QDQ
        // propagation may still move a QuantizeLinear up through the MaxPool and fuse the residual Add.)
        var (q, report, fused) = Quantize(new OnnxQuantizationOptions { OpTypesToQuantize = ["Conv", "Gemm", "GlobalAveragePool"] });
        Assert.Equal(2, report.QuantizedNodesByOpType["GlobalAveragePool"]);
        Assert.Equal(2, fused.GetValueOrDefault("QLinearGlobalAveragePool"));
        Assert.False(report.QuantizedNodesByOpType.ContainsKey("Add"));
        Assert.True(fused.ContainsKey("Add"));
        Assert.True(RelativeMaxError(q) < 0.08f);
    }
}
