using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests.Onnx;

public class PerClassLookupTests
{
    private sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }

    private sealed class KeyRow
    {
        [KeyType(3)]
        public uint Key { get; set; }
    }

    private sealed class KeyOut
    {
        public uint Key { get; set; }
    }

    [Fact]
    public void KeyInput_LooksUpByClassIndex()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { "b", "a", "c", "a", "b" }.Select(l => new LabelRow { Label = l }));
        // Key values in order of first appearance: b -> class 0, a -> 1, c -> 2.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(PerClassLookup.CreateEstimator(ml, "Weight", "Label", [10f, 20f, 30f]))
            .Append(PerClassLookup.CreateEstimator(ml, "Cost", "Label", new[] { new[] { 0f, 1f }, new[] { 2f, 3f }, new[] { 4f, 5f } }));
        var output = pipeline.Fit(data).Transform(data);

        Assert.Equal(NumberDataViewType.Single, output.Schema["Weight"].Type);
        Assert.Equal([10f, 20f, 30f, 20f, 10f], output.GetColumn<float>("Weight").ToArray());
        Assert.Equal([0f, 1f], output.GetColumn<float[]>("Cost").First());
        Assert.Equal([4f, 5f], output.GetColumn<float[]>("Cost").ElementAt(2));
    }

    [Fact]
    public void KeyRawValues_AreOneBased_AndLoadFromEnumerableShiftsThem()
    {
        var ml = new MLContext(seed: 1);
        // Pitfall: LoadFromEnumerable treats a [KeyType] uint property as a 0-based index and stores index + 1 ...
        var loaded = ml.Data.LoadFromEnumerable(new[] { 0u, 1u, 2u }.Select(k => new KeyRow { Key = k }));
        Assert.Equal([1u, 2u, 3u], loaded.GetColumn<uint>("Key").ToArray());
        // ... while CreateEnumerable returns the raw 1-based value (0 = missing).
        var keyed = ml.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Fit(ml.Data.LoadFromEnumerable(new[] { new LabelRow { Label = "x" }, new LabelRow { Label = "y" } }));
        var raw = ml.Data.CreateEnumerable<KeyOut>(keyed.Transform(ml.Data.LoadFromEnumerable(new[] { new LabelRow { Label = "y" } })), false);
        Assert.Equal(2u, raw.Single().Key);

        // ValueMapping keys are raw values: a table keyed 0..K-1 is shifted by one class and loses the last.
        var lookup = PerClassLookup.CreateEstimator(ml, "W", "Key", [10f, 20f, 30f]).Fit(loaded).Transform(loaded);
        Assert.Equal([10f, 20f, 30f], lookup.GetColumn<float>("W").ToArray());
        var zeroBased = ml.Transforms.Conversion.MapValue("W", new Dictionary<uint, float> { [0] = 10, [1] = 20, [2] = 30 }, "Key")
            .Fit(loaded).Transform(loaded);
        Assert.Equal([20f, 30f, 0f], zeroBased.GetColumn<float>("W").ToArray());
    }

    [Fact]
    public void TextKeyedTable_DoesNotWorkOnKeyColumn()
    {
        // Documented limit: ValueMapping cannot look a key column up by its key values (text).
        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label")
            .Fit(ml.Data.LoadFromEnumerable(new[] { new LabelRow { Label = "a" } }))
            .Transform(ml.Data.LoadFromEnumerable(new[] { new LabelRow { Label = "a" } }));
        var table = new Dictionary<ReadOnlyMemory<char>, float> { ["a".AsMemory()] = 1f };
        Assert.ThrowsAny<Exception>(() => ml.Transforms.Conversion.MapValue("W", table, "Label").Fit(data).Transform(data).GetColumn<float>("W").ToArray());
    }
}
