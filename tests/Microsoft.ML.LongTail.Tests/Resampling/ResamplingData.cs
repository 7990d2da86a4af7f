using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>Small imbalanced data sets for the sampler tests: a keyed label, three features and pass-through columns.</summary>
internal static class ResamplingData
{
    public sealed class Row
    {
        public string Label { get; set; } = "";
        public float A { get; set; }
        public float B { get; set; }
        public float C { get; set; }
        public string Id { get; set; } = "";
        public double Weight { get; set; }
    }

    public sealed class OutRow
    {
        public uint Label { get; set; }
        [VectorType(3)]
        public float[] Features { get; set; } = [];
        public string Id { get; set; } = "";
        public double Weight { get; set; }
    }

    /// <summary>Class names in key order (the order MapValueToKey assigns: first appearance).</summary>
    public static readonly string[] Names = ["big", "mid", "small"];

    public static Row[] Rows(int big = 60, int mid = 25, int small = 8, int seed = 3)
    {
        var rnd = new Random(seed);
        var rows = new List<Row>();
        int[] counts = [big, mid, small];
        // Interleave the classes so that "input order" is not "class order".
        int total = big + mid + small, i = 0;
        var left = (int[])counts.Clone();
        while (i < total)
        {
            for (int c = 0; c < 3; c++)
            {
                if (left[c] == 0)
                    continue;
                left[c]--;
                rows.Add(new Row
                {
                    Label = Names[c], A = (float)(rnd.NextDouble() + 2 * c), B = (float)rnd.NextDouble() * 10,
                    C = (float)(rnd.NextDouble() - c), Id = $"r{i}", Weight = i + 0.25,
                });
                i++;
            }
        }
        return rows.ToArray();
    }

    public static (MLContext Ml, IDataView Data) Keyed(Row[] rows)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(rows);
        var data = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
            .Fit(raw).Transform(raw);
        return (ml, data);
    }

    public static LabeledFeatures Set(Row[] rows) => LabeledFeatures.Read(Keyed(rows).Data);

    public static OutRow[] ReadOut(MLContext ml, IDataView view) =>
        ml.Data.CreateEnumerable<OutRow>(view, reuseRowObject: false).ToArray();

    /// <summary>The k nearest rows of <paramref name="row"/> among <paramref name="candidates"/> (itself excluded), in double precision.</summary>
    public static int[] NaiveNeighbors(LabeledFeatures set, int row, IEnumerable<int> candidates, int k) =>
        candidates.Where(r => r != row)
            .Select(r => (Row: r, D: SquaredDistance(set.GetRow(row), set.GetRow(r))))
            .OrderBy(p => p.D).ThenBy(p => p.Row).Take(k).Select(p => p.Row).ToArray();

    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        return s;
    }
}
