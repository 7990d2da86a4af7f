using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.Quantize.Onnx;

/// <summary>Reads and writes the data of ONNX tensors (typed fields or little-endian <c>raw_data</c>).</summary>
internal static class TensorData
{
    public static long ElementCount(TensorProto t)
    {
        long n = 1;
        foreach (long d in t.Dims)
            n *= d;
        return n;
    }

    public static long[] Dims(TensorProto t) => t.Dims.ToArray();

    /// <summary>The values of a FLOAT, DOUBLE or FLOAT16 tensor as float32.</summary>
    public static float[] ToSingles(TensorProto t)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                return t.FloatData.Count > 0 ? t.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
            case TensorProto.Types.DataType.Double:
                return t.DoubleData.Count > 0 ? t.DoubleData.Select(d => (float)d).ToArray()
                    : MemoryMarshal.Cast<byte, double>(t.RawData.Span).ToArray().Select(d => (float)d).ToArray();
            case TensorProto.Types.DataType.Float16:
                return t.Int32Data.Count > 0 ? t.Int32Data.Select(b => (float)BitConverter.UInt16BitsToHalf((ushort)b)).ToArray()
                    : MemoryMarshal.Cast<byte, Half>(t.RawData.Span).ToArray().Select(h => (float)h).ToArray();
            default:
                throw new NotSupportedException($"Tensor '{t.Name}' has element type {type}; a float tensor was expected.");
        }
    }

    /// <summary>The values of an integer tensor (INT64, INT32) as int64.</summary>
    public static long[] ToInt64s(TensorProto t)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        return type switch
        {
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count > 0 ? t.Int64Data.ToArray() : MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray(),
            TensorProto.Types.DataType.Int32 => t.Int32Data.Count > 0 ? t.Int32Data.Select(v => (long)v).ToArray()
                : MemoryMarshal.Cast<byte, int>(t.RawData.Span).ToArray().Select(v => (long)v).ToArray(),
            _ => throw new NotSupportedException($"Tensor '{t.Name}' has element type {type}; an integer tensor was expected."),
        };
    }

    public static bool IsFloat(TensorProto t) => t.DataType == (int)TensorProto.Types.DataType.Float;

    public static TensorProto Floats(string name, ReadOnlySpan<float> values, params long[] dims) => Make(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);
    public static TensorProto Int32s(string name, ReadOnlySpan<int> values, params long[] dims) => Make(name, TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(values), dims);
    public static TensorProto Int16s(string name, ReadOnlySpan<short> values, params long[] dims) => Make(name, TensorProto.Types.DataType.Int16, MemoryMarshal.AsBytes(values), dims);
    public static TensorProto Int64s(string name, ReadOnlySpan<long> values, params long[] dims) => Make(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), dims);
    public static TensorProto SBytes(string name, ReadOnlySpan<sbyte> values, params long[] dims) => Make(name, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(values), dims);
    public static TensorProto Bytes(string name, ReadOnlySpan<byte> values, params long[] dims) => Make(name, TensorProto.Types.DataType.Uint8, values, dims);

    /// <summary>A 4-bit tensor: <paramref name="nibbles"/> holds one value per element (0..15 bit patterns), packed two per byte, low nibble first.</summary>
    public static TensorProto FourBit(string name, bool signed, ReadOnlySpan<byte> nibbles, params long[] dims)
    {
        var packed = new byte[(nibbles.Length + 1) / 2];
        for (int i = 0; i < nibbles.Length; i++)
            packed[i >> 1] |= (byte)((nibbles[i] & 0xF) << ((i & 1) * 4));
        return Make(name, signed ? TensorProto.Types.DataType.Int4 : TensorProto.Types.DataType.Uint4, packed, dims);
    }

    private static TensorProto Make(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        return t;
    }
}
