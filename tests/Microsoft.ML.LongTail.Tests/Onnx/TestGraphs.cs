using Microsoft.ML.LongTail.Onnx;

namespace Microsoft.ML.LongTail.Tests.Onnx;

/// <summary>Fixed graphs the tests build and score.</summary>
internal static class TestGraphs
{
    public const int Hidden = 5;

    // Deterministic small weights: W1 [Hidden, 4], W2 [3, Hidden].
    public static readonly float[] W1 = Enumerable.Range(0, Hidden * SyntheticData.FeatureCount).Select(i => (float)Math.Sin(i + 1) * 0.7f).ToArray();
    public static readonly float[] B1 = Enumerable.Range(0, Hidden).Select(i => 0.1f * (i - 2)).ToArray();
    public static readonly float[] W2 = Enumerable.Range(0, 3 * Hidden).Select(i => (float)Math.Cos(i * 1.3) * 0.9f).ToArray();
    public static readonly float[] B2 = [0.2f, -0.1f, 0.05f];

    /// <summary>x [N,4] -> Gemm -> Relu -> Gemm -> Softmax -> "probs" [N,3] (also "logits").</summary>
    public static byte[] Mlp(string inputName = "x", string outputName = "probs")
    {
        var g = new OnnxGraphBuilder("mlp");
        g.AddFloatInput(inputName, SyntheticData.FeatureCount);
        g.AddInitializer("W1", W1, Hidden, SyntheticData.FeatureCount);
        g.AddInitializer("B1", B1, Hidden);
        g.AddInitializer("W2", W2, 3, Hidden);
        g.AddInitializer("B2", B2, 3);
        string h = g.AddNode("Gemm", [inputName, "W1", "B1"], g.NewName("h"), OnnxAttribute.Int("transB", 1));
        string r = g.AddNode("Relu", [h], g.NewName("relu"));
        g.AddNode("Gemm", [r, "W2", "B2"], "logits", OnnxAttribute.Int("transB", 1));
        g.AddNode("Softmax", ["logits"], outputName, OnnxAttribute.Int("axis", 1));
        g.AddFloatOutput("logits", 3);
        g.AddFloatOutput(outputName, 3);
        return g.ToBytes();
    }

    public static float[] MlpReference(float[] x)
        => ManagedReference.Softmax(ManagedReference.Dense(ManagedReference.Relu(ManagedReference.Dense(x, W1, B1)), W2, B2));

    /// <summary>"x" [N,K] -> adjusted = log_softmax(x) - tau * log(prior); "probs" = softmax(adjusted).</summary>
    public static byte[] LogitAdjustment(float[] prior, float tau)
    {
        int k = prior.Length;
        var g = new OnnxGraphBuilder("logit_adjustment");
        g.AddFloatInput("x", k);
        g.AddInitializer("prior", prior, k);
        g.AddInitializer("tau", [tau]);
        string ls = g.AddNode("LogSoftmax", ["x"], "log_softmax", OnnxAttribute.Int("axis", 1));
        string lp = g.AddNode("Log", ["prior"], "log_prior");
        string scaled = g.AddNode("Mul", [lp, "tau"], "scaled_log_prior");
        g.AddNode("Sub", [ls, scaled], "adjusted");
        g.AddNode("Softmax", ["adjusted"], "probs", OnnxAttribute.Int("axis", 1));
        g.AddFloatOutput("adjusted", k);
        g.AddFloatOutput("probs", k);
        return g.ToBytes();
    }
}
