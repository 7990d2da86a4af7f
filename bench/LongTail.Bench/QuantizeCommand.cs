using System.Diagnostics;
using Google.Protobuf;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Quantize;
using Microsoft.ML.Quantize.Onnx;

namespace LongTail.Bench;

/// <summary>
/// <c>quantize --model IN.onnx|mlp:784-1024-1024-10|blocknet:32 --mode dynamic|static|int4 [--calibration DATA] --out OUT.onnx
/// [--method minmax|percentile|entropy|mse] [--per-channel true] [--weight-clipping false] [--block-size 32]
/// [--input-shape 3,48,192] [--calibration-rows 64] [--rows-per-class 0] [--smoothquant ALPHA] [--keep-float K]
/// [--per-channel-min-gain 1] [--compact true] [--dedupe true] [--bias-mul true] [--drop-defaults true] [--narrow-bias true]
/// [--ops default|weighted|all|all+maxpool|Conv,Add,...] [--profile N] [--repeats 30] [--threads 1]</c>:
/// quantizes a model with Microsoft.ML.Quantize and compares it with the float model in ONNX Runtime (CPU):
/// sizes, median latency at batch 1 and 64 (same process, float and quantized runs interleaved) and, when the data has
/// labels, accuracy overall and per class (argmax of the first output).
/// </summary>
/// <remarks>
/// <c>DATA</c> is a CSV file (header; a column named <c>label</c> holds integer labels, the other columns are the
/// features of the single model input, in order) or a folder in the format of <c>../shared/models/ppocr-cls</c>
/// (<c>eval_x.f32[.gz]</c>: raw little-endian float32 rows; <c>eval_y.i32</c>: int32 labels). Calibration uses
/// <c>--calibration-rows</c> rows spread evenly over the data (or <c>--rows-per-class</c> rows of each class);
/// accuracy is measured on every row. <c>mlp:A-B-...</c> writes a random Gemm+Relu MLP of those widths (seed 1) next to
/// <c>--out</c> as <c>*.float.onnx</c> and quantizes it; without <c>--calibration</c> it calibrates and times on random
/// normal rows; <c>blocknet:C</c> likewise writes the tests' activation-operator net with C channels (give
/// <c>--input-shape 3,H,W</c>). The size options map to <see cref="OnnxQuantizationOptions"/>: <c>--per-channel-min-gain</c>
/// <c>PerChannelMinErrorReduction</c>, <c>--compact</c> <c>CompactNames</c>, <c>--dedupe</c> <c>DeduplicateInitializers</c>,
/// <c>--bias-mul</c> <c>ComputedBiasScales</c>, <c>--drop-defaults</c> <c>DropDefaultAttributes</c>, <c>--narrow-bias</c>
/// <c>NarrowBiasStorage</c>, <c>--ops</c> <c>OpTypesToQuantize</c> (<c>all</c>: <c>StaticOpTypes</c>; <c>all+maxpool</c> adds MaxPool); <c>--profile N</c> prints ONNX Runtime's time per operator type over N
/// batch-1 runs of each model; the output's byte breakdown (as <c>onnx-bytes</c>) goes to stderr and <c>size_breakdown</c>.
/// </remarks>
public static class QuantizeCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "model", "mode", "calibration", "out", "method", "per-channel", "weight-clipping", "block-size",
            "input-shape", "calibration-rows", "rows-per-class", "repeats", "threads", "smoothquant", "keep-float", "compact", "dedupe", "bias-mul", "drop-defaults", "narrow-bias", "per-channel-min-gain", "ops", "profile");
        string modelArg = a.Require("model"), output = a.Require("out");
        var options = new OnnxQuantizationOptions
        {
            Mode = a.Require("mode") switch
            {
                "dynamic" => QuantizationMode.Dynamic,
                "static" => QuantizationMode.Static,
                "int4" => QuantizationMode.Int4WeightOnly,
                var v => throw new BenchArgumentException($"--mode expects dynamic, static or int4, got '{v}'."),
            },
            CalibrationMethod = (a.Get("method") ?? "minmax") switch
            {
                "minmax" => CalibrationMethod.MinMax,
                "percentile" => CalibrationMethod.Percentile,
                "entropy" => CalibrationMethod.Entropy,
                "mse" => CalibrationMethod.Mse,
                var v => throw new BenchArgumentException($"--method expects minmax, percentile, entropy or mse, got '{v}'."),
            },
            PerChannel = Bool(a, "per-channel", true),
            WeightClipping = Bool(a, "weight-clipping", false),
            Int4BlockSize = a.GetInt("block-size", 32),
            SmoothQuantAlpha = a.Get("smoothquant") is { } sq ? float.Parse(sq, CultureInfo.InvariantCulture) : null,
            KeepMostSensitiveInFloat = a.GetInt("keep-float", 0),
            CompactNames = Bool(a, "compact", true),
            DeduplicateInitializers = Bool(a, "dedupe", true),
            ComputedBiasScales = Bool(a, "bias-mul", true),
            DropDefaultAttributes = Bool(a, "drop-defaults", true),
            NarrowBiasStorage = Bool(a, "narrow-bias", true),
            PerChannelMinErrorReduction = a.Get("per-channel-min-gain") is { } pg ? double.Parse(pg, CultureInfo.InvariantCulture) : 1,
            OpTypesToQuantize = a.Get("ops") switch
            {
                null or "default" => null,
                "all" => OnnxQuantizationOptions.StaticOpTypes,
                "all+maxpool" => [.. OnnxQuantizationOptions.StaticOpTypes, "MaxPool"],
                "weighted" => ["Conv", "MatMul", "Gemm"],
                var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            },
        };
        int repeats = a.GetInt("repeats", 30), threads = a.GetInt("threads", 1);
        int calibrationRows = a.GetInt("calibration-rows", 64), rowsPerClass = a.GetInt("rows-per-class", 0);

        string modelPath = modelArg;
        if (modelArg.StartsWith("blocknet:", StringComparison.Ordinal))
        {
            modelPath = Path.ChangeExtension(output, ".float.onnx");
            File.WriteAllBytes(modelPath, BlockNet(int.Parse(modelArg[9..], CultureInfo.InvariantCulture)));
        }
        if (modelArg.StartsWith("mlp:", StringComparison.Ordinal))
        {
            int[] widths = modelArg[4..].Split('-').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            modelPath = Path.ChangeExtension(output, ".float.onnx");
            File.WriteAllBytes(modelPath, Mlp(widths));
        }
        var model = OnnxModelFile.Load(modelPath);
        var input = model.Graph.Input.First(i => !model.Graph.Initializer.Any(t => t.Name == i.Name));
        var declared = input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue).ToArray();
        long[] rowShape = a.Get("input-shape") is { } s
            ? s.Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()
            : declared.All(d => d > 0) ? declared : throw new BenchArgumentException($"Model input '{input.Name}' has symbolic dimensions; give --input-shape.");
        int rowSize = (int)rowShape.Aggregate(1L, (x, y) => x * y);
        options.InputShapes = new Dictionary<string, int[]> { [input.Name] = [1, .. rowShape.Select(d => (int)d)] };

        var (x, y) = a.Get("calibration") is { } data ? Load(data, rowSize) : (RandomRows(256, rowSize), null);
        int rows = x.Length / rowSize;
        if (rows == 0) throw new BenchArgumentException("The data has no rows.");

        // Calibration: evenly spread rows, or the first rows of each class.
        var pick = new List<int>();
        if (rowsPerClass > 0 && y is not null)
            pick = Enumerable.Range(0, rows).GroupBy(r => y[r]).SelectMany(g => g.Take(rowsPerClass)).Order().ToList();
        else
            for (int i = 0; i < Math.Min(calibrationRows, rows); i++) pick.Add((int)((long)i * rows / Math.Min(calibrationRows, rows)));
        var ml = new MLContext(seed: 1);
        var calibration = View(ml, input.Name, pick.SelectMany(r => x.AsSpan(r * rowSize, rowSize).ToArray()).ToArray(), rowSize);

        var sw = Stopwatch.StartNew();
        var report = OnnxQuantizer.QuantizeFile(modelPath, output, options, options.Mode == QuantizationMode.Static ? calibration : null);
        double quantizeSeconds = sw.Elapsed.TotalSeconds;
        BenchOutput.Log(report.ToString());

        byte[] floatBytes, quantBytes = File.ReadAllBytes(output);
        var breakdown = OnnxBytesCommand.Breakdown(Microsoft.ML.LongTail.Onnx.Proto.ModelProto.Parser.ParseFrom(quantBytes));
        BenchOutput.Log(OnnxBytesCommand.Format(breakdown));
        // The float model with the same fixed input shape, so both sessions see the same graph apart from quantization.
        var fixedFloat = model.Clone();
        fixedFloat.Graph.Input.Single(i => i.Name == input.Name).Type.TensorType.Shape = OnnxQuantizer_Shape(rowShape);
        floatBytes = fixedFloat.ToByteArray();
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var floatSession = new InferenceSession(floatBytes, so);
        using var quantSession = new InferenceSession(quantBytes, so);

        var latency = new Dictionary<string, double>();
        foreach (int batch in new[] { 1, 64 })
        {
            var bx = new float[batch * rowSize];
            for (int i = 0; i < batch; i++) x.AsSpan(i % rows * rowSize, rowSize).CopyTo(bx.AsSpan(i * rowSize));
            long[] shape = [batch, .. rowShape];
            var (f, q) = Time(floatSession, quantSession, input.Name, bx, shape, repeats);
            latency[$"float_b{batch}_ms"] = f;
            latency[$"quantized_b{batch}_ms"] = q;
        }

        // --profile N: ONNX Runtime's profiler on N batch-1 runs of each model; time per operator type, to stderr.
        if (a.GetInt("profile", 0) is int profileRuns and > 0)
        {
            foreach (var (name, bytes) in new[] { ("float", floatBytes), ("quantized", quantBytes) })
            {
                string prefix = Path.Combine(Path.GetTempPath(), $"q7prof_{Environment.ProcessId}_{name}");
                using var po = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, InterOpNumThreads = 1, EnableProfiling = true, ProfileOutputPathPrefix = prefix };
                using var ps = new InferenceSession(bytes, po);
                using var pv = OrtValue.CreateTensorValueFromMemory(x.AsSpan(0, rowSize).ToArray(), [1, .. rowShape]);
                using var pro = new RunOptions();
                for (int i = 0; i < profileRuns; i++)
                {
                    using var r = ps.Run(pro, [input.Name], [pv], [ps.OutputNames[0]]);
                }
                string file = ps.EndProfiling();
                var perOp = new SortedDictionary<string, (double Us, int Count)>(StringComparer.Ordinal);
                using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)))
                {
                    foreach (var e in doc.RootElement.EnumerateArray())
                    {
                        if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                        string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                        var (us, count) = perOp.GetValueOrDefault(op);
                        perOp[op] = (us + e.GetProperty("dur").GetDouble(), count + 1);
                    }
                }
                File.Delete(file);
                BenchOutput.Log($"profile {name}, batch 1, mean per run: " + string.Join(", ", perOp.OrderByDescending(kv => kv.Value.Us)
                    .Select(kv => $"{kv.Key} {kv.Value.Us / profileRuns / 1000:F3} ms ({kv.Value.Count / profileRuns})")));
            }
        }

        double? accFloat = null, accQuant = null, largestDrop = null;
        object? perClass = null;
        int[] pf = Predict(floatSession, input.Name, x, rowShape, rows), pq = Predict(quantSession, input.Name, x, rowShape, rows);
        double agreement = 100.0 * Enumerable.Range(0, rows).Count(r => pf[r] == pq[r]) / rows;
        if (y is not null)
        {
            accFloat = 100.0 * Enumerable.Range(0, rows).Count(r => pf[r] == y[r]) / rows;
            accQuant = 100.0 * Enumerable.Range(0, rows).Count(r => pq[r] == y[r]) / rows;
            var classes = y.Distinct().Order().ToArray();
            var table = classes.Select(c =>
            {
                var idx = Enumerable.Range(0, rows).Where(r => y[r] == c).ToArray();
                double af = 100.0 * idx.Count(r => pf[r] == c) / idx.Length, aq = 100.0 * idx.Count(r => pq[r] == c) / idx.Length;
                return new { label = c, rows = idx.Length, accuracy_float = af, accuracy_quantized = aq };
            }).ToArray();
            largestDrop = table.Max(t => t.accuracy_float - t.accuracy_quantized);
            perClass = table;
        }

        var key = new[] { "QLinearAdd", "QLinearMul", "QLinearGlobalAveragePool", "QLinearAveragePool", "QLinearConcat", "QLinearSigmoid",
            "QuantizeLinear", "DequantizeLinear", "Add", "Mul", "Div", "Clip", "HardSigmoid", "GlobalAveragePool", "MaxPool", "QLinearConv", "QLinearMatMul", "QGemm", "MatMulInteger", "ConvInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "MatMulNBits", "Conv", "MatMul", "Gemm", "FusedConv", "FusedGemm" };
        BenchOutput.Emit(new
        {
            command = "quantize",
            model = modelArg,
            mode = a.Require("mode"),
            method = options.Mode == QuantizationMode.Static ? options.CalibrationMethod.ToString() : null,
            per_channel = options.PerChannel,
            per_channel_min_gain = options.PerChannelMinErrorReduction,
            per_channel_weights = report.PerChannelWeights,
            per_tensor_weights = report.PerTensorWeights,
            weight_clipping = options.WeightClipping,
            size_in = report.InputSizeBytes,
            size_out = report.OutputSizeBytes,
            size_ratio = Math.Round(report.SizeRatio, 4),
            size_breakdown = breakdown,
            quantized_nodes = report.QuantizedNodesByOpType,
            optimized_ops = report.OptimizedOpCounts?.Where(kv => key.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            excluded = report.ExcludedNodes.Count,
            most_sensitive = report.Sensitivity.Take(3).Select(l => new { l.Name, l.OpType, l.RelativeError }),
            calibration_rows = report.CalibrationRows,
            quantize_seconds = Math.Round(quantizeSeconds, 2),
            threads,
            repeats,
            latency_ms = latency.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 4)),
            latency_ratio_b1 = Math.Round(latency["quantized_b1_ms"] / latency["float_b1_ms"], 3),
            latency_ratio_b64 = Math.Round(latency["quantized_b64_ms"] / latency["float_b64_ms"], 3),
            eval_rows = rows,
            argmax_agreement = agreement,
            accuracy_float = accFloat,
            accuracy_quantized = accQuant,
            largest_class_drop = largestDrop,
            per_class = perClass,
        });
        return 0;
    }

    private static Microsoft.ML.LongTail.Onnx.Proto.TensorShapeProto OnnxQuantizer_Shape(long[] rowShape)
    {
        var shape = new Microsoft.ML.LongTail.Onnx.Proto.TensorShapeProto();
        shape.Dim.Add(new Microsoft.ML.LongTail.Onnx.Proto.TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (long d in rowShape) shape.Dim.Add(new Microsoft.ML.LongTail.Onnx.Proto.TensorShapeProto.Types.Dimension { DimValue = d });
        return shape;
    }

    private static bool Bool(BenchArgs a, string name, bool fallback) => a.Get(name) switch
    {
        null => fallback,
        "true" => true,
        "false" => false,
        var v => throw new BenchArgumentException($"--{name} expects true or false, got '{v}'."),
    };

    private static (double Float, double Quantized) Time(InferenceSession f, InferenceSession q, string input, float[] data, long[] shape, int repeats)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var ro = new RunOptions();
        double Once(InferenceSession s)
        {
            var sw = Stopwatch.StartNew();
            using var r = s.Run(ro, [input], [value], [s.OutputNames[0]]);
            return sw.Elapsed.TotalMilliseconds;
        }
        for (int i = 0; i < 3; i++) { Once(f); Once(q); }
        var tf = new List<double>();
        var tq = new List<double>();
        for (int i = 0; i < repeats; i++) { tf.Add(Once(f)); tq.Add(Once(q)); }
        return (Median(tf), Median(tq));
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private static int[] Predict(InferenceSession s, string input, float[] x, long[] rowShape, int rows)
    {
        int rowSize = (int)rowShape.Aggregate(1L, (p, d) => p * d);
        var result = new int[rows];
        using var ro = new RunOptions();
        for (int start = 0; start < rows; start += 64)
        {
            int n = Math.Min(64, rows - start);
            using var value = OrtValue.CreateTensorValueFromMemory(x.AsSpan(start * rowSize, n * rowSize).ToArray(), [n, .. rowShape]);
            using var r = s.Run(ro, [input], [value], [s.OutputNames[0]]);
            var scores = r[0].GetTensorDataAsSpan<float>();
            int k = scores.Length / n;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j;
                result[start + i] = best;
            }
        }
        return result;
    }

    private static (float[] X, int[]? Y) Load(string path, int rowSize)
    {
        if (Directory.Exists(path))
        {
            string xs = Path.Combine(path, "eval_x.f32.gz");
            byte[] raw;
            if (File.Exists(xs))
            {
                using var gz = new GZipStream(File.OpenRead(xs), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                raw = ms.ToArray();
            }
            else if (File.Exists(Path.Combine(path, "eval_x.f32")))
                raw = File.ReadAllBytes(Path.Combine(path, "eval_x.f32"));
            else
                throw new BenchArgumentException($"Folder '{path}' has no eval_x.f32.gz or eval_x.f32.");
            float[] x = MemoryMarshal.Cast<byte, float>(raw).ToArray();
            if (x.Length % rowSize != 0)
                throw new BenchArgumentException($"eval_x holds {x.Length} floats, not a whole number of rows of {rowSize}.");
            string ys = Path.Combine(path, "eval_y.i32");
            int[]? y = File.Exists(ys) ? MemoryMarshal.Cast<byte, int>(File.ReadAllBytes(ys)).ToArray() : null;
            if (y is not null && y.Length != x.Length / rowSize)
                throw new BenchArgumentException($"eval_y.i32 has {y.Length} labels for {x.Length / rowSize} rows.");
            return (x, y);
        }
        if (!File.Exists(path)) throw new BenchArgumentException($"--calibration '{path}' is neither a file nor a folder.");
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        string[] header = lines[0].Split(',');
        int label = Array.FindIndex(header, h => h.Trim().Equals("label", StringComparison.OrdinalIgnoreCase));
        int features = header.Length - (label >= 0 ? 1 : 0);
        if (features != rowSize)
            throw new BenchArgumentException($"The CSV has {features} feature columns; the model input needs {rowSize}.");
        var xl = new float[(lines.Count - 1) * rowSize];
        var yl = label >= 0 ? new int[lines.Count - 1] : null;
        for (int r = 1; r < lines.Count; r++)
        {
            string[] cells = lines[r].Split(',');
            int f = 0;
            for (int c = 0; c < cells.Length; c++)
            {
                if (c == label) yl![r - 1] = (int)double.Parse(cells[c], CultureInfo.InvariantCulture);
                else xl[(r - 1) * rowSize + f++] = float.Parse(cells[c], CultureInfo.InvariantCulture);
            }
        }
        return (xl, yl);
    }

    private static float[] RandomRows(int rows, int rowSize)
    {
        var rnd = new Random(1);
        var x = new float[rows * rowSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble()));
        return x;
    }

    private static IDataView View(MLContext ml, string column, float[] data, int width)
    {
        var list = Enumerable.Range(0, data.Length / width).Select(r => new Row { Features = data.AsSpan(r * width, width).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(Row));
        var c = schema["Features"];
        c.ColumnName = column;
        c.ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(list, schema);
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>A Gemm(transB = 1) + Relu MLP with He-scaled random weights (seed 1), softmax-free.</summary>
    /// <summary>The tests' activation net (ActivationOpTests) with <paramref name="c"/> channels and any input size:
    /// Conv 3→c → hard-swish (Add 3, Clip, Mul, Div 6) → depthwise Conv → residual Add → MaxPool 2 → squeeze-excite
    /// (GlobalAveragePool, Conv, Relu, Conv, HardSigmoid, Mul) → Concat → Conv 2c→2c → Relu → swish (Sigmoid, Mul) →
    /// AveragePool 2 → GlobalAveragePool → Flatten → Gemm → y[N, 4]. Random weights, seed 1; x[N, 3, H, W].</summary>
    private static byte[] BlockNet(int c)
    {
        var rnd = new Random(1);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rnd.NextDouble() * 2 - 1) * scale).ToArray();
        var g = new OnnxGraphBuilder("blocknet", 13);
        g.AddInput("x", Microsoft.ML.LongTail.Onnx.Proto.TensorProto.Types.DataType.Float, -1, 3, -1, -1);
        var pads = OnnxAttribute.Ints("pads", 1, 1, 1, 1);
        g.AddInitializer("w1", R(c * 27, 0.4f), c, 3, 3, 3); g.AddInitializer("b1", R(c, 0.2f), c);
        g.AddNode("Conv", ["x", "w1", "b1"], "c1", pads);
        g.AddInitializer("three", [3f]); g.AddInitializer("six", [6f]); g.AddInitializer("zero", [0f]);
        g.AddNode("Add", ["c1", "three"], "hs_add");
        g.AddNode("Clip", ["hs_add", "zero", "six"], "hs_clip");
        g.AddNode("Mul", ["c1", "hs_clip"], "hs_mul");
        g.AddNode("Div", ["hs_mul", "six"], "h1");
        g.AddInitializer("w2", R(c * 9, 0.4f), c, 1, 3, 3); g.AddInitializer("b2", R(c, 0.2f), c);
        g.AddNode("Conv", ["h1", "w2", "b2"], "c2", pads, OnnxAttribute.Int("group", c));
        g.AddNode("Add", ["c2", "h1"], "res");
        g.AddNode("MaxPool", ["res"], "mp", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        g.AddNode("GlobalAveragePool", ["mp"], "se_gap");
        int h = Math.Max(1, c / 2);
        g.AddInitializer("w3", R(h * c, 1.5f / MathF.Sqrt(c)), h, c, 1, 1); g.AddInitializer("b3", R(h, 0.2f), h);
        g.AddNode("Conv", ["se_gap", "w3", "b3"], "se_c1");
        g.AddNode("Relu", ["se_c1"], "se_r");
        g.AddInitializer("w4", R(c * h, 1.5f / MathF.Sqrt(h)), c, h, 1, 1); g.AddInitializer("b4", R(c, 0.2f), c);
        g.AddNode("Conv", ["se_r", "w4", "b4"], "se_c2");
        g.AddNode("HardSigmoid", ["se_c2"], "se_hs", OnnxAttribute.Float("alpha", 0.2f), OnnxAttribute.Float("beta", 0.5f));
        g.AddNode("Mul", ["mp", "se_hs"], "se_mul");
        g.AddNode("Concat", ["se_mul", "mp"], "cat", OnnxAttribute.Int("axis", 1));
        g.AddInitializer("w5", R(4 * c * c, 1.5f / MathF.Sqrt(2 * c)), 2 * c, 2 * c, 1, 1); g.AddInitializer("b5", R(2 * c, 0.2f), 2 * c);
        g.AddNode("Conv", ["cat", "w5", "b5"], "c5");
        g.AddNode("Relu", ["c5"], "r5");
        g.AddNode("Sigmoid", ["r5"], "sig");
        g.AddNode("Mul", ["r5", "sig"], "swish");
        g.AddNode("AveragePool", ["swish"], "ap", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        g.AddNode("GlobalAveragePool", ["ap"], "gap");
        g.AddNode("Flatten", ["gap"], "flat");
        g.AddInitializer("wf", R(4 * 2 * c, 1.5f / MathF.Sqrt(2 * c)), 4, 2 * c); g.AddInitializer("bf", R(4, 0.1f), 4);
        g.AddNode("Gemm", ["flat", "wf", "bf"], "y", OnnxAttribute.Int("transB", 1));
        g.AddFloatOutput("y", 4);
        return g.ToBytes();
    }

    private static byte[] Mlp(int[] widths)
    {
        if (widths.Length < 2) throw new BenchArgumentException("mlp: needs at least two widths, e.g. mlp:784-1024-1024-10.");
        var rnd = new Random(1);
        var g = new OnnxGraphBuilder("mlp", 13);
        g.AddFloatInput("x", widths[0]);
        string h = "x";
        for (int l = 0; l + 1 < widths.Length; l++)
        {
            int i = widths[l], o = widths[l + 1];
            var w = new float[o * i];
            float scale = MathF.Sqrt(2f / i);
            for (int k = 0; k < w.Length; k++)
                w[k] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble()));
            var b = new float[o];
            for (int k = 0; k < o; k++) b[k] = 0.01f * (float)(rnd.NextDouble() - 0.5);
            g.AddInitializer($"W{l}", w, o, i);
            g.AddInitializer($"b{l}", b, o);
            bool last = l + 2 == widths.Length;
            string gemm = g.AddNode("Gemm", [h, $"W{l}", $"b{l}"], last ? "y" : $"h{l}", OnnxAttribute.Int("transB", 1));
            h = last ? gemm : g.AddNode("Relu", [gemm], $"a{l}");
        }
        g.AddFloatOutput("y", widths[^1]);
        return g.ToBytes();
    }
}
