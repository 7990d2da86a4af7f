using Google.Protobuf;
using Microsoft.ML.Quantize.Onnx;

namespace Microsoft.ML.Quantize;

/// <summary>Options of <see cref="OnnxQuantizationEstimator"/>: the quantization options plus the columns.</summary>
public sealed class QuantizeOnnxModelOptions : OnnxQuantizationOptions
{
    /// <summary>ONNX outputs to expose as columns (same names). Default <see langword="null"/>: every graph output.</summary>
    public string[]? OutputColumnNames { get; set; }

    /// <summary>ONNX inputs, each read from the column of the same name (also the calibration columns). Default
    /// <see langword="null"/>: every graph input that is not an initializer.</summary>
    public string[]? InputColumnNames { get; set; }
}

/// <summary>
/// Quantizes a float ONNX model when fitted — calibrating on the data it is fitted on (static mode) — and returns ML.NET's
/// stock ONNX transformer scoring the quantized model, with the model bytes embedded: it saves and loads with
/// <c>mlContext.Model.Save/Load</c> without any type of this assembly. Create it with
/// <c>mlContext.Transforms.QuantizeOnnxModel(...)</c>.
/// </summary>
public sealed class OnnxQuantizationEstimator : IEstimator<ITransformer>
{
    private readonly TransformsCatalog _catalog;
    private readonly byte[] _floatModel;
    private readonly QuantizeOnnxModelOptions _options;
    private readonly string[] _outputs;
    private readonly string[] _inputs;

    internal OnnxQuantizationEstimator(TransformsCatalog catalog, byte[] floatModel, QuantizeOnnxModelOptions options)
    {
        _catalog = catalog;
        _options = options;
        var model = OnnxModelFile.Parse(floatModel);
        var initializers = new HashSet<string>(model.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        _outputs = options.OutputColumnNames ?? model.Graph.Output.Select(o => o.Name).ToArray();
        _inputs = options.InputColumnNames ?? model.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name).ToArray();
        foreach (string name in _outputs)
            if (!model.Graph.Output.Any(o => o.Name == name))
                throw new ArgumentException($"The model has no output '{name}'.", nameof(options));
        foreach (string name in _inputs)
            if (!model.Graph.Input.Any(o => o.Name == name))
                throw new ArgumentException($"The model has no input '{name}'.", nameof(options));
        OnnxQuantizer.FixInputShapes(model.Graph, options.InputShapes);
        _floatModel = model.ToByteArray();
    }

    /// <summary>The report of the last <see cref="Fit"/>, or <see langword="null"/> before the first.</summary>
    public QuantizationReport? LastReport { get; private set; }

    /// <summary>Quantizes the model (calibrating on <paramref name="input"/> in static mode) and fits the stock ONNX
    /// transformer on the quantized bytes.</summary>
    /// <param name="input">The calibration data: one column per model input, with the input's name.</param>
    /// <returns>ML.NET's ONNX transformer scoring the quantized model.</returns>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        byte[] quantized = OnnxQuantizer.Quantize(_floatModel, _options.Mode == QuantizationMode.Static ? input : null, _options, out var report);
        LastReport = report;
        return Scoring(quantized).Fit(input);
    }

    /// <summary>The output schema: the float model's outputs (the quantized model has the same).</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Scoring(_floatModel).GetOutputSchema(inputSchema);

    private IEstimator<ITransformer> Scoring(byte[] model)
    {
        // ML.NET reads the stream while constructing and keeps its own copy for saving.
        using var stream = new MemoryStream(model, writable: false);
        return _catalog.ApplyOnnxModel(_outputs, _inputs, stream);
    }
}
