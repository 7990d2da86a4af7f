using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>Bad input fails with messages naming the column, option or value; documented fallbacks never under-cover silently.</summary>
public class ConformalInputTests
{
    private const int K = 4;
    private readonly MLContext _ml = new(seed: 1);

    private IDataView Data(int n, int seed = 1, Action<float[], int[]>? edit = null, float[]? weights = null)
    {
        var (scores, labels) = ConformalData.Generate(new Random(seed), n, K);
        edit?.Invoke(scores, labels);
        return ConformalData.ToDataView(_ml, scores, labels, K, weights: weights);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void AlphaOutsideOpenUnitInterval_NamesTheOption(double alpha)
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.ConformalClassifier(alpha));
        Assert.Contains("ConformalClassifierOptions.Alpha", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.ConformalRiskControl(alpha));
        Assert.Contains("ConformalRiskControlOptions.Alpha", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Regression.ConformalRegressor(alpha));
        Assert.Contains("ConformalRegressorOptions.Alpha", e3.Message);
    }

    [Fact]
    public void OtherBadOptions_NameTheOption()
    {
        Assert.Contains("RapsLambda", Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions { RapsLambda = -1 })).Message);
        Assert.Contains("GroupColumnName", Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions { GroupColumnName = "G" })).Message);
        Assert.Contains("ClusteringFraction", Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions { Conditioning = ConformalConditioning.Clustered, ClusteringFraction = 1 })).Message);
        Assert.Contains("CustomLoss", Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.ConformalRiskControl(new ConformalRiskControlOptions { Loss = ConformalLoss.Custom })).Message);
        Assert.Contains("TimeDecay", Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.MulticlassClassification.ConformalRiskControl(new ConformalRiskControlOptions { TimeDecay = 0 })).Message);
        Assert.Contains("ClassPriors[1]", Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions { Score = NonconformityScore.Pas, ClassPriors = [0.5, 0, 0.5] })).Message);
    }

    [Fact]
    public void NonProbabilityScores_AreRejectedWhereTheScoreNeedsProbabilities_AndAcceptedByTopK()
    {
        var logits = Data(100, edit: (s, _) => { s[7 * K + 2] = 3.5f; });
        var e = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.ConformalClassifier().Fit(logits));
        Assert.Contains("'Score'", e.Message);
        Assert.Contains("row 7, slot 2", e.Message);
        Assert.Contains("3.5", e.Message);
        _ml.MulticlassClassification.ConformalClassifier(score: NonconformityScore.TopK).Fit(logits);

        var unnormalised = Data(100, edit: (s, _) => { for (int j = 0; j < K; j++) s[3 * K + j] = 0.5f; });
        var sum = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.ConformalClassifier(score: NonconformityScore.Aps).Fit(unnormalised));
        Assert.Contains("sums to 2 at row 3", sum.Message);
    }

    [Fact]
    public void NaNScores_NameColumnRowAndSlot()
    {
        var data = Data(50, edit: (s, _) => { s[5 * K + 1] = float.NaN; });
        var e = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.ConformalClassifier().Fit(data));
        Assert.Contains("'Score'", e.Message);
        Assert.Contains("NaN at row 5, slot 1", e.Message);
    }

    [Fact]
    public void WrongColumns_AreNamed()
    {
        var data = Data(30);
        Assert.Contains("'Nope'", Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(scoreColumnName: "Nope").Fit(data)).Message);
        // A float label instead of a key.
        Assert.Contains("'Weight'", Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(labelColumnName: "Weight").Fit(data)).Message);
        // A key label whose cardinality differs from the score length.
        var rows = ConformalData.Rows(new float[30 * K].Select((_, i) => i % K == 0 ? 1f : 0f).ToArray(), new int[30], K);
        var mismatched = ConformalData.ToDataView(_ml, rows, K, groupCount: 3);
        Assert.Contains("3 classes but the score column 'Score' has 4 slots", Assert.Throws<ArgumentException>(() =>
            _ml.MulticlassClassification.ConformalClassifier(labelColumnName: "Group").Fit(mismatched)).Message);
    }

    [Fact]
    public void TooSmallCalibrationSet_GivesTheFullSet_NotUnderCoverage()
    {
        var small = Data(8); // 8 < ConformalQuantile.MinimumCalibrationSize(0.1) = 9
        var estimator = _ml.MulticlassClassification.ConformalClassifier(alpha: 0.1);
        var sets = estimator.Fit(small).Transform(small).GetColumn<float[]>("PredictionSet").ToArray();
        Assert.All(sets, s => Assert.All(s, v => Assert.Equal(1f, v)));
        Assert.Equal(float.PositiveInfinity, estimator.LastCalibration!.Thresholds[0]);
        var regressor = _ml.Regression.ConformalRegressor(alpha: 0.1);
        regressor.Fit(_ml.Data.LoadFromEnumerable(CoverageTests.RegressionRows(new Random(1), 5)));
        Assert.Equal(float.PositiveInfinity, regressor.LastCalibration!.Threshold);
        Assert.Contains("no rows", Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.ConformalClassifier().Fit(Data(0))).Message);
    }

    [Fact]
    public void ClassAbsentFromCalibration_GetsTheDocumentedFallback()
    {
        // No row of class 3 (and class 2 has 5 rows) in the calibration data.
        var (scores, labels) = ConformalData.Generate(new Random(2), 2000, K);
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] < 2).Concat(Enumerable.Range(0, labels.Length).Where(i => labels[i] == 2).Take(5));
        var (s, l) = ConformalData.Take(scores, labels, K, keep);
        var data = ConformalData.ToDataView(_ml, s, l, K);

        var fullSet = new ConformalClassifier(_ml, new ConformalClassifierOptions { Conditioning = ConformalConditioning.Mondrian }).Calibrate(data);
        Assert.Equal(0, fullSet.CalibrationCounts[3]);
        Assert.Equal(float.PositiveInfinity, fullSet.Thresholds[3]);
        Assert.Equal(float.PositiveInfinity, fullSet.Thresholds[2]);
        Assert.True(float.IsFinite(fullSet.Thresholds[0]));
        var set = new bool[K];
        fullSet.Predict(scores.AsSpan(0, K), set);
        Assert.True(set[2] && set[3]);

        var pooled = new ConformalClassifier(_ml, new ConformalClassifierOptions { Conditioning = ConformalConditioning.Mondrian, Fallback = ConformalFallback.MarginalQuantile }).Calibrate(data);
        var marginal = new ConformalClassifier(_ml, new ConformalClassifierOptions()).Calibrate(data);
        Assert.Equal(marginal.Thresholds[0], pooled.Thresholds[3]);
        Assert.Equal(marginal.Thresholds[0], pooled.Thresholds[2]);

        var clustered = new ConformalClassifier(_ml, new ConformalClassifierOptions { Conditioning = ConformalConditioning.Clustered }).Calibrate(data);
        Assert.Equal(-1, clustered.ClusterOfClass![3]);
        var clusteredFull = new ConformalClassifier(_ml, new ConformalClassifierOptions { Conditioning = ConformalConditioning.Clustered, Fallback = ConformalFallback.FullSet }).Calibrate(data);
        Assert.Equal(float.PositiveInfinity, clusteredFull.Thresholds[3]);
    }

    [Fact]
    public void NegativeOrAllZeroWeights_AreRejected()
    {
        var negative = Data(50, weights: Enumerable.Range(0, 50).Select(i => i == 12 ? -0.5f : 1f).ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.ConformalRiskControl(weightColumnName: "Weight").Fit(negative));
        Assert.Contains("'Weight' has the value -0.5 at row 12", e.Message);
        var zero = Data(50, weights: new float[50]);
        Assert.Contains("all zero", Assert.Throws<InvalidOperationException>(() =>
            _ml.MulticlassClassification.ConformalRiskControl(weightColumnName: "Weight").Fit(zero)).Message);
        var nan = Data(50, weights: Enumerable.Range(0, 50).Select(i => i == 3 ? float.NaN : 1f).ToArray());
        Assert.Contains("at row 3", Assert.Throws<InvalidOperationException>(() =>
            _ml.MulticlassClassification.ConformalRiskControl(weightColumnName: "Weight").Fit(nan)).Message);
    }

    [Fact]
    public void CustomLossOutsideItsBound_IsRejected()
    {
        var options = new ConformalRiskControlOptions { Loss = ConformalLoss.Custom, CustomLoss = (_, _) => 2.0 };
        var e = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.ConformalRiskControl(options).Fit(Data(30)));
        Assert.Contains("returned 2", e.Message);
    }

    [Fact]
    public void NonPositiveDifficulty_IsRejected()
    {
        var rows = CoverageTests.RegressionRows(new Random(1), 20);
        rows[4].Difficulty = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
            _ml.Regression.ConformalRegressor(new ConformalRegressorOptions { Score = ConformalRegressionScore.NormalizedResidual }).Fit(_ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("'Difficulty' has 0 at row 4", e.Message);
    }
}
