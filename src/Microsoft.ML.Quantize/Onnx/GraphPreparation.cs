using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.Quantize.Onnx;

/// <summary>
/// Prepares a float ONNX model for quantization, as ONNX Runtime's pre-processing does: <c>Constant</c> nodes become
/// initializers, initializers are removed from the graph inputs, <c>Dropout</c>/<c>Identity</c> are removed,
/// BatchNormalization is folded into the preceding Conv or Gemm, and the ai.onnx opset is raised to the version the
/// quantized operators need (per-channel QuantizeLinear/DequantizeLinear need 13, 4-bit types 21).
/// </summary>
public static class GraphPreparation
{
    /// <summary>Lowest ai.onnx opset read.</summary>
    public const int MinimumOpset = 7;

    /// <summary>Highest ai.onnx opset read (ONNX Runtime 1.31 implements up to 23).</summary>
    public const int MaximumOpset = 23;

    // Operators whose semantics do not change between opset 7 and 23 in the ways inference relies on (new optional
    // attributes/inputs with backward-compatible defaults, or new types only).
    private static readonly HashSet<string> Unchanged = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "MatMul", "Gemm", "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu",
        "Selu", "PRelu", "Softplus", "Softsign", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Abs", "Neg",
        "Reciprocal", "Floor", "Ceil", "Round", "Max", "Min", "Sum", "Mean", "Concat", "Reshape", "Flatten", "Transpose",
        "Gather", "Shape", "Cast", "Identity", "GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool",
        "BatchNormalization", "InstanceNormalization", "LRN", "Constant", "ConstantOfShape", "Equal", "Greater", "Less",
        "Where", "Not", "And", "Or", "Xor", "Erf", "Expand", "Tile", "ArgMax", "ArgMin", "Size", "Range", "Sin", "Cos",
        "Sign", "MatMulInteger", "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "Einsum",
        "GatherElements", "ScatterElements", "CumSum", "NonZero", "Gelu", "LayerNormalization", "Mod", "IsNaN", "Det",
    };

    /// <summary>Returns a prepared copy of <paramref name="model"/>; the input model is not modified.</summary>
    /// <param name="model">The float model.</param>
    /// <param name="minimumTargetOpset">The ai.onnx opset the result must have at least (raised when lower).</param>
    /// <param name="foldBatchNormalization">Fold BatchNormalization into the preceding Conv/Gemm.</param>
    /// <returns>The prepared model.</returns>
    /// <exception cref="NotSupportedException">The opset is outside <see cref="MinimumOpset"/>..<see cref="MaximumOpset"/>, or an
    /// operator cannot be carried to the target opset.</exception>
    public static ModelProto Prepare(ModelProto model, int minimumTargetOpset = 13, bool foldBatchNormalization = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var editor = new GraphEditor(model.Clone());
        long opset = editor.OnnxOpset;
        if (opset < MinimumOpset || opset > MaximumOpset)
            throw new NotSupportedException($"The model imports ai.onnx opset {opset}; opsets {MinimumOpset} to {MaximumOpset} are supported.");
        foreach (var domain in editor.Model.OpsetImport)
        {
            if (domain.Domain is not ("" or "ai.onnx" or "com.microsoft" or "ai.onnx.ml"))
                throw new NotSupportedException($"The model imports operator domain '{domain.Domain}', which the quantizer does not support.");
        }
        RemoveInitializerInputs(editor);
        ConstantsToInitializers(editor);
        RemovePassThrough(editor);
        if (opset < minimumTargetOpset)
            Upgrade(editor, (int)opset, minimumTargetOpset);
        if (foldBatchNormalization)
            FoldBatchNormalization(editor);
        editor.RemoveUnusedInitializers();
        return editor.Model;
    }

    /// <summary>Counts nodes by operator type (domain-qualified for non-default domains).</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>Operator type to count.</returns>
    public static IReadOnlyDictionary<string, int> CountOps(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.Node.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    private static void RemoveInitializerInputs(GraphEditor e)
    {
        var names = new HashSet<string>(e.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        var keep = e.Graph.Input.Where(i => !names.Contains(i.Name)).ToList();
        e.Graph.Input.Clear();
        e.Graph.Input.AddRange(keep);
    }

    private static void ConstantsToInitializers(GraphEditor e)
    {
        var nodes = e.Graph.Node.ToList();
        var keep = new List<NodeProto>();
        foreach (var node in nodes)
        {
            if (node.OpType != "Constant" || node.Domain.Length > 0 || node.Output.Count != 1)
            {
                keep.Add(node);
                continue;
            }
            string name = node.Output[0];
            var a = node.Attribute.Single();
            TensorProto tensor = a.Name switch
            {
                "value" => a.T.Clone(),
                "value_float" => TensorData.Floats(name, [a.F]),
                "value_floats" => TensorData.Floats(name, a.Floats.ToArray(), a.Floats.Count),
                "value_int" => TensorData.Int64s(name, [a.I]),
                "value_ints" => TensorData.Int64s(name, a.Ints.ToArray(), a.Ints.Count),
                _ => throw new NotSupportedException($"Constant node '{node.Name}' uses attribute '{a.Name}', which is not supported."),
            };
            tensor.Name = name;
            e.Graph.Initializer.Add(tensor);
        }
        e.Graph.Node.Clear();
        e.Graph.Node.AddRange(keep);
    }

    private static void RemovePassThrough(GraphEditor e)
    {
        foreach (var node in e.Graph.Node.ToList())
        {
            bool dropout = node.OpType == "Dropout" && node.Domain.Length == 0;
            bool identity = node.OpType == "Identity" && node.Domain.Length == 0;
            if (!dropout && !identity)
                continue;
            // A Dropout whose mask output is read must stay.
            if (dropout && node.Output.Skip(1).Any(o => o.Length > 0 && (e.IsGraphOutput(o) || e.Consumers().ContainsKey(o))))
                continue;
            string input = node.Input[0], output = node.Output[0];
            if (e.IsGraphOutput(output))
            {
                if (dropout)
                {
                    node.OpType = "Identity";
                    node.Attribute.Clear();
                    while (node.Input.Count > 1) node.Input.RemoveAt(1);
                    while (node.Output.Count > 1) node.Output.RemoveAt(1);
                }
                continue;
            }
            e.Graph.Node.Remove(node);
            e.RenameInput(output, input);
        }
    }

    private static void Upgrade(GraphEditor e, int from, int to)
    {
        var nodes = e.Graph.Node.ToList();
        var result = new List<NodeProto>();
        foreach (var node in nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
            {
                result.Add(node);
                continue;
            }
            switch (node.OpType)
            {
                case "Clip" when from < 11:
                {
                    float min = GraphEditor.AttrFloat(node, "min", float.MinValue), max = GraphEditor.AttrFloat(node, "max", float.MaxValue);
                    GraphEditor.RemoveAttr(node, "min");
                    GraphEditor.RemoveAttr(node, "max");
                    while (node.Input.Count > 1) node.Input.RemoveAt(1);
                    node.Input.Add(e.AddInitializer(TensorData.Floats(e.UniqueName(node.Output[0] + "_min"), [min])));
                    node.Input.Add(e.AddInitializer(TensorData.Floats(e.UniqueName(node.Output[0] + "_max"), [max])));
                    result.Add(node);
                    break;
                }
                case "Softmax" or "LogSoftmax" or "Hardmax" when from < 13 && to >= 13:
                {
                    long axis = GraphEditor.AttrInt(node, "axis", 1);
                    int? rank = e.DeclaredRank(node.Input[0]) ?? e.DeclaredRank(node.Output[0]);
                    if (rank is int r && (axis == r - 1 || axis == -1))
                    {
                        GraphEditor.SetAttr(node, OnnxAttribute.Int("axis", -1));
                        result.Add(node);
                        break;
                    }
                    // Old semantics: coerce to 2-D at axis, normalize the last dimension, restore the shape.
                    string x = node.Input[0], y = node.Output[0];
                    string shape = e.UniqueName(y + "_shape"), flat = e.UniqueName(y + "_flat"), soft = e.UniqueName(y + "_2d");
                    result.Add(Node("Shape", [x], [shape], e.UniqueName(node.Name + "_shape")));
                    result.Add(Node("Flatten", [x], [flat], e.UniqueName(node.Name + "_flatten"), OnnxAttribute.Int("axis", axis)));
                    node.Input[0] = flat;
                    node.Output[0] = soft;
                    GraphEditor.SetAttr(node, OnnxAttribute.Int("axis", -1));
                    result.Add(node);
                    result.Add(Node("Reshape", [soft, shape], [y], e.UniqueName(node.Name + "_reshape")));
                    break;
                }
                case "Unsqueeze" or "Squeeze" when from < 13 && to >= 13:
                case "ReduceSum" when from < 13 && to >= 13:
                case "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2" or "ReduceLogSum"
                    or "ReduceLogSumExp" or "ReduceSumSquare" when from < 18 && to >= 18:
                    AttributeToInput(e, node, "axes", 1);
                    result.Add(node);
                    break;
                case "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2" or "ReduceLogSum"
                    or "ReduceLogSumExp" or "ReduceSumSquare" or "Unsqueeze" or "Squeeze" or "ReduceSum":
                    result.Add(node);
                    break;
                case "Split" when from < 13 && to >= 13:
                    AttributeToInput(e, node, "split", 1);
                    if (to >= 18 && node.Input.Count < 2)
                        node.Attribute.Add(OnnxAttribute.Int("num_outputs", node.Output.Count));
                    result.Add(node);
                    break;
                case "Slice" when from < 10:
                    AttributeToInput(e, node, "starts", 1);
                    AttributeToInput(e, node, "ends", 2);
                    AttributeToInput(e, node, "axes", 3);
                    result.Add(node);
                    break;
                case "Pad" when from < 11:
                {
                    AttributeToInput(e, node, "pads", 1);
                    float value = GraphEditor.AttrFloat(node, "value", 0f);
                    GraphEditor.RemoveAttr(node, "value");
                    node.Input.Add(e.AddInitializer(TensorData.Floats(e.UniqueName(node.Output[0] + "_value"), [value])));
                    result.Add(node);
                    break;
                }
                case "BatchNormalization":
                    GraphEditor.RemoveAttr(node, "spatial");
                    GraphEditor.RemoveAttr(node, "is_test");
                    GraphEditor.RemoveAttr(node, "consumed_inputs");
                    result.Add(node);
                    break;
                case "Slice" or "Pad" or "Clip" or "Softmax" or "LogSoftmax" or "Hardmax" or "Split":
                    result.Add(node);
                    break;
                default:
                    if (!Unchanged.Contains(node.OpType))
                        throw new NotSupportedException($"Operator '{node.OpType}' (node '{node.Name}') at opset {from} cannot be carried to opset {to}, which quantization needs; re-export the model at opset {to} or later.");
                    result.Add(node);
                    break;
            }
        }
        e.Graph.Node.Clear();
        e.Graph.Node.AddRange(result);
        e.OnnxOpset = to;
        if (e.Model.IrVersion < 7)
            e.Model.IrVersion = 7;
    }

    private static void AttributeToInput(GraphEditor e, NodeProto node, string attribute, int position)
    {
        var a = GraphEditor.Attr(node, attribute);
        if (a is null)
            return;
        node.Attribute.Remove(a);
        while (node.Input.Count < position) node.Input.Add("");
        string name = e.AddInitializer(TensorData.Int64s(e.UniqueName($"{node.Output[0]}_{attribute}"), a.Ints.ToArray(), a.Ints.Count));
        if (node.Input.Count == position) node.Input.Add(name);
        else node.Input[position] = name;
    }

    internal static NodeProto Node(string op, string[] inputs, string[] outputs, string name, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }

    private static void FoldBatchNormalization(GraphEditor e)
    {
        var inits = e.Initializers();
        foreach (var bn in e.Graph.Node.Where(n => n.OpType == "BatchNormalization" && n.Domain.Length == 0).ToList())
        {
            if (bn.Output.Skip(1).Any(o => o.Length > 0) || bn.Input.Count < 5)
                continue;
            var producers = e.Producers();
            var consumers = e.Consumers();
            if (!producers.TryGetValue(bn.Input[0], out var prev) || prev.Domain.Length > 0 || prev.OpType is not ("Conv" or "Gemm"))
                continue;
            if (consumers[bn.Input[0]].Count != 1 || e.IsGraphOutput(bn.Input[0]))
                continue;
            if (!inits.TryGetValue(prev.Input[1], out var w) || !TensorData.IsFloat(w))
                continue;
            if (prev.OpType == "Gemm" && (GraphEditor.AttrInt(prev, "transA", 0) != 0 || w.Dims.Count != 2))
                continue;
            TensorProto?[] stats = bn.Input.Skip(1).Take(4).Select(n => inits.GetValueOrDefault(n)).ToArray();
            if (stats.Any(s => s is null))
                continue;
            float[] gamma = TensorData.ToSingles(stats[0]!), beta = TensorData.ToSingles(stats[1]!);
            float[] mean = TensorData.ToSingles(stats[2]!), variance = TensorData.ToSingles(stats[3]!);
            float epsilon = GraphEditor.AttrFloat(bn, "epsilon", 1e-5f);
            int channels = gamma.Length;
            var scale = new double[channels];
            for (int c = 0; c < channels; c++)
                scale[c] = gamma[c] / Math.Sqrt(variance[c] + (double)epsilon);

            float[] weights = TensorData.ToSingles(w);
            float[] bias = new float[channels];
            bool hasBias = prev.Input.Count > 2 && prev.Input[2].Length > 0;
            if (prev.OpType == "Conv")
            {
                if (w.Dims[0] != channels) continue;
                int per = weights.Length / channels;
                for (int c = 0; c < channels; c++)
                    for (int k = 0; k < per; k++)
                        weights[c * per + k] = (float)(weights[c * per + k] * scale[c]);
                if (hasBias)
                {
                    if (!inits.TryGetValue(prev.Input[2], out var b)) continue;
                    bias = TensorData.ToSingles(b);
                }
            }
            else
            {
                bool transB = GraphEditor.AttrInt(prev, "transB", 0) != 0;
                long rows = w.Dims[0], cols = w.Dims[1];
                long m = transB ? rows : cols;
                if (m != channels) continue;
                for (long r = 0; r < rows; r++)
                    for (long c = 0; c < cols; c++)
                        weights[r * cols + c] = (float)(weights[r * cols + c] * scale[transB ? r : c]);
                float gemmBeta = GraphEditor.AttrFloat(prev, "beta", 1f);
                if (hasBias)
                {
                    if (!inits.TryGetValue(prev.Input[2], out var b)) continue;
                    float[] c0 = TensorData.ToSingles(b);
                    if (c0.Length != 1 && c0.Length != channels) continue;
                    for (int c = 0; c < channels; c++)
                        bias[c] = gemmBeta * c0[c0.Length == 1 ? 0 : c];
                }
                GraphEditor.SetAttr(prev, OnnxAttribute.Float("beta", 1f));
            }
            for (int c = 0; c < channels; c++)
                bias[c] = (float)((bias[c] - mean[c]) * scale[c] + beta[c]);

            string wName = e.AddInitializer(TensorData.Floats(e.UniqueName(prev.Input[1] + "_bn"), weights, w.Dims.ToArray()));
            string bName = e.AddInitializer(TensorData.Floats(e.UniqueName((hasBias ? prev.Input[2] : prev.Name + "_bias") + "_bn"), bias, channels));
            inits[wName] = e.Initializer(wName)!;
            inits[bName] = e.Initializer(bName)!;
            prev.Input[1] = wName;
            if (prev.Input.Count > 2) prev.Input[2] = bName; else prev.Input.Add(bName);
            prev.Output[0] = bn.Output[0];
            e.Graph.Node.Remove(bn);
        }
    }
}
