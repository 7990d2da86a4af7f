using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class BorderlineSmoteTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(5)]
    [InlineData(3)]
    public void DangerRowsMatchImbalancedLearn(int m)
    {
        var set = OversamplingFixture.Set;
        var sampler = new BorderlineSmote(new BorderlineSmoteOptions { NumberOfDangerNeighbors = m });
        foreach (var expected in OversamplingFixture.Reference.GetProperty("danger").GetProperty(m.ToString(System.Globalization.CultureInfo.InvariantCulture)).EnumerateObject())
        {
            int c = OversamplingFixture.ClassOf(set, expected.Name);
            Assert.Equal(OversamplingFixture.Ints(expected.Value), sampler.DangerRows(set, c));
        }
    }

    private static int[] Danger(LabeledFeatures set, int c, int m = 10) =>
        OversamplingFixture.Ints(OversamplingFixture.Reference.GetProperty("danger").GetProperty(m.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .GetProperty(set.Label.GetClassName(c)));

    private static bool OnSegment(LabeledFeatures set, IEnumerable<int> bases, Func<int, int[]> neighbours, ReadOnlySpan<float> s, float maxStep)
    {
        foreach (int a in bases)
        {
            foreach (int b in neighbours(a))
            {
                if (Segment.Contains(set.GetRow(a), set.GetRow(b), s, maxStep))
                    return true;
            }
        }
        return false;
    }

    private static int[] Members(LabeledFeatures set, int c) => Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == c).ToArray();

    private static int[] Others(LabeledFeatures set, int c) => Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] != c).ToArray();

    [Fact]
    public void Kind1RowsLieBetweenADangerRowAndOneOfItsClassNeighbours()
    {
        var set = OversamplingFixture.Set;
        const int k = 4;
        var result = new BorderlineSmote(new BorderlineSmoteOptions { NumberOfNeighbors = k, Seed = 7 }).Resample(set);

        // imbalanced-learn reaches the targets here (every class has danger rows).
        var expected = OversamplingFixture.Reference.GetProperty("borderline1_counts");
        for (int c = 0; c < set.ClassCount; c++)
            Assert.Equal(expected.GetProperty(set.Label.GetClassName(c)).GetInt32(), result.ClassCounts[c]);
        Assert.Equal(set.Features, result.Features.AsSpan(0, set.Features.Length).ToArray());
        for (int i = set.RowCount; i < result.RowCount; i++)
        {
            int c = result.Labels[i];
            var members = Members(set, c);
            Assert.Equal(-1, result.SourceRows![i]);
            Assert.True(OnSegment(set, Danger(set, c), a => ResamplingData.NaiveNeighbors(set, a, members, k), result.GetRow(i), 1f),
                $"Synthetic row {i} (class {set.Label.GetClassName(c)}) is on no danger-row / class-neighbour segment.");
        }
    }

    [Fact]
    public void Kind2RowsGoTowardsClassNeighboursThenHalfWayTowardsOtherClasses()
    {
        var set = OversamplingFixture.Set;
        const int k = 3;
        var sampler = new BorderlineSmote(new BorderlineSmoteOptions { NumberOfNeighbors = k, Kind = BorderlineSmoteKind.Borderline2, Seed = 3 });
        var result = sampler.Resample(set);
        var targets = sampler.GetTargetCounts(set);
        int next = set.RowCount;
        for (int c = 0; c < set.ClassCount; c++)
        {
            int add = targets[c] - set.ClassCounts[c];
            int made = result.ClassCounts[c] - set.ClassCounts[c];
            // imbalanced-learn's split: floor(f (N + 1)) + floor((1 - f) N) is N or N - 1.
            Assert.True(made == add || made == add - 1, $"class {set.Label.GetClassName(c)}: {made} rows for {add}");
            var members = Members(set, c);
            var others = Others(set, c);
            var danger = Danger(set, c);
            int within = 0, across = 0;
            for (int i = next; i < next + made; i++)
            {
                Assert.Equal(c, result.Labels[i]);
                var s = result.GetRow(i);
                if (across == 0 && OnSegment(set, danger, a => ResamplingData.NaiveNeighbors(set, a, members, k), s, 1f))
                {
                    within++;
                    continue;
                }
                Assert.True(OnSegment(set, danger, a => ResamplingData.NaiveNeighbors(set, a, others, k), s, 0.5f),
                    $"Synthetic row {i} (class {set.Label.GetClassName(c)}) is on no danger-row segment: within the class after {within}, nor half-way to another class.");
                across++;
            }
            if (add > 0)
                Assert.True(within > 0 && across > 0, $"class {set.Label.GetClassName(c)}: {within} rows within the class, {across} towards other classes");
            next += made;
        }
        Assert.Equal(result.RowCount, next);
    }

    [Fact]
    public void FollowsTheStrategyAndLeavesAClassWithoutDangerRowsAlone()
    {
        var set = OversamplingFixture.Set;
        int c0 = OversamplingFixture.ClassOf(set, "c0"), c1 = OversamplingFixture.ClassOf(set, "c1"), c2 = OversamplingFixture.ClassOf(set, "c2");
        var result = new BorderlineSmote(new BorderlineSmoteOptions
        {
            Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["c2"] = 30 }),
        }).Resample(set);
        Assert.Equal(48, result.ClassCounts[c0]);
        Assert.Equal(24, result.ClassCounts[c1]);
        Assert.Equal(30, result.ClassCounts[c2]);

        // Far apart classes: no row is in danger, so imbalanced-learn adds nothing, and neither do we.
        var rows = ResamplingData.Rows(big: 40, mid: 0, small: 12);
        foreach (var r in rows.Where(r => r.Label == "small"))
            r.A += 1000;
        var separated = ResamplingData.Set(rows);
        var sampler = new BorderlineSmote(new BorderlineSmoteOptions());
        Assert.Empty(sampler.DangerRows(separated, 1));
        var unchanged = sampler.Resample(separated);
        Assert.Equal(separated.ClassCounts, unchanged.ClassCounts);
        Assert.Equal(separated.Features, unchanged.Features);
        Assert.Equal([40, 40], sampler.GetTargetCounts(separated));
    }

    [Fact]
    public void IsReproducibleWithASeedAndDiffersWithAnother()
    {
        var set = OversamplingFixture.Set;
        foreach (var kind in new[] { BorderlineSmoteKind.Borderline1, BorderlineSmoteKind.Borderline2 })
        {
            var a = new BorderlineSmote(new BorderlineSmoteOptions { Kind = kind, Seed = 1 }).Resample(set);
            var b = new BorderlineSmote(new BorderlineSmoteOptions { Kind = kind, Seed = 1 }).Resample(set);
            var c = new BorderlineSmote(new BorderlineSmoteOptions { Kind = kind, Seed = 2 }).Resample(set);
            Assert.Equal(a.Features, b.Features);
            Assert.NotEqual(a.Features, c.Features);
        }
        var (ml, data) = ResamplingData.Keyed(ResamplingData.Rows());
        var one = ResamplingData.ReadOut(ml, ml.Data.BorderlineSmote(data, kind: BorderlineSmoteKind.Borderline2, seed: 4));
        var two = ResamplingData.ReadOut(ml, ml.Data.BorderlineSmote(data, new BorderlineSmoteOptions { Kind = BorderlineSmoteKind.Borderline2, Seed = 4 }));
        Assert.Equal(one.SelectMany(r => r.Features), two.SelectMany(r => r.Features));
        Assert.All(one.Skip(93), r => Assert.True(r.Id == "" && double.IsNaN(r.Weight)));
    }

    [Fact]
    public void BadInputFailsClearly()
    {
        var set = ResamplingData.Set(ResamplingData.Rows(small: 4));
        var e = Assert.Throws<InvalidOperationException>(() => new BorderlineSmote(new BorderlineSmoteOptions()).Resample(set));
        Assert.Contains("'small' has 4 rows", e.Message);
        Assert.Contains("NumberOfNeighbors <= 3", e.Message);

        e = Assert.Throws<InvalidOperationException>(() => new BorderlineSmote(new BorderlineSmoteOptions { NumberOfDangerNeighbors = 93 })
            .Resample(ResamplingData.Set(ResamplingData.Rows())));
        Assert.Contains("NumberOfDangerNeighbors = 93", e.Message);
        Assert.Contains("the data has 93", e.Message);

        // Kind 2 also needs k rows outside the class.
        var twoClasses = ResamplingData.Set(ResamplingData.Rows(big: 6, mid: 0, small: 4));
        e = Assert.Throws<InvalidOperationException>(() => new BorderlineSmote(new BorderlineSmoteOptions
        {
            Kind = BorderlineSmoteKind.Borderline2, NumberOfNeighbors = 5, NumberOfDangerNeighbors = 3,
            Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["big"] = 10 }),
        }).Resample(twoClasses));
        Assert.Contains("only 4 rows are not of class 'big'", e.Message);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new BorderlineSmote(new BorderlineSmoteOptions { NumberOfDangerNeighbors = 0 }));
        Assert.Contains("NumberOfDangerNeighbors", range.Message);
        range = Assert.Throws<ArgumentOutOfRangeException>(() => new BorderlineSmote(new BorderlineSmoteOptions { NumberOfNeighbors = 0 }));
        Assert.Contains("NumberOfNeighbors", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BorderlineSmote(new BorderlineSmoteOptions { Kind = (BorderlineSmoteKind)7 }));

        // Options kept by reference are checked again.
        var options = new BorderlineSmoteOptions();
        var sampler = new BorderlineSmote(options);
        options.NumberOfDangerNeighbors = -1;
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Resample(OversamplingFixture.Set));
    }
}
