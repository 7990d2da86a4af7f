using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;

namespace Microsoft.ML.LongTail.Tests.Conformal;

public class RiskControlTests
{
    private const int K = 5;
    private readonly MLContext _ml = new(seed: 1);

    /// <summary>The weighted guarantee needs calibration weights in [0, 1] (the test point has weight 1).</summary>
    [Fact]
    public void WeightsAboveOne_AreRefused_NamingTheRowAndColumn()
    {
        var (scores, labels) = ConformalData.Generate(new Random(4), 200, K);
        var weights = Enumerable.Repeat(0.5f, 200).ToArray();
        weights[17] = 3;
        var data = ConformalData.ToDataView(_ml, scores, labels, K, weights: weights);
        var e = Assert.Throws<InvalidOperationException>(() =>
            _ml.MulticlassClassification.ConformalRiskControl(loss: ConformalLoss.Miscoverage, weightColumnName: "Weight").Calibrate(data));
        Assert.Contains("row 17", e.Message);
        Assert.Contains("'Weight'", e.Message);
    }

    [Fact]
    public void UnweightedMiscoverage_EqualsSplitConformal_AndTheGeneralPathsAgree()
    {
        // n = 1000, alpha = 0.1: alpha (n + 1) = 100.1 is not an integer, so the double sums cannot sit on the boundary.
        var (scores, labels) = ConformalData.Generate(new Random(3), 1000, K);
        var data = ConformalData.ToDataView(_ml, scores, labels, K, weights: Enumerable.Repeat(1f, 1000).ToArray());
        float split = new ConformalClassifier(_ml, new ConformalClassifierOptions()).Calibrate(data).Thresholds[0];
        float crc = _ml.MulticlassClassification.ConformalRiskControl(loss: ConformalLoss.Miscoverage).Calibrate(data).Thresholds[0];
        float weighted = _ml.MulticlassClassification.ConformalRiskControl(loss: ConformalLoss.Miscoverage, weightColumnName: "Weight").Calibrate(data).Thresholds[0];
        float custom = _ml.MulticlassClassification.ConformalRiskControl(new ConformalRiskControlOptions
        {
            Loss = ConformalLoss.Custom,
            CustomLoss = (set, truth) => { for (int j = 0; j < set.Length; j++) if (truth[j] && !set[j]) return 1; return 0; },
        }).Calibrate(data).Thresholds[0];
        Assert.Equal(split, crc);
        Assert.Equal(split, weighted);
        Assert.Equal(split, custom);
    }

    [Fact]
    public void TimeDecay_TracksDrift()
    {
        // Early rows easy, late rows hard: decayed weights emphasise the late rows, so the threshold grows.
        var (easy, easyLabels) = ConformalData.Generate(new Random(1), 1500, K, signal: Enumerable.Repeat(3.0, K).ToArray());
        var (hard, hardLabels) = ConformalData.Generate(new Random(2), 500, K, signal: Enumerable.Repeat(0.5, K).ToArray());
        var data = ConformalData.ToDataView(_ml, easy.Concat(hard).ToArray(), easyLabels.Concat(hardLabels).ToArray(), K);
        float plain = _ml.MulticlassClassification.ConformalRiskControl(loss: ConformalLoss.Miscoverage).Calibrate(data).Thresholds[0];
        float decayed = _ml.MulticlassClassification.ConformalRiskControl(new ConformalRiskControlOptions { Loss = ConformalLoss.Miscoverage, TimeDecay = 0.99 })
            .Calibrate(data).Thresholds[0];
        var hardOnly = ConformalData.ToDataView(_ml, hard, hardLabels, K);
        float hardThreshold = new ConformalClassifier(_ml, new ConformalClassifierOptions()).Calibrate(hardOnly).Thresholds[0];
        Assert.True(decayed > plain, $"decayed {decayed} vs plain {plain}");
        Assert.InRange(decayed, plain, hardThreshold + 0.05f);
    }

    [Fact]
    public void BoundTooLargeForTheData_GivesTheFullSet()
    {
        // B / (n + 1) > alpha: no lambda controls the risk.
        var (scores, labels) = ConformalData.Generate(new Random(3), 20, K);
        var data = ConformalData.ToDataView(_ml, scores, labels, K);
        var predictor = _ml.MulticlassClassification.ConformalRiskControl(new ConformalRiskControlOptions { Alpha = 0.1, LossBound = 5 }).Calibrate(data);
        Assert.Equal(float.PositiveInfinity, predictor.Thresholds[0]);
    }

    [Fact]
    public void Regression_IntervalsMatchManaged_AndEvaluate()
    {
        foreach (var score in Enum.GetValues<ConformalRegressionScore>())
        {
            var rows = CoverageTests.RegressionRows(new Random(8), 500);
            var calibration = _ml.Data.LoadFromEnumerable(rows.Take(300));
            var test = _ml.Data.LoadFromEnumerable(rows.Skip(300));
            var estimator = _ml.Regression.ConformalRegressor(new ConformalRegressorOptions { Score = score, Alpha = 0.2 });
            var model = estimator.Fit(calibration);
            var scored = model.Transform(test);
            var intervals = scored.GetColumn<float[]>("PredictionInterval").ToArray();
            var testRows = rows.Skip(300).ToArray();
            for (int i = 0; i < testRows.Length; i++)
            {
                var r = testRows[i];
                var (lo, hi) = score == ConformalRegressionScore.QuantileRegression ? estimator.LastCalibration!.Predict(r.Score, r.Lower, r.Upper)
                    : estimator.LastCalibration!.Predict(r.Score, r.Difficulty);
                Assert.Equal([lo, hi], intervals[i]);
            }
            var metrics = _ml.Regression.EvaluateConformal(scored);
            Assert.InRange(metrics.Coverage, 0.7, 0.9);
            Assert.True(metrics.MeanWidth > 0);

            string path = Path.Combine(Path.GetTempPath(), $"conformal-regression-{Guid.NewGuid():N}.zip");
            _ml.Model.Save(model, calibration.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            File.Delete(path);
            Assert.Equal(intervals, loaded.Transform(test).GetColumn<float[]>("PredictionInterval").ToArray());
        }
    }
}
