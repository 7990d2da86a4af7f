using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class CleaningSamplerTests
{
    private static readonly int[] Counts = [50, 20, 5, 30];
    private static readonly string[] Names = ["a", "b", "c", "d"];

    [Fact]
    public void CleaningSelectionMatchesImbalancedLearn()
    {
        // imblearn check_sampling_strategy(..., "clean-sampling") keys: auto / not minority {0, 1, 3}; not majority {1, 2, 3};
        // majority {0}; all {0, 1, 2, 3}; ['b', 'c'] {1, 2}.
        bool[] Sel(SamplingStrategy s) => s.GetSelectedClasses(Counts, Names);
        Assert.Equal([true, true, false, true], Sel(SamplingStrategy.Auto));
        Assert.Equal([true, true, false, true], Sel(SamplingStrategy.NotMinority));
        Assert.Equal([false, true, true, true], Sel(SamplingStrategy.NotMajority));
        Assert.Equal([true, false, false, false], Sel(SamplingStrategy.Majority));
        Assert.Equal([true, true, true, true], Sel(SamplingStrategy.All));
        Assert.Equal([false, true, true, false], Sel(SamplingStrategy.Classes("b", "c")));
        // An empty class (unused key value) is never selected, nor the minority.
        Assert.Equal([true, false, false, true], SamplingStrategy.All.GetSelectedClasses([50, 0, 5, 30], Names)
            .Select((s, c) => s && c != 2).ToArray());
        Assert.Equal([true, false, false, true], SamplingStrategy.Auto.GetSelectedClasses([50, 0, 5, 30], Names));
        // A cleaning sampler's targets are the counts themselves (upper bounds).
        Assert.Equal(Counts, SamplingStrategy.Auto.GetTargetCounts(Counts, Names, SamplingKind.Cleaning));
    }

    [Fact]
    public void StrategiesThatDoNotSuitTheKindAreRejected()
    {
        foreach (var s in new[] { SamplingStrategy.Minority, SamplingStrategy.Ratio(0.5), SamplingStrategy.LongTail(0.5),
                     SamplingStrategy.Targets(new Dictionary<string, int> { ["a"] = 10 }), SamplingStrategy.Targets(new Dictionary<int, int> { [0] = 10 }) })
        {
            var e = Assert.Throws<ArgumentException>(() => s.GetTargetCounts(Counts, Names, SamplingKind.Cleaning));
            Assert.Contains("cleaning", e.Message, StringComparison.OrdinalIgnoreCase);
        }
        var list = SamplingStrategy.Classes("a");
        Assert.Contains("only for cleaning", Assert.Throws<ArgumentException>(() => list.GetTargetCounts(Counts, Names, SamplingKind.OverSampling)).Message);
        Assert.Contains("only for cleaning", Assert.Throws<ArgumentException>(() => list.GetTargetCounts(Counts, Names, SamplingKind.UnderSampling)).Message);
        Assert.Contains("'zz'", Assert.Throws<ArgumentException>(() => SamplingStrategy.Classes("zz").GetSelectedClasses(Counts, Names)).Message);
        Assert.Throws<ArgumentException>(() => SamplingStrategy.Classes());

        var set = ResamplingData.Set(ResamplingData.Rows());
        Assert.Throws<ArgumentException>(() => new Smote(new SmoteOptions { Strategy = SamplingStrategy.Classes("small") }).Resample(set));
        Assert.Throws<ArgumentException>(() => new NearMiss(new NearMissOptions { Strategy = SamplingStrategy.Classes("big") }).Resample(set));
        Assert.Throws<ArgumentException>(() => new TomekLinks(new TomekLinksOptions { Strategy = SamplingStrategy.Minority }).Resample(set));
        Assert.Throws<ArgumentException>(() => new EditedNearestNeighbours(new EditedNearestNeighboursOptions
            { Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["big"] = 10 }) }).Resample(set));
        // The list form works for a cleaning sampler and leaves the other classes as they are.
        var cleaned = new EditedNearestNeighbours(new EditedNearestNeighboursOptions { Strategy = SamplingStrategy.Classes("mid") }).Resample(set);
        Assert.Equal(set.ClassCounts[0], cleaned.ClassCounts[0]);
        Assert.Equal(set.ClassCounts[2], cleaned.ClassCounts[2]);
    }

    [Fact]
    public void BadOptionsAndTooFewRowsFailClearly()
    {
        Assert.Contains("NumberOfNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new EditedNearestNeighbours(new EditedNearestNeighboursOptions { NumberOfNeighbors = 0 })).Message);
        Assert.Contains("NumberOfNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions { NumberOfNeighbors = 0 })).Message);
        Assert.Contains("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions { MaxIterations = 0 })).Message);
        Assert.Contains("NumberOfNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() => new AllKnn(new AllKnnOptions { NumberOfNeighbors = -1 })).Message);
        Assert.Contains("Version", Assert.Throws<ArgumentOutOfRangeException>(() => new NearMiss(new NearMissOptions { Version = 4 })).Message);
        Assert.Contains("NumberOfNeighborsVersion3", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new NearMiss(new NearMissOptions { Version = 3, NumberOfNeighborsVersion3 = 0 })).Message);
        Assert.Contains("KindSelection", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new EditedNearestNeighbours(new EditedNearestNeighboursOptions { KindSelection = (NeighbourSelection)7 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmoteEnn(new SmoteEnnOptions { EnnNumberOfNeighbors = 0 }));

        // Options are kept by reference: a bad change is caught before the next run.
        var set = ResamplingData.Set(ResamplingData.Rows(big: 20, mid: 10, small: 4));
        var options = new EditedNearestNeighboursOptions();
        var enn = new EditedNearestNeighbours(options);
        options.NumberOfNeighbors = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => enn.Resample(set));

        // Neighbours among all 34 rows: at most 33.
        var e = Assert.Throws<InvalidOperationException>(() =>
            new EditedNearestNeighbours(new EditedNearestNeighboursOptions { NumberOfNeighbors = 34 }).Resample(set));
        Assert.Contains("NumberOfNeighbors <= 33", e.Message);
        // NearMiss 1 and 3: the neighbours are minority rows ('small', 4 rows).
        e = Assert.Throws<InvalidOperationException>(() => new NearMiss(new NearMissOptions { NumberOfNeighbors = 5 }).Resample(set));
        Assert.Contains("'small'", e.Message);
        Assert.Contains("NumberOfNeighbors <= 4", e.Message);
        // NearMiss 3: the class neighbours around each minority row.
        e = Assert.Throws<InvalidOperationException>(() => new NearMiss(new NearMissOptions
            { Version = 3, NumberOfNeighborsVersion3 = 21, Strategy = SamplingStrategy.Majority }).Resample(set));
        Assert.Contains("'big'", e.Message);
        Assert.DoesNotContain("'mid'", e.Message);
        // NearMiss 2 sums the farthest min(k, minority size) distances, as imbalanced-learn: no error.
        Assert.Equal([4, 4, 4], new NearMiss(new NearMissOptions { Version = 2, NumberOfNeighbors = 9 }).Resample(set).ClassCounts);
    }

    [Fact]
    public void DataViewPathKeepsTheSchemaAndPassesColumnsThrough()
    {
        var rows = ResamplingData.Rows();
        var (ml, data) = ResamplingData.Keyed(rows);
        var set = LabeledFeatures.Read(data);
        var before = ResamplingData.ReadOut(ml, data);
        var views = new (IDataView View, Sampler Sampler)[]
        {
            (ml.Data.RemoveTomekLinks(data), new TomekLinks(new TomekLinksOptions())),
            (ml.Data.EditNearestNeighbours(data, numberOfNeighbors: 3, kindSelection: NeighbourSelection.Mode),
                new EditedNearestNeighbours(new EditedNearestNeighboursOptions { KindSelection = NeighbourSelection.Mode })),
            (ml.Data.RepeatedlyEditNearestNeighbours(data), new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions())),
            (ml.Data.AllKnn(data), new AllKnn(new AllKnnOptions())),
            (ml.Data.NearMiss(data, version: 2), new NearMiss(new NearMissOptions { Version = 2 })),
            (ml.Data.NearMiss(data, new NearMissOptions { Version = 3 }), new NearMiss(new NearMissOptions { Version = 3 })),
        };
        foreach (var (view, sampler) in views)
        {
            Assert.Equal(data.Schema.Where(c => !c.IsHidden).Select(c => c.Name), view.Schema.Select(c => c.Name));
            Assert.Equal(data.Schema["Label"].Type, view.Schema["Label"].Type);
            var expected = sampler.Resample(set).SourceRows!;
            var output = ResamplingData.ReadOut(ml, view);
            Assert.Equal(expected.Length, output.Length);
            for (int i = 0; i < output.Length; i++)
            {
                var source = before[expected[i]];
                Assert.Equal(source.Label, output[i].Label);
                Assert.Equal(source.Features, output[i].Features);
                Assert.Equal(source.Id, output[i].Id);
                Assert.Equal(source.Weight, output[i].Weight);
            }
        }
    }

    [Fact]
    public void TomekLinksRemovesExactlyTheSelectedSideOfEachLink()
    {
        var set = CleaningFixtureTests.Load("three").Set;
        var all = Enumerable.Range(0, set.RowCount).ToArray();
        var nearest = all.Select(i => ResamplingData.NaiveNeighbors(set, i, all, 1)[0]).ToArray();
        var linked = all.Where(i => set.Labels[nearest[i]] != set.Labels[i] && nearest[nearest[i]] == i).ToArray();
        Assert.NotEmpty(linked);

        var result = new TomekLinks(new TomekLinksOptions { Strategy = SamplingStrategy.All }).Resample(set);
        Assert.Equal(all.Except(linked), result.SourceRows);
        var auto = new TomekLinks(new TomekLinksOptions()).Resample(set);
        // Auto spares the minority ('1', 45 rows): its side of a link stays.
        Assert.Contains(linked, i => set.Labels[i] == 1);
        Assert.Equal(all.Where(i => !linked.Contains(i) || set.Labels[i] == 1), auto.SourceRows);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SmoteThenCleaningKeepsAtMostTheTargets(bool enn)
    {
        var set = CleaningFixtureTests.Load("three").Set;
        Sampler combined = enn ? new SmoteEnn(new SmoteEnnOptions { Seed = 7 }) : new SmoteTomek(new SmoteTomekOptions { Seed = 7 });
        var result = combined.Resample(set);

        var targets = combined.GetTargetCounts(set);
        Assert.Equal([150, 150, 150], targets);
        for (int c = 0; c < 3; c++)
            Assert.InRange(result.ClassCounts[c], 1, targets[c]);
        Assert.True(result.RowCount < targets.Sum());

        // The same as SMOTE, then the cleaning with strategy All, by hand.
        var smoted = new Smote(new SmoteOptions { Seed = 7 }).Resample(set);
        Sampler cleaner = enn ? new EditedNearestNeighbours(new EditedNearestNeighboursOptions { Strategy = SamplingStrategy.All })
            : new TomekLinks(new TomekLinksOptions { Strategy = SamplingStrategy.All });
        var expected = cleaner.Resample(smoted);
        Assert.Equal(expected.SourceRows, result.SourceRows);
        Assert.Equal(expected.Features, result.Features);
        Assert.Equal(expected.Labels, result.Labels);
        // Original rows keep their source; synthetic ones have none.
        for (int i = 0; i < result.RowCount; i++)
        {
            int s = result.SourceRows![i];
            if (s >= 0)
                Assert.Equal(set.GetRow(s).ToArray(), result.GetRow(i).ToArray());
        }
        Assert.Contains(-1, result.SourceRows!);
        // Reproducible.
        Assert.Equal(result.Features, combined.Resample(set).Features);

        var (ml, data, _) = CleaningFixtureTests.Load("three");
        var view = enn ? ml.Data.SmoteEnn(data, seed: 7) : ml.Data.SmoteTomek(data, seed: 7);
        Assert.Equal(result.RowCount, ml.Data.CreateEnumerable<CleaningFixtureTests.FixtureRow>(view, reuseRowObject: false).Count());
    }
}
