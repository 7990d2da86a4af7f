using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class SmoteTests
{
    [Fact]
    public void SyntheticRowsLieBetweenARowAndOneOfItsNeighbours()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        const int k = 4;
        var result = new Smote(new SmoteOptions { NumberOfNeighbors = k, Seed = 11 }).Resample(set);

        Assert.Equal([60, 60, 60], result.ClassCounts);
        for (int i = set.RowCount; i < result.RowCount; i++)
        {
            int c = result.Labels[i];
            var members = Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == c).ToArray();
            Assert.True(OnASegment(set, members, k, result.GetRow(i)), $"Synthetic row {i} (class {c}) is on no row-neighbour segment.");
        }
    }

    private static bool OnASegment(LabeledFeatures set, int[] members, int k, ReadOnlySpan<float> s)
    {
        foreach (int a in members)
        {
            foreach (int b in ResamplingData.NaiveNeighbors(set, a, members, k))
            {
                var x = set.GetRow(a);
                var n = set.GetRow(b);
                // u from the coordinate where the segment is longest, then every coordinate must agree.
                int j0 = 0;
                for (int j = 1; j < x.Length; j++)
                {
                    if (Math.Abs(n[j] - x[j]) > Math.Abs(n[j0] - x[j0]))
                        j0 = j;
                }
                double u = n[j0] == x[j0] ? 0 : (s[j0] - x[j0]) / ((double)n[j0] - x[j0]);
                if (u < -1e-6 || u > 1 + 1e-6)
                    continue;
                bool on = true;
                for (int j = 0; j < x.Length && on; j++)
                    on = Math.Abs(s[j] - (x[j] + u * ((double)n[j] - x[j]))) <= 1e-5 * (1 + Math.Abs(s[j]));
                if (on)
                    return true;
            }
        }
        return false;
    }

    [Fact]
    public void PairsAndStepsAreDrawnUniformly()
    {
        // 40 rows of the small class grown to 20,040: 20,000 synthetic rows, each traced back to its segment and step u.
        // (Row, neighbour) pairs must be drawn uniformly (chi-square) and u ~ U[0, 1) (Kolmogorov-Smirnov).
        var rows = ResamplingData.Rows(big: 100, mid: 60, small: 40, seed: 8);
        var set = ResamplingData.Set(rows);
        const int k = 3, added = 20_000;
        int small = Array.IndexOf(set.ClassCounts, 40);
        var result = new Smote(new SmoteOptions
        {
            NumberOfNeighbors = k, Seed = 4,
            Strategy = SamplingStrategy.Targets(new Dictionary<int, int> { [small] = 40 + added }),
        }).Resample(set);

        var members = Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == small).ToArray();
        var neighbors = members.Select(a => ResamplingData.NaiveNeighbors(set, a, members, k)).ToArray();
        // A segment between mutual neighbours belongs to two (row, neighbour) pairs: count by segment, expecting each
        // segment as often as the pairs it belongs to.
        var pairsOfSegment = new Dictionary<(int, int), int>();
        for (int a = 0; a < members.Length; a++)
        {
            foreach (int b in neighbors[a])
                pairsOfSegment[Segment(members[a], b)] = pairsOfSegment.GetValueOrDefault(Segment(members[a], b)) + 1;
        }
        var segmentCounts = pairsOfSegment.Keys.ToDictionary(key => key, _ => 0);
        var steps = new List<double>(added);
        for (int i = set.RowCount; i < result.RowCount; i++)
        {
            var (a, b, u) = Trace(set, members, neighbors, result.GetRow(i));
            Assert.True(a >= 0, $"Synthetic row {i} is on no row-neighbour segment.");
            segmentCounts[Segment(a, b)]++;
            steps.Add(u);
        }

        double perPair = (double)added / (members.Length * k);
        double chi2 = segmentCounts.Sum(p => Math.Pow(p.Value - perPair * pairsOfSegment[p.Key], 2) / (perPair * pairsOfSegment[p.Key]));
        int df = segmentCounts.Count - 1;
        // p = 0.001 on each side of a chi-square with df degrees of freedom (normal approximation, df ~ 80..120).
        Assert.InRange(chi2, df - 3.1 * Math.Sqrt(2.0 * df), df + 3.1 * Math.Sqrt(2.0 * df));
        steps.Sort();
        double ks = steps.Select((u, i) => Math.Max(Math.Abs((i + 1.0) / steps.Count - u), Math.Abs((double)i / steps.Count - u))).Max();
        Assert.True(ks < 1.95 / Math.Sqrt(steps.Count), $"Steps are not uniform: KS statistic {ks}."); // p = 0.001
    }

    private static (int, int) Segment(int a, int b) => (Math.Min(a, b), Math.Max(a, b));

    /// <summary>The base row, neighbour row and step of a synthetic row; (-1, -1, 0) when it is on no segment.</summary>
    private static (int Row, int Neighbor, double Step) Trace(LabeledFeatures set, int[] members, int[][] neighbors, ReadOnlySpan<float> s)
    {
        for (int a = 0; a < members.Length; a++)
        {
            foreach (int b in neighbors[a])
            {
                var x = set.GetRow(members[a]);
                var n = set.GetRow(b);
                double u = (s[0] - x[0]) / ((double)n[0] - x[0]);
                if (u < -1e-6 || u > 1 + 1e-6)
                    continue;
                bool on = true;
                for (int j = 0; j < x.Length && on; j++)
                    on = Math.Abs(s[j] - (x[j] + u * ((double)n[j] - x[j]))) <= 1e-5 * (1 + Math.Abs(s[j]));
                if (on)
                    return (members[a], b, Math.Clamp(u, 0, 1));
            }
        }
        return (-1, -1, 0);
    }

    [Fact]
    public void KeepsOriginalRowsFirstAndPassesColumnsThrough()
    {
        var rows = ResamplingData.Rows();
        var (ml, data) = ResamplingData.Keyed(rows);
        var before = ResamplingData.ReadOut(ml, data);

        var view = ml.Data.Smote(data, seed: 5);
        var output = ResamplingData.ReadOut(ml, view);

        Assert.Equal(data.Schema.Where(c => !c.IsHidden).Select(c => c.Name), view.Schema.Select(c => c.Name));
        Assert.Equal(180, output.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(before[i].Label, output[i].Label);
            Assert.Equal(before[i].Features, output[i].Features);
            Assert.Equal(before[i].Id, output[i].Id);
            Assert.Equal(before[i].Weight, output[i].Weight);
        }
        // Synthetic rows: class by class in class order, missing values in the pass-through columns.
        var synthetic = output[rows.Length..];
        Assert.Equal(Enumerable.Repeat(2u, 35).Concat(Enumerable.Repeat(3u, 52)), synthetic.Select(r => r.Label));
        Assert.All(synthetic, r => Assert.True(double.IsNaN(r.Weight) && r.Id == ""));

        // The key type and its names survive.
        var label = view.Schema["Label"];
        Assert.Equal(data.Schema["Label"].Type, label.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.Annotations.GetValue("KeyValues", ref names);
        Assert.Equal(ResamplingData.Names, names.DenseValues().Select(v => v.ToString()));

        // The input is unchanged.
        var after = ResamplingData.ReadOut(ml, data);
        Assert.Equal(before.Select(r => (r.Label, r.Id, string.Join(",", r.Features))), after.Select(r => (r.Label, r.Id, string.Join(",", r.Features))));
    }

    [Fact]
    public void IsReproducibleWithASeedAndDiffersWithAnother()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var a = new Smote(new SmoteOptions { Seed = 1 }).Resample(set);
        var b = new Smote(new SmoteOptions { Seed = 1 }).Resample(set);
        var c = new Smote(new SmoteOptions { Seed = 2 }).Resample(set);
        var defaultSeed = new Smote(new SmoteOptions()).Resample(set);
        var zero = new Smote(new SmoteOptions { Seed = 0 }).Resample(set);
        Assert.Equal(a.Features, b.Features);
        Assert.NotEqual(a.Features, c.Features);
        Assert.Equal(zero.Features, defaultSeed.Features);
    }

    [Fact]
    public void FollowsTheStrategy()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var result = new Smote(new SmoteOptions
        {
            Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["small"] = 20 }),
        }).Resample(set);
        Assert.Equal([60, 25, 20], result.ClassCounts);
        // 60 * sqrt(25/60) = 38.7 -> 39, 60 * sqrt(8/60) = 21.9 -> 22.
        Assert.Equal([60, 39, 22], new Smote(new SmoteOptions { Strategy = SamplingStrategy.LongTail(0.5) }).Resample(set).ClassCounts);
    }

    [Fact]
    public void BadInputFailsClearly()
    {
        var set = ResamplingData.Set(ResamplingData.Rows(small: 4));
        var e = Assert.Throws<InvalidOperationException>(() => new Smote(new SmoteOptions()).Resample(set));
        Assert.Contains("'small' has 4 rows", e.Message);
        Assert.Contains("NumberOfNeighbors <= 3", e.Message);
        // k > class size too.
        e = Assert.Throws<InvalidOperationException>(() => new Smote(new SmoteOptions { NumberOfNeighbors = 30 }).Resample(ResamplingData.Set(ResamplingData.Rows())));
        Assert.Contains("'mid' has 25 rows", e.Message);

        e = Assert.Throws<InvalidOperationException>(() => new Smote(new SmoteOptions()).Resample(ResamplingData.Set(ResamplingData.Rows(small: 1))));
        Assert.Contains("single row", e.Message);

        e = Assert.Throws<InvalidOperationException>(() => new Smote(new SmoteOptions()).Resample(ResamplingData.Set(ResamplingData.Rows(mid: 0, small: 0))));
        Assert.Contains("single class", e.Message);

        var rows = ResamplingData.Rows();
        rows[7].B = float.NaN;
        var (ml, data) = ResamplingData.Keyed(rows);
        e = Assert.Throws<InvalidOperationException>(() => ml.Data.Smote(data));
        Assert.Contains("row 7", e.Message);

        var unknown = Assert.Throws<ArgumentException>(() => new Smote(new SmoteOptions
        {
            Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["zebra"] = 100 }),
        }).Resample(set));
        Assert.Contains("'zebra'", unknown.Message);

        Assert.Throws<ArgumentException>(() => ml.Data.Smote(ResamplingData.Keyed(ResamplingData.Rows()).Data, featureColumnName: "Nope"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Smote(new SmoteOptions { NumberOfNeighbors = 0 }));
    }
}
