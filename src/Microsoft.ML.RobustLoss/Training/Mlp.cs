using Microsoft.ML.LongTail.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// The multilayer perceptron: <c>[Linear -> normalisation -> activation -> dropout] x hidden -> Linear</c>, and its export as
/// an ONNX graph (Gemm, LayerNormalization, Relu/Tanh/LeakyRelu/Erf) so that scoring needs ONNX Runtime only.
/// </summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _hidden;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _norms;
    private readonly Dropout? _dropout;
    private readonly NeuralNetworkActivation _activation;
    private readonly NeuralNetworkNormalization _normalization;

    public Mlp(int inputs, IReadOnlyList<int> hidden, int outputs, NeuralNetworkActivation activation,
        NeuralNetworkNormalization normalization, double dropout) : base("mlp")
    {
        _activation = activation;
        _normalization = normalization;
        _hidden = new ModuleList<Linear>();
        _norms = new ModuleList<nn.Module<Tensor, Tensor>>();
        int width = inputs;
        foreach (int h in hidden)
        {
            _hidden.Add(nn.Linear(width, h));
            _norms.Add(normalization switch
            {
                NeuralNetworkNormalization.BatchNorm => nn.BatchNorm1d(h),
                NeuralNetworkNormalization.LayerNorm => nn.LayerNorm([h]),
                _ => nn.Identity(),
            });
            width = h;
        }
        _dropout = dropout > 0 ? nn.Dropout(dropout) : null;
        Head = nn.Linear(width, outputs);
        Inputs = inputs;
        Outputs = outputs;
        RegisterComponents();
    }

    public Linear Head { get; private set; }

    public int Inputs { get; }

    public int Outputs { get; }

    /// <summary>The reduced type of the linear layers' products in training mode (mixed precision), or <see langword="null"/>
    /// for float32. Evaluation mode (validation, prediction) always computes in float32, as the exported model does.</summary>
    public ScalarType? TrainingComputeType { get; set; }

    private ScalarType? ComputeType => training ? TrainingComputeType : null;

    /// <summary>A linear layer, in the reduced type under mixed precision: input, weight and bias are cast per call (the casts are
    /// differentiable, so the float32 master weights receive float32 gradients), as autocast does for matrix products.</summary>
    private Tensor Linear(Linear layer, Tensor x) => ComputeType is ScalarType type
        ? F.linear(x.to(type), layer.weight!.to(type), layer.bias?.to(type))
        : layer.forward(x);

    /// <summary>The last hidden representation (the input itself for a linear model).</summary>
    public Tensor Body(Tensor x)
    {
        for (int i = 0; i < _hidden.Count; i++)
        {
            x = Linear(_hidden[i], x);
            // Normalisation runs in float32 (autocast's policy for batch and layer norm); activations keep the reduced type.
            if (ComputeType is not null && _normalization != NeuralNetworkNormalization.None)
                x = x.to(ScalarType.Float32);
            x = _norms[i].forward(x);
            x = _activation switch
            {
                NeuralNetworkActivation.Gelu => F.gelu(x),
                NeuralNetworkActivation.Tanh => x.tanh(),
                NeuralNetworkActivation.LeakyRelu => F.leaky_relu(x, 0.01),
                _ => F.relu(x),
            };
            if (_dropout is not null)
                x = _dropout.forward(x);
        }
        return x;
    }

    /// <summary>The logits, always float32 (losses are computed in float32).</summary>
    public override Tensor forward(Tensor x) => HeadForward(Body(x));

    /// <summary>The output layer on a hidden representation; float32 logits.</summary>
    public Tensor HeadForward(Tensor h)
    {
        var logits = Linear(Head, h);
        return logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32);
    }

    /// <summary>The hidden parameters (everything but the output layer).</summary>
    public IEnumerable<Parameter> BodyParameters() =>
        _hidden.SelectMany(l => l.parameters()).Concat(_norms.SelectMany(n => n.parameters()));

    /// <summary>Re-draws the output layer's weights as a new <c>nn.Linear</c> would (uniform in +-1/sqrt(fan_in)).</summary>
    public void ResetHead()
    {
        using var _ = torch.no_grad();
        double bound = 1.0 / Math.Sqrt(Head.in_features);
        Head.weight!.uniform_(-bound, bound);
        Head.bias!.uniform_(-bound, bound);
    }

    /// <summary>Writes the network's nodes into <paramref name="g"/>, from <paramref name="input"/>; returns the logits' name.</summary>
    public string Export(OnnxGraphBuilder g, string input)
    {
        string x = input;
        for (int i = 0; i < _hidden.Count; i++)
        {
            float[] w = ToArray(_hidden[i].weight!);
            float[] b = ToArray(_hidden[i].bias!);
            int outW = (int)_hidden[i].out_features, inW = (int)_hidden[i].in_features;
            if (_norms[i] is BatchNorm1d bn)
            {
                // Evaluation-mode batch norm is affine: fold scale = gamma / sqrt(var + eps), shift = beta - mean * scale into Gemm.
                float[] gamma = ToArray(bn.weight!), beta = ToArray(bn.bias!), mean = ToArray(bn.running_mean!), variance = ToArray(bn.running_var!);
                for (int o = 0; o < outW; o++)
                {
                    float scale = (float)(gamma[o] / Math.Sqrt(variance[o] + 1e-5));
                    for (int k = 0; k < inW; k++)
                        w[o * inW + k] *= scale;
                    b[o] = (b[o] - mean[o]) * scale + beta[o];
                }
            }
            string wName = g.AddInitializer(g.NewName("W"), w, outW, inW);
            string bName = g.AddInitializer(g.NewName("B"), b, outW);
            x = g.AddNode("Gemm", [x, wName, bName], g.NewName("h"), OnnxAttribute.Int("transB", 1));
            if (_norms[i] is LayerNorm ln)
            {
                string scale = g.AddInitializer(g.NewName("ln_scale"), ToArray(ln.weight!), outW);
                string shift = g.AddInitializer(g.NewName("ln_bias"), ToArray(ln.bias!), outW);
                x = g.AddNode("LayerNormalization", [x, scale, shift], g.NewName("ln"),
                    OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", 1e-5f));
            }
            x = ExportActivation(g, x);
        }
        float[] hw = ToArray(Head.weight!);
        string hwName = g.AddInitializer(g.NewName("W"), hw, Outputs, Head.in_features);
        string hbName = g.AddInitializer(g.NewName("B"), ToArray(Head.bias!), Outputs);
        return g.AddNode("Gemm", [x, hwName, hbName], "logits", OnnxAttribute.Int("transB", 1));
    }

    private string ExportActivation(OnnxGraphBuilder g, string x)
    {
        switch (_activation)
        {
            case NeuralNetworkActivation.Tanh:
                return g.AddNode("Tanh", [x], g.NewName("a"));
            case NeuralNetworkActivation.LeakyRelu:
                return g.AddNode("LeakyRelu", [x], g.NewName("a"), OnnxAttribute.Float("alpha", 0.01f));
            case NeuralNetworkActivation.Gelu:
                // gelu(x) = 0.5 x (1 + erf(x / sqrt 2)); Gelu itself is opset 20.
                string invSqrt2 = g.AddInitializer(g.NewName("c"), [(float)(1 / Math.Sqrt(2))]);
                string one = g.AddInitializer(g.NewName("c"), [1f]);
                string half = g.AddInitializer(g.NewName("c"), [0.5f]);
                string erf = g.AddNode("Erf", [g.AddNode("Mul", [x, invSqrt2], g.NewName("t"))], g.NewName("t"));
                string onePlus = g.AddNode("Add", [erf, one], g.NewName("t"));
                return g.AddNode("Mul", [g.AddNode("Mul", [x, onePlus], g.NewName("t")), half], g.NewName("a"));
            default:
                return g.AddNode("Relu", [x], g.NewName("a"));
        }
    }

    private static float[] ToArray(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
}
