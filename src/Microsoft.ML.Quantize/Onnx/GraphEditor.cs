using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.Quantize.Onnx;

/// <summary>Helpers over a <see cref="GraphProto"/>: initializer lookup, producers/consumers, unique names, clean-up.</summary>
internal sealed class GraphEditor
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphEditor(ModelProto model)
    {
        Model = model;
        foreach (var i in Graph.Input) _names.Add(i.Name);
        foreach (var i in Graph.Initializer) _names.Add(i.Name);
        foreach (var n in Graph.Node)
        {
            _names.UnionWith(n.Output);
            _names.Add(n.Name);
        }
    }

    public ModelProto Model { get; }
    public GraphProto Graph => Model.Graph;

    public long OnnxOpset
    {
        get => Model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
        set
        {
            var entry = Model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
            if (entry is null) Model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = value });
            else entry.Version = value;
        }
    }

    public void ImportDomain(string domain, long version)
    {
        if (!Model.OpsetImport.Any(o => o.Domain == domain))
            Model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
    }

    public string UniqueName(string prefix)
    {
        string name = prefix;
        while (!_names.Add(name))
            name = $"{prefix}_{_counter++}";
        return name;
    }

    public Dictionary<string, TensorProto> Initializers() => Graph.Initializer.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public TensorProto? Initializer(string name) => Graph.Initializer.FirstOrDefault(t => t.Name == name);

    public string AddInitializer(TensorProto tensor)
    {
        _names.Add(tensor.Name);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public Dictionary<string, NodeProto> Producers()
    {
        var map = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var n in Graph.Node)
            foreach (string o in n.Output)
                if (o.Length > 0) map[o] = n;
        return map;
    }

    public Dictionary<string, List<NodeProto>> Consumers()
    {
        var map = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var n in Graph.Node)
            foreach (string i in n.Input.Concat(SubgraphInputs(n)).Distinct())
            {
                if (i.Length == 0) continue;
                if (!map.TryGetValue(i, out var list)) map[i] = list = [];
                list.Add(n);
            }
        return map;
    }

    public bool IsGraphOutput(string name) => Graph.Output.Any(o => o.Name == name);

    /// <summary>Replaces every read of <paramref name="from"/> by <paramref name="to"/> (nodes only, not graph outputs).</summary>
    public void RenameInput(string from, string to)
    {
        foreach (var n in Graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == from) n.Input[i] = to;
    }

    /// <summary>Drops initializers no node or graph output reads.</summary>
    public void RemoveUnusedInitializers()
    {
        var used = new HashSet<string>(Graph.Node.SelectMany(n => n.Input.Concat(SubgraphInputs(n))), StringComparer.Ordinal);
        used.UnionWith(Graph.Output.Select(o => o.Name));
        var keep = Graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        Graph.Initializer.Clear();
        Graph.Initializer.AddRange(keep);
    }

    /// <summary>Rank of a value when a graph input, output or value_info declares its shape.</summary>
    public int? DeclaredRank(string name)
    {
        foreach (var vi in Graph.Input.Concat(Graph.Output).Concat(Graph.ValueInfo))
            if (vi.Name == name && vi.Type?.TensorType?.Shape is { } shape)
                return shape.Dim.Count;
        if (Initializer(name) is { } t)
            return t.Dims.Count;
        return null;
    }

    /// <summary>Names read by nodes inside a node's subgraphs (If/Loop/Scan bodies) from the outer scope.</summary>
    public static IEnumerable<string> SubgraphInputs(NodeProto node)
    {
        foreach (var a in node.Attribute)
        {
            foreach (var g in a.Graphs.Append(a.G))
            {
                if (g is null) continue;
                foreach (var n in g.Node)
                {
                    foreach (string i in n.Input) yield return i;
                    foreach (string i in SubgraphInputs(n)) yield return i;
                }
            }
        }
    }

    public static AttributeProto? Attr(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);
    public static long AttrInt(NodeProto node, string name, long fallback) => Attr(node, name) is { HasI: true } a ? a.I : fallback;
    public static float AttrFloat(NodeProto node, string name, float fallback) => Attr(node, name) is { HasF: true } a ? a.F : fallback;
    public static void RemoveAttr(NodeProto node, string name)
    {
        var a = Attr(node, name);
        if (a is not null) node.Attribute.Remove(a);
    }
    public static void SetAttr(NodeProto node, AttributeProto attribute)
    {
        RemoveAttr(node, attribute.Name);
        node.Attribute.Add(attribute);
    }
}
