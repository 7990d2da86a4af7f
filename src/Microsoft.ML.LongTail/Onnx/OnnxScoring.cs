using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.LongTail.Onnx;

/// <summary>
/// Turns ONNX bytes written by <see cref="OnnxGraphBuilder"/> into ML.NET's stock <see cref="OnnxScoringEstimator"/>,
/// so a component's numeric state is saved inside the ML.NET model zip and reloaded by a fresh
/// <see cref="MLContext"/> with no registration.
/// </summary>
/// <remarks>
/// <para>Uses <c>ApplyOnnxModel(string[] outputColumnNames, string[] inputColumnNames, Stream modelBytes,
/// IDictionary&lt;string, int[]&gt; shapeDictionary, int? gpuDeviceId, bool fallbackToCpu, int recursionLimit)</c>.
/// The transformer copies the bytes into the saved model.</para>
/// <para>Column types, as verified against ML.NET 5.0.1 / ONNX Runtime 1.31:</para>
/// <list type="bullet">
/// <item><description>An ONNX input <c>float[N, K]</c> reads a <c>Vector&lt;Single, K&gt;</c> column; <c>float[N, 1]</c> also reads a scalar
/// <c>Single</c> column. ML.NET feeds one row at a time (N = 1).</description></item>
/// <item><description>An ONNX output <c>T[N, K]</c> becomes a known-size <c>Vector&lt;T, 1, K&gt;</c> column (size K, dimensions [1, K]):
/// ML.NET fixes the symbolic batch dimension to 1 by itself, so no shape dictionary is needed.
/// Overriding the batch dimension with -1 in the shape dictionary makes the column variable-size, which trainers and
/// evaluators reject; overriding with a different rank is refused.</description></item>
/// <item><description>Rank-0 (scalar) outputs are typed <c>Single</c> but fail when read (OnnxTransformer routes them to its object getter),
/// so outputs are always vectors; per-row scalars belong in <see cref="PerClassLookup"/> tables or 1-long vectors.</description></item>
/// <item><description>ONNX value names must equal ML.NET column names. An ONNX graph cannot read and write the same name, so an output
/// that replaces an input column (e.g. an adjusted <c>Score</c>) is written under another ONNX name and copied back:
/// see <see cref="CreateEstimator(MLContext, byte[], string[], InputOutputColumnPair[], int?, bool)"/>.</description></item>
/// </list>
/// </remarks>
public static class OnnxScoring
{
    /// <summary>Creates the stock ONNX scoring estimator for in-memory model bytes.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="onnxModel">Serialized ONNX model (e.g. <see cref="OnnxGraphBuilder.ToBytes"/>).</param>
    /// <param name="outputColumnNames">ONNX outputs to expose; each becomes a column of the same name.</param>
    /// <param name="inputColumnNames">ONNX inputs; each is read from the column of the same name.</param>
    /// <param name="gpuDeviceId">GPU to run on, or <see langword="null"/> for CPU (or <see cref="MLContext.GpuDeviceId"/>).</param>
    /// <param name="fallbackToCpu">Use the CPU when the GPU execution provider cannot be created.</param>
    public static OnnxScoringEstimator CreateEstimator(MLContext mlContext, byte[] onnxModel, string[] outputColumnNames,
        string[] inputColumnNames, int? gpuDeviceId = null, bool fallbackToCpu = false)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(outputColumnNames);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        // ML.NET reads the stream to the end while constructing; it keeps its own copy for saving.
        using var stream = new MemoryStream(onnxModel, writable: false);
        return mlContext.Transforms.ApplyOnnxModel(outputColumnNames, inputColumnNames, stream,
            shapeDictionary: null, gpuDeviceId: gpuDeviceId, fallbackToCpu: fallbackToCpu);
    }

    /// <summary>
    /// Creates a stock estimator chain that scores the ONNX model and names its outputs freely: each ONNX output
    /// <c>InputColumnName</c> is copied to column <c>OutputColumnName</c> (replacing a column of that name, e.g. <c>Score</c>)
    /// and the ONNX-named column is dropped.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="onnxModel">Serialized ONNX model.</param>
    /// <param name="inputColumnNames">ONNX inputs; each is read from the column of the same name.</param>
    /// <param name="outputColumns">Pairs (ML.NET column to write, ONNX output to read).</param>
    /// <param name="gpuDeviceId">GPU to run on, or <see langword="null"/> for CPU.</param>
    /// <param name="fallbackToCpu">Use the CPU when the GPU execution provider cannot be created.</param>
    public static IEstimator<ITransformer> CreateEstimator(MLContext mlContext, byte[] onnxModel, string[] inputColumnNames,
        InputOutputColumnPair[] outputColumns, int? gpuDeviceId = null, bool fallbackToCpu = false)
    {
        ArgumentNullException.ThrowIfNull(outputColumns);
        string[] onnxOutputs = outputColumns.Select(c => c.InputColumnName).ToArray();
        IEstimator<ITransformer> chain = CreateEstimator(mlContext, onnxModel, onnxOutputs, inputColumnNames, gpuDeviceId, fallbackToCpu);
        var renamed = outputColumns.Where(c => c.OutputColumnName != c.InputColumnName).ToArray();
        if (renamed.Length > 0)
        {
            foreach (var column in renamed)
                chain = chain.Append(mlContext.Transforms.CopyColumns(column.OutputColumnName, column.InputColumnName));
            chain = chain.Append(mlContext.Transforms.DropColumns(renamed.Select(c => c.InputColumnName).ToArray()));
        }
        return chain;
    }
}
