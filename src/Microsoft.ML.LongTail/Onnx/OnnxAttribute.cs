using System.Text;
using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.LongTail.Onnx;

/// <summary>
/// Creates typed ONNX node attributes (<see cref="AttributeProto"/>) with the <c>type</c> discriminator set,
/// as ONNX Runtime requires.
/// </summary>
public static class OnnxAttribute
{
    /// <summary>A single int64 attribute, e.g. <c>axis</c>, <c>transB</c>, <c>keepdims</c>, <c>to</c>.</summary>
    /// <param name="name">Attribute name as in the operator schema.</param>
    /// <param name="value">Value.</param>
    public static AttributeProto Int(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A single float attribute, e.g. <c>alpha</c>, <c>beta</c>, <c>epsilon</c>.</summary>
    /// <inheritdoc cref="Int" path="/param"/>
    public static AttributeProto Float(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A UTF-8 string attribute, e.g. <c>mode</c>.</summary>
    /// <inheritdoc cref="Int" path="/param"/>
    public static AttributeProto String(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFrom(value, Encoding.UTF8) };

    /// <summary>A list of int64, e.g. <c>axes</c> (opsets before 13/18), <c>perm</c>.</summary>
    /// <param name="name">Attribute name as in the operator schema.</param>
    /// <param name="values">Values.</param>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A list of floats.</summary>
    /// <inheritdoc cref="Ints" path="/param"/>
    public static AttributeProto Floats(string name, params float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    /// <summary>A list of UTF-8 strings.</summary>
    /// <inheritdoc cref="Ints" path="/param"/>
    public static AttributeProto Strings(string name, params string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        foreach (string value in values)
            attribute.Strings.Add(ByteString.CopyFrom(value, Encoding.UTF8));
        return attribute;
    }

    /// <summary>A tensor attribute, e.g. the <c>value</c> of a <c>Constant</c> node.</summary>
    /// <param name="name">Attribute name as in the operator schema.</param>
    /// <param name="value">Tensor, typically from <see cref="OnnxTensor"/>.</param>
    public static AttributeProto Tensor(string name, TensorProto value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };
}
