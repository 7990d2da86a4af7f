using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Evaluation;

/// <summary>Degenerate classes and inputs get the documented values.</summary>
public class DefinedValuesTests
{
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Multiclass(int classCount, params (uint Label, uint Predicted, float[] Score)[] rows) =>
        ScoredData.Multiclass(_ml, classCount, rows);

    private static float[] OneHot(int classCount, int hot)
    {
        var v = new float[classCount];
        v[hot] = 1;
        return v;
    }

    private IDataView FromPairs(int classCount, params (uint Label, uint Predicted)[] pairs) =>
        Multiclass(classCount, pairs.Select(p => (p.Label, p.Predicted, OneHot(classCount, (int)p.Predicted))).ToArray());

    private sealed class TextRow
    {
        public string Label { get; set; } = "";
        public string Predicted { get; set; } = "";
        [Microsoft.ML.Data.VectorType(3)]
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void NeverPredictedClassHasPrecisionZeroAndF1Zero()
    {
        var m = _ml.MulticlassClassification.EvaluateImbalanced(FromPairs(3, (0, 0), (0, 1), (1, 1), (2, 0), (2, 1)));
        var c2 = m.PerClass[2];
        Assert.Equal(0, c2.Precision);
        Assert.Equal(0, c2.Recall);
        Assert.Equal(0, c2.F1Score);
        Assert.Equal(2, c2.Support);
        Assert.Equal(0, m.WorstClassRecall);
        Assert.Equal((0.5 + 1 + 0) / 3, m.BalancedAccuracy, 1e-15);
    }

    [Fact]
    public void AbsentClassHasRecallZeroAndIsLeftOutOfBalancedAndWorstRecall()
    {
        var m = _ml.MulticlassClassification.EvaluateImbalanced(FromPairs(4, (0, 0), (0, 3), (1, 1), (1, 1), (2, 2), (2, 1)));
        var c3 = m.PerClass[3];
        Assert.Equal(0, c3.Support);
        Assert.Equal(0, c3.Recall);
        Assert.Equal(0, c3.Precision);
        Assert.Equal(0, c3.F1Score);
        Assert.Equal((0.5 + 1 + 0.5) / 3, m.BalancedAccuracy, 1e-15);
        Assert.Equal(0.5, m.WorstClassRecall);
        // Macro-F1 still averages over all K classes (sklearn labels = all classes).
        Assert.Equal(m.PerClass.Average(c => c.F1Score), m.MacroF1Score, 1e-15);
        // imblearn's multiclass G-mean covers labels seen in predictions too: class 3 (recall 0) zeroes it.
        Assert.Equal(0, m.GeometricMean);
    }

    [Fact]
    public void EceIsNullWhenScoresAreNotProbabilities()
    {
        var m = _ml.MulticlassClassification.EvaluateImbalanced(Multiclass(2,
            (0, 0, new[] { 2.5f, -1f }), (1, 1, new[] { 0.1f, 0.9f })));
        Assert.Null(m.ExpectedCalibrationError);
        Assert.Empty(m.CalibrationBins);
        Assert.Equal(1, m.Accuracy);
    }

    [Fact]
    public void ClassIndexIPairsWithScoreSlotI()
    {
        // Label class 1 with most score on slot 1: top-1 hit only if slot i <-> key i + 1.
        var m = _ml.MulticlassClassification.EvaluateImbalanced(Multiclass(3,
            (1, 1, new[] { 0.1f, 0.7f, 0.2f }), (2, 2, new[] { 0.1f, 0.3f, 0.6f })),
            new ImbalancedEvaluationOptions { TopK = new[] { 1 } });
        Assert.Equal(1, m.TopKAccuracy[1]);
        Assert.Equal(new long[] { 0, 1, 0 }, m.ConfusionMatrix[1].ToArray());
        Assert.Equal(0, m.PerClass[0].Support);
    }

    [Fact]
    public void TopKBreaksTiesLikeSklearn()
    {
        // All scores tie: sklearn ranks the higher class index first, so class 3 is top-1 and class 0 is last.
        var tie = new[] { 0.25f, 0.25f, 0.25f, 0.25f };
        var m = _ml.MulticlassClassification.EvaluateImbalanced(Multiclass(4, (3, 0, tie), (0, 0, tie), (2, 0, tie)),
            new ImbalancedEvaluationOptions { TopK = new[] { 1, 2, 4 } });
        Assert.Equal(1.0 / 3, m.TopKAccuracy[1], 1e-15);
        Assert.Equal(2.0 / 3, m.TopKAccuracy[2], 1e-15);
        Assert.Equal(1.0, m.TopKAccuracy[4]);
    }

    [Fact]
    public void PredictionDefaultsToArgMaxWhenNoPredictedLabelColumn()
    {
        var m = _ml.MulticlassClassification.EvaluateImbalanced(Multiclass(2,
            (0, 1, new[] { 0.8f, 0.2f }), (1, 0, new[] { 0.3f, 0.7f })),
            new ImbalancedEvaluationOptions { PredictedLabelColumnName = null });
        Assert.Equal(1, m.Accuracy);
    }

