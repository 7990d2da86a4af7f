using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.Quantize.Calibration;
using Microsoft.ML.Quantize.Onnx;

namespace Microsoft.ML.Quantize;

/// <summary>Rewrites a prepared float model into its quantized form (static QDQ, dynamic, int4 weight-only).</summary>
internal sealed class ModelQuantizer
{
    private readonly GraphEditor _e;
    private readonly OnnxQuantizationOptions _o;
    private readonly Dictionary<string, TensorProto> _inits;

    public ModelQuantizer(ModelProto prepared, OnnxQuantizationOptions options)
    {
        _e = new GraphEditor(prepared);
        _o = options;
        _inits = _e.Initializers();
    }

    public List<ExcludedNode> Excluded { get; } = [];
    public SortedDictionary<string, int> Quantized { get; } = new(StringComparer.Ordinal);
    public int CalibrationRows { get; private set; }

    /// <summary>Operators with a weight input (quantized with int8 weights).</summary>
    internal static readonly string[] WeightedOps = ["Conv", "MatMul", "Gemm"];

    /// <summary>Activation-only operators ONNX Runtime's QDQ transformer fuses into integer kernels on CPU when every
    /// input comes from a DequantizeLinear and the output goes to a QuantizeLinear.</summary>
    internal static readonly string[] FusedActivationOps = ["Add", "Mul", "GlobalAveragePool", "AveragePool", "Concat", "Sigmoid"];

