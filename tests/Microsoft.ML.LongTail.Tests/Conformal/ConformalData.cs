using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>Fast synthetic scored data: softmax scores of a noisy K-class model on long-tailed labels.</summary>
internal static class ConformalData
{
    public sealed class Row
    {
        public uint Label { get; set; }
        public float[] Score { get; set; } = [];
        public uint Group { get; set; }
        public float Weight { get; set; } = 1;
        public float[] MultiLabel { get; set; } = [];
    }

    /// <summary>Class c has prior proportional to ratio^(-c/(K-1)) (class 0 the head) and signal strength signal[c].</summary>
    public static (float[] Scores, int[] Labels) Generate(Random rng, int n, int k, double imbalance = 10, double[]? signal = null,
        double noise = 1.0)
    {
        var priors = Enumerable.Range(0, k).Select(c => Math.Pow(imbalance, -(double)c / Math.Max(1, k - 1))).ToArray();
        double total = priors.Sum();
        var cumulative = new double[k];
        double acc = 0;
        for (int c = 0; c < k; c++) { acc += priors[c] / total; cumulative[c] = acc; }
        signal ??= Enumerable.Repeat(1.5, k).ToArray();
        var scores = new float[n * k];
        var labels = new int[n];
        var z = new double[k];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            int y = 0;
            while (y < k - 1 && u > cumulative[y]) y++;
            labels[i] = y;
            for (int j = 0; j < k; j++)
                z[j] = noise * Normal(rng) + Math.Log(priors[j]) * 0.5;
            z[y] += signal[y];
            double max = z.Max(), sum = 0;
            for (int j = 0; j < k; j++) { z[j] = Math.Exp(z[j] - max); sum += z[j]; }
            for (int j = 0; j < k; j++)
                scores[i * k + j] = (float)(z[j] / sum);
        }
        return (scores, labels);
    }

    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static List<Row> Rows(float[] scores, int[] labels, int k, int[]? groups = null, float[]? weights = null, bool[]? multiHot = null) =>
        Enumerable.Range(0, labels.Length).Select(i => new Row
        {
            Label = (uint)labels[i],
            Score = scores.AsSpan(i * k, k).ToArray(),
            Group = groups is null ? 0u : (uint)groups[i],
            Weight = weights is null ? 1f : weights[i],
            MultiLabel = multiHot is null ? new float[k] : multiHot.AsSpan(i * k, k).ToArray().Select(b => b ? 1f : 0f).ToArray(),
        }).ToList();

    /// <summary>A view with Label: Key&lt;K&gt; (class c = raw key c + 1), Score: Vector&lt;Single, K&gt;, Group: Key&lt;G&gt;,
    /// Weight: Single and MultiLabel: Vector&lt;Single, K&gt;.</summary>
    public static IDataView ToDataView(MLContext ml, List<Row> rows, int k, int groupCount = 1)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), k);
        definition[nameof(Row.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        definition[nameof(Row.Group)].ColumnType = new KeyDataViewType(typeof(uint), groupCount);
        definition[nameof(Row.MultiLabel)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    public static IDataView ToDataView(MLContext ml, float[] scores, int[] labels, int k, int[]? groups = null, int groupCount = 1,
        float[]? weights = null, bool[]? multiHot = null) =>
        ToDataView(ml, Rows(scores, labels, k, groups, weights, multiHot), k, groupCount);

    /// <summary>The rows of <paramref name="scores"/>/<paramref name="labels"/> at <paramref name="index"/>.</summary>
    public static (float[] Scores, int[] Labels) Take(float[] scores, int[] labels, int k, IEnumerable<int> index)
    {
        var rows = index.ToArray();
        var s = new float[rows.Length * k];
        var l = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            scores.AsSpan(rows[i] * k, k).CopyTo(s.AsSpan(i * k, k));
            l[i] = labels[rows[i]];
        }
        return (s, l);
    }
}
