using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Quantize.Onnx;
using Google.Protobuf;

namespace Microsoft.ML.Quantize.Calibration;

/// <summary>
/// SmoothQuant-style scale migration for MatMul/Gemm inputs: per input channel k, s_k = max|X_k|^alpha / max|W_k|^(1-alpha);
/// the activation is divided by s (an inserted <c>Mul</c> by 1/s) and the weight rows multiplied by s, so outlier
/// channels of the activation move into the weights, which are quantized per channel.
/// </summary>
internal static class SmoothQuant
{
    public static int Apply(ModelProto model, List<NodeProto> nodes, IEnumerable<IReadOnlyList<InputBatch>> data, float alpha)
    {
        var e = new GraphEditor(model);
        var inits = e.Initializers();
        var targets = nodes.Where(n => n.OpType is "MatMul" or "Gemm").ToList();
        if (targets.Count == 0) return 0;
        int KOf(NodeProto n)
        {
            var w = inits[n.Input[1]];
            return (int)(n.OpType == "Gemm" && GraphEditor.AttrInt(n, "transB", 0) != 0 ? w.Dims[1] : w.Dims[0]);
        }
        var channels = targets.GroupBy(n => n.Input[0]).ToDictionary(g => g.Key, g => KOf(g.First()), StringComparer.Ordinal);
        var absmax = ChannelAbsMax(model, channels, data);
        int applied = 0;
        foreach (var n in targets)
        {
            var w = inits[n.Input[1]];
            float[] wf = TensorData.ToSingles(w);
            bool transB = n.OpType == "Gemm" && GraphEditor.AttrInt(n, "transB", 0) != 0;
            long rows = w.Dims[0], cols = w.Dims[1];
            int k = KOf(n);
            if (!absmax.TryGetValue(n.Input[0], out var xmax) || xmax.Length != k) continue;
            var wmax = new float[k];
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < cols; c++)
                {
                    int ch = (int)(transB ? c : r);
                    wmax[ch] = Math.Max(wmax[ch], Math.Abs(wf[r * cols + c]));
                }
            var s = new float[k];
            for (int ch = 0; ch < k; ch++)
                s[ch] = xmax[ch] > 0 && wmax[ch] > 0 ? (float)Math.Max(1e-5, Math.Pow(xmax[ch], alpha) / Math.Pow(wmax[ch], 1 - alpha)) : 1f;
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < cols; c++)
                    wf[r * cols + c] *= s[transB ? c : r];
            string wName = e.AddInitializer(TensorData.Floats(e.UniqueName(n.Input[1] + "_smooth"), wf, w.Dims.ToArray()));
            string inv = e.AddInitializer(TensorData.Floats(e.UniqueName(n.Input[0] + "_smooth_inv"), s.Select(v => 1f / v).ToArray(), k));
            string xs = e.UniqueName(n.Input[0] + "_smooth");
            var mul = GraphPreparation.Node("Mul", [n.Input[0], inv], [xs], e.UniqueName(n.Name + "_smooth"));
            e.Graph.Node.Insert(IndexOf(e.Graph, n), mul);
            n.Input[0] = xs;
            n.Input[1] = wName;
            applied++;
        }
        e.RemoveUnusedInitializers();
        return applied;
    }

    private static int IndexOf(GraphProto g, NodeProto n)
    {
        for (int i = 0; i < g.Node.Count; i++)
            if (ReferenceEquals(g.Node[i], n)) return i;
        throw new InvalidOperationException("Node not in graph.");
    }

    /// <summary>Per-channel (last dimension) maximum absolute value of the given tensors over the data.</summary>
    private static Dictionary<string, float[]> ChannelAbsMax(ModelProto model, Dictionary<string, int> channels, IEnumerable<IReadOnlyList<InputBatch>> data)
    {
        var inputs = new HashSet<string>(model.Graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        var augmented = model.Clone();
        foreach (string t in channels.Keys)
            if (!inputs.Contains(t) && !augmented.Graph.Output.Any(o => o.Name == t))
                augmented.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        string[] fetched = channels.Keys.Where(t => !inputs.Contains(t)).ToArray();
        var result = channels.ToDictionary(kv => kv.Key, kv => new float[kv.Value], StringComparer.Ordinal);
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(augmented.ToByteArray(), so);
        using var ro = new RunOptions();
        void Visit(string name, ReadOnlySpan<float> v)
        {
            var m = result[name];
            for (int i = 0; i < v.Length; i++)
            {
                int ch = i % m.Length;
                m[ch] = Math.Max(m[ch], Math.Abs(v[i]));
            }
        }
        foreach (var batch in data)
        {
            foreach (var b in batch)
                if (result.ContainsKey(b.Name)) Visit(b.Name, b.Data);
            if (fetched.Length == 0) continue;
            var values = batch.Select(b => OrtValue.CreateTensorValueFromMemory(b.Data, b.Shape)).ToArray();
            try
            {
                using var outputs = session.Run(ro, batch.Select(b => b.Name).ToArray(), values, fetched);
                for (int i = 0; i < fetched.Length; i++) Visit(fetched[i], outputs[i].GetTensorDataAsSpan<float>());
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }
        return result;
    }

    /// <summary>Runs a model on the batches and returns its first output, concatenated.</summary>
    public static float[] FirstOutput(byte[] model, IReadOnlyList<IReadOnlyList<InputBatch>> batches)
    {
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model, so);
        using var ro = new RunOptions();
        var all = new List<float>();
        foreach (var batch in batches)
        {
            var values = batch.Select(b => OrtValue.CreateTensorValueFromMemory(b.Data, b.Shape)).ToArray();
            try
            {
                using var outputs = session.Run(ro, batch.Select(b => b.Name).ToArray(), values, [session.OutputNames[0]]);
                all.AddRange(outputs[0].GetTensorDataAsSpan<float>().ToArray());
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }
        return all.ToArray();
    }
}
