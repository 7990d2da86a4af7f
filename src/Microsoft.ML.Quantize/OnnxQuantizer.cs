using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Quantize.Calibration;
using Microsoft.ML.Quantize.Onnx;

namespace Microsoft.ML.Quantize;

/// <summary>
/// Post-training quantization of float ONNX models: static int8 in QDQ format (calibrated on an <see cref="IDataView"/>),
/// dynamic int8 for MatMul/Gemm, and weight-only int4. File to file with <see cref="QuantizeFile"/>, in memory with
/// <see cref="Quantize(byte[], IDataView?, OnnxQuantizationOptions?, out QuantizationReport)"/>, or inside an ML.NET
/// pipeline with <c>mlContext.Transforms.QuantizeOnnxModel(...)</c>.
/// </summary>
/// <remarks>The model is first prepared (<see cref="GraphPreparation.Prepare"/>). Calibration and the report's
/// optimised-graph counts run ONNX Runtime, so the application must reference a native ONNX Runtime package
/// (e.g. <c>Microsoft.ML.OnnxRuntime</c>).</remarks>
public static class OnnxQuantizer
{
    /// <summary>Whether two paths name one file: the same full path, or, when the output exists, the same file reached through
    /// a symbolic link or a case-insensitive file system (compared after resolving links).</summary>
    private static bool IsSameFile(string a, string b)
    {
        string fa = Path.GetFullPath(a), fb = Path.GetFullPath(b);
        if (string.Equals(fa, fb, StringComparison.Ordinal))
            return true;
        if (!File.Exists(fa) || !File.Exists(fb))
            return false;
        string ra = new FileInfo(fa).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fa;
        string rb = new FileInfo(fb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fb;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(ra, rb, comparison);
    }

    /// <summary>Quantizes an ONNX file into another file. The input file is only read.</summary>
    /// <param name="inputPath">The float model.</param>
    /// <param name="outputPath">Where to write the quantized model; must differ from <paramref name="inputPath"/>.</param>
    /// <param name="options">Options; <see langword="null"/> means the defaults (static QDQ, MinMax).</param>
    /// <param name="calibrationData">Calibration rows, one column per model input with the input's name (static mode).</param>
    /// <returns>What was done.</returns>
    /// <exception cref="ArgumentException">The output path is the input path, or the calibration data does not match the model inputs.</exception>
    /// <exception cref="InvalidDataException">The input is not an ONNX model, or is truncated or corrupt.</exception>
    /// <exception cref="FileNotFoundException">The input, or one of its external data files, does not exist.</exception>
    /// <exception cref="NotSupportedException">The model's opset or an operator is not supported.</exception>
    /// <exception cref="InvalidOperationException">The model has nothing to quantize.</exception>
    public static QuantizationReport QuantizeFile(string inputPath, string outputPath, OnnxQuantizationOptions? options = null, IDataView? calibrationData = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (IsSameFile(inputPath, outputPath))
            throw new ArgumentException($"The output path '{outputPath}' is the input model; write the quantized model to another file.", nameof(outputPath));
        var model = OnnxModelFile.Load(inputPath);
        var quantized = Quantize(model, calibrationData, options, out var report, new FileInfo(inputPath).Length);
        OnnxModelFile.Save(quantized, outputPath);
        return report;
    }

    /// <summary>Quantizes serialized ONNX model bytes.</summary>
    /// <param name="model">The float model (all tensors inline).</param>
    /// <param name="calibrationData">Calibration rows (static mode), one column per model input with the input's name.</param>
    /// <param name="options">Options; <see langword="null"/> means the defaults.</param>
    /// <param name="report">What was done.</param>
    /// <returns>The quantized model's bytes.</returns>
    public static byte[] Quantize(byte[] model, IDataView? calibrationData, OnnxQuantizationOptions? options, out QuantizationReport report)
    {
        var proto = OnnxModelFile.Parse(model);
        return Quantize(proto, calibrationData, options, out report, model.LongLength).ToByteArray();
    }

    /// <summary>Quantizes a model message; <paramref name="model"/> itself is not modified.</summary>
    /// <param name="model">The float model.</param>
    /// <param name="calibrationData">Calibration rows (static mode), one column per model input with the input's name.</param>
    /// <param name="options">Options; <see langword="null"/> means the defaults.</param>
    /// <param name="report">What was done.</param>
    /// <returns>The quantized model.</returns>
    public static ModelProto Quantize(ModelProto model, IDataView? calibrationData, OnnxQuantizationOptions? options, out QuantizationReport report)
        => Quantize(model, calibrationData, options, out report, model.CalculateSize());

    private static ModelProto Quantize(ModelProto model, IDataView? calibrationData, OnnxQuantizationOptions? options, out QuantizationReport report, long inputSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxQuantizationOptions();
        if (!(options.PerChannelMinErrorReduction >= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"PerChannelMinErrorReduction must be at least 1, not {options.PerChannelMinErrorReduction}.");
        int opset = options.Mode switch { QuantizationMode.Static => 13, QuantizationMode.Dynamic => 11, _ => 21 };
        var before = GraphPreparation.CountOps(model.Graph);
        var prepared = GraphPreparation.Prepare(model, opset);
        var after = GraphPreparation.CountOps(prepared.Graph);
        var steps = PreparationSteps(model, prepared, before, after);
        if (options.Mode == QuantizationMode.Static && (options.SensitivityAnalysis || options.KeepMostSensitiveInFloat > 0) && calibrationData is null)
            throw new ArgumentException("The sensitivity analysis needs calibration data.", nameof(calibrationData));

        IEnumerable<IReadOnlyList<InputBatch>>? batches = null;
        if (calibrationData is not null)
        {
            var inputs = ModelInput.Of(prepared.Graph, options.InputShapes, calibrationData.Schema);
            batches = CalibrationData.FromDataView(calibrationData, inputs, options); // checks the columns now
        }
        if (options.Mode == QuantizationMode.Static && batches is null)
            throw new ArgumentException("Static quantization needs calibration data (an IDataView with one column per model input).", nameof(calibrationData));

        var quantizer = new ModelQuantizer(prepared, options);
        if (options.Mode == QuantizationMode.Static && quantizer.ActivationOpsEnabled && quantizer.FoldHardSigmoids() is int hardSigmoids and > 0)
        {
            steps.Add($"{hardSigmoids} HardSigmoid nodes folded into the preceding Conv (now Clip 0..1)");
            quantizer = new ModelQuantizer(prepared, options);
        }
        var nodes = quantizer.SelectNodes();
        int smoothed = 0;
        if (options.SmoothQuantAlpha is float alpha && options.Mode == QuantizationMode.Static && batches is not null && nodes.Count > 0)
        {
            if (!(alpha >= 0 && alpha <= 1))
                throw new ArgumentOutOfRangeException(nameof(options), $"SmoothQuantAlpha must lie in [0, 1], not {alpha}.");
            smoothed = SmoothQuant.Apply(prepared, nodes, batches, alpha);
            quantizer = new ModelQuantizer(prepared, options);
            nodes = quantizer.SelectNodes();
        }
        if (smoothed > 0)
            steps.Add($"SmoothQuant (alpha {options.SmoothQuantAlpha}) applied to {smoothed} MatMul/Gemm inputs");
        if (nodes.Count == 0)
        {
            string why = quantizer.Excluded.Count == 0 ? "it has no Conv, MatMul or Gemm node"
                : "every candidate was excluded: " + string.Join("; ", quantizer.Excluded.Take(5).Select(e => $"{e.Name} ({e.OpType}): {e.Reason}"));
            throw new InvalidOperationException($"The model has nothing to quantize in {options.Mode} mode: {why}.");
        }
        IReadOnlyList<LayerSensitivity> sensitivity = [];
        Dictionary<string, (float Scale, int Zero)>? qparams = null;
        if (options.Mode == QuantizationMode.Static)
        {
            qparams = quantizer.Calibrate(nodes, batches!);
            if (options.SensitivityAnalysis || options.KeepMostSensitiveInFloat > 0)
            {
                sensitivity = Sensitivity(prepared, nodes, qparams, batches!, options, quantizer.CalibrationRows);
                var keep = sensitivity.Take(options.KeepMostSensitiveInFloat).ToList();
                for (int rank = 0; rank < keep.Count; rank++)
                {
                    var node = nodes[keep[rank].Index];
                    quantizer.Excluded.Add(new ExcludedNode(node.Name, node.OpType,
                        $"kept in float: sensitivity rank {rank + 1} (relative output error {keep[rank].RelativeError:G3} when quantized alone)"));
                }
                var dropped = new HashSet<int>(keep.Select(k => k.Index));
                nodes = nodes.Where((_, i) => !dropped.Contains(i)).ToList();
                if (nodes.Count == 0)
                    throw new InvalidOperationException("KeepMostSensitiveInFloat keeps every candidate in float: nothing is left to quantize.");
            }
        }
        ModelProto result = options.Mode switch
        {
            QuantizationMode.Static => quantizer.Static(nodes, qparams!, quantizer.CalibrationRows),
            QuantizationMode.Dynamic => quantizer.Dynamic(nodes),
            _ => quantizer.Int4(nodes),
        };
        result.ProducerName = "ML.LongTail.Quantize";
        FixInputShapes(result.Graph, options.InputShapes);
        if (options.DeduplicateInitializers)
            ModelCompactor.DeduplicateInitializers(result.Graph);
        if (options.DropDefaultAttributes)
            ModelCompactor.DropDefaultAttributes(result);
        if (options.CompactNames)
        {
            ModelCompactor.StripDocStrings(result);
            ModelCompactor.ShortenNames(result.Graph);
        }
        byte[] bytes = result.ToByteArray();
        report = new QuantizationReport
        {
            Mode = options.Mode,
            CalibrationMethod = options.Mode == QuantizationMode.Static ? options.CalibrationMethod : null,
            InputSizeBytes = inputSize,
            OutputSizeBytes = bytes.LongLength,
            CalibrationRows = quantizer.CalibrationRows,
            PreparationSteps = steps,
            QuantizedNodesByOpType = new SortedDictionary<string, int>(quantizer.Quantized, StringComparer.Ordinal),
            PerChannelWeights = quantizer.PerChannelWeights,
            PerTensorWeights = quantizer.PerTensorWeights,
            OutputOpCounts = GraphPreparation.CountOps(result.Graph),
            OptimizedOpCounts = TryCountOptimizedOps(bytes),
            ExcludedNodes = quantizer.Excluded,
            Sensitivity = sensitivity,
        };
        return result;
    }

    /// <summary>
    /// Compares a float and a quantized classifier on labelled data: accuracy overall, per class, and over the few-shot
    /// classes apart — where quantization error tends to fall hardest. The prediction is the argmax of each model's first output.
    /// </summary>
    /// <param name="floatModel">The float model.</param>
    /// <param name="quantizedModel">The quantized model.</param>
    /// <param name="data">Evaluation rows: one column per model input with the input's name, and the label.</param>
    /// <param name="labelColumnName">The label: a key (its 0-based index is the class) or a number/Boolean holding the class index.</param>
    /// <param name="fewShotRows">Classes with fewer rows than this are reported as few-shot.</param>
    /// <param name="inputShapes">Shapes of inputs with symbolic dimensions, as in <see cref="OnnxQuantizationOptions.InputShapes"/>.</param>
    /// <returns>The comparison.</returns>
    public static AccuracyReport CompareAccuracy(byte[] floatModel, byte[] quantizedModel, IDataView data, string labelColumnName = "Label",
        int fewShotRows = 20, IReadOnlyDictionary<string, int[]>? inputShapes = null)
    {
        ArgumentNullException.ThrowIfNull(floatModel);
        ArgumentNullException.ThrowIfNull(quantizedModel);
        ArgumentNullException.ThrowIfNull(data);
        var inputs = ModelInput.Of(OnnxModelFile.Parse(floatModel).Graph, inputShapes, data.Schema);
        using var so = new SessionOptions();
        using var f = new InferenceSession(floatModel, so);
        using var q = new InferenceSession(quantizedModel, so);
        using var ro = new RunOptions();
        var labels = new List<int>();
        var pf = new List<int>();
        var pq = new List<int>();
        foreach (var (batch, y) in CalibrationData.Labeled(data, inputs, labelColumnName, 64))
        {
            labels.AddRange(y);
            pf.AddRange(Argmax(f, ro, batch, y.Length));
            pq.AddRange(Argmax(q, ro, batch, y.Length));
        }
        int n = labels.Count;
        if (n == 0) throw new ArgumentException("The evaluation data has no rows.", nameof(data));
        var classes = labels.Distinct().Order().Select(k =>
        {
            var idx = Enumerable.Range(0, n).Where(i => labels[i] == k).ToArray();
            return new ClassAccuracy(k, idx.Length, 100.0 * idx.Count(i => pf[i] == k) / idx.Length, 100.0 * idx.Count(i => pq[i] == k) / idx.Length, idx.Length < fewShotRows);
        }).ToList();
        var few = Enumerable.Range(0, n).Where(i => classes.First(k => k.Class == labels[i]).FewShot).ToArray();
        return new AccuracyReport
        {
            Rows = n,
            FloatAccuracy = 100.0 * Enumerable.Range(0, n).Count(i => pf[i] == labels[i]) / n,
            QuantizedAccuracy = 100.0 * Enumerable.Range(0, n).Count(i => pq[i] == labels[i]) / n,
            Agreement = 100.0 * Enumerable.Range(0, n).Count(i => pf[i] == pq[i]) / n,
            Classes = classes,
            FewShotFloatAccuracy = few.Length == 0 ? null : 100.0 * few.Count(i => pf[i] == labels[i]) / few.Length,
            FewShotQuantizedAccuracy = few.Length == 0 ? null : 100.0 * few.Count(i => pq[i] == labels[i]) / few.Length,
        };
    }

    private static int[] Argmax(InferenceSession session, RunOptions ro, IReadOnlyList<InputBatch> batch, int rows)
    {
        var values = batch.Select(b => OrtValue.CreateTensorValueFromMemory(b.Data, b.Shape)).ToArray();
        try
        {
            using var outputs = session.Run(ro, batch.Select(b => b.Name).ToArray(), values, [session.OutputNames[0]]);
            var scores = outputs[0].GetTensorDataAsSpan<float>();
            int k = scores.Length / rows;
            var result = new int[rows];
            for (int r = 0; r < rows; r++)
            {
                int best = 0;
                for (int j = 1; j < k; j++) if (scores[r * k + j] > scores[r * k + best]) best = j;
                result[r] = best;
            }
            return result;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static List<LayerSensitivity> Sensitivity(ModelProto prepared, List<NodeProto> nodes, Dictionary<string, (float Scale, int Zero)> q,
        IEnumerable<IReadOnlyList<InputBatch>> batches, OnnxQuantizationOptions options, int calibrationRows)
    {
        // A bounded sample: the first SensitivityRows rows of the calibration data.
        var sample = new List<IReadOnlyList<InputBatch>>();
        int rows = 0;
        foreach (var b in batches)
        {
            sample.Add(b);
            rows += (int)b[0].Shape[0];
            if (rows >= options.SensitivityRows) break;
        }
        float[] reference = SmoothQuant.FirstOutput(prepared.ToByteArray(), sample);
        double energy = reference.Sum(v => (double)v * v) + 1e-30;
        var list = new List<LayerSensitivity>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var one = new ModelQuantizer(prepared.Clone(), options);
            var candidates = one.SelectNodes();
            var single = one.Static([candidates[i]], q, calibrationRows);
            float[] output = SmoothQuant.FirstOutput(single.ToByteArray(), sample);
            double err = 0;
            for (int j = 0; j < output.Length; j++) err += (output[j] - (double)reference[j]) * (output[j] - reference[j]);
            list.Add(new LayerSensitivity(nodes[i].Name, nodes[i].OpType, err / energy) { Index = i });
        }
        return list.OrderByDescending(l => l.RelativeError).ToList();
    }

    /// <summary>Writes the given input shapes into the model (the batch dimension stays symbolic), so ML.NET's
    /// OnnxTransformer needs no shape dictionary.</summary>
    internal static void FixInputShapes(GraphProto graph, IReadOnlyDictionary<string, int[]>? shapes)
    {
        if (shapes is null) return;
        foreach (var vi in graph.Input)
        {
            if (!shapes.TryGetValue(vi.Name, out int[]? shape) || vi.Type?.TensorType is not { } tensor) continue;
            tensor.Shape = new TensorShapeProto();
            for (int i = 0; i < shape.Length; i++)
                tensor.Shape.Dim.Add(i == 0 || shape[i] <= 0 ? new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "N" : $"d{i}" } : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        }
    }

    private static List<string> PreparationSteps(ModelProto model, ModelProto prepared, IReadOnlyDictionary<string, int> before, IReadOnlyDictionary<string, int> after)
    {
        var steps = new List<string>();
        int constants = before.GetValueOrDefault("Constant") - after.GetValueOrDefault("Constant");
        if (constants > 0) steps.Add($"{constants} Constant nodes turned into initializers");
        int bn = before.GetValueOrDefault("BatchNormalization") - after.GetValueOrDefault("BatchNormalization");
        if (bn > 0) steps.Add($"{bn} BatchNormalization nodes folded into Conv/Gemm");
        long from = model.OpsetImport.First(o => o.Domain is "" or "ai.onnx").Version, to = prepared.OpsetImport.First(o => o.Domain is "" or "ai.onnx").Version;
        if (from != to) steps.Add($"ai.onnx opset {from} raised to {to}");
        return steps;
    }

    /// <summary>
    /// Loads a model in ONNX Runtime (CPU) with the given optimisation level, saves the optimised graph it builds and
    /// counts its operators: the way to check which integer kernels ONNX Runtime actually fuses.
    /// </summary>
    /// <param name="model">Serialized model.</param>
    /// <param name="level">Optimisation level; QDQ fusions run at <see cref="GraphOptimizationLevel.ORT_ENABLE_EXTENDED"/>.</param>
    /// <returns>Operator type to count in the optimised graph.</returns>
    public static IReadOnlyDictionary<string, int> CountOptimizedOps(byte[] model, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
    {
        ArgumentNullException.ThrowIfNull(model);
        string path = Path.Combine(Path.GetTempPath(), $"mlq_{Environment.ProcessId}_{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = level, OptimizedModelFilePath = path })
            using (new InferenceSession(model, options))
            {
            }
            return GraphPreparation.CountOps(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IReadOnlyDictionary<string, int>? TryCountOptimizedOps(byte[] model)
    {
        try
        {
            return CountOptimizedOps(model);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
