using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.Quantize.Onnx;
using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

/// <summary>The size options: compact names, shared initializers, default attributes dropped, bias storage, and the
/// automatic per-tensor choice. All but the last change only how the model is written, never what it computes.</summary>
public class CompactOutputTests(ITestOutputHelper output)
{
    private readonly MLContext _ml = new(seed: 1);

    private static OnnxQuantizationOptions Plain(QuantizationMode mode) => new()
    {
        Mode = mode,
        CompactNames = false,
        DeduplicateInitializers = false,
        DropDefaultAttributes = false,
        ComputedBiasScales = false,
        NarrowBiasStorage = false,
    };

    [Theory]
    [InlineData("mlp", QuantizationMode.Static)]
    [InlineData("mlp", QuantizationMode.Dynamic)]
    [InlineData("mlp", QuantizationMode.Int4WeightOnly)]
    [InlineData("convnet", QuantizationMode.Static)]
    [InlineData("convnet", QuantizationMode.Dynamic)]
    [InlineData("convnet", QuantizationMode.Int4WeightOnly)]
    public void CompactOutputKeepsInputOutputNamesAndComputesTheSame(string which, QuantizationMode mode)
    {
        bool conv = which == "convnet";
        byte[] floatBytes = conv ? TestModels.ConvNet() : TestModels.Mlp();
        var floatModel = OnnxModelFile.Parse(floatBytes);
        byte[] before = floatModel.ToByteArray();
        int width = conv ? 3 * 8 * 8 : 32;
        var calibration = mode == QuantizationMode.Static ? TestModels.Calibration(_ml, "x", width, 64, 5, 2f) : null;

        var plain = OnnxQuantizer.Quantize(floatModel, calibration, Plain(mode), out var plainReport);
        var compact = OnnxQuantizer.Quantize(floatModel, calibration, new OnnxQuantizationOptions { Mode = mode }, out var compactReport);
        output.WriteLine(compactReport.ToString());
        output.WriteLine($"plain {plainReport.OutputSizeBytes} bytes, compact {compactReport.OutputSizeBytes} bytes");

        // The input model is not touched.
        Assert.Equal(before, floatModel.ToByteArray());
        // Graph inputs and outputs keep their names (and declarations).
        Assert.Equal(floatModel.Graph.Input.Select(i => i.Name), compact.Graph.Input.Select(i => i.Name));
        Assert.Equal(floatModel.Graph.Output.Select(o => o.Name), compact.Graph.Output.Select(o => o.Name));
        Assert.Equal(plain.Graph.Input, compact.Graph.Input);
        Assert.Equal(plain.Graph.Output, compact.Graph.Output);
        // Nothing else keeps a long name or a doc string.
        var boundary = compact.Graph.Input.Concat(compact.Graph.Output).Select(v => v.Name).ToHashSet();
        Assert.All(compact.Graph.Node, n => Assert.Equal("", n.Name));
        Assert.All(compact.Graph.Node, n => Assert.Equal("", n.DocString));
        Assert.Equal("", compact.DocString);
        Assert.Equal("", compact.Graph.DocString);
        Assert.All(compact.Graph.Initializer.Select(t => t.Name).Concat(compact.Graph.Node.SelectMany(n => n.Output)).Where(n => !boundary.Contains(n)),
            name => Assert.True(name.Length <= 2, name));
        // Smaller, same fused kernels, and the same numbers out of ONNX Runtime, bit for bit.
        Assert.True(compactReport.OutputSizeBytes < plainReport.OutputSizeBytes);
        Assert.Equal(compact.CalculateSize(), compactReport.OutputSizeBytes);
        Assert.Equal(plainReport.OptimizedOpCounts, compactReport.OptimizedOpCounts);
        float[] x = TestModels.Random(16 * width, 42, 2f);
        long[] shape = conv ? [16, 3, 8, 8] : [16, 32];
        Assert.Equal(TestModels.Run(plain.ToByteArray(), "x", x, shape), TestModels.Run(compact.ToByteArray(), "x", x, shape));
        Assert.Equal(TestModels.Run(plain.ToByteArray(), "x", x, shape, GraphOptimizationLevelDisabled),
            TestModels.Run(compact.ToByteArray(), "x", x, shape, GraphOptimizationLevelDisabled));
    }

    private const Microsoft.ML.OnnxRuntime.GraphOptimizationLevel GraphOptimizationLevelDisabled = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL;

