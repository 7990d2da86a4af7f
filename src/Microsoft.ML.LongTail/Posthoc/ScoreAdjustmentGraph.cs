using Microsoft.ML.LongTail.Onnx;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// The ONNX graph shared by the multiclass score corrections: <c>z = log p + b</c> (or <c>z = s + b</c> for raw scores), the
/// renormalised scores <c>softmax(z)</c>, and the one-hot of <c>argmax z</c> (first slot on ties) that
/// <see cref="PredictedLabelStage"/> turns into a key.
/// </summary>
internal static class ScoreAdjustmentGraph
{
    /// <summary>ONNX output (and temporary column) holding the adjusted, renormalised scores.</summary>
    public const string AdjustedColumn = "__longtail_adjusted_score";

    /// <summary>ONNX output (and temporary column) holding the one-hot of the adjusted arg-max.</summary>
    public const string OneHotColumn = "__longtail_adjusted_onehot";

    /// <summary>Writes the graph.</summary>
    /// <param name="scoreColumnName">The input score column (ONNX input of the same name).</param>
    /// <param name="logBias">The per-class bias <c>b</c> added in log space.</param>
    /// <param name="kind">Whether the input holds probabilities (their log is taken) or raw scores.</param>
    public static byte[] Build(string scoreColumnName, float[] logBias, MulticlassScoreKind kind)
    {
        int k = logBias.Length;
        var g = new OnnxGraphBuilder("longtail_score_adjustment");
        g.AddMetadata("component", "ML.LongTail post-hoc score adjustment");
        g.AddFloatInput(scoreColumnName, k);
        g.AddInitializer("log_bias", logBias, k);
        string logits = scoreColumnName;
        if (kind == MulticlassScoreKind.Probabilities)
        {
            g.AddInitializer("eps", [1e-30f]);
            string clamped = g.AddNode("Max", [scoreColumnName, "eps"], "clamped");
            logits = g.AddNode("Log", [clamped], "log_p");
        }
        string z = g.AddNode("Add", [logits, "log_bias"], "z");
        g.AddNode("Softmax", [z], AdjustedColumn, OnnxAttribute.Int("axis", 1));
        string argMax = g.AddNode("ArgMax", [z], "arg_max", OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 0));
        g.AddInitializer("depth", [(long)k]);
        g.AddInitializer("one_hot_values", [0f, 1f], 2);
        g.AddNode("OneHot", [argMax, "depth", "one_hot_values"], OneHotColumn, OnnxAttribute.Int("axis", -1));
        g.AddFloatOutput(AdjustedColumn, k);
        g.AddFloatOutput(OneHotColumn, k);
        return g.ToBytes();
    }

    /// <summary>The stock ONNX scoring estimator for the graph.</summary>
    public static IEstimator<ITransformer> CreateEstimator(MLContext mlContext, string scoreColumnName, float[] logBias, MulticlassScoreKind kind) =>
        OnnxScoring.CreateEstimator(mlContext, Build(scoreColumnName, logBias, kind), [AdjustedColumn, OneHotColumn], [scoreColumnName]);

    /// <summary>The arg-max of <c>logScores + bias</c> per row, as the graph computes it (first slot on ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> logScores, ReadOnlySpan<double> bias)
    {
        int best = 0;
        double max = double.NegativeInfinity;
        for (int c = 0; c < logScores.Length; c++)
        {
            double z = logScores[c] + bias[c];
            if (z > max || c == 0)
            {
                max = z;
                best = c;
            }
        }
        return best;
    }
}
