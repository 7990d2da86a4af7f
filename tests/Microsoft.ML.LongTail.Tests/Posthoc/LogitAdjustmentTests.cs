using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Posthoc;

namespace Microsoft.ML.LongTail.Tests.Posthoc;

public sealed class LogitAdjustmentTests : IDisposable
{
    private const int K = 5;
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-logit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (MLContext Ml, ITransformer Model, IDataView Train, IDataView Test) Trained(int seed = 1)
    {
        var ml = new MLContext(seed);
        var train = LongTailBlobs.Load(ml, LongTailBlobs.Rows(LongTailBlobs.LongTail, 1500, seed), K);
        var test = LongTailBlobs.Load(ml, LongTailBlobs.Rows(Enumerable.Repeat(0.2, K).ToArray(), 1000, seed + 100), K);
        var model = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().Fit(train);
        return (ml, model, train, test);
    }

    [Fact]
    public void AdjustedScores_MatchTheFormula_AndPredictedLabelIsTheirArgMax()
    {
        var (ml, model, train, test) = Trained();
        var estimator = ml.MulticlassClassification.LogitAdjustment(tau: 1.3);
        var adjuster = estimator.Fit(model.Transform(train));
        var before = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var after = adjuster.Transform(model.Transform(test));
        var scores = after.GetColumn<float[]>("Score").ToArray();
        var predicted = after.GetColumn<uint>("PredictedLabel").ToArray();

        var labels = train.GetColumn<uint>("Label").ToArray();
        for (int c = 0; c < K; c++)
            Assert.Equal(labels.Count(l => l == c + 1) / (double)labels.Length, estimator.FittedPriors![c], 12);
        Assert.Equal(1.3, estimator.FittedTau);
        int changed = 0;
        for (int i = 0; i < before.Length; i++)
        {
            var expected = LogitAdjustmentEstimator.Adjust(before[i], estimator.FittedPriors!, 1.3);
            for (int c = 0; c < K; c++)
                Assert.Equal(expected[c], scores[i][c], 4);
            Assert.Equal(1.0, scores[i].Sum(), 4);
            Assert.Equal((uint)Array.IndexOf(scores[i], scores[i].Max()) + 1, predicted[i]);
            if (Array.IndexOf(before[i], before[i].Max()) != Array.IndexOf(scores[i], scores[i].Max()))
                changed++;
        }
        Assert.True(changed > 10, $"only {changed} predictions changed");
        // The predicted label keeps the label's key values.
        VBuffer<ReadOnlyMemory<char>> names = default;
        after.Schema["PredictedLabel"].GetKeyValues(ref names);
        Assert.Equal(Enumerable.Range(0, K).Select(LongTailBlobs.ClassName), names.DenseValues().Select(n => n.ToString()));
    }

