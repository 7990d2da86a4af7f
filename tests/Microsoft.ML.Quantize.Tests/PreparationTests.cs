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
}
