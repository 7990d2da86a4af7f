using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Posthoc;

namespace Microsoft.ML.LongTail.Tests.Posthoc;

public sealed class ThresholdMovingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-threshold-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static double Metric(float[] scores, bool[] labels, float threshold, ThresholdMetric metric, double minimumPrecision)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            bool p = scores[i] >= threshold;
            if (p && labels[i]) tp++;
            else if (p) fp++;
            else if (labels[i]) fn++;
            else tn++;
        }
        double tpr = (double)tp / (tp + fn), tnr = (double)tn / (tn + fp);
        return metric switch
        {
            ThresholdMetric.F1 => 2.0 * tp / (2.0 * tp + fp + fn),
            ThresholdMetric.GeometricMean => Math.Sqrt(tpr * tnr),
            ThresholdMetric.BalancedAccuracy => (tpr + tnr) / 2,
            _ => tp + fp > 0 && (double)tp / (tp + fp) >= minimumPrecision ? tpr : double.NegativeInfinity,
        };
    }

    [Theory]
    [InlineData(ThresholdMetric.F1)]
    [InlineData(ThresholdMetric.GeometricMean)]
    [InlineData(ThresholdMetric.BalancedAccuracy)]
    [InlineData(ThresholdMetric.RecallAtPrecision)]
    public void FindThreshold_ReachesTheBruteForceOptimum(ThresholdMetric metric)
    {
        var random = new Random(4);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 50 + trial * 7;
            var labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.2).ToArray();
            labels[0] = true;
            labels[1] = false;
            // Rounded scores create ties.
            var scores = labels.Select(l => (float)Math.Round((l ? 0.6 : 0.4) + 0.3 * LongTailBlobs.Gaussian(random), 2)).ToArray();
            var (threshold, value) = ThresholdMovingEstimator.FindThreshold(scores, labels, metric, 0.5);
            double best = scores.Distinct().Append(float.MaxValue).Max(t => Metric(scores, labels, t, metric, 0.5));
            if (double.IsNegativeInfinity(best))
                continue;
            Assert.Equal(best, Metric(scores, labels, threshold, metric, 0.5), 12);
            Assert.Equal(best, value, 12);
        }
    }

    [Fact]
    public void FindThreshold_SingleClass_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ThresholdMovingEstimator.FindThreshold([0.1f, 0.9f], [true, true], ThresholdMetric.F1));
        Assert.Contains("both classes", e.Message);
    }

    private static (MLContext Ml, ITransformer Model, IDataView Validation, IDataView Test) Trained()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(LongTailBlobs.Rows([0.93, 0.07], 2000, 1, spread: 1.2));
        var validation = ml.Data.LoadFromEnumerable(LongTailBlobs.Rows([0.93, 0.07], 1000, 2, spread: 1.2));
        var test = ml.Data.LoadFromEnumerable(LongTailBlobs.Rows([0.93, 0.07], 1000, 3, spread: 1.2));
        var model = ml.BinaryClassification.Trainers.SdcaLogisticRegression("IsPositive").Fit(train);
        return (ml, model, model.Transform(validation), test);
    }

    [Fact]
    public void MovedThreshold_RaisesValidationF1_AndPredictedLabelIsProbabilityAtLeastThreshold()
    {
        var (ml, model, validation, test) = Trained();
        var estimator = ml.BinaryClassification.ThresholdMoving(ThresholdMetric.F1, validation, labelColumnName: "IsPositive");
        var mover = estimator.Fit(validation);
        float t = estimator.FittedThreshold!.Value;
        Assert.True(t < 0.5f, $"threshold {t}");

        var plain = ml.BinaryClassification.EvaluateImbalanced(validation, "IsPositive");
        var moved = ml.BinaryClassification.EvaluateImbalanced(mover.Transform(validation), "IsPositive");
        Assert.True(moved.PerClass[1].F1Score > plain.PerClass[1].F1Score + 0.02, $"F1 {plain.PerClass[1].F1Score:F3} -> {moved.PerClass[1].F1Score:F3}");
        Assert.Equal(estimator.FittedMetricValue!.Value, moved.PerClass[1].F1Score, 9);

        var scored = model.Append(mover).Transform(test);
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        for (int i = 0; i < predicted.Length; i++)
            Assert.Equal(probabilities[i] >= t, predicted[i]);
    }

    [Fact]
    public void SavesAndLoadsInAFreshContext_AndWorksInPredictionEngine()
    {
        var (ml, model, validation, test) = Trained();
        var full = model.Append(ml.BinaryClassification.ThresholdMoving(ThresholdMetric.GeometricMean, validation, "IsPositive").Fit(validation));
        string path = Path.Combine(_directory, "threshold.zip");
        ml.Model.Save(full, test.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var expected = full.Transform(test).GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal(expected, loaded.Transform(test).GetColumn<bool>("PredictedLabel").ToArray());
        var engine = fresh.Model.CreatePredictionEngine<LongTailBlobs.Row, BinaryPrediction>(loaded);
        var rows = ml.Data.CreateEnumerable<LongTailBlobs.Row>(test, reuseRowObject: false).Take(50).ToList();
        for (int i = 0; i < rows.Count; i++)
            Assert.Equal(expected[i], engine.Predict(rows[i]).PredictedLabel);
    }

    private sealed class BinaryPrediction
    {
        public bool PredictedLabel { get; set; }
    }

    [Fact]
    public void RecallAtPrecision_KeepsThePrecisionFloor()
    {
        var (ml, _, validation, _) = Trained();
        var estimator = ml.BinaryClassification.ThresholdMoving(ThresholdMetric.RecallAtPrecision, validation, "IsPositive", minimumPrecision: 0.6);
        var metrics = ml.BinaryClassification.EvaluateImbalanced(estimator.Fit(validation).Transform(validation), "IsPositive");
        Assert.True(metrics.PerClass[1].Precision >= 0.6, $"precision {metrics.PerClass[1].Precision}");
        Assert.Equal(estimator.FittedMetricValue!.Value, metrics.PerClass[1].Recall, 9);
    }

    [Fact]
    public void FixedThreshold_NeedsNoLabel_AndBadInputIsNamed()
    {
        var (ml, _, validation, _) = Trained();
        var fixedMover = ml.BinaryClassification.ThresholdMoving(new ThresholdMovingOptions { Threshold = 0.2f, LabelColumnName = "Absent" });
        var predicted = fixedMover.Fit(validation).Transform(validation);
        Assert.Equal(validation.GetColumn<float>("Probability").Select(p => p >= 0.2f), predicted.GetColumn<bool>("PredictedLabel"));

        var single = ml.Data.FilterByCustomPredicate<BoolRow>(validation, r => r.IsPositive);
        var singleClass = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.ThresholdMoving(labelColumnName: "IsPositive").Fit(single));
        Assert.Contains("both classes", singleClass.Message);
        var wrongType = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.ThresholdMoving(scoreColumnName: "Features", labelColumnName: "IsPositive").Fit(validation));
        Assert.Contains("'Features'", wrongType.Message);
        var wrongLabel = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.ThresholdMoving(labelColumnName: "Label").Fit(validation));
        Assert.Contains("'Label'", wrongLabel.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.ThresholdMoving(ThresholdMetric.RecallAtPrecision, minimumPrecision: 0));
    }

    private sealed class BoolRow
    {
        public bool IsPositive { get; set; }
    }
}
