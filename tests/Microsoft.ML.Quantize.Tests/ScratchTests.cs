using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Microsoft.ML.Quantize.Tests;

public class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void DumpMlp()
    {
        var ml = new MLContext(1);
        byte[] q = OnnxQuantizer.Quantize(TestModels.Mlp(), TestModels.Calibration(ml, "x", 32, 50, 1), null, out _);
        foreach (var n in ModelProto.Parser.ParseFrom(q).Graph.Node)
            output.WriteLine($"{n.OpType} {n.Name}: {string.Join(",", n.Input)} -> {string.Join(",", n.Output)}");
        output.WriteLine("---");
        string path = Path.GetTempFileName();
        using (var o = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = path, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE })
        using (new InferenceSession(q, o)) { }
        foreach (var n in ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node)
            output.WriteLine($"{n.OpType} {n.Name}: {string.Join(",", n.Input)} -> {string.Join(",", n.Output)}");
    }
}
