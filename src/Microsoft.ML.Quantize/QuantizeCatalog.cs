using Microsoft.ML.Quantize;

namespace Microsoft.ML;

/// <summary>
/// Post-training quantization of ONNX models on <see cref="TransformsCatalog"/>: the fitted transformer scores the
/// quantized model through ML.NET's stock ONNX transformer (ONNX Runtime), so it saves and loads with
/// <c>mlContext.Model.Save/Load</c> with no registration.
/// </summary>
public static class QuantizeCatalog
{
    /// <summary>Quantizes a float ONNX model, calibrating on the data the estimator is fitted on (static mode).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelFile">The float <c>.onnx</c> file (only read).</param>
    /// <param name="mode">Static QDQ int8 (calibrated), dynamic int8 or weight-only int4.</param>
    /// <param name="calibrationMethod">The activation range method (static mode).</param>
    /// <param name="perChannel">One weight scale per output channel.</param>
    /// <param name="outputColumnNames">ONNX outputs to expose; <see langword="null"/> means all.</param>
    /// <param name="inputColumnNames">ONNX inputs (and calibration columns); <see langword="null"/> means all.</param>
    /// <returns>The estimator.</returns>
    public static OnnxQuantizationEstimator QuantizeOnnxModel(this TransformsCatalog catalog, string modelFile,
        QuantizationMode mode = QuantizationMode.Static, CalibrationMethod calibrationMethod = CalibrationMethod.MinMax,
        bool perChannel = true, string[]? outputColumnNames = null, string[]? inputColumnNames = null) =>
        QuantizeOnnxModel(catalog, modelFile, new QuantizeOnnxModelOptions
        {
            Mode = mode, CalibrationMethod = calibrationMethod, PerChannel = perChannel,
            OutputColumnNames = outputColumnNames, InputColumnNames = inputColumnNames,
        });

    /// <summary>Quantizes a float ONNX model with all options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="modelFile">The float <c>.onnx</c> file (only read).</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static OnnxQuantizationEstimator QuantizeOnnxModel(this TransformsCatalog catalog, string modelFile, QuantizeOnnxModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelFile);
        ArgumentNullException.ThrowIfNull(options);
        byte[] bytes = File.Exists(modelFile) ? File.ReadAllBytes(modelFile) : throw new FileNotFoundException($"ONNX model file '{modelFile}' does not exist.", modelFile);
        return new OnnxQuantizationEstimator(catalog, bytes, options);
    }

    /// <summary>Quantizes a float ONNX model given as bytes.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">The serialized float model.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults.</param>
    /// <returns>The estimator.</returns>
    public static OnnxQuantizationEstimator QuantizeOnnxModel(this TransformsCatalog catalog, byte[] model, QuantizeOnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return new OnnxQuantizationEstimator(catalog, (byte[])model.Clone(), options ?? new QuantizeOnnxModelOptions());
    }
}
