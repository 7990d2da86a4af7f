using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.LongTail.Onnx;

/// <summary>
/// Builds ONNX <see cref="TensorProto"/> constants (initializers and <c>Constant</c>/<c>value</c> attributes)
/// from managed arrays. Numeric data goes to <c>raw_data</c> (little-endian, fixed width), which ONNX Runtime
/// reads without per-element decoding.
/// </summary>
public static class OnnxTensor
{
    /// <summary>Creates a float32 tensor.</summary>
    /// <param name="name">Tensor name (the initializer's value name; may be empty for attributes).</param>
    /// <param name="values">Row-major values; the count must equal the product of <paramref name="dims"/>.</param>
    /// <param name="dims">Shape; empty for a scalar.</param>
    public static TensorProto FromSingles(string name, ReadOnlySpan<float> values, params long[] dims)
        => Create(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Creates a float64 tensor.</summary>
    /// <inheritdoc cref="FromSingles" path="/param"/>
    public static TensorProto FromDoubles(string name, ReadOnlySpan<double> values, params long[] dims)
        => Create(name, TensorProto.Types.DataType.Double, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Creates an int64 tensor (shapes, axes, indices).</summary>
    /// <inheritdoc cref="FromSingles" path="/param"/>
    public static TensorProto FromInt64s(string name, ReadOnlySpan<long> values, params long[] dims)
        => Create(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Creates an int32 tensor.</summary>
    /// <inheritdoc cref="FromSingles" path="/param"/>
    public static TensorProto FromInt32s(string name, ReadOnlySpan<int> values, params long[] dims)
        => Create(name, TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Creates an int8 tensor (quantized weights).</summary>
    /// <inheritdoc cref="FromSingles" path="/param"/>
    public static TensorProto FromSBytes(string name, ReadOnlySpan<sbyte> values, params long[] dims)
        => Create(name, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Creates a uint8 tensor (quantized weights, zero points).</summary>
    /// <inheritdoc cref="FromSingles" path="/param"/>
    public static TensorProto FromBytes(string name, ReadOnlySpan<byte> values, params long[] dims)
        => Create(name, TensorProto.Types.DataType.Uint8, values, values.Length, dims);

    /// <summary>Reads a float32 tensor back (from <c>raw_data</c> or <c>float_data</c>).</summary>
    /// <param name="tensor">A tensor whose <c>data_type</c> is FLOAT and whose data is stored in the message.</param>
    public static float[] ToSingles(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new ArgumentException($"Tensor '{tensor.Name}' has data type {tensor.DataType}, not FLOAT.", nameof(tensor));
        if (tensor.FloatData.Count > 0)
            return tensor.FloatData.ToArray();
        return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    private static TensorProto Create(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(dims);
        // raw_data is defined little-endian; MemoryMarshal.AsBytes is host order.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw_data writing requires a little-endian host.");
        long expected = 1;
        foreach (long d in dims)
        {
            if (d < 0)
                throw new ArgumentOutOfRangeException(nameof(dims), "Constant tensor dimensions must be non-negative.");
            expected *= d;
        }
        if (expected != count)
            throw new ArgumentException($"Tensor '{name}': {count} values do not fill shape [{string.Join(", ", dims)}] ({expected}).");

        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
