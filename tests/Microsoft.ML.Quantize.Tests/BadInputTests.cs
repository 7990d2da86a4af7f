using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.Quantize.Onnx;

namespace Microsoft.ML.Quantize.Tests;

public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlq_bad_").FullName;
    private readonly MLContext _ml = new(seed: 1);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private T FailsWithoutTouchingInput<T>(string input, Func<string, QuantizationReport> run) where T : Exception
    {
        string before = Hash(input);
        string output = Path.Combine(_dir, "out.onnx");
        var e = Assert.Throws<T>(() => run(output));
        Assert.Equal(before, Hash(input));
        Assert.False(File.Exists(output));
        return e;
    }

    [Fact]
    public void NotAnOnnxFile()
    {
        string input = Write("text.onnx", "this is not a model\n"u8.ToArray());
        var e = FailsWithoutTouchingInput<InvalidDataException>(input, o => OnnxQuantizer.QuantizeFile(input, o, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("not an ONNX model", e.Message);
        Assert.Throws<InvalidDataException>(() => OnnxModelFile.Parse([]));
    }

    [Fact]
    public void TruncatedProtobuf()
    {
        byte[] bytes = TestModels.Mlp();
        string input = Write("truncated.onnx", bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var e = FailsWithoutTouchingInput<InvalidDataException>(input, o => OnnxQuantizer.QuantizeFile(input, o, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void UnsupportedOpsetAndOperator()
    {
        var model = ModelProto.Parser.ParseFrom(TestModels.Mlp());
        model.OpsetImport[0].Version = 99;
        string input = Write("opset99.onnx", model.ToByteArray());
        var e = FailsWithoutTouchingInput<NotSupportedException>(input, o => OnnxQuantizer.QuantizeFile(input, o, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("opset 99", e.Message);

        var g = new OnnxGraphBuilder("upsample", 9);
        g.AddFloatInput("x", 4);
        g.AddInitializer("W", TestModels.Random(16, 1), 4, 4);
        g.AddNode("MatMul", ["x", "W"], "m");
        g.AddInitializer("scales", [1f, 2f], 2);
        g.AddNode("Upsample", ["m", "scales"], "y");
        g.AddFloatOutput("y", 8);
        string upsample = Write("upsample.onnx", g.ToBytes());
        var e2 = FailsWithoutTouchingInput<NotSupportedException>(upsample, o => OnnxQuantizer.QuantizeFile(upsample, o, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("Upsample", e2.Message);
    }

    [Fact]
    public void ExternalDataIsReadAndMissingExternalDataIsReported()
    {
        var model = ModelProto.Parser.ParseFrom(TestModels.Mlp());
        var w2 = model.Graph.Initializer.Single(t => t.Name == "W2");
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), [.. new byte[16], .. w2.RawData.ToByteArray()]);
        int length = w2.RawData.Length;
        w2.RawData = ByteString.Empty;
        w2.DataLocation = TensorProto.Types.DataLocation.External;
        w2.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        w2.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "16" });
        w2.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        string input = Write("external.onnx", model.ToByteArray());
        var loaded = OnnxModelFile.Load(input);
        Assert.Equal(ModelProto.Parser.ParseFrom(TestModels.Mlp()).Graph.Initializer.Single(t => t.Name == "W2").RawData, loaded.Graph.Initializer.Single(t => t.Name == "W2").RawData);
        var report = OnnxQuantizer.QuantizeFile(input, Path.Combine(_dir, "ok.onnx"), new() { Mode = QuantizationMode.Dynamic });
        Assert.Equal(3, report.QuantizedNodesByOpType.Values.Sum());

        File.Delete(Path.Combine(_dir, "weights.bin"));
        var e = FailsWithoutTouchingInput<FileNotFoundException>(input, o => OnnxQuantizer.QuantizeFile(input, o, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("weights.bin", e.Message);
    }

    [Fact]
    public void CalibrationColumnsMustMatchInputs()
    {
        string input = Write("mlp.onnx", TestModels.Mlp());
        var wrongName = TestModels.Calibration(_ml, "features", 32, 10, 1);
        var e = FailsWithoutTouchingInput<ArgumentException>(input, o => OnnxQuantizer.QuantizeFile(input, o, null, wrongName));
        Assert.Contains("no column 'x'", e.Message);
        var wrongSize = TestModels.Calibration(_ml, "x", 31, 10, 1);
        var e2 = FailsWithoutTouchingInput<ArgumentException>(input, o => OnnxQuantizer.QuantizeFile(input, o, null, wrongSize));
        Assert.Contains("32", e2.Message);
        var e3 = FailsWithoutTouchingInput<ArgumentException>(input, o => OnnxQuantizer.QuantizeFile(input, o, null, null));
        Assert.Contains("calibration data", e3.Message);
    }

    [Fact]
    public void NothingToQuantize()
    {
        var g = new OnnxGraphBuilder();
        g.AddFloatInput("x", 4);
        g.AddNode("Relu", ["x"], "y");
        g.AddFloatOutput("y", 4);
        string input = Write("relu.onnx", g.ToBytes());
        var e = FailsWithoutTouchingInput<InvalidOperationException>(input, o => OnnxQuantizer.QuantizeFile(input, o, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("nothing to quantize", e.Message);

        string mlp = Write("mlp.onnx", TestModels.Mlp());
        var e2 = FailsWithoutTouchingInput<InvalidOperationException>(mlp, o => OnnxQuantizer.QuantizeFile(mlp, o, new() { Mode = QuantizationMode.Dynamic, OpTypesToExclude = ["Gemm", "MatMul"] }));
        Assert.Contains("excluded", e2.Message);
    }

    [Fact]
    public void OutputPathEqualToInputIsRefusedAndInputNeverAltered()
    {
        string input = Write("mlp.onnx", TestModels.Mlp());
        string before = Hash(input);
        var e = Assert.Throws<ArgumentException>(() => OnnxQuantizer.QuantizeFile(input, input, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Contains("is the input model", e.Message);
        Assert.Throws<ArgumentException>(() => OnnxQuantizer.QuantizeFile(input, Path.Combine(_dir, ".", "mlp.onnx"), new() { Mode = QuantizationMode.Dynamic }));
        // A symbolic link to the input is the input too: writing through it would replace the model.
        string link = Path.Combine(_dir, "link.onnx");
        File.CreateSymbolicLink(link, input);
        Assert.Throws<ArgumentException>(() => OnnxQuantizer.QuantizeFile(input, link, new() { Mode = QuantizationMode.Dynamic }));
        Assert.Equal(before, Hash(input));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var report = OnnxQuantizer.QuantizeFile(input, Path.Combine(_dir, "mlp.q.onnx"), new() { Mode = QuantizationMode.Dynamic });
        Assert.Equal(before, Hash(input));
        Assert.Equal(new FileInfo(input).Length, report.InputSizeBytes);
        Assert.Equal(new FileInfo(Path.Combine(_dir, "mlp.q.onnx")).Length, report.OutputSizeBytes);
    }
}
