using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Evaluation;

/// <summary>Bad input must fail loudly, naming the column, type or row involved.</summary>
public class InputValidationTests
{
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Multiclass(int classCount, params (uint Label, uint Predicted, float[] Score)[] rows) =>
        ScoredData.Multiclass(_ml, classCount, rows);

    private IDataView TwoRows() => Multiclass(2, (0, 0, new[] { 0.8f, 0.2f }), (1, 1, new[] { 0.3f, 0.7f }));

    private sealed class FloatLabelRow
    {
        public float Label { get; set; }
        public uint PredictedLabel { get; set; }
        [VectorType(2)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class TextLabelRow
    {
        public string Label { get; set; } = "";
        [VectorType(2)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class FloatBinaryRow
    {
        public float Label { get; set; }
        public bool PredictedLabel { get; set; }
        public float Score { get; set; }
    }

    [Fact]
    public void MissingColumnListsAvailableColumns()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.EvaluateImbalanced(TwoRows(), scoreColumnName: "Scores"));
        Assert.Contains("'Scores'", ex.Message);
        Assert.Contains("Available columns", ex.Message);
        Assert.Contains("'Score'", ex.Message);
        Assert.Contains("'PredictedLabel'", ex.Message);
    }

    [Fact]
    public void MissingBinaryColumnListsAvailableColumns()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new ScoredData.BinaryRow { Label = true, Score = 1, Probability = 0.7f } });
        var ex = Assert.Throws<ArgumentException>(() =>
            _ml.BinaryClassification.EvaluateImbalanced(data, labelColumnName: "IsFraud"));
        Assert.Contains("'IsFraud'", ex.Message);
        Assert.Contains("'Label' (Boolean)", ex.Message);
    }

    [Fact]
    public void NonKeyLabelSuggestsMapValueToKey()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Label = 1, Score = new[] { 0.5f, 0.5f } } });
        var ex = Assert.Throws<ArgumentException>(() => _ml.MulticlassClassification.EvaluateImbalanced(data));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("Single", ex.Message);
        Assert.Contains("MapValueToKey", ex.Message);
    }

    [Fact]
    public void BinaryLabelMustBeBoolean()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new FloatBinaryRow { Label = 1, Score = 0.5f } });
        var ex = Assert.Throws<ArgumentException>(() => _ml.BinaryClassification.EvaluateImbalanced(data));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("Boolean", ex.Message);
    }

    [Fact]
    public void ScoreLengthMustMatchKeyCardinality()
    {
        // A 3-slot score against a 2-class key label.
        var schema = SchemaDefinition.Create(typeof(ScoredData.MulticlassRow));
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), 2);
        schema["PredictedLabel"].ColumnType = new KeyDataViewType(typeof(uint), 2);
        schema["Score"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        var data = _ml.Data.LoadFromEnumerable(new[] { new ScoredData.MulticlassRow { Score = new[] { 0.8f, 0.1f, 0.1f } } }, schema);
        var ex = Assert.Throws<ArgumentException>(() => _ml.MulticlassClassification.EvaluateImbalanced(data));
        Assert.Contains("'Score'", ex.Message);
        Assert.Contains("3 slots", ex.Message);
        Assert.Contains("2 classes", ex.Message);
    }

    [Fact]
    public void NaNScoreNamesTheRow()
    {
        var data = Multiclass(2, (0, 0, new[] { 0.8f, 0.2f }), (1, 1, new[] { float.NaN, 0.7f }));
        var ex = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.EvaluateImbalanced(data));
        Assert.Contains("'Score'", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void NaNBinaryScoreNamesTheRow()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new ScoredData.BinaryRow { Label = true, Score = 1, Probability = 0.7f },
            new ScoredData.BinaryRow { Label = false, Score = float.NaN, Probability = 0.2f },
        });
        var ex = Assert.Throws<InvalidOperationException>(() => _ml.BinaryClassification.EvaluateImbalanced(data));
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void EmptyViewThrows()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            _ml.MulticlassClassification.EvaluateImbalanced(Multiclass(2)));
        Assert.Contains("no rows", ex.Message);
        var binary = _ml.Data.LoadFromEnumerable(Array.Empty<ScoredData.BinaryRow>());
        Assert.Throws<InvalidOperationException>(() => _ml.BinaryClassification.EvaluateImbalanced(binary));
    }

    [Fact]
    public void MissingLabelKeyThrowsInsteadOfDroppingTheRow()
    {
        // A label outside the key mapping becomes the missing key (raw 0).
        var rows = new[]
        {
            new TextLabelRow { Label = "a", Score = new[] { 0.9f, 0.1f } },
            new TextLabelRow { Label = "b", Score = new[] { 0.2f, 0.8f } },
            new TextLabelRow { Label = "zzz", Score = new[] { 0.2f, 0.8f } },
        };
        var keys = _ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Label = "a" }, new TextLabelRow { Label = "b" } });
        var data = _ml.Transforms.Conversion.MapValueToKey("Label", keyData: _ml.Transforms.SelectColumns("Label").Fit(keys).Transform(keys))
            .Fit(_ml.Data.LoadFromEnumerable(rows)).Transform(_ml.Data.LoadFromEnumerable(rows));
        var ex = Assert.Throws<InvalidOperationException>(() =>
            _ml.MulticlassClassification.EvaluateImbalanced(data, new ImbalancedEvaluationOptions { PredictedLabelColumnName = null }));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("missing", ex.Message);
        Assert.Contains("row 2", ex.Message);
    }

    [Fact]
    public void TrainingCountsMustCoverEveryClass()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.EvaluateImbalanced(TwoRows(), trainingClassCounts: new long[] { 10, 20, 30 }));
        Assert.Contains("3 entries", ex.Message);
    }

    [Fact]
    public void PredictedLabelMustBeKeyOfSameCardinality()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new FloatLabelRow { Label = 1, Score = new[] { 0.5f, 0.5f } },
            new FloatLabelRow { Label = 2, Score = new[] { 0.5f, 0.5f } },
        });
        var withKey = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        // PredictedLabel is a plain uint here, not a key.
        var ex = Assert.Throws<ArgumentException>(() => _ml.MulticlassClassification.EvaluateImbalanced(withKey));
        Assert.Contains("'PredictedLabel'", ex.Message);
    }
}
