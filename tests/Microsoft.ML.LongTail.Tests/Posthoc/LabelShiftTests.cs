using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Posthoc;

namespace Microsoft.ML.LongTail.Tests.Posthoc;

public sealed class LabelShiftTests : IDisposable
{
    private const int K = 4;
    private static readonly double[] Source = [0.4, 0.3, 0.2, 0.1];
    private static readonly double[] Target = [0.1, 0.2, 0.3, 0.4];
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-shift-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static double MaxError(IReadOnlyList<double> estimate, IReadOnlyList<double> truth) =>
        estimate.Zip(truth).Max(p => Math.Abs(p.First - p.Second));

    /// <summary>Exact Bayes posteriors under the source priors, for target rows drawn with the target priors.</summary>
    private static (float[] Probabilities, int[] Predictions, int[] Labels) Posteriors(double[] priors, int count, int seed)
    {
        var rows = LongTailBlobs.Rows(priors, count, seed, spread: 2.0);
        var probabilities = rows.SelectMany(r => LongTailBlobs.Posterior(r.Features, Source, 2.0)).ToArray();
        var predictions = Enumerable.Range(0, rows.Count).Select(i =>
        {
            var p = probabilities.AsSpan(i * K, K).ToArray();
            return Array.IndexOf(p, p.Max());
        }).ToArray();
        var labels = rows.Select(r => int.Parse(r.Label[1..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return (probabilities, predictions, labels);
    }

    [Fact]
    public void Em_ConvergesToTheTruePriors_AsTheTargetGrows()
    {
        double Error(int n, int seed)
        {
            var (p, _, _) = Posteriors(Target, n, seed);
            return MaxError(EmPriorEstimator.Estimate(p, K, Source, out _), Target);
        }
        double small = Enumerable.Range(0, 5).Average(s => Error(200, s));
        double large = Enumerable.Range(0, 5).Average(s => Error(20000, s));
        Assert.True(large < 0.015, $"EM error {large:F4} at n = 20000");
        Assert.True(large < small, $"EM error {small:F4} at n = 200, {large:F4} at n = 20000");
        // No shift: the estimate stays near the source priors.
        var (same, _, _) = Posteriors(Source, 20000, 9);
        Assert.True(MaxError(EmPriorEstimator.Estimate(same, K, Source, out int iterations), Source) < 0.015);
        Assert.True(iterations >= 1);
    }

    [Fact]
    public void Bbse_ConvergesToTheTruePriors_AsTheTargetGrows()
    {
        var (_, validationPredictions, validationLabels) = Posteriors(Source, 20000, 100);
        double Error(int n, int seed)
        {
            var (_, predictions, _) = Posteriors(Target, n, seed);
            return MaxError(BlackBoxShiftEstimator.EstimateTargetPriors(validationLabels, validationPredictions, predictions, K), Target);
        }
        double small = Enumerable.Range(0, 5).Average(s => Error(200, s));
        double large = Enumerable.Range(0, 5).Average(s => Error(20000, s));
        Assert.True(large < 0.02, $"BBSE error {large:F4} at n = 20000");
        Assert.True(large < small, $"BBSE error {small:F4} at n = 200, {large:F4} at n = 20000");
        // w = pi_t / pi_s up to estimation noise.
        var (_, target, _) = Posteriors(Target, 20000, 1);
        var w = BlackBoxShiftEstimator.EstimateWeights(validationLabels, validationPredictions, target, K);
        for (int c = 0; c < K; c++)
            Assert.Equal(Target[c] / Source[c], w[c], 0.15);
    }

    [Fact]
    public void Bbse_ValidationMissingAClass_NamesIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            BlackBoxShiftEstimator.EstimateWeights([0, 1, 1, 0], [0, 1, 1, 1], [0, 2, 1], 3, ["cat", "dog", "eel"]));
        Assert.Contains("'eel'", e.Message);
    }

    [Fact]
    public void Em_RejectsZeroSourcePriors()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => EmPriorEstimator.Estimate(new float[] { 0.5f, 0.5f }, 2, [1.0, 0.0], out _));
        Assert.Contains("sourcePriors[1]", e.Message);
    }

    [Theory]
    [InlineData(LabelShiftMethod.ExpectationMaximization)]
    [InlineData(LabelShiftMethod.BlackBoxShiftEstimation)]
    public void EndToEnd_WithAnMLNetTrainer_EstimatesTheShiftAndImprovesAccuracy(LabelShiftMethod method)
    {
        var ml = new MLContext(1);
        var train = LongTailBlobs.Load(ml, LongTailBlobs.Rows(Source, 3000, 1), K);
        var validation = LongTailBlobs.Load(ml, LongTailBlobs.Rows(Source, 3000, 2), K);
        var target = LongTailBlobs.Load(ml, LongTailBlobs.Rows(Target, 4000, 3), K);
        var model = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().Fit(train);
        var scoredTarget = model.Transform(target);
        // The target labels are there only to measure; the correction never reads them.
        var unlabelled = ml.Transforms.DropColumns("Label").Fit(scoredTarget).Transform(scoredTarget);

        var estimator = ml.MulticlassClassification.LabelShiftCorrection(model.Transform(validation), method);
        var correction = estimator.Fit(unlabelled);
        Assert.True(MaxError(estimator.FittedTargetPriors!, Target) < 0.04, $"{method}: estimated {string.Join(", ", estimator.FittedTargetPriors!.Select(p => p.ToString("F3")))}");
        Assert.True(MaxError(estimator.FittedTargetPriors!, Target) < MaxError(Source, Target) / 5);

        var labels = scoredTarget.GetColumn<uint>("Label").ToArray();
        var before = scoredTarget.GetColumn<uint>("PredictedLabel").ToArray();
        var corrected = correction.Transform(scoredTarget);
        var after = corrected.GetColumn<uint>("PredictedLabel").ToArray();
        double accuracyBefore = labels.Zip(before).Count(p => p.First == p.Second) / (double)labels.Length;
        double accuracyAfter = labels.Zip(after).Count(p => p.First == p.Second) / (double)labels.Length;
        Assert.True(accuracyAfter > accuracyBefore + 0.02, $"{method}: accuracy {accuracyBefore:F3} -> {accuracyAfter:F3}");

        // Corrected scores: p * w renormalised.
        var p = scoredTarget.GetColumn<float[]>("Score").Take(50).ToArray();
        var q = corrected.GetColumn<float[]>("Score").Take(50).ToArray();
        var w = estimator.FittedTargetPriors!.Zip(estimator.FittedSourcePriors!).Select(t => t.First / t.Second).ToArray();
        for (int i = 0; i < p.Length; i++)
        {
            double sum = Enumerable.Range(0, K).Sum(c => p[i][c] * w[c]);
            for (int c = 0; c < K; c++)
                Assert.Equal(p[i][c] * w[c] / sum, q[i][c], 1e-5);
        }

        string path = Path.Combine(_directory, $"shift-{method}.zip");
        var full = model.Append(correction);
        ml.Model.Save(full, target.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        Assert.Equal(after, loaded.Transform(target).GetColumn<uint>("PredictedLabel").ToArray());
    }

    [Fact]
    public void BadInput_IsNamed()
    {
        var ml = new MLContext(1);
        Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LabelShiftCorrection(new LabelShiftCorrectionOptions()));
        var train = LongTailBlobs.Load(ml, LongTailBlobs.Rows(Source, 400, 1), K);
        var model = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().Fit(train);
        // Validation rows without class c3.
        var partial = model.Transform(LongTailBlobs.Load(ml, LongTailBlobs.Rows([0.4, 0.3, 0.3, 0], 300, 2), K));
        var bbse = Assert.Throws<InvalidOperationException>(() =>
            ml.MulticlassClassification.LabelShiftCorrection(partial, LabelShiftMethod.BlackBoxShiftEstimation).Fit(model.Transform(train)));
        Assert.Contains("'c3'", bbse.Message);
        var em = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.LabelShiftCorrection(partial).Fit(model.Transform(train)));
        Assert.Contains("'c3'", em.Message);
        var unscored = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LabelShiftCorrection(model.Transform(train)).Fit(train));
        Assert.Contains("'Score'", unscored.Message);
        var priors = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.LabelShiftCorrection(new LabelShiftCorrectionOptions
        {
            SourceData = model.Transform(train), SourcePriors = [0.5, 0.5],
        }).Fit(model.Transform(train)));
        Assert.Contains("SourcePriors", priors.Message);
    }
}
