using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Writes the ONNX graph that turns a score vector <c>[N, K]</c> into a prediction set <c>[N, K]</c> (1 = in the set):
/// the non-conformity score of every class (as <see cref="NonconformityScorer"/>) compared with the threshold, which is a
/// constant (<c>[1]</c>, marginal), a constant per class (<c>[K]</c>, Mondrian/clustered) or per-row inputs <c>[N, 1]</c>
/// (threshold, known flag) looked up from the group key (a row with flag 0 gets +infinity: the full set).
/// </summary>
internal static class ConformalSetGraph
{
    public static byte[] Build(NonconformityScorer scorer, string scoreInput, string output, float[]? constantThresholds,
        string? rowThresholdInput, string? rowKnownInput)
    {
        int k = scorer.ClassCount;
        var g = new OnnxGraphBuilder("conformal_set");
        g.AddMetadata("ml_longtail_component", "ConformalSet");
        g.AddFloatInput(scoreInput, k);
        string s;
        switch (scorer.Kind)
        {
            case NonconformityScore.Lac:
                g.AddInitializer("one", [1f]);
                s = g.AddNode("Sub", ["one", scoreInput], "nonconformity");
                break;
            case NonconformityScore.Pas:
                g.AddInitializer("priors", scorer.Priors!, k);
                string ratio = g.AddNode("Div", [scoreInput, "priors"], "ratio");
                s = g.AddNode("Neg", [ratio], "nonconformity");
                break;
            default:
                g.AddInitializer("k", [(long)k], 1);
                g.AddNode("TopK", [scoreInput, "k"], ["sorted", "order"],
                    OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("largest", 1), OnnxAttribute.Int("sorted", 1));
                string sortedScores;
                if (scorer.Kind == NonconformityScore.TopK)
                {
                    var positions = new float[k];
                    for (int j = 0; j < k; j++) positions[j] = j + 1;
                    g.AddInitializer("positions", positions, 1, k);
                    string shape = g.AddNode("Shape", ["sorted"], "sorted_shape");
                    sortedScores = g.AddNode("Expand", ["positions", shape], "sorted_nonconformity");
                }
                else
                {
                    g.AddInitializer("axis1", [1L]);
                    string exclusive = g.AddNode("CumSum", ["sorted", "axis1"], "exclusive_cumsum", OnnxAttribute.Int("exclusive", 1));
                    string own = "sorted";
                    if (scorer.Randomized)
                    {
                        string u = AddUniform(g, scorer, scoreInput);
                        own = g.AddNode("Mul", [u, "sorted"], "randomized_own");
                    }
                    sortedScores = g.AddNode("Add", [exclusive, own], "aps");
                    if (scorer.Kind == NonconformityScore.Raps)
                    {
                        g.AddInitializer("raps_penalty", scorer.RapsPenalty, k);
                        sortedScores = g.AddNode("Add", [sortedScores, "raps_penalty"], "raps");
                    }
                }
                // Back to class order: the sort order is a permutation, so every slot is overwritten.
                s = g.AddNode("ScatterElements", ["sorted", "order", sortedScores], "nonconformity", OnnxAttribute.Int("axis", 1));
                break;
        }

        string threshold;
        if (rowThresholdInput is not null)
        {
            g.AddFloatInput(rowThresholdInput, 1);
            g.AddFloatInput(rowKnownInput!, 1);
            g.AddInitializer("half", [0.5f]);
            g.AddInitializer("infinity", [float.PositiveInfinity]);
            string known = g.AddNode("Greater", [rowKnownInput!, "half"], "row_is_known");
            threshold = g.AddNode("Where", [known, rowThresholdInput, "infinity"], "threshold");
        }
        else
        {
            var t = constantThresholds!;
            threshold = g.AddInitializer("threshold", t, t.Length);
        }
        string inSet = g.AddNode("LessOrEqual", [s, threshold], "in_set");
        g.AddNode("Cast", [inSet], output, OnnxAttribute.Int("to", (long)TensorProto.Types.DataType.Float));
        g.AddFloatOutput(output, k);
        return g.ToBytes();
    }

    /// <summary>u = (floor(p * 2^20) . a mod P + 0.5) / P, in integers then float, as <see cref="NonconformityScorer.Uniform"/>.</summary>
    private static string AddUniform(OnnxGraphBuilder g, NonconformityScorer scorer, string scoreInput)
    {
        int k = scorer.ClassCount;
        g.AddInitializer("hash_scale", [NonconformityScorer.HashScale]);
        g.AddInitializer("hash_multipliers", scorer.HashMultipliers, k);
        g.AddInitializer("hash_modulus", [NonconformityScorer.HashModulus]);
        g.AddInitializer("hash_modulus_f", [(float)NonconformityScorer.HashModulus]);
        g.AddInitializer("hash_half", [0.5f]);
        g.AddInitializer("hash_axes", [1L], 1);
        string scaled = g.AddNode("Mul", [scoreInput, "hash_scale"], "hash_scaled");
        string floored = g.AddNode("Floor", [scaled], "hash_floor");
        string ints = g.AddNode("Cast", [floored], "hash_ints", OnnxAttribute.Int("to", (long)TensorProto.Types.DataType.Int64));
        string products = g.AddNode("Mul", [ints, "hash_multipliers"], "hash_products");
        string sum = g.AddNode("ReduceSum", [products, "hash_axes"], "hash_sum", OnnxAttribute.Int("keepdims", 1));
        string mod = g.AddNode("Mod", [sum, "hash_modulus"], "hash_mod", OnnxAttribute.Int("fmod", 0));
        string asFloat = g.AddNode("Cast", [mod], "hash_float", OnnxAttribute.Int("to", (long)TensorProto.Types.DataType.Float));
        string shifted = g.AddNode("Add", [asFloat, "hash_half"], "hash_shifted");
        return g.AddNode("Div", [shifted, "hash_modulus_f"], "hash_uniform");
    }
}