    [Fact]
    public void BiasStoredNarrowWithComputedScalesStillFusesAndFoldsAway()
    {
        byte[] model = TestModels.ConvNet();
        var calibration = TestModels.Calibration(_ml, "x", 3 * 8 * 8, 64, 5, 2f);
        var q = OnnxQuantizer.Quantize(OnnxModelFile.Parse(model), calibration, new OnnxQuantizationOptions { CompactNames = false }, out var report);
        output.WriteLine(report.ToString());
        var g = q.Graph;
        var producers = g.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var init = g.Initializer.ToDictionary(t => t.Name);
        // Every bias DQ reads an int32 initializer, or a Cast of an int16/int8 one where the values fit, and, per
        // channel, a Mul of two stored scales.
        var biasDqs = g.Node.Where(n => n.OpType is "Conv" or "Gemm" && n.Input.Count > 2).Select(n => producers[n.Input[2]]).ToList();
        Assert.Equal(3, biasDqs.Count); // two Convs with a bias (one from BatchNormalization) and the Gemm
        int narrow = 0;
        foreach (var dq in biasDqs)
        {
            Assert.Equal("DequantizeLinear", dq.OpType);
            if (init.TryGetValue(dq.Input[0], out var wide))
            {
                Assert.Equal((int)TensorProto.Types.DataType.Int32, wide.DataType);
                var values = wide.RawData.ToByteArray().Chunk(4).Select(b => BitConverter.ToInt32(b)).ToArray();
                Assert.Contains(values, v => v is < short.MinValue or > short.MaxValue);
            }
            else
            {
                var cast = producers[dq.Input[0]];
                Assert.Equal("Cast", cast.OpType);
                Assert.Contains(init[cast.Input[0]].DataType, new[] { (int)TensorProto.Types.DataType.Int16, (int)TensorProto.Types.DataType.Int8 });
                narrow++;
            }
            var mul = producers[dq.Input[1]];
            Assert.Equal("Mul", mul.OpType);
            Assert.All(mul.Input, i => Assert.True(init.ContainsKey(i)));
        }
        Assert.True(narrow >= 2, $"{narrow} narrow biases");
        // ONNX Runtime folds the Casts and Muls, then fuses every quantized node.
        var fused = report.OptimizedOpCounts!;
        Assert.Equal(3, fused.GetValueOrDefault("QLinearConv"));
        Assert.Equal(1, fused.GetValueOrDefault("QGemm"));
        Assert.False(fused.ContainsKey("Cast"));
        Assert.False(fused.ContainsKey("Mul"));
    }

