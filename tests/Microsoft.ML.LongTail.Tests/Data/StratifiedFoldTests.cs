using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests.Data;

public class StratifiedFoldTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        public int Id { get; set; }
    }

    private static List<Row> Rows()
    {
        // 137 rows over 4 classes, one of them tiny (7 rows).
        var counts = new[] { ("a", 80), ("b", 35), ("c", 15), ("d", 7) };
        var random = new Random(3);
        return counts.SelectMany(c => Enumerable.Repeat(c.Item1, c.Item2))
            .OrderBy(_ => random.Next())
            .Select((l, i) => new Row { Label = l, Id = i })
            .ToList();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void CrossValidationSplit_OnFoldColumn_KeepsClassProportions(int folds)
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Data.AddStratifiedFoldColumn(ml.Data.LoadFromEnumerable(rows), "Label", folds, seed: 11);

        var foldType = Assert.IsType<KeyDataViewType>(data.Schema[StratifiedFoldCatalogExtensions.DefaultFoldColumnName].Type);
        Assert.Equal((ulong)folds, foldType.Count);

        var splits = ml.Data.CrossValidationSplit(data, folds, samplingKeyColumnName: StratifiedFoldCatalogExtensions.DefaultFoldColumnName);
        var total = rows.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Count());
        var seen = new HashSet<int>();
        for (int f = 0; f < folds; f++)
        {
            var test = ml.Data.CreateEnumerable<Row>(splits[f].TestSet, reuseRowObject: false).ToList();
            foreach (var (label, n) in total)
            {
                int inFold = test.Count(r => r.Label == label);
                // Within +-1 row of the class's exact share n / k.
                Assert.InRange(inFold, n / folds, (n + folds - 1) / folds);
            }
            // The fold column selects exactly fold f: raw key f + 1.
            Assert.All(splits[f].TestSet.GetColumn<uint>(StratifiedFoldCatalogExtensions.DefaultFoldColumnName), k => Assert.Equal((uint)f + 1, k));
            Assert.Equal(rows.Count - test.Count, splits[f].TrainSet.GetColumn<int>("Id").Count());
            foreach (var r in test)
                Assert.True(seen.Add(r.Id), "a row appears in two test folds");
        }
        Assert.Equal(rows.Count, seen.Count);
    }

    [Fact]
    public void SupportsKeyBoolAndNumericLabels()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows();
        var data = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(data).Transform(data);
        var withKey = ml.Data.AddStratifiedFoldColumn(keyed, "Key", 4, seed: 2, outputColumnName: "Fold");
        var fromString = ml.Data.AddStratifiedFoldColumn(data, "Label", 4, seed: 2, outputColumnName: "Fold");
        // Same classes, same seed -> same grouping up to class order; fold sizes match.
        Assert.Equal(
            fromString.GetColumn<uint>("Fold").GroupBy(f => f).Select(g => g.Count()).OrderBy(c => c),
            withKey.GetColumn<uint>("Fold").GroupBy(f => f).Select(g => g.Count()).OrderBy(c => c));

        var bools = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new BoolRow { Label = i % 4 == 0 }));
        var folds = ml.Data.AddStratifiedFoldColumn(bools, "Label", 5).GetColumn<uint>(StratifiedFoldCatalogExtensions.DefaultFoldColumnName).ToArray();
        var labels = bools.GetColumn<bool>("Label").ToArray();
        for (uint f = 1; f <= 5; f++)
            Assert.Equal(1, Enumerable.Range(0, 20).Count(i => folds[i] == f && labels[i]));

        var ints = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 9).Select(i => new IntRow { Label = i % 3 }));
        Assert.Equal(9, ml.Data.AddStratifiedFoldColumn(ints, "Label", 3).GetColumn<uint>(StratifiedFoldCatalogExtensions.DefaultFoldColumnName).Count());
    }

    [Fact]
    public void RejectsVectorLabelsAndSmallFoldCounts()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Data.AddStratifiedFoldColumn(data, "Label", 1));
        Assert.Throws<ArgumentException>(() => ml.Data.AddStratifiedFoldColumn(data, "Missing", 3));
    }

    private sealed class BoolRow
    {
        public bool Label { get; set; }
    }

    private sealed class IntRow
    {
        public int Label { get; set; }
    }
}
