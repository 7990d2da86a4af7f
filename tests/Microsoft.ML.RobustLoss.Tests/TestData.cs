using Microsoft.ML.Data;

namespace Microsoft.ML.RobustLoss.Tests;

public sealed class ClassRow
{
    public string Label { get; set; } = "";

    [VectorType(2)]
    public float[] Features { get; set; } = [];
}

public sealed class BinaryRow
{
    public bool Label { get; set; }

    [VectorType(2)]
    public float[] Features { get; set; } = [];
}

public sealed class RegressionRow
{
    public float Label { get; set; }

    [VectorType(2)]
    public float[] Features { get; set; } = [];
}

/// <summary>Records each finished epoch synchronously (Progress&lt;T&gt; posts to the thread pool), then calls
/// <paramref name="also"/>.</summary>
internal sealed class SyncProgress(List<NeuralNetworkEpoch> sink, Action<NeuralNetworkEpoch>? also = null) : IProgress<NeuralNetworkEpoch>
{
    public void Report(NeuralNetworkEpoch value)
    {
        sink.Add(value);
        also?.Invoke(value);
    }
}

/// <summary>Tiny generated data sets: Gaussian blobs per class (long-tailed counts), a noisy linear target with outliers.</summary>
internal static class TestData
{
    public static readonly float[][] Centres = [[0, 0], [3, 0], [0, 3], [3, 3]];

    public static List<ClassRow> Blobs(int[] counts, int seed, float spread = 0.6f)
    {
        var random = new Random(seed);
        var rows = new List<ClassRow>();
        for (int c = 0; c < counts.Length; c++)
        {
            for (int i = 0; i < counts[c]; i++)
                rows.Add(new ClassRow { Label = "class" + c, Features = [Centres[c][0] + spread * Gauss(random), Centres[c][1] + spread * Gauss(random)] });
        }
        return rows.OrderBy(_ => random.Next()).ToList();
    }

    public static List<BinaryRow> BinaryBlobs(int positives, int negatives, int seed) =>
        Blobs([negatives, positives], seed).Select(r => new BinaryRow { Label = r.Label == "class1", Features = r.Features }).ToList();

    public static List<RegressionRow> Linear(int n, int seed, double outlierFraction = 0)
    {
        var random = new Random(seed);
        var rows = new List<RegressionRow>();
        for (int i = 0; i < n; i++)
        {
            float a = (float)(random.NextDouble() * 2 - 1), b = (float)(random.NextDouble() * 2 - 1);
            float y = 2 * a - b + 0.05f * Gauss(random);
            if (random.NextDouble() < outlierFraction)
                y += 50;
            rows.Add(new RegressionRow { Label = y, Features = [a, b] });
        }
        return rows;
    }

    /// <summary>Blobs with a key label made from the text (class names as key values, in sorted order).</summary>
    public static IDataView KeyedBlobs(MLContext ml, int[] counts, int seed)
    {
        var data = ml.Data.LoadFromEnumerable(Blobs(counts, seed));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(data).Transform(data);
    }

    private static float Gauss(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
