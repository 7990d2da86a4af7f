using System.Globalization;
using System.Text;

namespace Microsoft.ML.Quantize;

/// <summary>A node of a quantizable type that was kept in float, and why.</summary>
/// <param name="Name">Node name.</param>
/// <param name="OpType">Operator type.</param>
/// <param name="Reason">Why it was not quantized.</param>
public sealed record ExcludedNode(string Name, string OpType, string Reason);

/// <summary>How much one layer, quantized alone, changes the model's first output.</summary>
/// <param name="Name">Node name.</param>
/// <param name="OpType">Operator type.</param>
/// <param name="RelativeError">Sum of squared output differences divided by the sum of squared float outputs, on the sample.</param>
public sealed record LayerSensitivity(string Name, string OpType, double RelativeError)
{
    internal int Index { get; init; }
}

/// <summary>What <see cref="OnnxQuantizer"/> did to a model.</summary>
public sealed class QuantizationReport
{
    /// <summary>The output kind.</summary>
    public QuantizationMode Mode { get; init; }

    /// <summary>The activation range method (static mode), else <see langword="null"/>.</summary>
    public CalibrationMethod? CalibrationMethod { get; init; }

    /// <summary>Serialized size of the float model, in bytes.</summary>
    public long InputSizeBytes { get; init; }

    /// <summary>Serialized size of the quantized model, in bytes.</summary>
    public long OutputSizeBytes { get; init; }

    /// <summary><see cref="OutputSizeBytes"/> / <see cref="InputSizeBytes"/>.</summary>
    public double SizeRatio => InputSizeBytes == 0 ? 0 : OutputSizeBytes / (double)InputSizeBytes;

    /// <summary>Calibration rows read (0 when the mode needs none).</summary>
    public int CalibrationRows { get; init; }

    /// <summary>What graph preparation did (Constant nodes turned into initializers, BatchNormalization folded, opset raised).</summary>
    public IReadOnlyList<string> PreparationSteps { get; init; } = [];

    /// <summary>Quantized nodes, counted by their original operator type.</summary>
    public IReadOnlyDictionary<string, int> QuantizedNodesByOpType { get; init; } = new Dictionary<string, int>();

    /// <summary>Int8 weights quantized with one scale per output channel (static and dynamic modes).</summary>
    public int PerChannelWeights { get; init; }

    /// <summary>Int8 weights quantized with a single scale (static and dynamic modes): all of them without
    /// <see cref="OnnxQuantizationOptions.PerChannel"/>, else those where
    /// <see cref="OnnxQuantizationOptions.PerChannelMinErrorReduction"/> found per-channel scales not worth storing.</summary>
    public int PerTensorWeights { get; init; }

    /// <summary>Operator counts of the written quantized model.</summary>
    public IReadOnlyDictionary<string, int> OutputOpCounts { get; init; } = new Dictionary<string, int>();

    /// <summary>Operator counts of the graph ONNX Runtime builds from the quantized model after its extended
    /// optimisations (the fused integer kernels: <c>QLinearConv</c>, <c>QLinearMatMul</c>, <c>QGemm</c>,
    /// <c>DynamicQuantizeMatMul</c>, <c>MatMulNBits</c>...); <see langword="null"/> when ONNX Runtime's native library
    /// could not be loaded.</summary>
    public IReadOnlyDictionary<string, int>? OptimizedOpCounts { get; init; }

    /// <summary>Nodes of quantizable types kept in float, with the reason.</summary>
    public IReadOnlyList<ExcludedNode> ExcludedNodes { get; init; } = [];

    /// <summary>Per-layer sensitivity, most sensitive first (static mode with
    /// <see cref="OnnxQuantizationOptions.SensitivityAnalysis"/> or <see cref="OnnxQuantizationOptions.KeepMostSensitiveInFloat"/>); else empty.</summary>
    public IReadOnlyList<LayerSensitivity> Sensitivity { get; init; } = [];

    /// <summary>A readable multi-line summary.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"mode {Mode}{(CalibrationMethod is { } m ? $", calibration {m} on {CalibrationRows} rows" : "")}");
        sb.AppendLine(c, $"size {InputSizeBytes} -> {OutputSizeBytes} bytes ({SizeRatio:F3}x)");
        foreach (string step in PreparationSteps)
            sb.AppendLine(c, $"prepared: {step}");
        sb.AppendLine(c, $"quantized: {string.Join(", ", QuantizedNodesByOpType.Select(kv => $"{kv.Key} {kv.Value}"))}");
        if (PerChannelWeights + PerTensorWeights > 0)
            sb.AppendLine(c, $"weight scales: per-channel {PerChannelWeights}, per-tensor {PerTensorWeights}");
        if (OptimizedOpCounts is not null)
            sb.AppendLine(c, $"ONNX Runtime optimised graph: {string.Join(", ", OptimizedOpCounts.Select(kv => $"{kv.Key} {kv.Value}"))}");
        foreach (var l in Sensitivity.Take(10))
            sb.AppendLine(c, $"sensitivity: {l.Name} ({l.OpType}) {l.RelativeError:G3}");
        foreach (var e in ExcludedNodes)
            sb.AppendLine(c, $"kept float: {e.Name} ({e.OpType}): {e.Reason}");
        return sb.ToString();
    }
}
