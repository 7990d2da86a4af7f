using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.Quantize.Onnx;

/// <summary>
/// Size reductions of a model's graph that leave its computation unchanged: identical initializers shared, doc strings
/// dropped, internal tensor and node names shortened. Graph inputs and outputs keep their names, and names that
/// subgraphs (If/Loop/Scan bodies) read from the outer scope are left alone.
/// </summary>
internal static class ModelCompactor
{
    /// <summary>Keeps one of each set of initializers with the same data type, shape and data, and points every reader of
    /// the others at it. Initializers that are also graph inputs (overridable) or outputs, that live in external files,
    /// or that a subgraph reads, are left alone.</summary>
    /// <returns>The number of initializers removed.</returns>
    public static int DeduplicateInitializers(GraphProto graph)
    {
        var fixedNames = GraphBoundary(graph);
        fixedNames.UnionWith(SubgraphNames(graph));
        var kept = new Dictionary<ByteString, string>();
        var replace = new Dictionary<string, string>(StringComparer.Ordinal);
        var keep = new List<TensorProto>();
        foreach (var t in graph.Initializer)
        {
            if (fixedNames.Contains(t.Name) || t.DataLocation == TensorProto.Types.DataLocation.External || replace.ContainsKey(t.Name))
            {
                keep.Add(t);
                continue;
            }
            // The tensor's bytes without its name and doc string identify its type, shape and data.
            var key = t.Clone();
            key.Name = "";
            key.DocString = "";
            var bytes = key.ToByteString();
            if (kept.TryGetValue(bytes, out string? first))
                replace[t.Name] = first;
            else
            {
                kept[bytes] = t.Name;
                keep.Add(t);
            }
        }
        if (replace.Count == 0)
            return 0;
        graph.Initializer.Clear();
        graph.Initializer.AddRange(keep);
        foreach (var n in graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (replace.TryGetValue(n.Input[i], out string? to))
                    n.Input[i] = to;
        // Shape annotations of a removed initializer are dropped (the kept one has the same).
        var stale = graph.ValueInfo.Where(v => replace.ContainsKey(v.Name)).ToList();
        foreach (var v in stale) graph.ValueInfo.Remove(v);
        var annotations = graph.QuantizationAnnotation.Where(a => replace.ContainsKey(a.TensorName)).ToList();
        foreach (var a in annotations) graph.QuantizationAnnotation.Remove(a);
        foreach (var a in graph.QuantizationAnnotation)
            foreach (var p in a.QuantParameterTensorNames)
                if (replace.TryGetValue(p.Value, out string? to))
                    p.Value = to;
        return replace.Count;
    }

    /// <summary>Clears the doc strings of the model, its graphs (subgraphs included), nodes, attributes, values and tensors.</summary>
    public static void StripDocStrings(ModelProto model)
    {
        model.DocString = "";
        if (model.Graph is not null)
            StripDocStrings(model.Graph);
    }

    private static void StripDocStrings(GraphProto graph)
    {
        graph.DocString = "";
        foreach (var v in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            v.DocString = "";
        foreach (var t in graph.Initializer)
            t.DocString = "";
        foreach (var n in graph.Node)
        {
            n.DocString = "";
            foreach (var a in n.Attribute)
            {
                a.DocString = "";
                if (a.T is not null) a.T.DocString = "";
                foreach (var g in a.Graphs.Append(a.G))
                    if (g is not null) StripDocStrings(g);
            }
        }
    }

    /// <summary>
    /// Renames the graph's internal tensors (initializers and node outputs other than graph inputs and outputs) to the
    /// shortest identifiers, the most referenced first, and clears node names (optional in ONNX). Graph input and output
    /// names, names a subgraph reads or defines, and sparse initializers are kept.
    /// </summary>
    /// <returns>The number of tensors renamed.</returns>
    public static int ShortenNames(GraphProto graph)
    {
        var reserved = GraphBoundary(graph);
        reserved.UnionWith(SubgraphNames(graph));
        foreach (var s in graph.SparseInitializer)
            if (s.Values is not null) reserved.Add(s.Values.Name);

        // Internal names with their reference counts.
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        void Use(string name)
        {
            if (name.Length == 0 || reserved.Contains(name)) return;
            if (uses.TryGetValue(name, out int c)) uses[name] = c + 1;
            else { uses[name] = 1; order.Add(name); }
        }
        foreach (var t in graph.Initializer) Use(t.Name);
        foreach (var n in graph.Node)
        {
            foreach (string o in n.Output) Use(o);
            foreach (string i in n.Input) Use(i);
        }
        // Names read but never defined (a malformed graph) are left as they are.
        var defined = new HashSet<string>(graph.Initializer.Select(t => t.Name).Concat(graph.Node.SelectMany(n => n.Output)), StringComparer.Ordinal);
        var candidates = order.Where(defined.Contains).OrderByDescending(n => uses[n]).ToList(); // stable: ties keep graph order
        reserved.UnionWith(order.Where(n => !defined.Contains(n)));

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        int next = 0;
        foreach (string name in candidates)
        {
            string shortName;
            do shortName = ShortName(next++);
            while (reserved.Contains(shortName));
            map[name] = shortName;
        }

        string Map(string name) => map.TryGetValue(name, out string? to) ? to : name;
        foreach (var t in graph.Initializer) t.Name = Map(t.Name);
        foreach (var n in graph.Node)
        {
            n.Name = "";
            for (int i = 0; i < n.Input.Count; i++) n.Input[i] = Map(n.Input[i]);
            for (int i = 0; i < n.Output.Count; i++) n.Output[i] = Map(n.Output[i]);
        }
        foreach (var v in graph.ValueInfo) v.Name = Map(v.Name);
        foreach (var a in graph.QuantizationAnnotation)
        {
            a.TensorName = Map(a.TensorName);
            foreach (var p in a.QuantParameterTensorNames) p.Value = Map(p.Value);
        }
        return map.Count;
    }

    /// <summary>
    /// Removes attributes of ai.onnx nodes that hold their operator's default value: Conv/pooling strides, dilations and
    /// pads of ones and zeros, group 1, auto_pad NOTSET, a Conv kernel_shape equal to the constant weight's spatial shape
    /// (the specification infers it from the weight), HardSigmoid/LeakyRelu/Gemm coefficients at their defaults, and
    /// (opset 13 and later) Softmax/LogSoftmax axis -1 and QuantizeLinear/DequantizeLinear axis 1.
    /// </summary>
    /// <returns>The number of attributes removed.</returns>
    public static int DropDefaultAttributes(ModelProto model)
    {
        var graph = model.Graph;
        long opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
        var inits = graph.Initializer.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var n in graph.Node)
            foreach (string o in n.Output)
                producers[o] = n;
        // The shape of a constant weight: an initializer, or a DequantizeLinear of one.
        long[]? ConstantShape(string name)
        {
            if (inits.TryGetValue(name, out var t)) return t.Dims.ToArray();
            if (producers.TryGetValue(name, out var p) && p.OpType == "DequantizeLinear" && p.Domain.Length == 0
                && p.Input.Count > 0 && inits.TryGetValue(p.Input[0], out var q)) return q.Dims.ToArray();
            return null;
        }
        static bool All(AttributeProto a, long v) => a.Type == AttributeProto.Types.AttributeType.Ints && a.Ints.All(x => x == v);
        static bool Int(AttributeProto a, long v) => a.Type == AttributeProto.Types.AttributeType.Int && a.HasI && a.I == v;
        static bool Float(AttributeProto a, float v) => a.Type == AttributeProto.Types.AttributeType.Float && a.HasF && a.F == v;
        static bool Str(AttributeProto a, string v) => a.Type == AttributeProto.Types.AttributeType.String && a.HasS && a.S.ToStringUtf8() == v;

        int removed = 0;
        foreach (var n in graph.Node)
        {
            if (n.Domain.Length > 0 && n.Domain != "ai.onnx") continue;
            foreach (var a in n.Attribute.ToList())
            {
                bool drop = (n.OpType, a.Name) switch
                {
                    ("Conv" or "MaxPool" or "AveragePool", "strides") => All(a, 1),
                    ("Conv" or "MaxPool", "dilations") => All(a, 1),
                    ("Conv" or "MaxPool" or "AveragePool", "pads") => All(a, 0),
                    ("Conv" or "MaxPool" or "AveragePool", "auto_pad") => Str(a, "NOTSET"),
                    ("MaxPool" or "AveragePool", "ceil_mode") => Int(a, 0),
                    ("MaxPool", "storage_order") => Int(a, 0),
                    ("AveragePool", "count_include_pad") => Int(a, 0),
                    ("Conv", "group") => Int(a, 1),
                    ("Conv", "kernel_shape") => n.Input.Count > 1 && ConstantShape(n.Input[1]) is { Length: > 2 } w
                        && a.Type == AttributeProto.Types.AttributeType.Ints && a.Ints.SequenceEqual(w.Skip(2)),
                    ("HardSigmoid", "alpha") => Float(a, 0.2f),
                    ("HardSigmoid", "beta") => Float(a, 0.5f),
                    ("LeakyRelu", "alpha") => Float(a, 0.01f),
                    ("Gemm", "alpha" or "beta") => Float(a, 1f),
                    ("Gemm", "transA" or "transB") => Int(a, 0),
                    ("Softmax" or "LogSoftmax", "axis") => opset >= 13 && Int(a, -1),
                    ("QuantizeLinear" or "DequantizeLinear", "axis") => opset >= 13 && Int(a, 1),
                    _ => false,
                };
                if (drop)
                {
                    n.Attribute.Remove(a);
                    removed++;
                }
            }
        }
        return removed;
    }

    /// <summary>The <paramref name="index"/>-th identifier in order of length: a-z, A-Z, then a letter followed by
    /// letters, digits or underscores (valid C identifiers, as the ONNX IR asks of names).</summary>
    internal static string ShortName(int index)
    {
        const string first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const string rest = first + "0123456789_";
        if (index < first.Length)
            return first[index].ToString();
        index -= first.Length;
        // Length L >= 2: first.Length * rest.Length^(L-1) names.
        long block = first.Length * (long)rest.Length;
        int length = 2;
        while (index >= block)
        {
            index -= (int)block;
            block *= rest.Length;
            length++;
        }
        var chars = new char[length];
        long v = index;
        for (int p = length - 1; p >= 1; p--)
        {
            chars[p] = rest[(int)(v % rest.Length)];
            v /= rest.Length;
        }
        chars[0] = first[(int)v];
        return new string(chars);
    }

    private static HashSet<string> GraphBoundary(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in graph.Input) names.Add(v.Name);
        foreach (var v in graph.Output) names.Add(v.Name);
        return names;
    }

    /// <summary>Every name used anywhere inside the node's subgraphs: read from the outer scope or defined there.</summary>
    private static HashSet<string> SubgraphNames(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(GraphProto g)
        {
            foreach (var v in g.Input.Concat(g.Output).Concat(g.ValueInfo)) names.Add(v.Name);
            foreach (var t in g.Initializer) names.Add(t.Name);
            foreach (var n in g.Node)
            {
                names.UnionWith(n.Input);
                names.UnionWith(n.Output);
                foreach (var a in n.Attribute)
                    foreach (var sub in a.Graphs.Append(a.G))
                        if (sub is not null) Walk(sub);
            }
        }
        foreach (var n in graph.Node)
            foreach (var a in n.Attribute)
                foreach (var sub in a.Graphs.Append(a.G))
                    if (sub is not null) Walk(sub);
        return names;
    }
}