    /// <summary>Operators that only move or select values: their output shares the input's scale and zero point, and
    /// ONNX Runtime drops the DQ/Q pair around them (they run on the 8-bit data).</summary>
    internal static readonly string[] PassThroughOps = ["MaxPool", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze"];

    public static HashSet<string> DefaultOps(QuantizationMode mode) => mode switch
    {
        QuantizationMode.Dynamic => ["MatMul", "Gemm"],
        QuantizationMode.Static => [.. OnnxQuantizationOptions.DefaultStaticOpTypes],
        _ => ["Conv", "MatMul", "Gemm"],
    };

    /// <summary>Whether static mode quantizes activation operators (any of <see cref="FusedActivationOps"/>); graph
    /// rewrites that only pay with them (Div folding, HardSigmoid folding) follow it.</summary>
    public bool ActivationOpsEnabled => (_o.OpTypesToQuantize ?? DefaultOps(_o.Mode)).Any(t => Array.IndexOf(FusedActivationOps, t) >= 0);

    private static bool IsWeighted(NodeProto n) => n.Domain.Length == 0 && n.OpType is "Conv" or "MatMul" or "Gemm";
    private static bool IsFusedActivation(NodeProto n) => n.Domain.Length == 0 && Array.IndexOf(FusedActivationOps, n.OpType) >= 0;
    private static bool IsPassThrough(NodeProto n) => n.Domain.Length == 0 && Array.IndexOf(PassThroughOps, n.OpType) >= 0;

    /// <summary>Chooses the nodes to quantize and records the others of quantizable types with the reason.</summary>
    public List<NodeProto> SelectNodes()
    {
        var ops = new HashSet<string>(_o.OpTypesToQuantize ?? DefaultOps(_o.Mode), StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        HashSet<string>? floats = null;
        foreach (var n in _e.Graph.Node)
        {
            bool weighted = IsWeighted(n);
            bool activation = _o.Mode == QuantizationMode.Static && (IsFusedActivation(n) || IsPassThrough(n));
            if (!weighted && !activation)
                continue;
            // Activation operators not asked for are left out silently (they are float in every model).
            if (activation && !ops.Contains(n.OpType))
                continue;
            string? reason = null;
            if (_o.NodesToExclude.Contains(n.Name)) reason = "excluded by NodesToExclude";
            else if (_o.OpTypesToExclude.Contains(n.OpType)) reason = "excluded by OpTypesToExclude";
            else if (activation) reason = ActivationReason(n, floats ??= FloatTensors());
            else if (!ops.Contains(n.OpType)) reason = _o.Mode == QuantizationMode.Dynamic && n.OpType == "Conv"
                ? "dynamic mode quantizes MatMul and Gemm only" : "operator type not in OpTypesToQuantize";
            else if (n.Input.Count < 2 || !_inits.TryGetValue(n.Input[1], out var w)) reason = $"weight input '{(n.Input.Count > 1 ? n.Input[1] : "")}' is not a constant initializer";
            else if (!TensorData.IsFloat(w)) reason = "weight is not float32";
            else if (_inits.ContainsKey(n.Input[0])) reason = "first input is a constant";
            else if (n.OpType == "Conv" && w.Dims.Count < 3) reason = "Conv weight has fewer than 3 dimensions";
            else if (n.OpType != "Conv" && w.Dims.Count != 2) reason = "weight is not 2-D";
            else if (n.OpType == "Gemm" && GraphEditor.AttrInt(n, "transA", 0) != 0) reason = "Gemm with transA = 1";
            else if (n.OpType == "Gemm" && n.Input.Count > 2 && n.Input[2].Length > 0 && !_inits.ContainsKey(n.Input[2])) reason = "Gemm bias is not a constant";
            else if (_o.Mode == QuantizationMode.Dynamic && n.OpType == "MatMul" && w.Dims.Count != 2) reason = "weight is not 2-D";
            if (reason is null) nodes.Add(n);
            else Excluded.Add(new ExcludedNode(n.Name, n.OpType, reason));
        }
        return nodes;
    }

    /// <summary>Why an activation operator cannot be wrapped in QDQ, or <see langword="null"/>.</summary>
    private string? ActivationReason(NodeProto n, HashSet<string> floats)
    {
        if (n.Output.Count != 1 || n.Output[0].Length == 0) return "more than one output";
        if (_e.IsGraphOutput(n.Output[0])) return "output is a graph output (it stays float)";
        if (IsPassThrough(n))
            return floats.Contains(n.Input[0]) ? null : "input is not known to be float32";
        var inputs = n.Input.Where(i => i.Length > 0).ToList();
        if (n.OpType is "Add" or "Mul" && inputs.Count != 2) return "not two inputs";
        if (inputs.Any(i => !floats.Contains(i))) return "an input is not known to be float32";
        if (inputs.All(_inits.ContainsKey)) return "every input is a constant";
        return null;
    }

    /// <summary>Tensors known to be float32: float graph inputs and initializers, and the outputs of operators that
    /// keep a float input float. Conservative: a tensor of unknown type is not float.</summary>
    private HashSet<string> FloatTensors()
    {
        const int f32 = (int)TensorProto.Types.DataType.Float;
        var floats = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in _e.Graph.Input)
            if (i.Type?.TensorType?.ElemType == f32) floats.Add(i.Name);
        foreach (var t in _e.Graph.Initializer)
            if (t.DataType == f32) floats.Add(t.Name);
        foreach (var vi in _e.Graph.ValueInfo)
            if (vi.Type?.TensorType?.ElemType == f32) floats.Add(vi.Name);
        foreach (var n in _e.Graph.Node)
        {
            if (n.Domain.Length > 0 || n.Output.Count == 0) continue;
            bool isFloat = n.OpType switch
            {
                "Add" or "Sub" or "Mul" or "Div" or "Concat" or "Sum" or "Max" or "Min" => n.Input.Where(i => i.Length > 0).All(floats.Contains),
                "Conv" or "MatMul" or "Gemm" or "Relu" or "Clip" or "HardSigmoid" or "HardSwish" or "Sigmoid" or "Tanh" or "LeakyRelu"
                    or "GlobalAveragePool" or "AveragePool" or "MaxPool" or "GlobalMaxPool" or "BatchNormalization" or "Softmax"
                    or "Reshape" or "Transpose" or "Flatten" or "Squeeze" or "Unsqueeze" or "Pad" or "Resize" or "Slice" or "Split"
                    or "Identity" or "Neg" or "Abs" or "Exp" or "Sqrt" or "ReduceMean" or "LRN" or "InstanceNormalization" => floats.Contains(n.Input[0]),
                "Cast" => GraphEditor.AttrInt(n, "to", 0) == f32,
                _ => false,
            };
            if (isFloat)
                foreach (string o in n.Output) if (o.Length > 0) floats.Add(o);
        }
        return floats;
    }

    /// <summary>Folds each HardSigmoid (max(0, min(1, αy + β))) that alone reads a Conv's output into that Conv
    /// (weights × α, bias × α + β) and turns it into Clip(0, 1), which static QDQ absorbs into the Conv's output range
    /// like a Relu, so ONNX Runtime removes it. Same values up to float rounding. Returns the number folded.</summary>
    public int FoldHardSigmoids()
    {
        var consumers = _e.Consumers();
        var producers = _e.Producers();
        int folded = 0;
        string? zero = null, one = null;
        foreach (var hs in _e.Graph.Node.ToList())
        {
            if (hs.Domain.Length > 0 || hs.OpType != "HardSigmoid" || hs.Input.Count != 1 || !producers.TryGetValue(hs.Input[0], out var conv)
                || conv.Domain.Length > 0 || conv.OpType != "Conv" || conv.Output[0] != hs.Input[0] || _e.IsGraphOutput(conv.Output[0])
                || consumers[conv.Output[0]].Count != 1 || _o.NodesToExclude.Contains(conv.Name) || _o.NodesToExclude.Contains(hs.Name)
                || _o.OpTypesToExclude.Contains("Conv") || _o.OpTypesToExclude.Contains("HardSigmoid"))
                continue;
            float alpha = GraphEditor.AttrFloat(hs, "alpha", 0.2f), beta = GraphEditor.AttrFloat(hs, "beta", 0.5f);
            if (conv.Input.Count < 2 || !_inits.TryGetValue(conv.Input[1], out var w) || !TensorData.IsFloat(w) || w.Dims.Count < 3
                || consumers[conv.Input[1]].Count != 1 || !(alpha != 0 && float.IsFinite(alpha) && float.IsFinite(beta)))
                continue;
            bool hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
            TensorProto? b = null;
            if (hasBias && (!_inits.TryGetValue(conv.Input[2], out b) || !TensorData.IsFloat(b) || consumers[conv.Input[2]].Count != 1 || b.Dims.Count != 1 || b.Dims[0] != w.Dims[0]))
                continue;
            float[] wf = TensorData.ToSingles(w);
            for (int i = 0; i < wf.Length; i++) wf[i] *= alpha;
            float[] bf = b is null ? new float[w.Dims[0]] : TensorData.ToSingles(b);
            for (int i = 0; i < bf.Length; i++) bf[i] = bf[i] * alpha + beta;
            var nw = TensorData.Floats(_e.UniqueName(conv.Input[1] + "_hs"), wf, w.Dims.ToArray());
            var nb = TensorData.Floats(_e.UniqueName((hasBias ? conv.Input[2] : conv.Input[1]) + "_hsb"), bf, bf.Length);
            _inits[_e.AddInitializer(nw)] = nw;
            _inits[_e.AddInitializer(nb)] = nb;
            conv.Input[1] = nw.Name;
            if (hasBias) conv.Input[2] = nb.Name;
            else
            {
                while (conv.Input.Count < 2) conv.Input.Add("");
                conv.Input.Add(nb.Name);
            }
            zero ??= _e.AddInitializer(TensorData.Floats(_e.UniqueName("hardsigmoid_min"), [0f]));
            one ??= _e.AddInitializer(TensorData.Floats(_e.UniqueName("hardsigmoid_max"), [1f]));
            hs.OpType = "Clip";
            hs.Attribute.Clear();
            hs.Input.Add(zero);
            hs.Input.Add(one);
            folded++;
        }
        if (folded > 0)
        {
            _e.RemoveUnusedInitializers();
            foreach (string name in _inits.Keys.Where(k => _e.Initializer(k) is null).ToList()) _inits.Remove(name);
        }
        return folded;
    }

    private void Count(NodeProto n) => Quantized[n.OpType] = Quantized.GetValueOrDefault(n.OpType) + 1;

    // ---------------------------------------------------------------- static QDQ

    /// <summary>Where the QDQ pairs of a static model go.</summary>
    /// <param name="Tensors">Tensors followed by a QuantizeLinear/DequantizeLinear pair, in order.</param>
    /// <param name="SharedWith">Outputs of pass-through operators and the input whose scale and zero point they reuse.</param>
    /// <param name="Applied">The nodes the pairs are for (pass-through nodes only when their input is quantized).</param>
    /// <param name="Folded">Outputs of a <c>Div</c> by a positive scalar constant that is removed: the QuantizeLinear
    /// reads the Div's input with the scale multiplied by the divisor, and the DequantizeLinear (plain scale) stands for
    /// the Div's output.</param>
    public sealed record QdqPlan(List<string> Tensors, Dictionary<string, string> SharedWith, List<NodeProto> Applied,
        Dictionary<string, (string Input, float Divisor, NodeProto Div)> Folded)
    {
        /// <summary>The tensor whose calibrated range <paramref name="t"/> uses.</summary>
        public string Source(string t)
        {
            while (SharedWith.TryGetValue(t, out string? s)) t = s;
            return t;
        }
    }

    /// <summary>Activations to quantize: each quantized node's activation inputs, and its output — or, when the output
    /// feeds only a Relu/Clip, that activation's output (ONNX Runtime then removes the Relu/Clip and fuses node + Q);
    /// pass-through nodes whose input is quantized get a pair on their output with the input's parameters.</summary>
    public QdqPlan Plan(List<NodeProto> nodes)
    {
        var consumers = _e.Consumers();
        var tensors = new List<string>();
        var set = new HashSet<string>(StringComparer.Ordinal);
        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        var applied = new List<NodeProto>();
        var folded = new Dictionary<string, (string Input, float Divisor, NodeProto Div)>(StringComparer.Ordinal);
        void AddTensor(string t) { if (set.Add(t)) tensors.Add(t); }
        NodeProto? SoleUser(string y) => !_e.IsGraphOutput(y) && consumers.TryGetValue(y, out var users) && users.Count == 1
            && users[0].Domain.Length == 0 ? users[0] : null;
        string Absorb(string y)
        {
            if (SoleUser(y) is { OpType: "Relu" or "Clip" } act)
                y = act.Output[0];
            // x / c with c > 0 quantized with scale s is x quantized with scale s·c: the Div goes (hard-swish's "/ 6").
            if (_o.Mode == QuantizationMode.Static && ActivationOpsEnabled && SoleUser(y) is { OpType: "Div" } div && div.Input.Count == 2
                && div.Input[0] == y && !_e.IsGraphOutput(div.Output[0]) && !_o.NodesToExclude.Contains(div.Name) && !_o.OpTypesToExclude.Contains("Div")
                && _inits.TryGetValue(div.Input[1], out var c) && TensorData.IsFloat(c) && TensorData.ToSingles(c) is [var divisor]
                && divisor > 0 && float.IsFinite(divisor))
            {
                folded[div.Output[0]] = (y, divisor, div);
                y = div.Output[0];
            }
            return y;
        }
        foreach (var n in nodes)
        {
            if (IsPassThrough(n)) continue;
            applied.Add(n);
            if (IsFusedActivation(n))
            {
                foreach (string i in n.Input)
                    if (i.Length > 0 && !_inits.ContainsKey(i)) AddTensor(i);
                AddTensor(Absorb(n.Output[0]));
                continue;
            }
            AddTensor(n.Input[0]);
            string y = n.Output[0];
            // A graph output stays float and unquantized: Gemm then fuses to QGemm with a float output, MatMul to
            // MatMulIntegerToFloat (a Q on a graph output would leave the float op unfused).
            if (_e.IsGraphOutput(y) && n.OpType != "Conv")
                continue;
            AddTensor(Absorb(y));
        }
        // In graph order, so a chain (Reshape → Transpose) takes its parameters from the first quantized input.
        foreach (var n in nodes)
        {
            if (!IsPassThrough(n) || !set.Contains(n.Input[0])) continue;
            applied.Add(n);
            AddTensor(n.Output[0]);
            shared[n.Output[0]] = n.Input[0];
        }
        return new QdqPlan(tensors, shared, applied, folded);
    }

    /// <summary>Activations to quantize (see <see cref="Plan"/>).</summary>
    public List<string> ActivationTensors(List<NodeProto> nodes) => Plan(nodes).Tensors;

    /// <summary>Calibrates the activations of <paramref name="nodes"/> on the float model and returns their quantization parameters.</summary>
    public Dictionary<string, (float Scale, int Zero)> Calibrate(List<NodeProto> nodes, IEnumerable<IReadOnlyList<InputBatch>> data)
    {
        var plan = Plan(nodes);
        var calibrated = plan.Tensors.Where(t => !plan.SharedWith.ContainsKey(t)).ToList();
        var ranges = Calibrator.Calibrate(_e.Model, calibrated, data, _o, out int rows);
        CalibrationRows = rows;
        var q = new Dictionary<string, (float Scale, int Zero)>(StringComparer.Ordinal);
        foreach (string t in calibrated)
            q[t] = ActivationParams(ranges[t]);
        return q;
    }

    /// <summary>Rewrites the model with QDQ around <paramref name="nodes"/>, using calibrated activation parameters.</summary>
    public ModelProto Static(List<NodeProto> nodes, Dictionary<string, (float Scale, int Zero)> q, int calibrationRows)
    {
        CalibrationRows = calibrationRows;
        var plan = Plan(nodes);
        var tensors = plan.Tensors;
        // Scale and zero point of each quantized activation, shared by its Q and DQ (and by bias scales computed from it);
        // the outputs of pass-through nodes reuse their input's initializers.
        var actParams = new Dictionary<string, (string Scale, string Zero)>(StringComparer.Ordinal);
        foreach (string t in tensors)
        {
            if (plan.SharedWith.TryGetValue(t, out string? source))
            {
                actParams[t] = actParams[source];
                continue;
            }
            var (scale, zero) = q[t];
            string sn = _e.AddInitializer(TensorData.Floats(_e.UniqueName(t + "_s"), [scale]));
            string zn = _e.AddInitializer(_o.ActivationType == ActivationType.UInt8
                ? TensorData.Bytes(_e.UniqueName(t + "_z"), [(byte)zero]) : TensorData.SBytes(_e.UniqueName(t + "_z"), [(sbyte)zero]));
            actParams[t] = (sn, zn);
        }
        var front = new List<NodeProto>();
        var weightRewrites = new Dictionary<(NodeProto, int), string>(new NodeSlotComparer());
        foreach (var n in plan.Applied)
        {
            if (!IsWeighted(n))
            {
                // Constant inputs of Add/Mul/Concat: 8-bit like the activations (ONNX Runtime's fusions want every
                // input of one type), with their own range.
                for (int i = 0; i < n.Input.Count; i++)
                    if (n.Input[i].Length > 0 && _inits.TryGetValue(n.Input[i], out var c))
                        weightRewrites[(n, i)] = QuantizeConstant(c, front);
                Count(n);
                continue;
            }
            var w = _inits[n.Input[1]];
            float[] wf = TensorData.ToSingles(w);
            long[] dims = w.Dims.ToArray();
            int axis = !_o.PerChannel ? -1 : n.OpType switch
            {
                "Conv" => 0,
                "Gemm" when GraphEditor.AttrInt(n, "transB", 0) != 0 => 0,
                _ => 1,
            };
            var (values, scales, chosenAxis) = QuantizeWeight(wf, dims, axis);
            axis = chosenAxis;
            string wq = _e.AddInitializer(TensorData.SBytes(_e.UniqueName(n.Input[1] + "_q"), values.Select(v => (sbyte)v).ToArray(), dims));
            string ws = _e.AddInitializer(axis < 0 ? TensorData.Floats(_e.UniqueName(n.Input[1] + "_s"), scales) : TensorData.Floats(_e.UniqueName(n.Input[1] + "_s"), scales, scales.Length));
            // Symmetric weights: Conv and MatMul omit the zero point input (0, typed by the int8 data), a byte per channel;
            // ONNX Runtime's Gemm fusion (QGemm) requires it.
            string? wz = n.OpType != "Gemm" ? null : _e.AddInitializer(axis < 0 ? TensorData.SBytes(_e.UniqueName(n.Input[1] + "_z"), [0])
                : TensorData.SBytes(_e.UniqueName(n.Input[1] + "_z"), new sbyte[scales.Length], scales.Length));
            string wdq = _e.UniqueName(n.Input[1] + "_dq");
            front.Add(Dq(wq, ws, wz, wdq, axis));
            weightRewrites[(n, 1)] = wdq;

            bool hasBias = n.Input.Count > 2 && n.Input[2].Length > 0;
            bool biasOk = hasBias && (n.OpType != "Gemm" || GraphEditor.AttrFloat(n, "beta", 1f) == 1f);
            if (biasOk && _inits.TryGetValue(n.Input[2], out var b) && TensorData.IsFloat(b) && b.Dims.Count == 1 && (b.Dims[0] == scales.Length || axis < 0))
            {
                float inScale = q[plan.Source(n.Input[0])].Scale;
                float[] bf = TensorData.ToSingles(b);
                var bs = new float[axis < 0 ? 1 : bf.Length];
                for (int c = 0; c < bs.Length; c++) bs[c] = inScale * scales[c];
                var bq = new int[bf.Length];
                for (int c = 0; c < bf.Length; c++)
                    bq[c] = (int)Math.Clamp(Math.Round(bf[c] / (double)bs[axis < 0 ? 0 : c]), int.MinValue, int.MaxValue);
                string bqn = NarrowInt32s(n.Input[2] + "_q", bq, front);
                string bsn;
                if (axis >= 0 && _o.ComputedBiasScales)
                {
                    // Per-channel bias scales are the input scale times the weight scales: one Mul of the two stored
                    // initializers (ONNX Runtime folds it when the session loads) instead of 4 more bytes per channel.
                    // The float product is the one the int32 bias was rounded with above.
                    bsn = _e.UniqueName(n.Input[2] + "_s");
                    front.Add(GraphPreparation.Node("Mul", [actParams[n.Input[0]].Scale, ws], [bsn], ""));
                }
                else
                    bsn = _e.AddInitializer(axis < 0 ? TensorData.Floats(_e.UniqueName(n.Input[2] + "_s"), bs) : TensorData.Floats(_e.UniqueName(n.Input[2] + "_s"), bs, bs.Length));
                string bdq = _e.UniqueName(n.Input[2] + "_dq");
                var dq = GraphPreparation.Node("DequantizeLinear", [bqn, bsn], [bdq], "");
                if (axis >= 0) dq.Attribute.Add(OnnxAttribute.Int("axis", 0));
                front.Add(dq);
                weightRewrites[(n, 2)] = bdq;
            }
            Count(n);
        }

        // Q/DQ pairs: consumers of a quantized tensor read its DQ output.
        var qdq = new Dictionary<string, (NodeProto Q, NodeProto Dq)>(StringComparer.Ordinal);
        // The pairs by the tensor their QuantizeLinear reads (a folded Div's input rather than its output).
        var after = new Dictionary<string, (NodeProto Q, NodeProto Dq)>(StringComparer.Ordinal);
        var removed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (string t in tensors)
        {
            // Generated Q/DQ nodes are unnamed (names are optional in ONNX) and their values get short suffixes.
            var (s, z) = actParams[t];
            string qInput = t, qScale = s;
            if (plan.Folded.TryGetValue(t, out var fold))
            {
                qInput = fold.Input;
                qScale = _e.AddInitializer(TensorData.Floats(_e.UniqueName(t + "_s"), [q[plan.Source(t)].Scale * fold.Divisor]));
                removed.Add(fold.Div);
            }
            string tq = _e.UniqueName(t + "_q"), tdq = _e.UniqueName(t + "_dq");
            qdq[t] = after[qInput] = (GraphPreparation.Node("QuantizeLinear", [qInput, qScale, z], [tq], ""),
                GraphPreparation.Node("DequantizeLinear", [tq, s, z], [tdq], ""));
        }
        var result = new List<NodeProto>(front);
        foreach (var input in _e.Graph.Input)
            if (after.TryGetValue(input.Name, out var pair)) { result.Add(pair.Q); result.Add(pair.Dq); }
        foreach (var n in _e.Graph.Node.ToList())
        {
            if (removed.Contains(n))
            {
                Quantized["Div"] = Quantized.GetValueOrDefault("Div") + 1;
                continue;
            }
            for (int i = 0; i < n.Input.Count; i++)
            {
                if (weightRewrites.TryGetValue((n, i), out string? r)) n.Input[i] = r;
                else if (qdq.TryGetValue(n.Input[i], out var pair)) n.Input[i] = pair.Dq.Output[0];
            }
            result.Add(n);
            foreach (string o in n.Output)
                if (after.TryGetValue(o, out var pair)) { result.Add(pair.Q); result.Add(pair.Dq); }
        }
        _e.Graph.Node.Clear();
        _e.Graph.Node.AddRange(result);
        _e.RemoveUnusedInitializers();
        return _e.Model;
    }

    /// <summary>An 8-bit copy of a float constant (the activation type, asymmetric, one scale) read through a DequantizeLinear
    /// appended to <paramref name="front"/>; returns the DequantizeLinear's output.</summary>
    private string QuantizeConstant(TensorProto c, List<NodeProto> front)
    {
        float[] v = TensorData.ToSingles(c);
        var (scale, zero) = ActivationParams(new TensorRange(v.Length == 0 ? 0 : v.Min(), v.Length == 0 ? 0 : v.Max()));
        int qmin = _o.ActivationType == ActivationType.UInt8 ? 0 : -128, qmax = qmin + 255;
        var qv = v.Select(x => (int)Math.Clamp(Math.Round(x / (double)scale) + zero, qmin, qmax)).ToArray();
        long[] dims = c.Dims.ToArray();
        string qn = _e.AddInitializer(_o.ActivationType == ActivationType.UInt8
            ? TensorData.Bytes(_e.UniqueName(c.Name + "_q"), qv.Select(x => (byte)x).ToArray(), dims)
            : TensorData.SBytes(_e.UniqueName(c.Name + "_q"), qv.Select(x => (sbyte)x).ToArray(), dims));
        string sn = _e.AddInitializer(TensorData.Floats(_e.UniqueName(c.Name + "_s"), [scale]));
        string zn = _e.AddInitializer(_o.ActivationType == ActivationType.UInt8
            ? TensorData.Bytes(_e.UniqueName(c.Name + "_z"), [(byte)zero]) : TensorData.SBytes(_e.UniqueName(c.Name + "_z"), [(sbyte)zero]));
        string dq = _e.UniqueName(c.Name + "_dq");
        front.Add(GraphPreparation.Node("DequantizeLinear", [qn, sn, zn], [dq], ""));
        return dq;
    }

    public int PerChannelWeights { get; private set; }
    public int PerTensorWeights { get; private set; }

    /// <summary>Symmetric int8 weights along <paramref name="axis"/> (-1: one scale), falling back to one scale when
    /// <see cref="OnnxQuantizationOptions.PerChannelMinErrorReduction"/> says per-channel scales do not pay.</summary>
    private (int[] Values, float[] Scales, int Axis) QuantizeWeight(float[] w, long[] dims, int axis)
    {
        var (values, scales) = WeightQuantizer.Quantize(w, dims, axis, -127, 127, _o.WeightClipping);
        if (axis >= 0 && scales.Length > 1 && _o.PerChannelMinErrorReduction > 1)
        {
            var (vt, st) = WeightQuantizer.Quantize(w, dims, -1, -127, 127, _o.WeightClipping);
            double perTensor = WeightQuantizer.SquaredError(w, vt, st, dims, -1), perChannel = WeightQuantizer.SquaredError(w, values, scales, dims, axis);
            if (perTensor < _o.PerChannelMinErrorReduction * perChannel)
                (values, scales, axis) = (vt, st, -1);
        }
        if (axis >= 0) PerChannelWeights++;
        else PerTensorWeights++;
        return (values, scales, axis);
    }

    /// <summary>Adds an int32 tensor; with <see cref="OnnxQuantizationOptions.NarrowBiasStorage"/> and values that fit in
    /// int8 or int16, it is stored in that type and widened by a Cast (appended to <paramref name="front"/>), which
    /// ONNX Runtime folds back into an int32 constant when the session loads.</summary>
    private string NarrowInt32s(string name, int[] values, List<NodeProto> front)
    {
        bool int8 = values.All(v => v is >= sbyte.MinValue and <= sbyte.MaxValue);
        bool int16 = values.All(v => v is >= short.MinValue and <= short.MaxValue);
        if (!_o.NarrowBiasStorage || !int16)
            return _e.AddInitializer(TensorData.Int32s(_e.UniqueName(name), values, values.Length));
        string stored = _e.AddInitializer(int8
            ? TensorData.SBytes(_e.UniqueName(name + "8"), values.Select(v => (sbyte)v).ToArray(), values.Length)
            : TensorData.Int16s(_e.UniqueName(name + "16"), values.Select(v => (short)v).ToArray(), values.Length));
        string wide = _e.UniqueName(name);
        front.Add(GraphPreparation.Node("Cast", [stored], [wide], "", OnnxAttribute.Int("to", (int)TensorProto.Types.DataType.Int32)));
        return wide;
    }

    private (float Scale, int Zero) ActivationParams(TensorRange r)
    {
        double rmin = Math.Min(r.Min, 0f), rmax = Math.Max(r.Max, 0f);
        int qmin = _o.ActivationType == ActivationType.UInt8 ? 0 : -128, qmax = qmin + 255;
        double scale = (rmax - rmin) / 255.0;
        if (!(scale > 1e-12) || double.IsInfinity(scale)) return (1f, _o.ActivationType == ActivationType.UInt8 ? 0 : 0);
        int zero = (int)Math.Clamp(Math.Round(qmin - rmin / scale), qmin, qmax);
        return ((float)scale, zero);
    }

    private NodeProto Dq(string x, string scale, string? zero, string output, int axis)
    {
        var dq = GraphPreparation.Node("DequantizeLinear", zero is null ? [x, scale] : [x, scale, zero], [output], "");
        if (axis >= 0) dq.Attribute.Add(OnnxAttribute.Int("axis", axis));
        return dq;
    }

    // ---------------------------------------------------------------- dynamic

    public ModelProto Dynamic(List<NodeProto> nodes)
    {
        var dql = new Dictionary<string, (string Q, string S, string Z, NodeProto Node)>(StringComparer.Ordinal);
        var replace = new Dictionary<NodeProto, List<NodeProto>>(ReferenceEqualityComparer.Instance);
        foreach (var n in nodes)
        {
            string x = n.Input[0];
            var preamble = new List<NodeProto>();
            if (!dql.TryGetValue(x, out var d))
            {
                string xq = _e.UniqueName(x + "_quantized"), xs = _e.UniqueName(x + "_scale"), xz = _e.UniqueName(x + "_zero");
                var node = GraphPreparation.Node("DynamicQuantizeLinear", [x], [xq, xs, xz], _e.UniqueName(x + "_DynQ"));
                dql[x] = d = (xq, xs, xz, node);
                preamble.Add(node);
            }
            var (wf, k, nOut, bias) = MatMulWeights(n);
            var (values, scales, axis) = QuantizeWeight(wf, [k, nOut], _o.PerChannel ? 1 : -1);
            string baseName = n.Input[1];
            string wq = _e.AddInitializer(TensorData.SBytes(_e.UniqueName(baseName + "_q"), values.Select(v => (sbyte)v).ToArray(), k, nOut));
            string ws = _e.AddInitializer(axis >= 0 ? TensorData.Floats(_e.UniqueName(baseName + "_s"), scales, nOut) : TensorData.Floats(_e.UniqueName(baseName + "_s"), scales));

            string y = n.Output[0];
            string yi = _e.UniqueName(y + "_int32"), yf = _e.UniqueName(y + "_float"), s = _e.UniqueName(y + "_rescale");
            string scaled = bias is null ? y : _e.UniqueName(y + "_nobias");
            preamble.Add(GraphPreparation.Node("MatMulInteger", [d.Q, wq, d.Z], [yi], _e.UniqueName(n.Name + "_MatMulInteger")));
            preamble.Add(GraphPreparation.Node("Cast", [yi], [yf], _e.UniqueName(n.Name + "_Cast"), OnnxAttribute.Int("to", (int)TensorProto.Types.DataType.Float)));
            preamble.Add(GraphPreparation.Node("Mul", [d.S, ws], [s], _e.UniqueName(n.Name + "_ScaleMul")));
            preamble.Add(GraphPreparation.Node("Mul", [yf, s], [scaled], _e.UniqueName(n.Name + "_Mul")));
            if (bias is not null)
            {
                string bn = _e.AddInitializer(TensorData.Floats(_e.UniqueName(n.Name + "_bias"), bias.Value.Values, bias.Value.Dims));
                preamble.Add(GraphPreparation.Node("Add", [scaled, bn], [y], _e.UniqueName(n.Name + "_Add")));
            }
            replace[n] = preamble;
            Count(n);
        }
        Rebuild(replace);
        return _e.Model;
    }

    /// <summary>The [K, N] float weight of a MatMul or Gemm (transB, alpha applied) and its float bias (beta applied).</summary>
    private (float[] W, long K, long N, (float[] Values, long[] Dims)? Bias) MatMulWeights(NodeProto n)
    {
        var w = _inits[n.Input[1]];
        float[] wf = TensorData.ToSingles(w);
        long k = w.Dims[0], nOut = w.Dims[1];
        (float[], long[])? bias = null;
        if (n.OpType == "Gemm")
        {
            if (GraphEditor.AttrInt(n, "transB", 0) != 0)
            {
                wf = WeightQuantizer.Transpose(wf, w.Dims[0], w.Dims[1]);
                (k, nOut) = (w.Dims[1], w.Dims[0]);
            }
            float alpha = GraphEditor.AttrFloat(n, "alpha", 1f);
            if (alpha != 1f)
                for (int i = 0; i < wf.Length; i++) wf[i] *= alpha;
            if (n.Input.Count > 2 && n.Input[2].Length > 0)
            {
                var c = _inits[n.Input[2]];
                float beta = GraphEditor.AttrFloat(n, "beta", 1f);
                bias = (TensorData.ToSingles(c).Select(v => v * beta).ToArray(), c.Dims.ToArray());
            }
        }
        return (wf, k, nOut, bias);
    }

    private void Rebuild(Dictionary<NodeProto, List<NodeProto>> replace)
    {
        var result = new List<NodeProto>();
        foreach (var n in _e.Graph.Node)
        {
            if (replace.TryGetValue(n, out var list)) result.AddRange(list);
            else result.Add(n);
        }
        _e.Graph.Node.Clear();
        _e.Graph.Node.AddRange(result);
        _e.RemoveUnusedInitializers();
    }

    // ---------------------------------------------------------------- int4 weight-only

    public ModelProto Int4(List<NodeProto> nodes)
    {
        var replace = new Dictionary<NodeProto, List<NodeProto>>(ReferenceEqualityComparer.Instance);
        foreach (var n in nodes)
        {
            if (n.OpType == "Conv")
            {
                var w = _inits[n.Input[1]];
                long[] dims = w.Dims.ToArray();
                var (values, cs) = WeightQuantizer.Quantize(TensorData.ToSingles(w), dims, _o.PerChannel ? 0 : -1, -8, 7, _o.WeightClipping);
                string wq = _e.AddInitializer(TensorData.FourBit(_e.UniqueName(n.Input[1] + "_q4"), true, values.Select(v => (byte)(v & 0xF)).ToArray(), dims));
                string ws = _e.AddInitializer(_o.PerChannel ? TensorData.Floats(_e.UniqueName(n.Input[1] + "_s"), cs, cs.Length) : TensorData.Floats(_e.UniqueName(n.Input[1] + "_s"), cs));
                string wdq = _e.UniqueName(n.Input[1] + "_dq");
                var dq = GraphPreparation.Node("DequantizeLinear", [wq, ws], [wdq], "");
                if (_o.PerChannel) dq.Attribute.Add(OnnxAttribute.Int("axis", 0));
                n.Input[1] = wdq;
                replace[n] = [dq, n];
                Count(n);
                continue;
            }
            var (wf, k, nOut, bias) = MatMulWeights(n);
            int block = _o.Int4BlockSize > 0 ? _o.Int4BlockSize : (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)k));
            if (block < 16 || (block & (block - 1)) != 0)
                throw new ArgumentException($"Int4BlockSize must be 0 or a power of two of at least 16, not {_o.Int4BlockSize}.");
            long blocks = (k + block - 1) / block;
            int blob = block / 2;
            var packed = new byte[nOut * blocks * blob];
            var scales = new float[nOut * blocks];
            for (long col = 0; col < nOut; col++)
            {
                for (long b = 0; b < blocks; b++)
                {
                    long k0 = b * block, k1 = Math.Min(k, k0 + block);
                    float absmax = 0;
                    for (long r = k0; r < k1; r++) absmax = Math.Max(absmax, Math.Abs(wf[r * nOut + col]));
                    float scale = absmax > 0 ? absmax / 7f : 1f;
                    if (_o.WeightClipping && absmax > 0)
                        scale = ClipSearch(wf, k0, k1, nOut, col, absmax / 7f);
                    scales[col * blocks + b] = scale;
                    for (long r = k0; r < k0 + block; r++)
                    {
                        int qv = r < k1 ? (int)Math.Clamp(MathF.Round(wf[r * nOut + col] / scale), -8, 7) : 0;
                        byte u = (byte)(qv + 8);
                        long idx = (col * blocks + b) * blob + (r - k0) / 2;
                        packed[idx] |= (byte)(((r - k0) & 1) == 0 ? u : u << 4);
                    }
                }
            }
            string baseName = n.Input[1];
            string bq = _e.AddInitializer(TensorData.Bytes(_e.UniqueName(baseName + "_q4"), packed, nOut, blocks, blob));
            string bs = _e.AddInitializer(TensorData.Floats(_e.UniqueName(baseName + "_s"), scales, nOut * blocks));
            string y = n.Output[0];
            string mm = bias is null ? y : _e.UniqueName(y + "_nobias");
            var nb = GraphPreparation.Node("MatMulNBits", [n.Input[0], bq, bs], [mm], _e.UniqueName(n.Name + "_MatMulNBits"),
                OnnxAttribute.Int("K", k), OnnxAttribute.Int("N", nOut), OnnxAttribute.Int("bits", 4), OnnxAttribute.Int("block_size", block));
            nb.Domain = OnnxGraphBuilder.MicrosoftDomain;
            var list = new List<NodeProto> { nb };
            if (bias is not null)
            {
                string bn = _e.AddInitializer(TensorData.Floats(_e.UniqueName(n.Name + "_bias"), bias.Value.Values, bias.Value.Dims));
                list.Add(GraphPreparation.Node("Add", [mm, bn], [y], _e.UniqueName(n.Name + "_Add")));
            }
            replace[n] = list;
            Count(n);
        }
        _e.ImportDomain(OnnxGraphBuilder.MicrosoftDomain, 1);
        Rebuild(replace);
        return _e.Model;
    }

    private static float ClipSearch(float[] wf, long k0, long k1, long nOut, long col, float scale0)
    {
        double best = double.PositiveInfinity;
        float bestScale = scale0;
        for (int step = 0; step <= 40; step++)
        {
            float s = scale0 * (1 - step * 0.0125f);
            double err = 0;
            for (long r = k0; r < k1; r++)
            {
                float v = wf[r * nOut + col];
                float d = v - Math.Clamp(MathF.Round(v / s), -8, 7) * s;
                err += d * (double)d;
            }
            if (err < best) { best = err; bestScale = s; }
        }
        return bestScale;
    }
}

/// <summary>(node, input index) keys compared by node identity: protobuf messages hash by value, and inputs are rewritten.</summary>
internal sealed class NodeSlotComparer : IEqualityComparer<(NodeProto Node, int Slot)>
{
    public bool Equals((NodeProto Node, int Slot) x, (NodeProto Node, int Slot) y) => ReferenceEquals(x.Node, y.Node) && x.Slot == y.Slot;
    public int GetHashCode((NodeProto Node, int Slot) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Node), obj.Slot);
}
