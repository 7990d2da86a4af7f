using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>
/// Exact agreement with imbalanced-learn 0.10 on the kept rows (<c>sample_indices_</c>, in order) of TomekLinks, ENN,
/// RENN, AllKNN and NearMiss, committed in Fixtures/resampling_cleaning.json by Fixtures/make_resampling_fixtures.py
/// (python is not needed here).
/// </summary>
public class CleaningFixtureTests
{
    internal sealed class FixtureRow
    {
        public float Label { get; set; }
        [VectorType(5)]
        public float[] Features { get; set; } = [];
        public int Id { get; set; }
    }

    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "resampling_cleaning.json"))));

    private static readonly Dictionary<string, (MLContext Ml, IDataView Data, LabeledFeatures Set)> Sets = new();

    internal static (MLContext Ml, IDataView Data, LabeledFeatures Set) Load(string dataset)
    {
        lock (Sets)
        {
            if (Sets.TryGetValue(dataset, out var cached))
                return cached;
            var ds = Fixture.Value.RootElement.GetProperty("datasets").GetProperty(dataset);
            var labels = ds.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var features = ds.GetProperty("features").EnumerateArray()
                .Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
            var rows = labels.Select((l, i) => new FixtureRow { Label = l, Features = features[i], Id = 1000 + i }).ToArray();
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var entry = (ml, data, LabeledFeatures.Read(data));
            Sets[dataset] = entry;
            return entry;
        }
    }

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

    internal static SamplingStrategy Strategy(JsonElement s) => s.ValueKind switch
    {
        JsonValueKind.String => s.GetString() switch
        {
            "auto" => SamplingStrategy.Auto,
            "all" => SamplingStrategy.All,
            "majority" => SamplingStrategy.Majority,
            "not minority" => SamplingStrategy.NotMinority,
            "not majority" => SamplingStrategy.NotMajority,
            var other => throw new InvalidOperationException($"Unknown strategy {other}."),
        },
        JsonValueKind.Array => SamplingStrategy.Classes(s.EnumerateArray().Select(e => e.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
        _ => SamplingStrategy.Targets(s.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())),
    };

    private static NeighbourSelection Kind(JsonElement p) =>
        p.GetProperty("kind_sel").GetString() == "mode" ? NeighbourSelection.Mode : NeighbourSelection.All;

    internal static Sampler Make(string name, SamplingStrategy strategy, JsonElement p) => name switch
    {
        "TomekLinks" => new TomekLinks(new TomekLinksOptions { Strategy = strategy }),
        "EditedNearestNeighbours" => new EditedNearestNeighbours(new EditedNearestNeighboursOptions
            { Strategy = strategy, NumberOfNeighbors = p.GetProperty("n_neighbors").GetInt32(), KindSelection = Kind(p) }),
        "RepeatedEditedNearestNeighbours" => new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions
            { Strategy = strategy, NumberOfNeighbors = p.GetProperty("n_neighbors").GetInt32(), KindSelection = Kind(p) }),
        "AllKNN" => new AllKnn(new AllKnnOptions
            { Strategy = strategy, NumberOfNeighbors = p.GetProperty("n_neighbors").GetInt32(), KindSelection = Kind(p) }),
        "NearMiss" => new NearMiss(new NearMissOptions
        {
            Strategy = strategy, Version = p.GetProperty("version").GetInt32(), NumberOfNeighbors = p.GetProperty("n_neighbors").GetInt32(),
            NumberOfNeighborsVersion3 = p.GetProperty("n_neighbors_ver3").GetInt32(),
        }),
        _ => throw new InvalidOperationException($"Unknown sampler {name}."),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KeepsTheRowsImbalancedLearnKeeps(string dataset, int index, string description)
    {
        var c = Fixture.Value.RootElement.GetProperty("datasets").GetProperty(dataset).GetProperty("cases")[index];
        var expected = c.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var set = Load(dataset).Set;
        var sampler = Make(c.GetProperty("sampler").GetString()!, Strategy(c.GetProperty("strategy")), c.GetProperty("params"));

        var result = sampler.Resample(set);

        Assert.True(result.SourceRows is not null, description);
        Assert.Equal(expected, result.SourceRows);
        Assert.Equal(expected.Select(r => set.Labels[r]), result.Labels);
    }

    [Fact]
    public void RepeatedEditingReportsItsPasses()
    {
        var set = Load("three").Set;
        var renn = new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions { Strategy = SamplingStrategy.All });
        renn.Resample(set);
        Assert.InRange(renn.IterationCount, 2, 100);
        var once = new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions { Strategy = SamplingStrategy.All, MaxIterations = 1 });
        var enn = new EditedNearestNeighbours(new EditedNearestNeighboursOptions { Strategy = SamplingStrategy.All });
        Assert.Equal(enn.Resample(set).SourceRows, once.Resample(set).SourceRows);
        Assert.Equal(1, once.IterationCount);
    }
}