    [Fact]
    public void TauZero_LeavesScoresAndPredictionsAsTheyWere()
    {
        var (ml, model, train, test) = Trained();
        var scored = model.Transform(test);
        var adjusted = ml.MulticlassClassification.LogitAdjustment(tau: 0).Fit(model.Transform(train)).Transform(scored);
        var before = scored.GetColumn<float[]>("Score").ToArray();
        var after = adjusted.GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            for (int c = 0; c < K; c++)
                Assert.Equal(before[i][c], after[i][c], 1e-5);
        }
        Assert.Equal(scored.GetColumn<uint>("PredictedLabel").ToArray(), adjusted.GetColumn<uint>("PredictedLabel").ToArray());
    }

    [Fact]
    public void RawScores_AreTreatedAsLogits()
    {
        var ml = new MLContext(1);
        var rows = new[] { new ScoreRow { Label = "a", Score = [2f, -1f, 0.5f] }, new ScoreRow { Label = "b", Score = [0f, 0f, 0f] }, new ScoreRow { Label = "c", Score = [-3f, 4f, 1f] } };
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        double[] priors = [0.7, 0.2, 0.1];
        var estimator = ml.MulticlassClassification.LogitAdjustment(new LogitAdjustmentOptions { ScoreKind = MulticlassScoreKind.RawScores, Priors = priors, Tau = 1 });
        var scores = estimator.Fit(data).Transform(data).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var z = rows[i].Score.Select((s, c) => s - Math.Log(priors[c])).ToArray();
            double sum = z.Sum(Math.Exp);
            for (int c = 0; c < 3; c++)
                Assert.Equal(Math.Exp(z[c]) / sum, scores[i][c], 5);
        }
        // Probabilities mode rejects raw scores, naming the option.
        var wrongKind = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LogitAdjustment().Fit(data));
        Assert.Contains("ScoreKind", wrongKind.Message);
    }

    private sealed class ScoreRow
    {
        public string Label { get; set; } = "";

        [VectorType(3)]
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void ImprovesBalancedAccuracy_OnBalancedTestData()
    {
        var (ml, model, train, test) = Trained();
        var plain = model.Transform(test);
        var adjusted = model.Append(ml.MulticlassClassification.LogitAdjustment().Fit(model.Transform(train))).Transform(test);
        var labels = plain.GetColumn<uint>("Label").ToArray();
        double before = LongTailBlobs.BalancedAccuracy(labels, plain.GetColumn<uint>("PredictedLabel").ToArray(), K);
        double after = LongTailBlobs.BalancedAccuracy(labels, adjusted.GetColumn<uint>("PredictedLabel").ToArray(), K);
        Assert.True(after > before + 0.02, $"balanced accuracy {before:F3} -> {after:F3}");
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(adjusted);
        Assert.Equal(after, metrics.BalancedAccuracy, 9);
    }

    [Fact]
    public void SavesAndLoadsInAFreshContext_AndWorksInPredictionEngine()
    {
        var (ml, model, train, test) = Trained();
        var full = model.Append(ml.MulticlassClassification.LogitAdjustment(tau: 1.0).Fit(model.Transform(train)));
        string path = Path.Combine(_directory, "logit.zip");
        ml.Model.Save(full, train.Schema, path);
        var expected = full.Transform(test);

        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var actual = loaded.Transform(test);
        Assert.Equal(expected.GetColumn<uint>("PredictedLabel").ToArray(), actual.GetColumn<uint>("PredictedLabel").ToArray());
        Assert.Equal(expected.GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), actual.GetColumn<float[]>("Score").SelectMany(s => s).ToArray());

        var rows = LongTailBlobs.Rows(LongTailBlobs.LongTail, 40, seed: 9);
        var engine = fresh.Model.CreatePredictionEngine<FeaturesOnly, Prediction>(loaded);
        var fromView = full.Transform(LongTailBlobs.Load(ml, rows, K)).GetColumn<uint>("PredictedLabel").ToArray();
        for (int i = 0; i < rows.Count; i++)
            Assert.Equal(fromView[i], engine.Predict(new FeaturesOnly { Features = rows[i].Features }).PredictedLabel);
    }

    private sealed class FeaturesOnly
    {
        [VectorType(LongTailBlobs.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void WorksInsideCrossValidate_AsPartOfTheTrainingPipeline()
    {
        var ml = new MLContext(2);
        var data = LongTailBlobs.Load(ml, LongTailBlobs.Rows(LongTailBlobs.LongTail, 900, 5), K);
        data = ml.Data.AddStratifiedFoldColumn(data, "Label", numberOfFolds: 3, outputColumnName: "Fold");
        var pipeline = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().Append(ml.MulticlassClassification.LogitAdjustment());
        var results = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 3, samplingKeyColumnName: "Fold");
        Assert.Equal(3, results.Count);
        foreach (var fold in results)
        {
            var scored = fold.ScoredHoldOutSet;
            var labels = scored.GetColumn<uint>("Label").ToArray();
            var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
            Assert.Equal(fold.Metrics.MacroAccuracy, LongTailBlobs.BalancedAccuracy(labels, predicted, K), 6);
        }
    }

    [Fact]
    public void TauTuning_PicksTheBestCandidate_OfTheChosenMetric()
    {
        var (ml, model, train, _) = Trained();
        var validation = model.Transform(LongTailBlobs.Load(ml, LongTailBlobs.Rows(LongTailBlobs.LongTail, 800, 77), K));
        var estimator = ml.MulticlassClassification.LogitAdjustment(new LogitAdjustmentOptions
        {
            ValidationData = validation,
            TauCandidates = [0, 0.5, 1, 1.5, 2],
            TuningMetric = m => m.MacroF1Score,
        });
        var adjuster = estimator.Fit(model.Transform(train));
        int best = estimator.TuningScores!.ToList().IndexOf(estimator.TuningScores!.Max());
        Assert.Equal(new[] { 0, 0.5, 1, 1.5, 2 }[best], estimator.FittedTau);
        // The recorded score is the metric of the fitted transformer on the validation data.
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(adjuster.Transform(validation));
        Assert.Equal(estimator.TuningScores![best], metrics.MacroF1Score, 9);
        Assert.True(estimator.TuningScores![best] >= estimator.TuningScores![0]);
    }

    [Fact]
    public void BadInput_GivesErrorsNamingTheOptionColumnOrClass()
    {
        var (ml, model, train, _) = Trained();
        var scored = model.Transform(train);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.LogitAdjustment(tau: -0.5));
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.LogitAdjustment(new LogitAdjustmentOptions { Priors = [0.5, 0.5, 0, 0.1, 0.1] }));
        Assert.Contains("Priors[2]", zero.Message);
        var length = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LogitAdjustment(new LogitAdjustmentOptions { Priors = [0.5, 0.5] }).Fit(scored));
        Assert.Contains("5 classes", length.Message);
        var wrongType = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LogitAdjustment(scoreColumnName: "Label").Fit(scored));
        Assert.Contains("'Label'", wrongType.Message);
        var textLabel = ml.Data.LoadFromEnumerable(LongTailBlobs.Rows(LongTailBlobs.LongTail, 100, 1));
        var notKey = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LogitAdjustment().Fit(textLabel));
        Assert.Contains("key", notKey.Message);
        var missingValidationScores = Assert.Throws<ArgumentException>(() =>
            ml.MulticlassClassification.LogitAdjustment(new LogitAdjustmentOptions { ValidationData = train }).Fit(scored));
        Assert.Contains("scored", missingValidationScores.Message);

        // A class with no training rows: its prior would be 0.
        var fourClasses = LongTailBlobs.Load(ml, LongTailBlobs.Rows([0.4, 0.3, 0.2, 0.1, 0], 200, 3), K);
        var scoredFour = model.Transform(fourClasses);
        var unseen = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.LogitAdjustment().Fit(scoredFour));
        Assert.Contains("'c4'", unseen.Message);
        var smoothed = new LogitAdjustmentEstimator(ml, new LogitAdjustmentOptions { PriorSmoothing = 1 });
        smoothed.Fit(scoredFour);
        Assert.Equal(1.0 / 205, smoothed.FittedPriors![4], 12);
    }
}
