using System.Text.Json;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Evaluation;

/// <summary>
/// Compares the evaluator with scikit-learn / imbalanced-learn figures committed in Fixtures/
/// (made by Fixtures/make_metric_fixtures.py; python is not needed here).
/// </summary>
public class ReferenceFixtureTests
{
    // Counting metrics are exact ratios; float inputs are float32-exact, so round-off is all that differs.
    private const double Tolerance = 1e-9;

    private static JsonElement Expected(string name) =>
        JsonDocument.Parse(File.ReadAllText(PredictionCsv.FixturePath(name))).RootElement;

    [Fact]
    public void MulticlassFixtureMatchesReference()
    {
        var ml = new MLContext(seed: 1);
        var csv = PredictionCsv.Load(PredictionCsv.FixturePath("multiclass_predictions.csv"));
        var expected = Expected("multiclass_predictions.json");
        var trainCounts = expected.GetProperty("train_counts").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        var metrics = ml.MulticlassClassification.EvaluateImbalanced(ScoredData.Multiclass(ml, csv), new ImbalancedEvaluationOptions
        {
            TrainingClassCounts = trainCounts,
            CalibrationBins = expected.GetProperty("bins").GetInt32(),
            TopK = new[] { 2, 3 },
        });

        AssertShared(expected, metrics, csv.ClassCount);
        Assert.Equal(expected.GetProperty("top2_accuracy").GetDouble(), metrics.TopKAccuracy[2], Tolerance);
        Assert.Equal(expected.GetProperty("top3_accuracy").GetDouble(), metrics.TopKAccuracy[3], Tolerance);
        Assert.Equal(expected.GetProperty("many_shot_accuracy").GetDouble(), metrics.ManyShotAccuracy!.Value, Tolerance);
        Assert.Equal(expected.GetProperty("medium_shot_accuracy").GetDouble(), metrics.MediumShotAccuracy!.Value, Tolerance);
        Assert.Equal(expected.GetProperty("few_shot_accuracy").GetDouble(), metrics.FewShotAccuracy!.Value, Tolerance);
        // The fixture has a class that is never predicted: its precision is 0 by definition.
        Assert.Contains(metrics.PerClass, c => c.Support > 0 && c.Precision == 0);
    }

    [Fact]
    public void BinaryFixtureMatchesReference()
    {
        var ml = new MLContext(seed: 1);
        var csv = PredictionCsv.Load(PredictionCsv.FixturePath("binary_predictions.csv"));
        var expected = Expected("binary_predictions.json");

        var metrics = ml.BinaryClassification.EvaluateImbalanced(ScoredData.Binary(ml, csv));

        AssertShared(expected, metrics, 2);
        Assert.Equal(expected.GetProperty("roc_auc").GetDouble(), metrics.AreaUnderRocCurve!.Value, Tolerance);
        Assert.Equal(expected.GetProperty("pr_auc").GetDouble(), metrics.AreaUnderPrecisionRecallCurve!.Value, Tolerance);
        Assert.Equal(0.9, metrics.TargetPrecision);
        foreach (var target in expected.GetProperty("recall_at_precision").EnumerateObject())
        {
            double precision = double.Parse(target.Name, System.Globalization.CultureInfo.InvariantCulture);
            var atTarget = ml.BinaryClassification.EvaluateImbalanced(ScoredData.Binary(ml, csv),
                new ImbalancedEvaluationOptions { RecallAtPrecision = precision });
            Assert.Equal(target.Value.GetDouble(), atTarget.RecallAtPrecision!.Value, Tolerance);
        }
    }

    [Fact]
    public void BinaryFixtureThroughMulticlassCatalogMatchesReference()
    {
        // The same two-class predictions as a K = 2 key label: everything but the ranking metrics must agree.
        var ml = new MLContext(seed: 1);
        var csv = PredictionCsv.Load(PredictionCsv.FixturePath("binary_predictions.csv"));
        var expected = Expected("binary_predictions.json");
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(ScoredData.Multiclass(ml, csv));
        AssertShared(expected, metrics, 2);
    }

    private static void AssertShared(JsonElement expected, ImbalancedClassificationMetrics metrics, int classCount)
    {
        Assert.Equal(classCount, metrics.PerClass.Count);
        Assert.Equal(expected.GetProperty("accuracy").GetDouble(), metrics.Accuracy, Tolerance);
        Assert.Equal(expected.GetProperty("balanced_accuracy").GetDouble(), metrics.BalancedAccuracy, Tolerance);
        Assert.Equal(expected.GetProperty("macro_f1").GetDouble(), metrics.MacroF1Score, Tolerance);
        Assert.Equal(expected.GetProperty("weighted_f1").GetDouble(), metrics.WeightedF1Score, Tolerance);
        Assert.Equal(expected.GetProperty("mcc").GetDouble(), metrics.MatthewsCorrelation, Tolerance);
        Assert.Equal(expected.GetProperty("cohen_kappa").GetDouble(), metrics.CohenKappa, Tolerance);
        Assert.Equal(expected.GetProperty("geometric_mean_multiclass").GetDouble(), metrics.GeometricMean, Tolerance);
        Assert.Equal(expected.GetProperty("worst_class_recall").GetDouble(), metrics.WorstClassRecall, Tolerance);
        Assert.Equal(expected.GetProperty("ece").GetDouble(), metrics.ExpectedCalibrationError!.Value, Tolerance);

        var perClass = expected.GetProperty("per_class");
        double[] Column(string name) => perClass.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var precision = Column("precision");
        var recall = Column("recall");
        var f1 = Column("f1");
        var specificity = Column("specificity");
        var gmean = Column("geometric_mean");
        var iba = Column("iba");
        var support = Column("support");
        for (int i = 0; i < classCount; i++)
        {
            var c = metrics.PerClass[i];
            Assert.Equal(i, c.ClassIndex);
            Assert.Equal(precision[i], c.Precision, Tolerance);
            Assert.Equal(recall[i], c.Recall, Tolerance);
            Assert.Equal(f1[i], c.F1Score, Tolerance);
            Assert.Equal(specificity[i], c.Specificity, Tolerance);
            Assert.Equal(gmean[i], c.GeometricMean, Tolerance);
            Assert.Equal(iba[i], c.IndexBalancedAccuracy, Tolerance);
            Assert.Equal((long)support[i], c.Support);
        }

        var confusion = expected.GetProperty("confusion_matrix").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        for (int i = 0; i < classCount; i++)
            Assert.Equal(confusion[i], metrics.ConfusionMatrix[i].ToArray());

        var bins = expected.GetProperty("reliability_bins").EnumerateArray().ToArray();
        Assert.Equal(bins.Length, metrics.CalibrationBins.Count);
        for (int b = 0; b < bins.Length; b++)
        {
            var bin = metrics.CalibrationBins[b];
            Assert.Equal(bins[b].GetProperty("count").GetInt64(), bin.Count);
            AssertNullable(bins[b].GetProperty("mean_confidence"), bin.MeanConfidence);
            AssertNullable(bins[b].GetProperty("accuracy"), bin.Accuracy);
            Assert.Equal((double)b / bins.Length, bin.LowerBound, 1e-15);
        }
    }

    private static void AssertNullable(JsonElement expected, double? actual)
    {
        if (expected.ValueKind == JsonValueKind.Null)
            Assert.Null(actual);
        else
            Assert.Equal(expected.GetDouble(), actual!.Value, Tolerance);
    }
}
