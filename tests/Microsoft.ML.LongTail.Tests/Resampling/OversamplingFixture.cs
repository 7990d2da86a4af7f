using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Tests.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>
/// The imbalanced-learn 0.10 reference of Fixtures/make_oversampling_fixtures.py: 84 rows of 3 features in 3 overlapping
/// classes (c0: 48, c1: 24, c2: 12), the danger rows of BorderlineSMOTE and ADASYN's per-row counts.
/// </summary>
internal static class OversamplingFixture
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    private static readonly Lazy<LabeledFeatures> LazySet = new(Load);
    private static readonly Lazy<JsonElement> LazyReference = new(() =>
        JsonDocument.Parse(File.ReadAllText(PredictionCsv.FixturePath("oversampling_reference.json"))).RootElement);

    public static LabeledFeatures Set => LazySet.Value;

    public static JsonElement Reference => LazyReference.Value;

    /// <summary>The class index of a label such as "c1".</summary>
    public static int ClassOf(LabeledFeatures set, string name) =>
        Enumerable.Range(0, set.ClassCount).Single(c => set.Label.GetClassName(c) == name);

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static LabeledFeatures Load()
    {
        var rows = File.ReadAllLines(PredictionCsv.FixturePath("oversampling_data.csv")).Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .Select(p => new Row { Label = p[0], Features = p[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() })
            .ToArray();
        var data = new MLContext(0).Data.LoadFromEnumerable(rows);
        return LabeledFeatures.Read(data);
    }
}

/// <summary>Checks that a synthetic row is <c>x + u (n - x)</c>, computed in float as the samplers do, for a float <c>u</c>.</summary>
internal static class Segment
{
    /// <summary>Whether some float <c>u</c> in [0, <paramref name="maxStep"/>] gives exactly <paramref name="s"/>.</summary>
    public static bool Contains(ReadOnlySpan<float> x, ReadOnlySpan<float> n, ReadOnlySpan<float> s, float maxStep)
    {
        // The interval of u allowed by each coordinate (s within one ulp of the exact value), intersected.
        double lo = 0, hi = maxStep;
        for (int j = 0; j < x.Length; j++)
        {
            double diff = (double)n[j] - x[j];
            double h = 2 * Math.Max(Math.Max(Ulp(s[j]), Ulp(x[j])), Ulp(n[j]));
            if (diff == 0)
            {
                if (s[j] != x[j])
                    return false;
                continue;
            }
            double a = (s[j] - (double)x[j] - h) / diff, b = (s[j] - (double)x[j] + h) / diff;
            lo = Math.Max(lo, Math.Min(a, b));
            hi = Math.Min(hi, Math.Max(a, b));
        }
        if (lo > hi)
            return false;
        // Then every float in it (a handful) is tried with the samplers' own formula.
        float u = MathF.BitDecrement(MathF.BitDecrement((float)lo));
        for (int steps = 0; u <= (float)hi + Ulp((float)hi) * 2 && steps < 1 << 20; steps++, u = MathF.BitIncrement(u))
        {
            if (u < 0 || u > maxStep)
                continue;
            bool all = true;
            for (int j = 0; j < x.Length && all; j++)
                all = x[j] + u * (n[j] - x[j]) == s[j];
            if (all)
                return true;
        }
        return false;
    }

    private static float Ulp(float v) => MathF.BitIncrement(MathF.Abs(v)) - MathF.Abs(v);
}
