using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Tests.Data;

public class LabeledFeaturesTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        public float A { get; set; }
        public float B { get; set; }
        public float C { get; set; }
        public string Id { get; set; } = "";
        public double Weight { get; set; }
        [VectorType(2)]
        public float[] Extra { get; set; } = [];
    }

    private static readonly string[] Names = ["cat", "dog", "emu"];

    private static IEnumerable<Row> Rows(int n)
    {
        var rnd = new Random(7);
        for (int i = 0; i < n; i++)
        {
            // Long-tailed class profile: cat 60 %, dog 30 %, emu 10 %.
            int c = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2;
            yield return new Row
            {
                Label = Names[c], A = (float)rnd.NextDouble(), B = c, C = -i, Id = $"row{i}", Weight = i * 0.5,
                Extra = [i, -i],
            };
        }
    }

    private static (MLContext, IDataView) KeyedData(int n)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(Rows(n));
        var data = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
            .Fit(raw).Transform(raw);
        return (ml, data);
    }

    [Fact]
    public void ReadsKeyLabelFeaturesAndCounts()
    {
        var (_, data) = KeyedData(50);
        var set = LabeledFeatures.Read(data);

        Assert.Equal(50, set.RowCount);
        Assert.Equal(3, set.FeatureCount);
        Assert.Equal(3, set.ClassCount);
        Assert.Equal(LabelKind.Key, set.Label.Kind);
        Assert.Equal(new[] { 30, 15, 5 }, set.ClassCounts);
        Assert.Equal(Names, set.Label.ClassNames);
        var rows = Rows(50).ToArray();
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(Array.IndexOf(Names, rows[i].Label), set.Labels[i]);
            Assert.Equal(new[] { rows[i].A, rows[i].B, rows[i].C }, set.GetRow(i).ToArray());
        }
    }

    [Fact]
    public void ViewBuiltBackShufflesWhenAskedAndKeepsRowIds()
    {
        // Resampled rows come grouped by class; trainers that shuffle (SDCA) must be able to.
        var (_, data) = KeyedData(200);
        var view = LabeledFeatures.Read(data).ToDataView(data);
        Assert.True(view.CanShuffle);

        var inOrder = ReadIdsAndC(view, null);
        var shuffled = ReadIdsAndC(view, new Random(3));
        var again = ReadIdsAndC(view, new Random(3));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => ((ulong)i, (float)-i)), inOrder);
        Assert.NotEqual(inOrder, shuffled);                      // another order...
        Assert.Equal(inOrder, shuffled.OrderBy(p => p.Id));      // ...of the same rows, each id with its own values
        Assert.Equal(shuffled, again);                           // the caller's random source decides it
    }

    private static List<(ulong Id, float C)> ReadIdsAndC(IDataView view, Random? rand)
    {
        var features = view.Schema["Features"];
        var read = new List<(ulong, float)>();
        using var cursor = view.GetRowCursor([features], rand);
        var id = cursor.GetIdGetter();
        var getter = cursor.GetGetter<VBuffer<float>>(features);
        DataViewRowId rowId = default;
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            getter(ref value);
            read.Add((rowId.Low, value.GetValues()[2]));
        }
        return read;
    }

    [Fact]
    public void RoundTripKeepsSchemaAnnotationsAndPassThroughColumns()
    {
        var (ml, data) = KeyedData(40);
        var back = LabeledFeatures.Read(data).ToDataView(data);

        var visible = data.Schema.Where(c => !c.IsHidden).ToArray();
        Assert.Equal(visible.Select(c => c.Name), back.Schema.Select(c => c.Name));
        foreach (var column in visible)
            Assert.Equal(column.Type, back.Schema[column.Name].Type);

        var names = default(VBuffer<ReadOnlyMemory<char>>);
        back.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal(Names, names.DenseValues().Select(n => n.ToString()));
        var slots = default(VBuffer<ReadOnlyMemory<char>>);
        back.Schema["Features"].GetSlotNames(ref slots);
        Assert.Equal(new[] { "A", "B", "C" }, slots.DenseValues().Select(n => n.ToString()));

        // Every value of every column is identical.
        Assert.Equal(data.GetColumn<uint>("Label"), back.GetColumn<uint>("Label"));
        Assert.Equal(data.GetColumn<string>("Id"), back.GetColumn<string>("Id"));
        Assert.Equal(data.GetColumn<double>("Weight"), back.GetColumn<double>("Weight"));
        Assert.Equal(data.GetColumn<float[]>("Features"), back.GetColumn<float[]>("Features"));
        Assert.Equal(data.GetColumn<float[]>("Extra"), back.GetColumn<float[]>("Extra"));
    }

    [Fact]
    public void RoundTripFeedsAStockTrainerAndEvaluatorExactlyAsTheOriginal()
    {
        var (ml, data) = KeyedData(300);
        var back = LabeledFeatures.Read(data).ToDataView();
        static MulticlassClassificationMetrics TrainAndEvaluate(IDataView view)
        {
            var ctx = new MLContext(seed: 3); // a fresh context each time: same random stream for both fits
            // In row order: the built-back view can shuffle and the original (from a generator) cannot, so a shuffling
            // trainer would see them in different orders.
            var model = ctx.Transforms.NormalizeMinMax("Features")
                .Append(ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy(
                    new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 20, Shuffle = false }))
                .Fit(view);
            return ctx.MulticlassClassification.Evaluate(model.Transform(view));
        }
        var original = TrainAndEvaluate(data);
        var roundTripped = TrainAndEvaluate(back);
        Assert.True(original.MicroAccuracy > 0.8, $"accuracy {original.MicroAccuracy}");
        Assert.Equal(original.MicroAccuracy, roundTripped.MicroAccuracy);
        Assert.Equal(original.LogLoss, roundTripped.LogLoss, 12);
        Assert.Equal(3, roundTripped.ConfusionMatrix.NumberOfClasses);
    }

    [Fact]
    public void WithRowsCarriesSourceRowsAndMarksSyntheticRowsMissing()
    {
        var (_, data) = KeyedData(10);
        var set = LabeledFeatures.Read(data);
        // Rows: source row 3, a synthetic emu, source row 0.
        var features = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var derived = set.WithRows(features, [0, 2, 1], [3, -1, 0]);
        Assert.Equal(new[] { 1, 1, 1 }, derived.ClassCounts);
        var view = derived.ToDataView(data);

        Assert.Equal(3, view.GetRowCount());
        Assert.Equal(new uint[] { 1, 3, 2 }, view.GetColumn<uint>("Label"));
        Assert.Equal(new[] { "row3", "", "row0" }, view.GetColumn<string>("Id"));
        var weights = view.GetColumn<double>("Weight").ToArray();
        Assert.Equal(1.5, weights[0]);
        Assert.True(double.IsNaN(weights[1]));
        Assert.Equal(0.0, weights[2]);
        Assert.Equal(new float[] { 4, 5, 6 }, view.GetColumn<float[]>("Features").ElementAt(1));
        Assert.Equal(new float[] { 0, 0 }, view.GetColumn<float[]>("Extra").ElementAt(1));
        Assert.Equal(new float[] { 3, -3 }, view.GetColumn<float[]>("Extra").ElementAt(0));
    }

    [Fact]
    public void WithRowsRejectsInconsistentArrays()
    {
        var (_, data) = KeyedData(10);
        var set = LabeledFeatures.Read(data);
        Assert.Throws<ArgumentException>(() => set.WithRows(new float[5], [0, 1], null));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.WithRows(new float[3], [7], [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.WithRows(new float[3], [0], [10]));
        Assert.Throws<ArgumentException>(() => set.WithRows(new float[6], [0, 1], null));
    }

    private sealed class Plain<TLabel>
    {
        public TLabel Label { get; set; } = default!;
        [VectorType(2)]
        public float[] Features { get; set; } = [0, 0];
    }

    private static LabeledFeatures ReadPlain<TLabel>(params TLabel[] labels)
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(labels.Select((l, i) => new Plain<TLabel> { Label = l, Features = [i, 1] }));
        return LabeledFeatures.Read(view);
    }

    [Fact]
    public void TextAndNumberLabelsBecomeSortedClasses()
    {
        var text = ReadPlain("b", "a", "c", "a");
        Assert.Equal(LabelKind.Text, text.Label.Kind);
        Assert.Equal(new[] { "a", "b", "c" }, text.Label.ClassNames);
        Assert.Equal(new[] { 1, 0, 2, 0 }, text.Labels);

        var ints = ReadPlain(10, -3, 7, 10);
        Assert.Equal(LabelKind.Number, ints.Label.Kind);
        Assert.Equal(new[] { "-3", "7", "10" }, ints.Label.ClassNames);
        Assert.Equal(new[] { 2, 0, 1, 2 }, ints.Labels);
        // Written back with the original type and values.
        Assert.Equal(new[] { 10, -3, 7, 10 }, ints.ToDataView().GetColumn<int>("Label"));

        var floats = ReadPlain(1f, 0f, 1f);
        Assert.Equal(new[] { 1, 0, 1 }, floats.Labels);
        Assert.Equal(new[] { 1f, 0f, 1f }, floats.ToDataView().GetColumn<float>("Label"));

        var bools = ReadPlain(true, false, true);
        Assert.Equal(LabelKind.Boolean, bools.Label.Kind);
        Assert.Equal(new[] { 1, 0, 1 }, bools.Labels);
        Assert.Equal(new[] { true, false, true }, bools.ToDataView().GetColumn<bool>("Label"));
    }

    [Fact]
    public void KeyLabelsFromLoadFromEnumerableAreReadAsTheyAreStored()
    {
        // Pitfall: LoadFromEnumerable takes [KeyType] values as 0-based and stores value + 1 (0 is the missing key),
        // while CreateEnumerable and GetColumn give the stored, 1-based value back.
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { 0u, 2u, 1u }.Select(k => new KeyRow { Label = k, Features = [k, 0] }));
        var set = LabeledFeatures.Read(view);
        Assert.Equal(3, set.ClassCount);
        Assert.Equal(new[] { 0, 2, 1 }, set.Labels);
        Assert.Equal(new uint[] { 1, 3, 2 }, set.ToDataView().GetColumn<uint>("Label"));
    }

    private sealed class KeyRow
    {
        [KeyType(3)]
        public uint Label { get; set; }
        [VectorType(2)]
        public float[] Features { get; set; } = [0, 0];
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        var ml = new MLContext(1);
        var (_, data) = KeyedData(10);

        var missing = Assert.Throws<ArgumentException>(() => LabeledFeatures.Read(data, "Target"));
        Assert.Contains("'Target'", missing.Message);
        Assert.Contains("'Label'", missing.Message); // lists what exists

        var wrongFeature = Assert.Throws<ArgumentOutOfRangeException>(() => LabeledFeatures.Read(data, featureColumnName: "Id"));
        Assert.Contains("'Id'", wrongFeature.Message);

        var wrongLabel = Assert.Throws<ArgumentOutOfRangeException>(() => LabeledFeatures.Read(data, labelColumnName: "Features"));
        Assert.Contains("'Features'", wrongLabel.Message);

        var empty = ml.Data.LoadFromEnumerable(Array.Empty<Plain<string>>());
        Assert.Contains("no rows", Assert.Throws<InvalidOperationException>(() => LabeledFeatures.Read(empty)).Message);

        var nan = ml.Data.LoadFromEnumerable(new[]
        {
            new Plain<string> { Label = "a", Features = [1, 2] },
            new Plain<string> { Label = "b", Features = [3, float.PositiveInfinity] },
        });
        var nonFinite = Assert.Throws<InvalidOperationException>(() => LabeledFeatures.Read(nan));
        Assert.Contains("row 1, slot 1", nonFinite.Message);
        Assert.Equal(2, LabeledFeatures.Read(nan, allowNonFiniteFeatures: true).RowCount);

        var unlabelled = ml.Data.LoadFromEnumerable(new[] { new Plain<string> { Label = "a" }, new Plain<string> { Label = "" } });
        Assert.Contains("missing value at row 1", Assert.Throws<InvalidOperationException>(() => LabeledFeatures.Read(unlabelled)).Message);

        // A value beyond the key's cardinality is stored as the missing key.
        var missingKey = ml.Data.LoadFromEnumerable(new[] { new KeyRow { Label = 1 }, new KeyRow { Label = 3 } });
        Assert.Contains("missing value at row 1", Assert.Throws<InvalidOperationException>(() => LabeledFeatures.Read(missingKey)).Message);

        var nanLabel = ml.Data.LoadFromEnumerable(new[] { new Plain<float> { Label = float.NaN } });
        Assert.Contains("missing value at row 0", Assert.Throws<InvalidOperationException>(() => LabeledFeatures.Read(nanLabel)).Message);
    }

    [Fact]
    public void InputViewIsNotModified()
    {
        var (_, data) = KeyedData(20);
        var before = data.GetColumn<float[]>("Features").Select(a => a.ToArray()).ToArray();
        var set = LabeledFeatures.Read(data);
        Array.Fill(set.Features, 99f);
        Assert.Equal(before, data.GetColumn<float[]>("Features"));
    }
}
