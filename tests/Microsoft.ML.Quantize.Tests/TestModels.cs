using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Quantize.Tests;

/// <summary>Models the tests write themselves with the ML.LongTail ONNX writer, and an ONNX Runtime runner.</summary>
internal static class TestModels
{
    public static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return v;
    }

    /// <summary>x[N, In] → Gemm(transB=1) → Relu → MatMul + Add → Relu → Gemm(transB=0) → y[N, Out].</summary>
    public static byte[] Mlp(int input = 32, int hidden = 64, int output = 10, int seed = 1)
    {
        var g = new OnnxGraphBuilder("mlp", 13);
        g.AddFloatInput("x", input);
        float s1 = 1f / MathF.Sqrt(input), s2 = 1f / MathF.Sqrt(hidden);
        g.AddInitializer("W1", Random(hidden * input, seed, s1), hidden, input);
        g.AddInitializer("b1", Random(hidden, seed + 1, 0.1f), hidden);
        g.AddInitializer("W2", Random(hidden * hidden, seed + 2, s2), hidden, hidden);
        g.AddInitializer("b2", Random(hidden, seed + 3, 0.1f), hidden);
        g.AddInitializer("W3", Random(hidden * output, seed + 4, s2), hidden, output);
        g.AddInitializer("b3", Random(output, seed + 5, 0.1f), output);
        g.AddNode("Gemm", ["x", "W1", "b1"], "h1", OnnxAttribute.Int("transB", 1));
        g.AddNode("Relu", ["h1"], "a1");
        g.AddNode("MatMul", ["a1", "W2"], "m2");
        g.AddNode("Add", ["m2", "b2"], "h2");
        g.AddNode("Relu", ["h2"], "a2");
        g.AddNode("Gemm", ["a2", "W3", "b3"], "y");
        g.AddFloatOutput("y", output);
        return g.ToBytes();
    }

    /// <summary>A small Conv net at opset 9 in the PaddleOCR style: weights in Constant nodes, BatchNormalization
    /// not folded, Clip with min/max attributes. x[N, 3, 8, 8] → y[N, 4] (softmax).</summary>
    public static byte[] ConvNet(int seed = 7)
    {
        var g = new OnnxGraphBuilder("convnet", 9);
        g.AddInput("x", TensorProto.Types.DataType.Float, -1, 3, 8, 8);
        void Constant(string name, float[] v, params long[] dims) => g.AddNode("Constant", [], name, OnnxAttribute.Tensor("value", OnnxTensor.FromSingles("", v, dims)));
        void Bn(string prefix, int c, int s)
        {
            Constant(prefix + "_gamma", Random(c, s, 0.5f).Select(v => v + 1f).ToArray(), c);
            Constant(prefix + "_beta", Random(c, s + 1, 0.2f), c);
            Constant(prefix + "_mean", Random(c, s + 2, 0.3f), c);
            Constant(prefix + "_var", Random(c, s + 3, 0.5f).Select(v => v + 1f).ToArray(), c);
        }
        Constant("w1", Random(8 * 3 * 9, seed, 0.3f), 8, 3, 3, 3);
        g.AddNode("Conv", ["x", "w1"], "c1", OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Ints("kernel_shape", 3, 3));
        Bn("bn1", 8, seed + 10);
        g.AddNode("BatchNormalization", ["c1", "bn1_gamma", "bn1_beta", "bn1_mean", "bn1_var"], "n1", OnnxAttribute.Float("epsilon", 1e-5f));
        g.AddNode("Relu", ["n1"], "r1");
        Constant("w2", Random(8 * 9, seed + 1, 0.3f), 8, 1, 3, 3);
        Constant("b2", Random(8, seed + 2, 0.1f), 8);
        g.AddNode("Conv", ["r1", "w2", "b2"], "c2", OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Int("group", 8));
        Bn("bn2", 8, seed + 20);
        g.AddNode("BatchNormalization", ["c2", "bn2_gamma", "bn2_beta", "bn2_mean", "bn2_var"], "n2");
        g.AddNode("Clip", ["n2"], "r2", OnnxAttribute.Float("min", 0f), OnnxAttribute.Float("max", 6f));
        Constant("w3", Random(16 * 8, seed + 3, 0.3f), 16, 8, 1, 1);
        g.AddNode("Conv", ["r2", "w3"], "c3");
        g.AddNode("Relu", ["c3"], "r3");
        g.AddNode("GlobalAveragePool", ["r3"], "p");
        g.AddNode("Flatten", ["p"], "f");
        Constant("wf", Random(4 * 16, seed + 4, 0.3f), 4, 16);
        Constant("bf", Random(4, seed + 5, 0.1f), 4);
        g.AddNode("Gemm", ["f", "wf", "bf"], "logits", OnnxAttribute.Int("transB", 1));
        g.AddNode("Softmax", ["logits"], "y");
        g.AddFloatOutput("y", 4);
        return g.ToBytes();
    }

    /// <summary>A MobileNetV3-style block net at opset 13, every activation operator static QDQ can fuse:
    /// Conv → hard-swish (Add 3, Clip 0..6, Mul, Div 6) → depthwise Conv → residual Add → MaxPool → squeeze-excite
    /// (GlobalAveragePool, Conv, Relu, Conv, HardSigmoid, Mul) → Concat with the MaxPool output → Conv → Relu → swish
    /// (Sigmoid, Mul) → AveragePool → GlobalAveragePool → Flatten → Gemm → y[N, 4]. Node names are the output names
    /// (the residual Add is "res", the squeeze-excite Mul "se_mul"). x[N, 3, 8, 8].</summary>
    public static byte[] ActivationNet(int seed = 3)
    {
        var g = new OnnxGraphBuilder("activationnet", 13);
        g.AddInput("x", TensorProto.Types.DataType.Float, -1, 3, 8, 8);
        void Node(string op, string[] inputs, string output, params AttributeProto[] attributes) => g.AddNode(op, inputs, [output], attributes).Name = output;
        g.AddInitializer("w1", Random(8 * 3 * 9, seed, 0.4f), 8, 3, 3, 3);
        g.AddInitializer("b1", Random(8, seed + 1, 0.2f), 8);
        Node("Conv", ["x", "w1", "b1"], "c1", OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        g.AddInitializer("three", [3f]);
        g.AddInitializer("six", [6f]);
        g.AddInitializer("zero", [0f]);
        Node("Add", ["c1", "three"], "hs_add");
        Node("Clip", ["hs_add", "zero", "six"], "hs_clip");
        Node("Mul", ["c1", "hs_clip"], "hs_mul");
        Node("Div", ["hs_mul", "six"], "h1");
        g.AddInitializer("w2", Random(8 * 9, seed + 2, 0.4f), 8, 1, 3, 3);
        g.AddInitializer("b2", Random(8, seed + 3, 0.2f), 8);
        Node("Conv", ["h1", "w2", "b2"], "c2", OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Int("group", 8));
        Node("Add", ["c2", "h1"], "res");
        Node("MaxPool", ["res"], "mp", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        Node("GlobalAveragePool", ["mp"], "se_gap");
        g.AddInitializer("w3", Random(4 * 8, seed + 4, 0.5f), 4, 8, 1, 1);
        g.AddInitializer("b3", Random(4, seed + 5, 0.2f), 4);
        Node("Conv", ["se_gap", "w3", "b3"], "se_c1");
        Node("Relu", ["se_c1"], "se_r");
        g.AddInitializer("w4", Random(8 * 4, seed + 6, 0.5f), 8, 4, 1, 1);
        g.AddInitializer("b4", Random(8, seed + 7, 0.2f), 8);
        Node("Conv", ["se_r", "w4", "b4"], "se_c2");
        Node("HardSigmoid", ["se_c2"], "se_hs", OnnxAttribute.Float("alpha", 0.2f), OnnxAttribute.Float("beta", 0.5f));
        Node("Mul", ["mp", "se_hs"], "se_mul");
        Node("Concat", ["se_mul", "mp"], "cat", OnnxAttribute.Int("axis", 1));
        g.AddInitializer("w5", Random(16 * 16, seed + 8, 0.3f), 16, 16, 1, 1);
        g.AddInitializer("b5", Random(16, seed + 9, 0.2f), 16);
        Node("Conv", ["cat", "w5", "b5"], "c5");
        Node("Relu", ["c5"], "r5");
        Node("Sigmoid", ["r5"], "sig");
        Node("Mul", ["r5", "sig"], "swish");
        Node("AveragePool", ["swish"], "ap", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        Node("GlobalAveragePool", ["ap"], "gap");
        Node("Flatten", ["gap"], "flat");
        g.AddInitializer("wf", Random(4 * 16, seed + 10, 0.5f), 4, 16);
        g.AddInitializer("bf", Random(4, seed + 11, 0.1f), 4);
        Node("Gemm", ["flat", "wf", "bf"], "y", OnnxAttribute.Int("transB", 1));
        g.AddFloatOutput("y", 4);
        return g.ToBytes();
    }

    public static float[] Run(byte[] model, string input, float[] data, long[] shape, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level };
        using var session = new InferenceSession(model, options);
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], [session.OutputNames[0]]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    public static IDataView Calibration(MLContext ml, string column, int width, int rows, int seed, float scale = 1f)
    {
        var data = Random(rows * width, seed, scale);
        var list = Enumerable.Range(0, rows).Select(r => new VectorRow { Features = data.AsSpan(r * width, width).ToArray() }).ToList();
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(VectorRow));
        schema[0].ColumnName = column;
        schema[0].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(list, schema);
    }

    public sealed class VectorRow
    {
        public float[] Features { get; set; } = [];
    }
}

