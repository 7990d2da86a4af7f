using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.Quantize.Onnx;

namespace Microsoft.ML.Quantize.Tests;

public class PreparationTests
{
    [Fact]
    public void ModelRoundTripsThroughReaderAndWriter()
    {
        byte[] bytes = TestModels.ConvNet();
        var model = OnnxModelFile.Parse(bytes);
        byte[] again = model.ToByteArray();
        Assert.Equal(bytes, again);
        Assert.Equal(ModelProto.Parser.ParseFrom(again), model);
        string path = Path.Combine(Path.GetTempPath(), $"rt_{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelFile.Save(model, path);
            Assert.Equal(model, OnnxModelFile.Load(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ConstantsBecomeInitializersAndBatchNormFoldsWithSameOutputs()
    {
        byte[] bytes = TestModels.ConvNet();
        var model = OnnxModelFile.Parse(bytes);
        var prepared = GraphPreparation.Prepare(model, 13);
        var ops = GraphPreparation.CountOps(prepared.Graph);
        Assert.False(ops.ContainsKey("Constant"));
        Assert.False(ops.ContainsKey("BatchNormalization"));
        Assert.Equal(3, ops["Conv"]);
        Assert.Equal(13, prepared.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(model, OnnxModelFile.Parse(bytes)); // the input message is not modified

        float[] x = TestModels.Random(5 * 3 * 8 * 8, 3, 2f);
        float[] expected = TestModels.Run(bytes, "x", x, [5, 3, 8, 8], Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL);
        float[] actual = TestModels.Run(prepared.ToByteArray(), "x", x, [5, 3, 8, 8], Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL);
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < 1e-4f, $"max diff {TestModels.MaxAbsDiff(expected, actual)}");
    }

    [PpocrFact]
    public void PaddleOcrPreparedModelMatchesOriginal()
    {
        var model = OnnxModelFile.Load(PpocrData.ModelPath);
        var prepared = GraphPreparation.Prepare(model, 13);
        var ops = GraphPreparation.CountOps(prepared.Graph);
        Assert.False(ops.ContainsKey("Constant"));
        Assert.False(ops.ContainsKey("BatchNormalization"));
        var (x, _) = PpocrData.Load();
        float[] batch = x.AsSpan(0, 8 * 3 * 48 * 192).ToArray();
        float[] expected = TestModels.Run(File.ReadAllBytes(PpocrData.ModelPath), "x", batch, [8, 3, 48, 192]);
        float[] actual = TestModels.Run(prepared.ToByteArray(), "x", batch, [8, 3, 48, 192]);
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < 1e-4f, $"max diff {TestModels.MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void GemmBatchNormFoldsAndOldSoftmaxKeepsItsSemantics()
    {
        // Opset 11: Gemm (transB = 0, beta = 0.5) → BatchNormalization → Reshape to [N, 2, 3] → Softmax(axis = 1), whose
        // pre-13 meaning (flatten from axis 1, normalise over all 6 values) differs from the opset-13 one.
        var g = new Microsoft.ML.LongTail.Onnx.OnnxGraphBuilder("gemmbn", 11);
        g.AddFloatInput("x", 5);
        g.AddInitializer("W", TestModels.Random(5 * 6, 1), 5, 6);
        g.AddInitializer("C", TestModels.Random(6, 2), 6);
        g.AddNode("Gemm", ["x", "W", "C"], "h", Microsoft.ML.LongTail.Onnx.OnnxAttribute.Float("beta", 0.5f));
        g.AddInitializer("gamma", TestModels.Random(6, 3).Select(v => v + 1.5f).ToArray(), 6);
        g.AddInitializer("beta", TestModels.Random(6, 4), 6);
        g.AddInitializer("mean", TestModels.Random(6, 5), 6);
        g.AddInitializer("var", TestModels.Random(6, 6).Select(v => v + 1.5f).ToArray(), 6);
        g.AddNode("BatchNormalization", ["h", "gamma", "beta", "mean", "var"], "n");
        g.AddInitializer("shape", new long[] { -1, 2, 3 }, 3);
        g.AddNode("Reshape", ["n", "shape"], "r");
        g.AddNode("Softmax", ["r"], "y", Microsoft.ML.LongTail.Onnx.OnnxAttribute.Int("axis", 1));
        g.AddOutput("y", TensorProto.Types.DataType.Float, -1, 2, 3);
        byte[] bytes = g.ToBytes();
        var prepared = GraphPreparation.Prepare(OnnxModelFile.Parse(bytes), 13);
        var ops = GraphPreparation.CountOps(prepared.Graph);
        Assert.False(ops.ContainsKey("BatchNormalization"));
        float[] x = TestModels.Random(7 * 5, 9, 3f);
        float[] expected = TestModels.Run(bytes, "x", x, [7, 5]);
        float[] actual = TestModels.Run(prepared.ToByteArray(), "x", x, [7, 5]);
        Assert.True(TestModels.MaxAbsDiff(expected, actual) < 1e-5f, $"max diff {TestModels.MaxAbsDiff(expected, actual)}");
        // Each row's 6 values sum to 1 (the old flattening semantics), not each group of 3.
        Assert.Equal(1f, actual.Take(6).Sum(), 4);
    }
}
