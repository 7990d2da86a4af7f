using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.Quantize.Onnx;

namespace LongTail.Bench;

/// <summary>
/// <c>onnx-bytes --model M.onnx</c>: where the bytes of a serialized ONNX model go — initializer data by role (integer
/// weights, int32 biases, quantization scales and zero points, float tensors, shape constants), tensor names and
/// headers, node names, doc strings, node input/output names, attributes, graph inputs/outputs/value_info. A debug tool
/// for the quantizer's output size; <c>quantize</c> prints the same breakdown of its output.
/// </summary>
public static class OnnxBytesCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "model");
        string path = a.Require("model");
        var model = OnnxModelFile.Load(path);
        var b = Breakdown(model);
        BenchOutput.Log(Format(b));
        BenchOutput.Emit(new { command = "onnx-bytes", model = path, size = model.CalculateSize(), breakdown = b });
        return 0;
    }

    /// <summary>Bytes by category; the values add up to the serialized size.</summary>
    public static SortedDictionary<string, long> Breakdown(ModelProto model)
    {
        var r = new SortedDictionary<string, long>(StringComparer.Ordinal);
        void Add(string key, long bytes) => r[key] = r.GetValueOrDefault(key) + bytes;
        var g = model.Graph;

        // Role of each initializer from its consumers (a Cast counts when it widens a DequantizeLinear's data: a narrow bias).
        var dqData = new HashSet<string>(g.Node.Where(n => n.OpType == "DequantizeLinear" && n.Input.Count > 0).Select(n => n.Input[0]), StringComparer.Ordinal);
        var role = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in g.Node)
            for (int i = 0; i < n.Input.Count; i++)
            {
                string name = n.Input[i];
                if (name.Length == 0 || role.GetValueOrDefault(name, "").Length > 0) continue;
                role[name] = (n.OpType, i) switch
                {
                    ("QuantizeLinear" or "DequantizeLinear", 1) => "scales",
                    ("QuantizeLinear" or "DequantizeLinear", 2) => "zero_points",
                    ("DequantizeLinear", 0) => "dq_data",
                    ("MatMulNBits", 1) => "dq_data",
                    ("MatMulNBits", 2) => "scales",
                    ("MatMulInteger", 1) => "dq_data",
                    ("Cast", 0) when dqData.Contains(n.Output[0]) => "cast_data",
                    _ => "",
                };
            }
        foreach (var t in g.Initializer)
        {
            var type = (TensorProto.Types.DataType)t.DataType;
            string kind = role.GetValueOrDefault(t.Name, "");
            if (kind == "dq_data")
                kind = type == TensorProto.Types.DataType.Int32 ? "bias_int32" : "weights_int";
            else if (kind == "cast_data")
                kind = "bias_narrow";
            else if (kind.Length == 0)
                kind = type switch
                {
                    TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Double
                        => t.Dims.Aggregate(1L, (x, y) => x * y) > 1 ? "float_tensors" : "float_scalars",
                    TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32 => "int_constants",
                    _ => "other_tensors",
                };
            long total = CodedOutputStream.ComputeMessageSize(t) + 1;
            long data = t.RawData.Length + t.FloatData.Count * 4L + t.Int32Data.Count * 4L + t.Int64Data.Count * 8L + t.DoubleData.Count * 8L;
            long name = t.Name.Length > 0 ? CodedOutputStream.ComputeStringSize(t.Name) + 1 : 0;
            Add($"init.{kind}.data", data);
            Add("names.initializers", name);
            Add("init.headers", total - data - name); // tags, lengths, dims, data type
        }
        foreach (var n in g.Node)
        {
            long total = CodedOutputStream.ComputeMessageSize(n) + 1;
            long name = n.Name.Length > 0 ? CodedOutputStream.ComputeStringSize(n.Name) + 1 : 0;
            long doc = n.DocString.Length > 0 ? CodedOutputStream.ComputeStringSize(n.DocString) + 1 : 0;
            long io = n.Input.Concat(n.Output).Sum(s => (long)CodedOutputStream.ComputeStringSize(s) + 1);
            long attrs = n.Attribute.Sum(x => (long)CodedOutputStream.ComputeMessageSize(x) + 1);
            Add("names.nodes", name);
            Add("doc_strings", doc);
            Add("node.inputs_outputs", io);
            Add("node.attributes", attrs);
            Add("node.op_type_and_overhead", total - name - doc - io - attrs);
        }
        long graphIo = g.Input.Concat(g.Output).Sum(v => (long)CodedOutputStream.ComputeMessageSize(v) + 1);
        long valueInfo = g.ValueInfo.Sum(v => (long)CodedOutputStream.ComputeMessageSize(v) + 1);
        Add("graph.inputs_outputs", graphIo);
        Add("graph.value_info", valueInfo);
        long graphDoc = g.DocString.Length > 0 ? CodedOutputStream.ComputeStringSize(g.DocString) + 1 : 0;
        Add("doc_strings", graphDoc + (model.DocString.Length > 0 ? CodedOutputStream.ComputeStringSize(model.DocString) + 1 : 0));
        long graphTotal = CodedOutputStream.ComputeMessageSize(g) + 1;
        long counted = r.Where(kv => kv.Key != "doc_strings").Sum(kv => kv.Value) + graphDoc;
        Add("graph.other", graphTotal - counted);
        long modelDoc = model.DocString.Length > 0 ? CodedOutputStream.ComputeStringSize(model.DocString) + 1 : 0;
        Add("model.other", model.CalculateSize() - graphTotal - modelDoc);
        return r;
    }

    public static string Format(SortedDictionary<string, long> b)
    {
        long total = b.Values.Sum();
        return string.Join(Environment.NewLine, b.OrderByDescending(kv => kv.Value)
            .Select(kv => $"{kv.Key,-32} {kv.Value,10:N0}  {100.0 * kv.Value / total,5:F1} %")) + Environment.NewLine + $"{"total",-32} {total,10:N0}";
    }
}