    [Fact]
    public void ShotGroupsWithoutClassesAreNull()
    {
        var m = _ml.MulticlassClassification.EvaluateImbalanced(FromPairs(3, (0, 0), (1, 1), (1, 0), (2, 2)),
            trainingClassCounts: new long[] { 500, 101, 100 });
        Assert.Equal((1 + 0.5) / 2, m.ManyShotAccuracy);
        Assert.Equal(1, m.MediumShotAccuracy);
        Assert.Null(m.FewShotAccuracy);

        var none = _ml.MulticlassClassification.EvaluateImbalanced(FromPairs(3, (0, 0), (1, 1)));
        Assert.Null(none.ManyShotAccuracy);
        Assert.Null(none.MediumShotAccuracy);
        Assert.Null(none.FewShotAccuracy);
    }

    [Fact]
    public void ClassNamesComeFromKeyValuesAndAppearInTheReport()
    {
        var rows = new[]
        {
            new TextRow { Label = "cat", Predicted = "cat", Score = new[] { 0.7f, 0.2f, 0.1f } },
            new TextRow { Label = "dog", Predicted = "cat", Score = new[] { 0.5f, 0.4f, 0.1f } },
            new TextRow { Label = "emu", Predicted = "emu", Score = new[] { 0.1f, 0.2f, 0.7f } },
            new TextRow { Label = "dog", Predicted = "dog", Score = new[] { 0.1f, 0.8f, 0.1f } },
        };
        var raw = _ml.Data.LoadFromEnumerable(rows);
        var pipeline = _ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(_ml.Transforms.Conversion.MapValueToKey("PredictedLabel", "Predicted", keyData: _ml.Transforms.SelectColumns("Label").Fit(raw).Transform(raw),
                keyOrdinality: Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue));
        var data = pipeline.Fit(raw).Transform(raw);

        var m = _ml.MulticlassClassification.EvaluateImbalanced(data);
        Assert.Equal(new[] { "cat", "dog", "emu" }, m.PerClass.Select(c => c.ClassName).ToArray());
        Assert.Equal(0.75, m.Accuracy);

        string report = m.ToReport();
        foreach (var token in new[] { "pre", "rec", "spe", "f1", "geo", "iba", "sup", "cat", "dog", "emu", "avg / total",
                     "Balanced accuracy", "Top-2 accuracy", "ECE (15 bins)" })
            Assert.Contains(token, report);
        Assert.Equal(report, m.ToString());
    }

    [Fact]
    public void BinaryWithoutProbabilityRanksByScoreAndHasNoEce()
    {
        var rows = new[]
        {
            (Label: true, Score: 2.0f), (Label: false, Score: -1.0f), (Label: true, Score: 0.5f), (Label: false, Score: 1.0f),
        };
        var data = _ml.Data.LoadFromEnumerable(rows.Select(r => new ScoredData.BinaryRow
        {
            Label = r.Label, Score = r.Score, PredictedLabel = r.Score > 0,
        }).ToList());
        data = _ml.Transforms.DropColumns("Probability").Fit(data).Transform(data);

        var m = _ml.BinaryClassification.EvaluateImbalanced(data);
        Assert.Null(m.ExpectedCalibrationError);
        Assert.Equal(0.75, m.AreaUnderRocCurve!.Value, 1e-15);       // 3 of 4 positive/negative pairs ordered
        Assert.Equal((0.5 * 1 + 0.5 * 2.0 / 3), m.AreaUnderPrecisionRecallCurve!.Value, 1e-15);
        Assert.Contains("ROC-AUC", m.ToReport());
    }

    [Fact]
    public void BinaryWithOneLabelClassHasNoRocAuc()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new ScoredData.BinaryRow { Label = true, Score = 1, Probability = 0.7f, PredictedLabel = true },
            new ScoredData.BinaryRow { Label = true, Score = -1, Probability = 0.3f, PredictedLabel = false },
        });
        var m = _ml.BinaryClassification.EvaluateImbalanced(data);
        Assert.Null(m.AreaUnderRocCurve);
        Assert.Equal(1, m.AreaUnderPrecisionRecallCurve);
        Assert.Equal(0.5, m.BalancedAccuracy);  // the absent negative class is left out
    }

    [Fact]
    public void BinaryEceIsNullWhenProbabilityIsOutsideUnitInterval()
    {
        var data = _ml.Data.LoadFromEnumerable(new[]
        {
            new ScoredData.BinaryRow { Label = true, Score = 1, Probability = 1.5f, PredictedLabel = true },
            new ScoredData.BinaryRow { Label = false, Score = -1, Probability = 0.3f, PredictedLabel = false },
        });
        var m = _ml.BinaryClassification.EvaluateImbalanced(data);
        Assert.Null(m.ExpectedCalibrationError);
        Assert.Empty(m.CalibrationBins);
        Assert.Equal(1, m.AreaUnderRocCurve);
    }

    [Fact]
    public void ExplicitProbabilityColumnMustExist()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new ScoredData.BinaryRow { Label = true, Probability = 0.7f } });
        var ex = Assert.Throws<ArgumentException>(() =>
            _ml.BinaryClassification.EvaluateImbalanced(data, probabilityColumnName: "Calibrated"));
        Assert.Contains("'Calibrated'", ex.Message);
    }
}
