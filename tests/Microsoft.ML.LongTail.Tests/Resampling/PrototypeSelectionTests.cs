using System.Text.Json;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>
/// Condensed nearest neighbour, one-sided selection and the neighbourhood cleaning rule against imbalanced-learn 0.10,
/// committed in Fixtures/resampling_prototype.json by Fixtures/make_prototype_fixtures.py (python is not needed here;
/// the data sets are those of resampling_cleaning.json).
/// </summary>
public class PrototypeSelectionTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "resampling_prototype.json"))));

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var ds in Fixture.Value.RootElement.GetProperty("datasets").EnumerateObject())
        {
            int i = 0;
            foreach (var c in ds.Value.GetProperty("cases").EnumerateArray())
                data.Add(ds.Name, i++, $"{c.GetProperty("sampler").GetString()} {c.GetProperty("strategy").GetRawText()} {c.GetProperty("params").GetRawText()}");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KeepsTheRowsImbalancedLearnKeeps(string dataset, int index, string description)
    {
        var c = Fixture.Value.RootElement.GetProperty("datasets").GetProperty(dataset).GetProperty("cases")[index];
        // "intended": imbalanced-learn's NCR with its kind_sel="all" test corrected (see the fixture script and the class remarks).
        var expected = (c.TryGetProperty("intended", out var intended) ? intended : c.GetProperty("indices"))
            .EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var set = CleaningFixtureTests.Load(dataset).Set;
        var strategy = CleaningFixtureTests.Strategy(c.GetProperty("strategy"));
        var p = c.GetProperty("params");
        int k = p.GetProperty("n_neighbors").GetInt32();

        int[] rows;
        switch (c.GetProperty("sampler").GetString())
        {
            case "NeighbourhoodCleaningRule":
                var ncr = new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions
                {
                    Strategy = strategy, NumberOfNeighbors = k, ThresholdCleaning = p.GetProperty("threshold_cleaning").GetDouble(),
                    KindSelection = p.GetProperty("kind_sel").GetString() == "mode" ? NeighbourSelection.Mode : NeighbourSelection.All,
                });
                var result = ncr.Resample(set);
                Assert.Equal(expected.Select(r => set.Labels[r]), result.Labels);
                rows = result.SourceRows!;
                break;
            case var name:
                // imbalanced-learn's seeds (positions within each class), replayed from its random_state by the script.
                var seeds = new int[]?[set.ClassCount];
                foreach (var s in c.GetProperty("seeds").EnumerateObject())
                    seeds[set.Label.ClassNames.ToList().IndexOf(s.Name)] = s.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var selected = strategy.GetSelectedClasses(set.ClassCounts, set.Label.ClassNames);
                Assert.Equal(selected, seeds.Select(s => s is not null).ToArray());
                int minority = EditedNearestNeighbours.FirstSeenMinority(set);
                rows = name == "CondensedNearestNeighbour"
                    ? CondensedNearestNeighbour.Condense(set, selected, minority, seeds, k, -1)
                    : OneSidedSelection.Select(set, selected, minority, seeds, k, -1);
                break;
        }
        Assert.True(expected.SequenceEqual(rows), $"{description}: expected [{string.Join(",", expected)}], got [{string.Join(",", rows)}]");
    }

    [Theory]
    [InlineData("two", 1, 1)]
    [InlineData("two", 3, 2)]
    [InlineData("three", 1, 1)]
    [InlineData("three", 3, 4)]
    [InlineData("three", 2, 3)]
    public void CondensedRowsClassifyEveryRemovedRowCorrectly(string dataset, int k, int seeds)
    {
        var set = CleaningFixtureTests.Load(dataset).Set;
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        foreach (int seed in new[] { 0, 1, 42 })
        {
            var cnn = new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { NumberOfNeighbors = k, NumberOfSeeds = seeds, Seed = seed });
            var result = cnn.Resample(set);
            var kept = result.SourceRows!.ToHashSet();
            Assert.Equal(kept.Count, result.RowCount);
            for (int c = 0; c < set.ClassCount; c++)
            {
                var rows = Enumerable.Range(0, set.RowCount).Where(i => set.Labels[i] == c).ToArray();
                if (c == minority)
                {
                    Assert.All(rows, r => Assert.Contains(r, kept));
                    continue;
                }
                var keptRows = rows.Where(kept.Contains).ToArray();
                Assert.InRange(keptRows.Length, seeds, rows.Length);
                // The defining property: the minority and the kept rows classify every removed row of the class as its class.
                var removed = rows.Where(r => !kept.Contains(r)).ToArray();
                var reference = Enumerable.Range(0, set.RowCount).Where(i => set.Labels[i] == minority).Concat(keptRows).ToArray();
                var neighbors = NearestNeighbors.Search(set.Features, set.FeatureCount, removed, reference, k, 1).Neighbors;
                for (int q = 0; q < removed.Length; q++)
                    Assert.True(CondensedNearestNeighbour.IsWellClassified(set.Labels, neighbors.AsSpan(q * k, k), c, minority), $"row {removed[q]} seed {seed}");
            }
        }
    }

    [Fact]
    public void RandomChoicesAreReproducibleWithASeed()
    {
        var set = CleaningFixtureTests.Load("three").Set;
        Sampler Cnn(int? seed) => new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { Seed = seed, NumberOfSeeds = 2 });
        Sampler Oss(int? seed) => new OneSidedSelection(new OneSidedSelectionOptions { Seed = seed, NumberOfSeeds = 2 });
        foreach (var make in new Func<int?, Sampler>[] { Cnn, Oss })
        {
            Assert.Equal(make(5).Resample(set).SourceRows, make(5).Resample(set).SourceRows);
            Assert.Equal(make(null).Resample(set).SourceRows, make(0).Resample(set).SourceRows);
            // Different seeds start from different rows: the kept rows differ for some seed.
            var first = make(1).Resample(set).SourceRows;
            Assert.Contains(Enumerable.Range(2, 5), s => !make(s).Resample(set).SourceRows!.SequenceEqual(first!));
        }
    }

    [Fact]
    public void SelectingTheMinorityKeepsOnlyItsSeeds()
    {
        // As imbalanced-learn: against itself, every minority row is "well classified", so only the seeds remain.
        var set = CleaningFixtureTests.Load("two").Set;
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        var cnn = new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { Strategy = SamplingStrategy.All, NumberOfSeeds = 3 }).Resample(set);
        Assert.Equal(3, cnn.ClassCounts[minority]);
        var oss = new OneSidedSelection(new OneSidedSelectionOptions { Strategy = SamplingStrategy.All, NumberOfSeeds = 3 }).Resample(set);
        Assert.InRange(oss.ClassCounts[minority], 0, 3);
    }

    [Fact]
    public void BadOptionsFailClearly()
    {
        Assert.Contains("NumberOfNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { NumberOfNeighbors = 0 })).Message);
        Assert.Contains("NumberOfSeeds", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { NumberOfSeeds = 0 })).Message);
        Assert.Contains("NumberOfNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new OneSidedSelection(new OneSidedSelectionOptions { NumberOfNeighbors = -1 })).Message);
        Assert.Contains("NumberOfSeeds", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new OneSidedSelection(new OneSidedSelectionOptions { NumberOfSeeds = 0 })).Message);
        Assert.Contains("NumberOfNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions { NumberOfNeighbors = 0 })).Message);
        Assert.Contains("KindSelection", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions { KindSelection = (NeighbourSelection)9 })).Message);
        foreach (double t in new[] { 0, 1, -0.5, 2, double.NaN })
        {
            Assert.Contains("ThresholdCleaning", Assert.Throws<ArgumentOutOfRangeException>(() =>
                new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions { ThresholdCleaning = t })).Message);
        }

        var set = ResamplingData.Set(ResamplingData.Rows(big: 20, mid: 10, small: 4));
        // Seeds are distinct rows of each selected class ('mid' has 10).
        var e = Assert.Throws<InvalidOperationException>(() =>
            new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { NumberOfSeeds = 11 }).Resample(set));
        Assert.Contains("'mid'", e.Message);
        Assert.Contains("NumberOfSeeds <= 10", e.Message);
        e = Assert.Throws<InvalidOperationException>(() =>
            new OneSidedSelection(new OneSidedSelectionOptions { NumberOfSeeds = 11 }).Resample(set));
        Assert.Contains("'mid'", e.Message);
        // Leaving 'mid' out of the strategy makes 11 seeds possible.
        Assert.Equal(4, new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions
            { NumberOfSeeds = 11, Strategy = SamplingStrategy.Classes("big") }).Resample(set).ClassCounts[2]);
        // The classifier is fitted on the minority ('small', 4 rows) and the seeds.
        e = Assert.Throws<InvalidOperationException>(() =>
            new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { NumberOfNeighbors = 6, NumberOfSeeds = 1 }).Resample(set));
        Assert.Contains("'small'", e.Message);
        Assert.Contains("NumberOfNeighbors <= 5", e.Message);
        // NCR's neighbours are among all 34 rows.
        e = Assert.Throws<InvalidOperationException>(() =>
            new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions { NumberOfNeighbors = 34 }).Resample(set));
        Assert.Contains("NumberOfNeighbors <= 33", e.Message);

        // Options are kept by reference: a bad change is caught before the next run.
        var options = new NeighbourhoodCleaningRuleOptions();
        var ncr = new NeighbourhoodCleaningRule(options);
        options.ThresholdCleaning = 1.5;
        Assert.Throws<ArgumentOutOfRangeException>(() => ncr.Resample(set));
    }

    [Fact]
    public void CatalogOverloadsRunTheSamplers()
    {
        var (ml, data, set) = CleaningFixtureTests.Load("two");
        long Count(IDataView v) => v.GetRowCount() ?? v.Preview(maxRows: 1000).RowView.Length;
        Assert.Equal(new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { Seed = 3 }).Resample(set).RowCount,
            Count(ml.Data.CondenseNearestNeighbour(data, seed: 3)));
        Assert.Equal(new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { NumberOfSeeds = 2 }).Resample(set).RowCount,
            Count(ml.Data.CondenseNearestNeighbour(data, new CondensedNearestNeighbourOptions { NumberOfSeeds = 2 })));
        Assert.Equal(new OneSidedSelection(new OneSidedSelectionOptions { Seed = 3 }).Resample(set).RowCount,
            Count(ml.Data.OneSidedSelection(data, seed: 3)));
        Assert.Equal(new OneSidedSelection(new OneSidedSelectionOptions { NumberOfNeighbors = 3 }).Resample(set).RowCount,
            Count(ml.Data.OneSidedSelection(data, new OneSidedSelectionOptions { NumberOfNeighbors = 3 })));
        Assert.Equal(new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions()).Resample(set).RowCount,
            Count(ml.Data.CleanNeighbourhood(data)));
        Assert.Equal(new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions { KindSelection = NeighbourSelection.Mode }).Resample(set).RowCount,
            Count(ml.Data.CleanNeighbourhood(data, new NeighbourhoodCleaningRuleOptions { KindSelection = NeighbourSelection.Mode })));
        Assert.Throws<ArgumentNullException>(() => ml.Data.CleanNeighbourhood(null!, new NeighbourhoodCleaningRuleOptions()));
    }
}
