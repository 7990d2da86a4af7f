using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class AdasynTests
{
    [Fact]
    public void RowsPerSourceRowMatchImbalancedLearn()
    {
        var set = OversamplingFixture.Set;
        const int k = 5;
        var sampler = new Adasyn(new AdasynOptions { NumberOfNeighbors = k, Seed = 9 });
        var result = sampler.Resample(set);

        // Class counts as imbalanced-learn's fit_resample: off the target of 48 by the rounding.
        var expectedCounts = OversamplingFixture.Reference.GetProperty("adasyn_class_counts");
        for (int c = 0; c < set.ClassCount; c++)
            Assert.Equal(expectedCounts.GetProperty(set.Label.GetClassName(c)).GetInt32(), result.ClassCounts[c]);
        Assert.NotEqual(sampler.GetTargetCounts(set), result.ClassCounts);

        // Synthetic rows come class by class, source row by source row: row r's block must have imbalanced-learn's count,
        // and each of its rows must lie between r and one of r's k nearest class neighbours.
        int next = set.RowCount;
        for (int c = 0; c < set.ClassCount; c++)
        {
            string name = set.Label.GetClassName(c);
            if (!OversamplingFixture.Reference.GetProperty("adasyn_counts").TryGetProperty(name, out var expected))
                continue;
            var rows = OversamplingFixture.Ints(expected.GetProperty("rows"));
            var counts = OversamplingFixture.Ints(expected.GetProperty("counts"));
            Assert.Equal(counts, sampler.SamplesPerRow(set, c, 48 - set.ClassCounts[c]));
            for (int i = 0; i < rows.Length; i++)
            {
                var neighbours = ResamplingData.NaiveNeighbors(set, rows[i], rows, k);
                for (int s = 0; s < counts[i]; s++, next++)
                {
                    Assert.Equal(c, result.Labels[next]);
                    Assert.Equal(-1, result.SourceRows![next]);
                    Assert.True(neighbours.Any(n => Segment.Contains(set.GetRow(rows[i]), set.GetRow(n), result.GetRow(next), 1f)),
                        $"Synthetic row {next} is not between row {rows[i]} (class {name}) and one of its {k} nearest class neighbours.");
                }
            }
        }
        Assert.Equal(result.RowCount, next);
    }

    [Fact]
    public void FollowsTheStrategyAndIsReproducible()
    {
        var set = OversamplingFixture.Set;
        int c0 = OversamplingFixture.ClassOf(set, "c0"), c1 = OversamplingFixture.ClassOf(set, "c1"), c2 = OversamplingFixture.ClassOf(set, "c2");
        var options = new AdasynOptions { Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["c2"] = 30 }), Seed = 5 };
        var result = new Adasyn(options).Resample(set);
        Assert.Equal(48, result.ClassCounts[c0]);
        Assert.Equal(24, result.ClassCounts[c1]);
        Assert.Equal(12 + new Adasyn(options).SamplesPerRow(set, c2, 18).Sum(), result.ClassCounts[c2]);
        Assert.InRange(result.ClassCounts[c2], 28, 32);

        var again = new Adasyn(options).Resample(set);
        Assert.Equal(result.Features, again.Features);
        var other = new Adasyn(new AdasynOptions { Strategy = options.Strategy, Seed = 6 }).Resample(set);
        Assert.NotEqual(result.Features, other.Features);

        var (ml, data) = ResamplingData.Keyed(ResamplingData.Rows());
        var one = ResamplingData.ReadOut(ml, ml.Data.Adasyn(data, seed: 4));
        var two = ResamplingData.ReadOut(ml, ml.Data.Adasyn(data, new AdasynOptions { Seed = 4 }));
        Assert.Equal(one.SelectMany(r => r.Features), two.SelectMany(r => r.Features));
        Assert.All(one.Skip(93), r => Assert.True(r.Id == "" && double.IsNaN(r.Weight)));
    }

    [Fact]
    public void BadInputFailsClearly()
    {
        var set = ResamplingData.Set(ResamplingData.Rows(small: 4));
        var e = Assert.Throws<InvalidOperationException>(() => new Adasyn(new AdasynOptions()).Resample(set));
        Assert.Contains("'small' has 4 rows", e.Message);
        Assert.Contains("NumberOfNeighbors <= 3", e.Message);

        // No row of the class has an other-class neighbour: imbalanced-learn raises, so do we, naming the class.
        var rows = ResamplingData.Rows(big: 40, mid: 0, small: 12);
        foreach (var r in rows.Where(r => r.Label == "small"))
            r.A += 1000;
        e = Assert.Throws<InvalidOperationException>(() => new Adasyn(new AdasynOptions()).Resample(ResamplingData.Set(rows)));
        Assert.Contains("class 'small'", e.Message);

        // One row asked for, spread over many weighted rows: every count rounds to 0.
        e = Assert.Throws<InvalidOperationException>(() => new Adasyn(new AdasynOptions
        {
            Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["c1"] = 25 }),
        }).Resample(OversamplingFixture.Set));
        Assert.Contains("class 'c1'", e.Message);
        Assert.Contains("round to 0", e.Message);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new Adasyn(new AdasynOptions { NumberOfNeighbors = 0 }));
        Assert.Contains("NumberOfNeighbors", range.Message);
    }
}
