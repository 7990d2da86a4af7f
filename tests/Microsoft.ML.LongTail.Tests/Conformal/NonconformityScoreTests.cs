using Microsoft.ML.LongTail.Conformal;

namespace Microsoft.ML.LongTail.Tests.Conformal;

public class NonconformityScoreTests
{
    [Theory]
    [InlineData(NonconformityScore.Lac, new[] { 0.9f, 0.4f, 0.7f })]
    [InlineData(NonconformityScore.Aps, new[] { 1.0f, 0.6f, 0.9f })]
    [InlineData(NonconformityScore.Raps, new[] { 2.0f, 0.6f, 1.4f })]
    [InlineData(NonconformityScore.TopK, new[] { 3f, 1f, 2f })]
    [InlineData(NonconformityScore.Pas, new[] { -0.2f, -2.4f, -1.2f })]
    public void Scores_MatchHandComputedValues(NonconformityScore score, float[] expected)
    {
        var ml = new MLContext(seed: 1);
        float[] p = [0.1f, 0.6f, 0.3f];
        var scores = Enumerable.Range(0, 20).SelectMany(_ => p).ToArray();
        var data = ConformalData.ToDataView(ml, scores, new int[20], 3);
        var predictor = new ConformalClassifier(ml, new ConformalClassifierOptions
        {
            Score = score, RapsLambda = 0.5, RapsRegularizationRank = 1, ClassPriors = [0.5, 0.25, 0.25],
        }).Calibrate(data);
        var s = new float[3];
        predictor.ComputeNonconformity(p, s);
        for (int j = 0; j < 3; j++)
            Assert.Equal(expected[j], s[j], 5);
        // Every calibration row is class 0 with these scores: the threshold is class 0's score, the largest of the three
        // here, so every class is in the set.
        Assert.Equal(expected[0], predictor.Thresholds[0]);
        var set = new bool[3];
        Assert.Equal(3, predictor.Predict(p, set));
    }

    [Fact]
    public void RandomisedAps_UsesAReproducibleDrawInTheUnitInterval()
    {
        var ml = new MLContext(seed: 1);
        var (scores, labels) = ConformalData.Generate(new Random(1), 500, 5);
        var predictor = new ConformalClassifier(ml, new ConformalClassifierOptions { Score = NonconformityScore.Aps, Randomized = true })
            .Calibrate(ConformalData.ToDataView(ml, scores, labels, 5));
        var plain = new ConformalClassifier(ml, new ConformalClassifierOptions { Score = NonconformityScore.Aps })
            .Calibrate(ConformalData.ToDataView(ml, scores, labels, 5));
        var a = new float[5];
        var b = new float[5];
        var c = new float[5];
        var draws = new List<float>();
        for (int i = 0; i < 500; i++)
        {
            var row = scores.AsSpan(i * 5, 5);
            predictor.ComputeNonconformity(row, a);
            predictor.ComputeNonconformity(row, b);
            plain.ComputeNonconformity(row, c);
            Assert.Equal(a, b);
            // s = cumulative before + u p: between the exclusive and the inclusive cumulative sums.
            for (int j = 0; j < 5; j++)
            {
                Assert.InRange(a[j], c[j] - row[j] - 1e-6f, c[j] + 1e-6f);
                if (row[j] > 0.05f)
                    draws.Add((c[j] - a[j]) / row[j]); // 1 - u
            }
        }
        // The draws spread over (0, 1): mean near 1/2.
        Assert.InRange(draws.Average(), 0.4, 0.6);
    }
}