/// <summary>A fact that runs only when <c>../shared/models/ppocr-cls</c> exists (searched upwards from the test binary).</summary>
public sealed class PpocrFactAttribute : FactAttribute
{
    public PpocrFactAttribute()
    {
        if (PpocrData.Folder is null)
            Skip = "../shared/models/ppocr-cls is not present.";
    }
}

internal static class PpocrData
{
    public static string? Folder { get; } = Find();

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "..", "shared", "models", "ppocr-cls");
            if (File.Exists(Path.Combine(candidate, "ch_ppocr_mobile_v2.0_cls_infer.onnx")))
                return Path.GetFullPath(candidate);
        }
        return null;
    }

    public static string ModelPath => Path.Combine(Folder!, "ch_ppocr_mobile_v2.0_cls_infer.onnx");

    public static (float[] X, int[] Y) Load()
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(Folder!, "eval_x.f32.gz")), System.IO.Compression.CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        float[] x = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(ms.ToArray()).ToArray();
        int[] y = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(Path.Combine(Folder!, "eval_y.i32"))).ToArray();
        return (x, y);
    }
}

internal static class DataViews
{
    public static IDataView Vectors(MLContext ml, string column, float[] data, int width, int[]? labels = null)
    {
        int rows = data.Length / width;
        var list = Enumerable.Range(0, rows).Select(r => new LabeledVectorRow { Features = data.AsSpan(r * width, width).ToArray(), Label = labels?[r] ?? 0 }).ToList();
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(LabeledVectorRow));
        var features = schema["Features"];
        features.ColumnName = column;
        features.ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(list, schema);
    }

    public sealed class LabeledVectorRow
    {
        public float[] Features { get; set; } = [];
        public int Label { get; set; }
    }
}
