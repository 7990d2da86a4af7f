using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests.Onnx;

/// <summary>Small imbalanced 3-class data with 4 features; deterministic.</summary>
internal static class SyntheticData
{
    public const int FeatureCount = 4;
    public static readonly string[] Classes = ["head", "mid", "tail"];

    public sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>60% / 30% / 10% rows, class means 0, 1.5, 3 on every feature (so classes overlap a little).</summary>
    public static List<Row> Rows(int count, int seed = 7)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble();
            int c = u < 0.6 ? 0 : u < 0.9 ? 1 : 2;
            var features = new float[FeatureCount];
            for (int j = 0; j < FeatureCount; j++)
                features[j] = (float)(1.5 * c + random.NextDouble() * 2 - 1 + 0.3 * j);
            rows.Add(new Row { Label = Classes[c], Features = features });
        }
        return rows;
    }
}
