using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Evaluation;

/// <summary>On real ML.NET trainer output, the figures ML.NET also reports must agree with its own evaluator.</summary>
public class PipelineCrossCheckTests
{
    private sealed class Example
    {
        public float Label { get; set; }
        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>Imbalanced Gaussian blobs: 400 / 150 / 60 / 20 rows, overlapping enough to leave errors.</summary>
    private static List<Example> Blobs(int seed)
    {
        var rng = new Random(seed);
        var sizes = new[] { 400, 150, 60, 20 };
        var rows = new List<Example>();
        for (int c = 0; c < sizes.Length; c++)
        {
            for (int i = 0; i < sizes[c]; i++)
            {
                rows.Add(new Example
                {
                    Label = c,
                    Features = new[] { (float)(c + Gaussian(rng)), (float)(c % 2 + Gaussian(rng)), (float)Gaussian(rng) },
                });
            }
        }
        return rows;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void MulticlassAgreesWithMlNetEvaluate()
    {
        var ml = new MLContext(seed: 7);
        var train = ml.Data.LoadFromEnumerable(Blobs(1));
        var test = ml.Data.LoadFromEnumerable(Blobs(2));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
        var scored = pipeline.Fit(train).Transform(test);

        var reference = ml.MulticlassClassification.Evaluate(scored, topKPredictionCount: 2);
        var ours = ml.MulticlassClassification.EvaluateImbalanced(scored);

        Assert.InRange(ours.Accuracy, 0.3, 0.99);  // a model that makes some mistakes, so the check means something
        Assert.Equal(reference.MicroAccuracy, ours.Accuracy, 1e-12);
        Assert.Equal(reference.MacroAccuracy, ours.BalancedAccuracy, 1e-12);
        Assert.Equal(reference.TopKAccuracy, ours.TopKAccuracy[2], 1e-12);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(reference.PerClassLogLoss.Count, ours.PerClass.Count);
            for (int j = 0; j < 4; j++)
                Assert.Equal(reference.ConfusionMatrix.Counts[i][j], ours.ConfusionMatrix[i][j]);
            Assert.Equal(reference.ConfusionMatrix.PerClassPrecision[i], ours.PerClass[i].Precision, 1e-12);
            Assert.Equal(reference.ConfusionMatrix.PerClassRecall[i], ours.PerClass[i].Recall, 1e-12);
        }
        Assert.NotNull(ours.ExpectedCalibrationError);
        // MapValueToKey on a float label keeps the values as class names.
        Assert.Equal(new[] { "0", "1", "2", "3" }, ours.PerClass.Select(c => c.ClassName).ToArray());
    }

    [Fact]
    public void BinaryAgreesWithMlNetEvaluate()
    {
        var ml = new MLContext(seed: 7);
        static IEnumerable<Example> Binary(int seed) => Blobs(seed).Select(e => new Example { Label = e.Label == 3 ? 1 : 0, Features = e.Features });
        var train = ml.Data.LoadFromEnumerable(Binary(1));
        var test = ml.Data.LoadFromEnumerable(Binary(2));
        var pipeline = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Boolean)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20));
        var scored = pipeline.Fit(train).Transform(test);

        var reference = ml.BinaryClassification.Evaluate(scored);
        var ours = ml.BinaryClassification.EvaluateImbalanced(scored);

        Assert.Equal(reference.Accuracy, ours.Accuracy, 1e-12);
        Assert.Equal(reference.AreaUnderRocCurve, ours.AreaUnderRocCurve!.Value, 1e-9);
        Assert.Equal(reference.PositivePrecision, ours.PerClass[1].Precision, 1e-12);
        Assert.Equal(reference.PositiveRecall, ours.PerClass[1].Recall, 1e-12);
        Assert.Equal(reference.NegativeRecall, ours.PerClass[0].Recall, 1e-12);
        Assert.Equal(reference.F1Score, ours.PerClass[1].F1Score, 1e-12);
        Assert.NotNull(ours.ExpectedCalibrationError);
    }
}
