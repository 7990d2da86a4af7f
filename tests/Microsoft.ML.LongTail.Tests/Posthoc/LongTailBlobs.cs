using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests.Posthoc;

/// <summary>Gaussian blobs with chosen class proportions (long-tailed by default), deterministic per seed.</summary>
internal static class LongTailBlobs
{
    public const int FeatureCount = 4;

    public sealed class Row
    {
        public string Label { get; set; } = "";

        public bool IsPositive { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    public static string ClassName(int c) => $"c{c}";

    /// <summary>Class c has mean (spread * cos(2 pi c / K), spread * sin(2 pi c / K), 0, 0) and unit variance.</summary>
    public static double[] Mean(int c, int k, double spread)
    {
        var mean = new double[FeatureCount];
        mean[0] = spread * Math.Cos(2 * Math.PI * c / k);
        mean[1] = spread * Math.Sin(2 * Math.PI * c / k);
        return mean;
    }

    /// <summary>Rows with exactly round(count * proportion) rows per class, shuffled.</summary>
    public static List<Row> Rows(IReadOnlyList<double> proportions, int count, int seed, double spread = 2.0)
    {
        var random = new Random(seed);
        int k = proportions.Count;
        var rows = new List<Row>();
        for (int c = 0; c < k; c++)
        {
            int n = (int)Math.Round(count * proportions[c]);
            var mean = Mean(c, k, spread);
            for (int i = 0; i < n; i++)
            {
                var x = new float[FeatureCount];
                for (int j = 0; j < FeatureCount; j++)
                    x[j] = (float)(mean[j] + Gaussian(random));
                rows.Add(new Row { Label = ClassName(c), IsPositive = c == k - 1, Features = x });
            }
        }
        return rows.OrderBy(_ => random.Next()).ToList();
    }

    /// <summary>The exact posterior p(y|x) under <paramref name="priors"/> for these blobs.</summary>
    public static float[] Posterior(float[] x, IReadOnlyList<double> priors, double spread = 2.0)
    {
        int k = priors.Count;
        var logs = new double[k];
        for (int c = 0; c < k; c++)
        {
            var mean = Mean(c, k, spread);
            double d = 0;
            for (int j = 0; j < FeatureCount; j++)
                d += (x[j] - mean[j]) * (x[j] - mean[j]);
            logs[c] = Math.Log(priors[c]) - d / 2;
        }
        double max = logs.Max();
        double sum = logs.Sum(l => Math.Exp(l - max));
        return logs.Select(l => (float)(Math.Exp(l - max) / sum)).ToArray();
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Loads rows and maps the text label to a key whose values are c0..c{K-1} in order.</summary>
    public static IDataView Load(MLContext ml, IEnumerable<Row> rows, int classCount)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        var keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, classCount).Select(c => new KeyRow { Label = ClassName(c) }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Fit(data).Transform(data);
    }

    /// <summary>Mean per-class recall of predicted keys against labels (raw keys).</summary>
    public static double BalancedAccuracy(uint[] labels, uint[] predicted, int k)
    {
        var hits = new double[k];
        var totals = new double[k];
        for (int i = 0; i < labels.Length; i++)
        {
            totals[labels[i] - 1]++;
            if (labels[i] == predicted[i])
                hits[labels[i] - 1]++;
        }
        return Enumerable.Range(0, k).Where(c => totals[c] > 0).Average(c => hits[c] / totals[c]);
    }

    public static readonly double[] LongTail = [0.55, 0.25, 0.12, 0.05, 0.03];

    private sealed class KeyRow
    {
        public string Label { get; set; } = "";
    }
}
