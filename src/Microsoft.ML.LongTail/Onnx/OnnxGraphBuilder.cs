using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.LongTail.Onnx;

/// <summary>
/// Writes a small ONNX model: typed inputs/outputs with a symbolic batch dimension, constant initializers,
/// nodes with attributes and opset imports, serialized to the bytes that
/// <c>OnnxScoring</c> hands to ML.NET's stock <c>OnnxTransformer</c>.
/// </summary>
/// <remarks>
/// <para>Components compile their fitted numeric state (weights, priors, thresholds) into such a graph so the
/// saved ML.NET model needs no custom transformer: see <c>docs/architecture.md</c>.</para>
/// <para>Nodes must be added in topological order (ONNX requires sorted nodes); <see cref="ToModel"/> checks that
/// every node input is defined before use and every graph output is produced.</para>
/// <example>
/// <code>
/// var g = new OnnxGraphBuilder();
/// g.AddFloatInput("x", 4);
/// g.AddInitializer(OnnxTensor.FromSingles("W", weights, 3, 4));
/// g.AddInitializer(OnnxTensor.FromSingles("b", bias, 3));
/// g.AddNode("Gemm", ["x", "W", "b"], "logits", OnnxAttribute.Int("transB", 1));
/// g.AddNode("Softmax", ["logits"], "probs", OnnxAttribute.Int("axis", 1));
/// g.AddFloatOutput("probs", 3);
/// byte[] model = g.ToBytes();
/// </code>
/// </example>
/// </remarks>
public sealed class OnnxGraphBuilder
{
    /// <summary>Default ai.onnx opset: 17 (ONNX 1.12), fully implemented by ONNX Runtime 1.31 and keeps
    /// <c>ReduceSum</c>'s axes as an input (opset 13+) while <c>ReduceMax/ReduceMean</c> still take an <c>axes</c> attribute (before 18).</summary>
    public const int DefaultOpsetVersion = 17;

    /// <summary>IR version written: 8 (ONNX 1.10+), read by every supported ONNX Runtime.</summary>
    public const long DefaultIrVersion = 8;

    /// <summary>The symbolic name used for a batch dimension passed as <c>-1</c>.</summary>
    public const string BatchDimension = "N";

    /// <summary>Producer name recorded in every model.</summary>
    public const string ProducerName = "ML.LongTail";

    /// <summary>The Microsoft contrib-operator domain (e.g. <c>MatMulNBits</c>, <c>QuickGelu</c>).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    private readonly GraphProto _graph;
    private readonly Dictionary<string, long> _opsets = new(StringComparer.Ordinal);
    private readonly List<StringStringEntryProto> _metadata = [];
    private int _nameCounter;

    /// <summary>Starts an empty graph importing ai.onnx at <paramref name="opsetVersion"/>.</summary>
    /// <param name="graphName">Graph name stored in the model (informational).</param>
    /// <param name="opsetVersion">ai.onnx opset version.</param>
    public OnnxGraphBuilder(string graphName = "ml_longtail", int opsetVersion = DefaultOpsetVersion)
    {
        if (opsetVersion < 7)
            throw new ArgumentOutOfRangeException(nameof(opsetVersion), "Opset 7 or later is required.");
        _graph = new GraphProto { Name = graphName };
        _opsets[""] = opsetVersion;
    }

    /// <summary>The graph under construction, for edits this builder does not cover.</summary>
    public GraphProto Graph => _graph;

    /// <summary>The ai.onnx opset version.</summary>
    public long OpsetVersion => _opsets[""];

