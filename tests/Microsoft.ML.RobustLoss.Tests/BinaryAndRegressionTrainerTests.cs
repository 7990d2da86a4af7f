using Microsoft.ML.Data;

namespace Microsoft.ML.RobustLoss.Tests;

public sealed class BinaryAndRegressionTrainerTests
{
    private sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }

    private sealed class QuantilePrediction
    {
        public float[] Score { get; set; } = [];
    }

    [Theory]
    [InlineData(BinaryLoss.CrossEntropy)]
    [InlineData(BinaryLoss.Focal)]
    [InlineData(BinaryLoss.Asymmetric)]
    public void BinaryTrainerLearnsAndPredictsTheThresholdedProbability(BinaryLoss loss)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestData.BinaryBlobs(positives: 30, negatives: 150, seed: 1));
        var test = TestData.BinaryBlobs(positives: 50, negatives: 50, seed: 2);
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(new BinaryNeuralNetworkOptions
        {
            Loss = loss, HiddenLayers = [8], Epochs = 30, BatchSize = 32, LearningRate = 0.02, Seed = 1,
            FocalAlpha = loss == BinaryLoss.Focal ? 0.75 : -1, Sampling = BatchSampling.SquareRoot,
        }).Fit(train);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        Assert.Equal(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        var rows = ml.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).ToArray();
        int correct = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            float p = rows[i].Probability;
            Assert.Equal(1 / (1 + Math.Exp(-rows[i].Score)), p, 5);
            Assert.Equal(p > 0.5f, rows[i].PredictedLabel);
            correct += rows[i].PredictedLabel == test[i].Label ? 1 : 0;
        }
        Assert.True(correct >= 0.9 * rows.Length, $"{loss}: accuracy {correct}/{rows.Length}");
        // The usual binary columns, so ML.NET's own evaluator takes the output as it is.
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.Equal((double)correct / rows.Length, metrics.Accuracy, 10);
        Assert.InRange(metrics.AreaUnderRocCurve, 0.9, 1);
    }

    [Fact]
    public void BinaryModelSavesLoadsAndServesAPredictionEngine()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestData.BinaryBlobs(positives: 20, negatives: 60, seed: 4));
        var model = ml.BinaryClassification.Trainers.NeuralNetwork(hiddenLayers: [4], epochs: 3, seed: 2).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(stream, out _);
        Assert.Equal(model.Transform(train).GetColumn<float>("Probability"), loaded.Transform(train).GetColumn<float>("Probability"));
        Assert.Equal(model.Transform(train).GetColumn<float>("Score"), loaded.Transform(train).GetColumn<float>("Score"));
        var engine = fresh.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(loaded);
        var p = engine.Predict(new BinaryRow { Features = [3, 0] });
        Assert.Equal(p.Probability > 0.5f, p.PredictedLabel);
        Assert.Equal(p.Score > 0, p.PredictedLabel);
    }

    [Theory]
    [InlineData(RegressionLoss.Huber)]
    [InlineData(RegressionLoss.TukeyBiweight)]
    [InlineData(RegressionLoss.LogCosh)]
    [InlineData(RegressionLoss.PseudoHuber)]
    public void RobustLossesIgnoreOutliersThatPullSquaredErrorAway(RegressionLoss loss)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestData.Linear(400, seed: 1, outlierFraction: 0.1));
        var clean = TestData.Linear(200, seed: 2);
        double Mae(RegressionLoss l)
        {
            var model = ml.Regression.Trainers.NeuralNetwork(new RegressionNeuralNetworkOptions
            {
                Loss = l, HiddenLayers = [], Epochs = 40, BatchSize = 32, LearningRate = 0.05, Seed = 1, Schedule = LearningRateSchedule.Constant,
                PseudoHuberFinalDelta = l == RegressionLoss.PseudoHuber ? 0.5 : null,
            }).Fit(train);
            var scored = model.Transform(ml.Data.LoadFromEnumerable(clean));
            var predictions = scored.GetColumn<float>("Score").ToArray();
            double mae = predictions.Zip(clean, (p, r) => Math.Abs(p - r.Label)).Average();
            // A scalar Score, as ML.NET's regression evaluator expects.
            Assert.Equal(mae, ml.Regression.Evaluate(scored).MeanAbsoluteError, 4);
            return mae;
        }
        double robust = Mae(loss), squared = Mae(RegressionLoss.Squared);
        Assert.True(robust < 0.5 && robust < squared / 3, $"{loss}: clean MAE {robust:F3} vs squared {squared:F3}");
    }

    [Fact]
    public void QuantileLossGivesOneOrderedOutputPerQuantileAndSaves()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestData.Linear(300, seed: 3).Select(r => new RegressionRow { Features = r.Features, Label = r.Label + (float)(new Random(r.GetHashCode()).NextDouble() * 2 - 1) }));
        var model = ml.Regression.Trainers.NeuralNetwork(new RegressionNeuralNetworkOptions
        {
            Loss = RegressionLoss.Quantile, Quantiles = [0.1, 0.5, 0.9], HiddenLayers = [8], Epochs = 30, BatchSize = 32, LearningRate = 0.02, Seed = 1,
        }).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        var scores = loaded.Transform(train).GetColumn<float[]>("Score").ToArray();
        Assert.All(scores, s => Assert.Equal(3, s.Length));
        Assert.True(scores.Average(s => s[0]) < scores.Average(s => s[1]) && scores.Average(s => s[1]) < scores.Average(s => s[2]));
        var engine = new MLContext().Model.CreatePredictionEngine<RegressionRow, QuantilePrediction>(loaded);
        Assert.Equal(3, engine.Predict(new RegressionRow { Features = [0.5f, 0.5f] }).Score.Length);
    }

    [Fact]
    public void OutputSchemasMatchTheFittedColumns()
    {
        var ml = new MLContext();
        SchemaShape Shape(IDataView v) => TestSchemas.ShapeOf(v.Schema);

        var binary = ml.Data.LoadFromEnumerable(TestData.BinaryBlobs(5, 5, 1));
        var b = ml.BinaryClassification.Trainers.NeuralNetwork(epochs: 1).GetOutputSchema(Shape(binary));
        Assert.Equal(BooleanDataViewType.Instance, b.Single(c => c.Name == "PredictedLabel").ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, b.Single(c => c.Name == "Probability").Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, b.Single(c => c.Name == "Score").Kind);
        Assert.DoesNotContain(b, c => c.Name.StartsWith("robustloss_", StringComparison.Ordinal));
        // The fitted model's columns match the shape promised.
        var fitted = ml.BinaryClassification.Trainers.NeuralNetwork(epochs: 1).Fit(binary).Transform(binary).Schema;
        foreach (string name in new[] { "Score", "Probability", "PredictedLabel" })
            Assert.Equal(b.Single(c => c.Name == name).ItemType, fitted[name].Type);
        Assert.DoesNotContain(fitted, c => c.Name.StartsWith("robustloss_", StringComparison.Ordinal));

        var regression = ml.Data.LoadFromEnumerable(TestData.Linear(5, 1));
        var r = ml.Regression.Trainers.NeuralNetwork(epochs: 1).GetOutputSchema(Shape(regression));
        Assert.Equal(NumberDataViewType.Single, r.Single(c => c.Name == "Score").ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, r.Single(c => c.Name == "Score").Kind);
        Assert.Equal(NumberDataViewType.Single, ml.Regression.Trainers.NeuralNetwork(epochs: 1).Fit(regression).Transform(regression).Schema["Score"].Type);
        var quantiles = ml.Regression.Trainers.NeuralNetwork(new RegressionNeuralNetworkOptions { Loss = RegressionLoss.Quantile, Epochs = 1 }).GetOutputSchema(Shape(regression));
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, quantiles.Single(c => c.Name == "Score").Kind);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.NeuralNetwork(featureColumnName: "Missing").GetOutputSchema(Shape(regression)));
    }
}
