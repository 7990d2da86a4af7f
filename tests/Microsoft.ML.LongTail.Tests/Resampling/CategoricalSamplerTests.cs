using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;
using Microsoft.ML.LongTail.Tests.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>SMOTE-NC and SMOTE-N, against the imbalanced-learn 0.10 reference of Fixtures/make_categorical_fixtures.py.</summary>
public class CategoricalSamplerTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        public float[] Features { get; set; } = [];
    }

    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(PredictionCsv.FixturePath("categorical_reference.json"))).RootElement);

    private static JsonElement Case(string name) => Reference.Value.GetProperty(name);

    private static IDataView View(MLContext ml, JsonElement fixture)
    {
        var rows = fixture.GetProperty("rows").EnumerateArray()
            .Zip(fixture.GetProperty("labels").EnumerateArray(),
                (r, l) => new Row { Label = l.GetString()!, Features = r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray() })
            .ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Features.Length);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static LabeledFeatures Set(string name) => LabeledFeatures.Read(View(new MLContext(0), Case(name)));

    private static int[] ClassRows(LabeledFeatures set, int c) => Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == c).ToArray();

    private static int[] NcNumeric => [0, 2, 4];

    private static int[] NcCategorical => [1, 3];

    private static SmoteNc.SmoteNcDistance NcDistance(LabeledFeatures set)
    {
        double m = SmoteNc.MedianStandardDeviation(set, NcNumeric);
        return new SmoteNc.SmoteNcDistance(set.Features, set.FeatureCount, NcNumeric, NcCategorical, m * m / 2);
    }

    private static void AssertNeighboursAsReference(JsonElement fixture, LabeledFeatures set, Func<int[], int[]> search)
    {
        int k = fixture.GetProperty("k").GetInt32();
        foreach (var cls in fixture.GetProperty("neighbors").EnumerateObject())
        {
            int c = OversamplingFixture.ClassOf(set, cls.Name);
            var rows = ClassRows(set, c);
            var found = search(rows);
            var expected = cls.Value.EnumerateArray().ToArray();
            Assert.Equal(rows.Length, expected.Length);
            for (int i = 0; i < rows.Length; i++)
                Assert.Equal(OversamplingFixture.Ints(expected[i]), found.AsSpan(i * k, k).ToArray());
        }
    }

    [Fact]
    public void SmoteNcMedianAndNeighboursAreImbalancedLearns()
    {
        var fixture = Case("smotenc");
        var set = Set("smotenc");
        Assert.Equal(fixture.GetProperty("median_std").GetDouble(), SmoteNc.MedianStandardDeviation(set, NcNumeric), 1e-9);
        int k = fixture.GetProperty("k").GetInt32();
        var distance = NcDistance(set);
        AssertNeighboursAsReference(fixture, set, rows => MetricNearestNeighbors.Search(distance, rows, rows, k).Neighbors);
    }

    [Fact]
    public void SmoteNNeighboursAndDistancesAreImbalancedLearns()
    {
        var fixture = Case("smoten");
        var set = Set("smoten");
        int k = fixture.GetProperty("k").GetInt32();
        var vdm = SmoteN.ValueDifferenceMetric.Fit(set);
        AssertNeighboursAsReference(fixture, set, rows => MetricNearestNeighbors.Search(vdm, rows, rows, k).Neighbors);
        var rowsC2 = ClassRows(set, OversamplingFixture.ClassOf(set, "c2"));
        var expected = fixture.GetProperty("distances").GetProperty("c2").EnumerateArray().ToArray();
        for (int i = 0; i < rowsC2.Length; i++)
        {
            var line = expected[i].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int j = 0; j < rowsC2.Length; j++)
                Assert.Equal(line[j], vdm.Distance(rowsC2[i], rowsC2[j]), 1e-12);
        }
    }

    private static void AssertCountsAsReference(JsonElement fixture, LabeledFeatures result)
    {
        foreach (var cls in fixture.GetProperty("class_counts").EnumerateObject())
            Assert.Equal(cls.Value.GetInt32(), result.ClassCounts[OversamplingFixture.ClassOf(result, cls.Name)]);
    }

    private static float[] Values(LabeledFeatures set, IEnumerable<int> rows, int slot) => rows.Select(r => set.GetRow(r)[slot]).ToArray();

    private static float[] Modes(float[] values)
    {
        var groups = values.GroupBy(v => v).ToArray();
        int best = groups.Max(g => g.Count());
        return groups.Where(g => g.Count() == best).Select(g => g.Key).Order().ToArray();
    }

    [Fact]
    public void SmoteNcRowsInterpolateNumericSlotsAndTakeTheNeighboursModes()
    {
        var fixture = Case("smotenc");
        var set = Set("smotenc");
        int k = fixture.GetProperty("k").GetInt32();
        var result = new SmoteNc(new SmoteNcOptions { CategoricalSlots = NcCategorical, NumberOfNeighbors = k, Seed = 7 }).Resample(set);
        AssertCountsAsReference(fixture, result);
        Assert.Equal(set.Features, result.Features.AsSpan(0, set.Features.Length).ToArray());

        var distance = NcDistance(set);
        var neighbours = new Dictionary<int, int[]>();
        for (int c = 0; c < set.ClassCount; c++)
        {
            var rows = ClassRows(set, c);
            var found = MetricNearestNeighbors.Search(distance, rows, rows, k).Neighbors;
            for (int i = 0; i < rows.Length; i++)
                neighbours[rows[i]] = found.AsSpan(i * k, k).ToArray();
        }
        for (int i = set.RowCount; i < result.RowCount; i++)
        {
            var s = result.GetRow(i).ToArray();
            var sNum = NcNumeric.Select(j => s[j]).ToArray();
            bool found = ClassRows(set, result.Labels[i]).Any(a => neighbours[a].Any(b =>
                Segment.Contains(NcNumeric.Select(j => set.GetRow(a)[j]).ToArray(), NcNumeric.Select(j => set.GetRow(b)[j]).ToArray(), sNum, 1f)
                && NcCategorical.All(j => Modes(Values(set, neighbours[a], j)).Contains(s[j]))));
            Assert.True(found, $"Synthetic row {i} is on no row-neighbour segment with the neighbours' categories.");
        }
    }

    [Fact]
    public void SmoteNRowsTakeTheModeOfARowAndItsNeighbours()
    {
        var fixture = Case("smoten");
        var set = Set("smoten");
        int k = fixture.GetProperty("k").GetInt32();
        var result = new SmoteN(new SmoteNOptions { NumberOfNeighbors = k, Seed = 3 }).Resample(set);
        AssertCountsAsReference(fixture, result);
        Assert.Equal(set.Features, result.Features.AsSpan(0, set.Features.Length).ToArray());

        // The expected synthetic row of each base row: per slot, the mode of the row and its k neighbours, ties to the smallest.
        var vdm = SmoteN.ValueDifferenceMetric.Fit(set);
        var candidates = new Dictionary<int, List<float[]>>();
        for (int c = 0; c < set.ClassCount; c++)
        {
            var rows = ClassRows(set, c);
            var found = MetricNearestNeighbors.Search(vdm, rows, rows, k).Neighbors;
            candidates[c] = rows.Select((r, i) =>
            {
                var group = found.AsSpan(i * k, k).ToArray().Append(r).ToArray();
                return Enumerable.Range(0, set.FeatureCount).Select(j => Modes(Values(set, group, j))[0]).ToArray();
            }).ToList();
        }
        for (int i = set.RowCount; i < result.RowCount; i++)
        {
            var s = result.GetRow(i).ToArray();
            Assert.True(candidates[result.Labels[i]].Any(e => e.SequenceEqual(s)), $"Synthetic row {i} is no row's neighbourhood mode.");
        }
    }

    [Fact]
    public void SameSeedSameRowsOtherSeedOtherRows()
    {
        var nc = Set("smotenc");
        LabeledFeatures Nc(int seed) => new SmoteNc(new SmoteNcOptions { CategoricalSlots = NcCategorical, NumberOfNeighbors = 3, Seed = seed }).Resample(nc);
        Assert.Equal(Nc(4).Features, Nc(4).Features);
        Assert.NotEqual(Nc(4).Features, Nc(5).Features);

        var n = Set("smoten");
        LabeledFeatures N(int seed) => new SmoteN(new SmoteNOptions { NumberOfNeighbors = 3, Seed = seed }).Resample(n);
        Assert.Equal(N(4).Features, N(4).Features);
        Assert.NotEqual(N(4).Features, N(5).Features);
    }

    [Fact]
    public void CatalogOverloadsResampleToTheMajority()
    {
        var ml = new MLContext(0);
        var nc = LabeledFeatures.Read(ml.Data.SmoteNc(View(ml, Case("smotenc")), [1, 3], numberOfNeighbors: 3, seed: 1));
        Assert.Equal([30, 30, 30], nc.ClassCounts.Order().ToArray());
        var n = LabeledFeatures.Read(ml.Data.SmoteN(View(ml, Case("smoten")), numberOfNeighbors: 3, seed: 1));
        Assert.Equal([30, 30, 30], n.ClassCounts.Order().ToArray());
    }

    [Fact]
    public void CategoricalSlotsByNameAreTheSlotsByIndex()
    {
        var ml = new MLContext(0);
        var set = Set("smotenc");
        var columns = Enumerable.Range(0, set.RowCount).Select(i => new NamedRow
        {
            Label = set.Label.GetClassName(set.Labels[i]),
            A = set.GetRow(i)[0], Colour = set.GetRow(i)[1], B = set.GetRow(i)[2], Shape = set.GetRow(i)[3], C = set.GetRow(i)[4],
        }).ToArray();
        var data = ml.Transforms.Concatenate("Features", "A", "Colour", "B", "Shape", "C")
            .Fit(ml.Data.LoadFromEnumerable(columns)).Transform(ml.Data.LoadFromEnumerable(columns));
        var byName = LabeledFeatures.Read(ml.Data.SmoteNc(data, new SmoteNcOptions { CategoricalSlotNames = ["Colour", "Shape"], NumberOfNeighbors = 3 }));
        var byIndex = LabeledFeatures.Read(ml.Data.SmoteNc(data, [1, 3], numberOfNeighbors: 3));
        Assert.Equal(byIndex.Features, byName.Features);

        var error = Assert.Throws<ArgumentException>(() => ml.Data.SmoteNc(data, new SmoteNcOptions { CategoricalSlotNames = ["Size"] }));
        Assert.Contains("'Size'", error.Message);
        Assert.Contains("'Colour'", error.Message);
    }

    private sealed class NamedRow
    {
        public string Label { get; set; } = "";
        public float A { get; set; }
        public float Colour { get; set; }
        public float B { get; set; }
        public float Shape { get; set; }
        public float C { get; set; }
    }

    [Theory]
    [InlineData(new[] { 1, 7 }, "slot 7")]
    [InlineData(new[] { -1 }, "slot -1")]
    [InlineData(new[] { 1, 3, 1 }, "slot 1 more than once")]
    [InlineData(new[] { 0, 1, 2, 3, 4 }, "SmoteN")]
    public void SmoteNcRejectsBadSlots(int[] slots, string expected)
    {
        var set = Set("smotenc");
        var error = Assert.Throws<ArgumentException>(() => new SmoteNc(new SmoteNcOptions { CategoricalSlots = slots, NumberOfNeighbors = 3 }).Resample(set));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void SmoteNcNeedsACategoricalSlotAndFiniteCodes()
    {
        var error = Assert.Throws<ArgumentException>(() => new SmoteNc(new SmoteNcOptions()));
        Assert.Contains("CategoricalSlots", error.Message);
        Assert.Contains("SMOTE", error.Message);

        var set = Set("smotenc");
        var features = (float[])set.Features.Clone();
        features[2 * set.FeatureCount + 3] = float.NaN;
        var bad = set.WithRows(features, set.Labels, null);
        var nan = Assert.Throws<InvalidOperationException>(() => new SmoteNc(new SmoteNcOptions { CategoricalSlots = [1, 3] }).Resample(bad));
        Assert.Contains("slot 3 of row 2", nan.Message);
        var smoteN = Assert.Throws<InvalidOperationException>(() => new SmoteN(new SmoteNOptions()).Resample(bad));
        Assert.Contains("Slot 3 of row 2", smoteN.Message);
    }

    [Fact]
    public void TooFewRowsForTheNeighboursIsAClearError()
    {
        var set = Set("smoten");
        var error = Assert.Throws<InvalidOperationException>(() => new SmoteN(new SmoteNOptions { NumberOfNeighbors = 12 }).Resample(set));
        Assert.Contains("class 'c2' has 12 rows", error.Message);
        Assert.Contains("NumberOfNeighbors <= 11", error.Message);
    }
}
