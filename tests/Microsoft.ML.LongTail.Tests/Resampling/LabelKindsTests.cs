using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>Samplers through the catalog on label kinds other than a key, and pass-through of copied rows.</summary>
public class LabelKindsTests
{
    private sealed class TextRow
    {
        public string Label { get; set; } = "";
        public float Features { get; set; }
        public int Id { get; set; }
    }

    private sealed class BoolRow
    {
        public bool Label { get; set; }
        [VectorType(2)]
        public float[] Features { get; set; } = [];
        public string Note { get; set; } = "";
    }

    [Fact]
    public void TextLabelAndScalarFeature()
    {
        var ml = new MLContext(1);
        // "zz" is the minority; a text label's classes are in sorted order: "aa" = 0, "zz" = 1.
        var rows = Enumerable.Range(0, 40).Select(i => new TextRow { Label = i % 5 == 0 ? "zz" : "aa", Features = i, Id = i }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);

        var output = ml.Data.CreateEnumerable<TextRow>(ml.Data.Smote(data, numberOfNeighbors: 3, seed: 2), reuseRowObject: false).ToArray();

        Assert.Equal(64, output.Length);
        Assert.Equal(32, output.Count(r => r.Label == "zz"));
        Assert.Equal(rows.Select(r => (r.Label, r.Features, r.Id)), output[..40].Select(r => (r.Label, r.Features, r.Id)));
        // Synthetic "zz" rows lie between "zz" rows (multiples of 5 in 0..35); an int has no missing value: 0.
        Assert.All(output[40..], r => Assert.True(r.Label == "zz" && r.Features >= 0 && r.Features <= 35 && r.Id == 0));
    }

    [Fact]
    public void BooleanLabelCopiesCarryTheirColumns()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 30).Select(i => new BoolRow { Label = i < 6, Features = [i, -i], Note = $"n{i}" }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);

        var over = ml.Data.CreateEnumerable<BoolRow>(ml.Data.RandomOverSample(data, seed: 3), reuseRowObject: false).ToArray();
        Assert.Equal(48, over.Length);
        Assert.All(over, r => Assert.Equal($"n{(int)r.Features[0]}", r.Note));
        Assert.All(over[30..], r => Assert.True(r.Label));

        var under = ml.Data.CreateEnumerable<BoolRow>(ml.Data.RandomUnderSample(data, seed: 3), reuseRowObject: false).ToArray();
        Assert.Equal(12, under.Length);
        Assert.Equal(6, under.Count(r => r.Label));
        Assert.All(under, r => Assert.Equal($"n{(int)r.Features[0]}", r.Note));
        Assert.Equal(12, under.Select(r => r.Note).Distinct().Count());
    }
}