    [Fact]
    public void DeduplicationSharesIdenticalInitializersOnly()
    {
        var g = new OnnxGraphBuilder("dedupe", 13);
        g.AddFloatInput("x", 4);
        float[] w = TestModels.Random(16, 3), b = TestModels.Random(4, 4);
        g.AddInitializer("W1", w, 4, 4);
        g.AddInitializer("W2", w, 4, 4);                 // same as W1
        g.AddInitializer("W3", w, 2, 8);                 // same bytes, other shape
        g.AddInitializer("b1", b, 4);
        g.AddInitializer("b2", b, 4);                    // same as b1
        g.AddInitializer("b3", b, 1, 4);                 // same bytes, rank 2
        g.AddNode("MatMul", ["x", "W1"], "m1");
        g.AddNode("Add", ["m1", "b1"], "a1");
        g.AddNode("MatMul", ["a1", "W2"], "m2");
        g.AddNode("Add", ["m2", "b2"], "a2");
        g.AddNode("Add", ["a2", "b3"], "a3");
        g.AddNode("Reshape", ["W3", "shape"], "w3r");
        g.AddInitializer("shape", [4L, 4L], 2);
        g.AddNode("MatMul", ["a3", "w3r"], "y");
        g.AddFloatOutput("y", 4);
        var model = g.ToModel();
        // An initializer that is also a graph input may be overridden at run time: it keeps its own name.
        model.Graph.Initializer.Add(model.Graph.Initializer.Single(t => t.Name == "b1").Clone().Let(t => t.Name = "b4"));
        model.Graph.Input.Add(new ValueInfoProto { Name = "b4", Type = model.Graph.Input[0].Type.Clone() });
        model.Graph.Input[1].Type.TensorType.Shape = new TensorShapeProto();
        model.Graph.Input[1].Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 4 });
        model.Graph.Node.Insert(5, GraphPreparation.Node("Add", ["a3", "b4"], ["a4"], "add_b4"));
        model.Graph.Node.Single(n => n.Output[0] == "y").Input[0] = "a4";
        byte[] original = model.ToByteArray();

        var deduped = model.Clone();
        int removed = ModelCompactor.DeduplicateInitializers(deduped.Graph);
        Assert.Equal(2, removed);
        var names = deduped.Graph.Initializer.Select(t => t.Name).ToHashSet();
        Assert.Equal(["W1", "W3", "b1", "b3", "shape", "b4"], deduped.Graph.Initializer.Select(t => t.Name));
        Assert.All(deduped.Graph.Node.SelectMany(n => n.Input), i => Assert.DoesNotContain(i, new[] { "W2", "b2" }));
        Assert.True(deduped.CalculateSize() < model.CalculateSize());
        float[] x = TestModels.Random(5 * 4, 9);
        Assert.Equal(TestModels.Run(original, "x", x, [5, 4]), TestModels.Run(deduped.ToByteArray(), "x", x, [5, 4]));
        Assert.Equal(0, ModelCompactor.DeduplicateInitializers(deduped.Graph));
    }

    [Fact]
    public void ShortNamesAreDistinctIdentifiersAndAvoidTheGraphsOwnNames()
    {
        var all = Enumerable.Range(0, 10_000).Select(ModelCompactor.ShortName).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, n => Assert.Matches("^[A-Za-z][A-Za-z0-9_]*$", n));
        Assert.Equal(52, all.Count(n => n.Length == 1));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Length <= p.Second.Length));

        // The input and output are called "b" and "a", the first short names: nothing else may take them.
        var g = new OnnxGraphBuilder("names", 13);
        g.AddFloatInput("b", 4);
        g.AddInitializer("weight_with_a_long_name", TestModels.Random(16, 1), 4, 4);
        g.AddInitializer("bias_with_a_long_name", TestModels.Random(4, 2), 4);
        g.AddNode("MatMul", ["b", "weight_with_a_long_name"], "intermediate_with_a_long_name");
        g.AddNode("Add", ["intermediate_with_a_long_name", "bias_with_a_long_name"], "added");
        g.AddNode("Relu", ["added"], "relu_output");
        g.AddNode("Add", ["relu_output", "bias_with_a_long_name"], "a");
        g.AddFloatOutput("a", 4);
        var model = g.ToModel();
        byte[] original = model.ToByteArray();
        Assert.Equal(5, ModelCompactor.ShortenNames(model.Graph));
        Assert.Equal("b", model.Graph.Input.Single().Name);
        Assert.Equal("a", model.Graph.Output.Single().Name);
        var internalNames = model.Graph.Initializer.Select(t => t.Name).Concat(model.Graph.Node.SelectMany(n => n.Output)).Where(n => n != "a").ToList();
        Assert.Equal(5, internalNames.Distinct().Count());
        Assert.DoesNotContain("a", internalNames);
        Assert.DoesNotContain("b", internalNames);
        Assert.Equal("c", model.Graph.Initializer[1].Name); // the bias is read twice: the most referenced gets the first free name
        float[] x = TestModels.Random(3 * 4, 2);
        Assert.Equal(TestModels.Run(original, "b", x, [3, 4]), TestModels.Run(model.ToByteArray(), "b", x, [3, 4]));
    }

    [Fact]
    public void DroppingDefaultAttributesKeepsTheRestAndTheOutputs()
    {
        var g = new OnnxGraphBuilder("defaults", 13);
        g.AddInput("x", TensorProto.Types.DataType.Float, -1, 2, 6, 6);
        g.AddInitializer("w1", TestModels.Random(4 * 2 * 9, 1, 0.3f), 4, 2, 3, 3);
        g.AddInitializer("w2", TestModels.Random(4 * 9, 2, 0.3f), 4, 1, 3, 3);
        g.AddNode("Conv", ["x", "w1"], "c1", OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 1, 1),
            OnnxAttribute.Ints("dilations", 1, 1), OnnxAttribute.Ints("pads", 0, 0, 0, 0), OnnxAttribute.Int("group", 1));
        g.AddNode("HardSigmoid", ["c1"], "h1", OnnxAttribute.Float("alpha", 0.2f), OnnxAttribute.Float("beta", 0.5f));
        g.AddNode("Conv", ["h1", "w2"], "c2", OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 2, 2),
            OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Int("group", 4));
        g.AddNode("HardSigmoid", ["c2"], "h2", OnnxAttribute.Float("alpha", 0.3f), OnnxAttribute.Float("beta", 0.5f));
        g.AddNode("Softmax", ["h2"], "y", OnnxAttribute.Int("axis", -1));
        g.AddOutput("y", TensorProto.Types.DataType.Float, -1, 4, 2, 2);
        var model = g.ToModel();
        byte[] original = model.ToByteArray();

        Assert.Equal(10, ModelCompactor.DropDefaultAttributes(model));
        var nodes = model.Graph.Node;
        Assert.Empty(nodes[0].Attribute);
        Assert.Empty(nodes[1].Attribute);
        Assert.Equal(["strides", "pads", "group"], nodes[2].Attribute.Select(a => a.Name));
        Assert.Equal(["alpha"], nodes[3].Attribute.Select(a => a.Name));
        Assert.Empty(nodes[4].Attribute);
        float[] x = TestModels.Random(3 * 2 * 36, 5);
        Assert.Equal(TestModels.Run(original, "x", x, [3, 2, 6, 6]), TestModels.Run(model.ToByteArray(), "x", x, [3, 2, 6, 6]));
    }

    /// <summary>x[N, 3, 8, 8] → Conv A (output channels of very different ranges) → Relu → Conv B (alike channels) →
    /// GlobalAveragePool → y[N, 8, 1, 1].</summary>
    private static byte[] TwoConvs()
    {
        var g = new OnnxGraphBuilder("twoconvs", 13);
        g.AddInput("x", TensorProto.Types.DataType.Float, -1, 3, 8, 8);
        float[] a = TestModels.Random(8 * 27, 1, 0.3f);
        for (int c = 0; c < 8; c++)
            for (int i = 0; i < 27; i++) a[c * 27 + i] *= MathF.Pow(4, c - 4); // ranges 1/256 .. 16 times
        g.AddInitializer("wa", a, 8, 3, 3, 3);
        g.AddInitializer("ba", TestModels.Random(8, 2, 0.1f), 8);
        g.AddInitializer("wb", TestModels.Random(8 * 8, 3, 0.3f), 8, 8, 1, 1);
        g.AddNode("Conv", ["x", "wa", "ba"], "ca", OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        g.AddNode("Relu", ["ca"], "ra");
        g.AddNode("Conv", ["ra", "wb"], "cb");
        g.AddNode("GlobalAveragePool", ["cb"], "y");
        g.AddOutput("y", TensorProto.Types.DataType.Float, -1, 8, 1, 1);
        return g.ToBytes();
    }

    [Fact]
    public void PerChannelScalesAreKeptOnlyWhereTheyCutTheWeightErrorEnough()
    {
        byte[] model = TwoConvs();
        var calibration = TestModels.Calibration(_ml, "x", 3 * 64, 64, 5, 2f);
        byte[] all = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions(), out var allReport);
        byte[] auto = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { PerChannelMinErrorReduction = 4 }, out var autoReport);
        byte[] none = OnnxQuantizer.Quantize(model, calibration, new OnnxQuantizationOptions { PerChannel = false }, out var noneReport);
        output.WriteLine(autoReport.ToString());
        Assert.Equal((2, 0), (allReport.PerChannelWeights, allReport.PerTensorWeights));
        Assert.Equal((1, 1), (autoReport.PerChannelWeights, autoReport.PerTensorWeights));
        Assert.Equal((0, 2), (noneReport.PerChannelWeights, noneReport.PerTensorWeights));
        Assert.True(none.Length < auto.Length && auto.Length < all.Length, $"{none.Length} {auto.Length} {all.Length}");
        Assert.Equal(2, autoReport.OptimizedOpCounts!.GetValueOrDefault("QLinearConv"));

        // Conv A (wide channel ranges) is the one that stays per-channel: its weight DQ has per-channel scales.
        var g = OnnxModelFile.Parse(auto).Graph;
        var producers = g.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var convs = g.Node.Where(n => n.OpType == "Conv").ToList();
        var scales = convs.Select(c => g.Initializer.Single(t => t.Name == producers[c.Input[1]].Input[1]).Dims.ToArray()).ToList();
        Assert.Equal([8L], scales[0]);
        Assert.Empty(scales[1]);

        // Accuracy: about as good as all per-channel.
        float[] x = TestModels.Random(16 * 3 * 64, 42, 2f);
        float[] expected = TestModels.Run(model, "x", x, [16, 3, 8, 8]);
        float Err(byte[] q) => TestModels.MaxAbsDiff(expected, TestModels.Run(q, "x", x, [16, 3, 8, 8]));
        output.WriteLine($"max diff: per-channel {Err(all)}, auto {Err(auto)}, per-tensor {Err(none)}");
        Assert.True(Err(auto) < 2 * Err(all));
    }

    [Fact]
    public void PerChannelMinErrorReductionBelowOneIsRejected()
    {
        var calibration = TestModels.Calibration(_ml, "x", 32, 16, 5);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxQuantizer.Quantize(TestModels.Mlp(), calibration, new OnnxQuantizationOptions { PerChannelMinErrorReduction = 0.5 }, out _));
        Assert.Contains("PerChannelMinErrorReduction", e.Message);
    }
}