    /// <summary>Imports another operator domain, e.g. <see cref="MicrosoftDomain"/> version 1.</summary>
    /// <param name="domain">Domain name; empty for ai.onnx.</param>
    /// <param name="version">Opset version of that domain.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder ImportOpset(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        _opsets[domain == "ai.onnx" ? "" : domain] = version;
        return this;
    }

    /// <summary>Adds a graph input. A dimension of <c>-1</c> becomes the symbolic batch dimension
    /// <see cref="BatchDimension"/>.</summary>
    /// <param name="name">Input name; ML.NET's OnnxTransformer matches it to an input column.</param>
    /// <param name="elementType">Element type.</param>
    /// <param name="shape">Shape, e.g. <c>[-1, K]</c>.</param>
    /// <returns><paramref name="name"/>.</returns>
    public string AddInput(string name, TensorProto.Types.DataType elementType, params long[] shape)
    {
        _graph.Input.Add(ValueInfo(name, elementType, shape));
        return name;
    }

    /// <summary>Adds a float input of shape <c>[N, width]</c>: one row of a <c>Vector&lt;Single, width&gt;</c> column per batch item.</summary>
    /// <param name="name">Input name.</param>
    /// <param name="width">Vector length.</param>
    /// <returns><paramref name="name"/>.</returns>
    public string AddFloatInput(string name, int width) => AddInput(name, TensorProto.Types.DataType.Float, -1, width);

    /// <summary>Declares a graph output. A dimension of <c>-1</c> becomes <see cref="BatchDimension"/>.</summary>
    /// <param name="name">Value name produced by a node (or an input/initializer).</param>
    /// <param name="elementType">Element type.</param>
    /// <param name="shape">Shape, e.g. <c>[-1, K]</c>.</param>
    /// <returns><paramref name="name"/>.</returns>
    public string AddOutput(string name, TensorProto.Types.DataType elementType, params long[] shape)
    {
        _graph.Output.Add(ValueInfo(name, elementType, shape));
        return name;
    }

    /// <summary>Declares a float output of shape <c>[N, width]</c>.</summary>
    /// <param name="name">Value name.</param>
    /// <param name="width">Vector length.</param>
    /// <returns><paramref name="name"/>.</returns>
    public string AddFloatOutput(string name, int width) => AddOutput(name, TensorProto.Types.DataType.Float, -1, width);

    /// <summary>Adds a constant tensor (weights, biases, priors) as a graph initializer.</summary>
    /// <param name="tensor">Named tensor, typically from <see cref="OnnxTensor"/>.</param>
    /// <returns>The tensor's name.</returns>
    public string AddInitializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (string.IsNullOrEmpty(tensor.Name))
            throw new ArgumentException("An initializer needs a name.", nameof(tensor));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a float32 initializer.</summary>
    /// <param name="name">Value name.</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="dims">Shape; empty for a scalar.</param>
    /// <returns><paramref name="name"/>.</returns>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
        => AddInitializer(OnnxTensor.FromSingles(name, values, dims));

    /// <summary>Adds an int64 initializer (axes, shapes, indices).</summary>
    /// <inheritdoc cref="AddInitializer(string, ReadOnlySpan{float}, long[])" path="/param"/>
    /// <returns><paramref name="name"/>.</returns>
    public string AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims)
        => AddInitializer(OnnxTensor.FromInt64s(name, values, dims));

    /// <summary>Adds a node with several outputs. Returns the node so callers can set <c>Domain</c> or <c>Name</c>.</summary>
    /// <param name="opType">Operator, e.g. <c>Gemm</c>.</param>
    /// <param name="inputs">Input value names; an empty string marks an omitted optional input.</param>
    /// <param name="outputs">Output value names.</param>
    /// <param name="attributes">Attributes from <see cref="OnnxAttribute"/>.</param>
    /// <returns>The added node.</returns>
    public NodeProto AddNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return node;
    }

    /// <summary>Adds a single-output node in the ai.onnx domain.</summary>
    /// <param name="opType">Operator, e.g. <c>Relu</c>.</param>
    /// <param name="inputs">Input value names.</param>
    /// <param name="output">Output value name.</param>
    /// <param name="attributes">Attributes from <see cref="OnnxAttribute"/>.</param>
    /// <returns><paramref name="output"/>, for chaining.</returns>
    public string AddNode(string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        AddNode(opType, inputs, [output], attributes);
        return output;
    }

    /// <summary>Returns a fresh value name <c>{prefix}_{n}</c> for intermediate results.</summary>
    /// <param name="prefix">Readable prefix.</param>
    public string NewName(string prefix) => $"{prefix}_{_nameCounter++}";

    /// <summary>Adds a model-level metadata entry (e.g. the component that produced the graph).</summary>
    /// <param name="key">Key; keys should be distinct.</param>
    /// <param name="value">Value.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder AddMetadata(string key, string value)
    {
        _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    /// <summary>Validates the graph and wraps it in a <see cref="ModelProto"/>.</summary>
    /// <returns>A new model (the graph is cloned, so the builder can keep being used).</returns>
    /// <exception cref="InvalidOperationException">A node reads an undefined value, a value is defined twice,
    /// or a graph output is never produced.</exception>
    public ModelProto ToModel()
    {
        Validate();
        var model = new ModelProto
        {
            IrVersion = DefaultIrVersion,
            ProducerName = ProducerName,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = _graph.Clone(),
        };
        foreach (var (domain, version) in _opsets)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        model.MetadataProps.AddRange(_metadata.Select(m => m.Clone()));
        return model;
    }

    /// <summary>Validates and serializes the model to <c>.onnx</c> bytes.</summary>
    public byte[] ToBytes() => ToModel().ToByteArray();

    private void Validate()
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in _graph.Input)
            Define(defined, input.Name, "graph input");
        foreach (var init in _graph.Initializer)
        {
            // An initializer may also be listed as a graph input (overridable default), not twice otherwise.
            if (!_graph.Input.Any(i => i.Name == init.Name))
                Define(defined, init.Name, "initializer");
        }
        foreach (var node in _graph.Node)
        {
            foreach (string input in node.Input)
            {
                if (input.Length > 0 && !defined.Contains(input))
                    throw new InvalidOperationException($"Node '{node.Name}' ({node.OpType}) reads '{input}' before it is defined.");
            }
            foreach (string output in node.Output)
            {
                if (output.Length > 0)
                    Define(defined, output, $"output of node '{node.Name}'");
            }
            if (node.Domain.Length > 0 && !_opsets.ContainsKey(node.Domain))
                throw new InvalidOperationException($"Node '{node.Name}' uses domain '{node.Domain}', which is not imported.");
        }
        foreach (var output in _graph.Output)
        {
            if (!defined.Contains(output.Name))
                throw new InvalidOperationException($"Graph output '{output.Name}' is never produced.");
        }
    }

    private static void Define(HashSet<string> defined, string name, string what)
    {
        if (!defined.Add(name))
            throw new InvalidOperationException($"Value '{name}' ({what}) is defined more than once.");
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, long[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        var tensorShape = new TensorShapeProto();
        foreach (long d in shape)
        {
            tensorShape.Dim.Add(d >= 0
                ? new TensorShapeProto.Types.Dimension { DimValue = d }
                : new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = tensorShape } },
        };
    }
}
