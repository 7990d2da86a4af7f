using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>
/// Statistical tests over many independent calibration/test draws of synthetic softmax scores. Split conformal theory:
/// the expected coverage lies in [1 - alpha, 1 - alpha + 1/(n + 1)] (the upper bound needs tie-free scores); the mean over
/// S draws is compared with a tolerance of 4 standard errors estimated from the draws.
/// </summary>
public class CoverageTests
{
    private const double Alpha = 0.1;
    private const int Splits = 100;

    private static (double Mean, double StandardError) Summarise(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, sd / Math.Sqrt(values.Count));
    }

    private static ConformalClassificationMetrics RunSplit(MLContext ml, Random rng, ConformalClassifierOptions options, int k, int nCal, int nTest,
        double imbalance, double[]? signal)
    {
        var (calScores, calLabels) = ConformalData.Generate(rng, nCal, k, imbalance, signal);
        var (testScores, testLabels) = ConformalData.Generate(rng, nTest, k, imbalance, signal);
        var predictor = new ConformalClassifier(ml, options).Calibrate(ConformalData.ToDataView(ml, calScores, calLabels, k));
        var sets = new bool[testScores.Length];
        predictor.PredictBatch(testScores, sets);
        return ConformalClassificationMetrics.Compute(sets, testLabels, k, Alpha);
    }

    [Theory]
    [InlineData(NonconformityScore.Lac, false)]
    [InlineData(NonconformityScore.Aps, false)]
    [InlineData(NonconformityScore.Aps, true)]
    [InlineData(NonconformityScore.Raps, true)]
    [InlineData(NonconformityScore.Pas, false)]
    [InlineData(NonconformityScore.TopK, false)]
    public void MarginalCoverage_LiesWithinTheoryBounds(NonconformityScore score, bool randomized)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(100 + (int)score * 2 + (randomized ? 1 : 0));
        const int nCal = 500, nTest = 500;
        var coverage = new List<double>();
        for (int s = 0; s < Splits; s++)
            coverage.Add(RunSplit(ml, rng, new ConformalClassifierOptions { Alpha = Alpha, Score = score, Randomized = randomized }, 8, nCal, nTest, 10, null).Coverage);
        var (mean, se) = Summarise(coverage);
        Assert.True(mean >= 1 - Alpha - 4 * se, $"{score}: mean coverage {mean:0.0000} below 1 - alpha (se {se:0.0000})");
        // Ranks tie, so top-k over-covers: only the lower bound applies to it.
        if (score != NonconformityScore.TopK)
            Assert.True(mean <= 1 - Alpha + 1.0 / (nCal + 1) + 4 * se, $"{score}: mean coverage {mean:0.0000} above 1 - alpha + 1/(n+1) (se {se:0.0000})");
    }

    // Five classes: the head easy, the tail hard and rare (about 5 % of rows).
    private static readonly double[] Signal = [3.0, 2.2, 1.6, 1.0, 0.4];

    [Fact]
    public void Mondrian_CoversEveryClass_WhereMarginalMissesTheHardTail()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(7);
        var mondrian = new List<double>[5];
        var marginal = new List<double>[5];
        for (int c = 0; c < 5; c++) { mondrian[c] = []; marginal[c] = []; }
        for (int s = 0; s < Splits; s++)
        {
            var seed = rng.Next();
            var m = RunSplit(ml, new Random(seed), new ConformalClassifierOptions { Conditioning = ConformalConditioning.Mondrian }, 5, 1500, 1500, 10, Signal);
            var g = RunSplit(ml, new Random(seed), new ConformalClassifierOptions(), 5, 1500, 1500, 10, Signal);
            for (int c = 0; c < 5; c++)
            {
                if (!double.IsNaN(m.PerClassCoverage[c])) mondrian[c].Add(m.PerClassCoverage[c]);
                if (!double.IsNaN(g.PerClassCoverage[c])) marginal[c].Add(g.PerClassCoverage[c]);
            }
        }
        for (int c = 0; c < 5; c++)
        {
            var (mean, se) = Summarise(mondrian[c]);
            Assert.True(mean >= 1 - Alpha - 4 * se, $"class {c}: Mondrian coverage {mean:0.0000} (se {se:0.0000})");
        }
        // The test has power: marginal conformal under-covers the hard tail class by far more than the tolerance.
        var (tail, tailSe) = Summarise(marginal[4]);
        Assert.True(tail < 1 - Alpha - 0.1 && tailSe < 0.02, $"marginal tail coverage {tail:0.0000}");
    }

    [Fact]
    public void Clustered_KeepsMarginalCoverage_AndCutsTheClassCoverageGap()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(9);
        // 20 classes in 2 difficulty groups, long-tailed counts.
        var signal = Enumerable.Range(0, 20).Select(c => c % 2 == 0 ? 3.0 : 0.8).ToArray();
        var coverage = new List<double>();
        double gapClustered = 0, gapMarginal = 0;
        for (int s = 0; s < 40; s++)
        {
            int seed = rng.Next();
            var clustered = RunSplit(ml, new Random(seed), new ConformalClassifierOptions { Conditioning = ConformalConditioning.Clustered, Seed = s },
                20, 6000, 4000, 5, signal);
            var marginal = RunSplit(ml, new Random(seed), new ConformalClassifierOptions(), 20, 6000, 4000, 5, signal);
            coverage.Add(clustered.Coverage);
            gapClustered += clustered.ClassCoverageGap;
            gapMarginal += marginal.ClassCoverageGap;
        }
        var (mean, se) = Summarise(coverage);
        Assert.True(mean >= 1 - Alpha - 4 * se, $"clustered coverage {mean:0.0000} (se {se:0.0000})");
        Assert.True(gapClustered < 0.6 * gapMarginal, $"gap clustered {gapClustered / 40:0.0000} vs marginal {gapMarginal / 40:0.0000}");
    }

    [Fact]
    public void Clustered_AssignsClassesOfEqualDifficultyTogether_AndRareClassesToTheNullCluster()
    {
        var ml = new MLContext(seed: 1);
        var signal = Enumerable.Range(0, 20).Select(c => c % 2 == 0 ? 3.0 : 0.8).ToArray();
        var (scores, labels) = ConformalData.Generate(new Random(4), 20000, 20, 5, signal);
        // Class 19 gets only 3 rows.
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] != 19).Concat(Enumerable.Range(0, labels.Length).Where(i => labels[i] == 19).Take(3));
        var (s, l) = ConformalData.Take(scores, labels, 20, keep);
        var predictor = new ConformalClassifier(ml, new ConformalClassifierOptions
        {
            Conditioning = ConformalConditioning.Clustered, NumberOfClusters = 2, Fallback = ConformalFallback.MarginalQuantile,
        }).Calibrate(ConformalData.ToDataView(ml, s, l, 20));
        var clusters = predictor.ClusterOfClass!;
        Assert.Equal(-1, clusters[19]);
        var even = Enumerable.Range(0, 19).Where(c => c % 2 == 0).Select(c => clusters[c]).Distinct().ToArray();
        var odd = Enumerable.Range(0, 19).Where(c => c % 2 == 1).Select(c => clusters[c]).Distinct().ToArray();
        Assert.Single(even);
        Assert.Single(odd);
        Assert.NotEqual(even[0], odd[0]);
        // The null cluster uses the marginal quantile, finite, between the two cluster thresholds.
        Assert.True(float.IsFinite(predictor.Thresholds[19]));
        Assert.InRange(predictor.Thresholds[19], predictor.Thresholds[0], predictor.Thresholds[1]);
        // By default the null cluster's classes are pooled: class 19's 3 rows alone are too few, so the full set.
        var pooled = new ConformalClassifier(ml, new ConformalClassifierOptions { Conditioning = ConformalConditioning.Clustered, NumberOfClusters = 2 })
            .Calibrate(ConformalData.ToDataView(ml, s, l, 20));
        Assert.Equal(float.PositiveInfinity, pooled.Thresholds[19]);
    }

    /// <summary>Long-tailed classes, the rare ones hard: they fall into the null cluster. Pooled (the default), they keep
    /// 1 - alpha together; with the paper's marginal quantile they are under-covered, and so is the whole.</summary>
    [Fact]
    public void Clustered_PooledNullCluster_CoversTheRareClasses_WhereTheMarginalRuleDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(31);
        var signal = Enumerable.Range(0, 10).Select(c => c < 5 ? 3.0 : 0.8).ToArray();
        var pooledRare = new List<double>();
        var marginalRare = new List<double>();
        var pooledAll = new List<double>();
        for (int split = 0; split < 40; split++)
        {
            int seed = rng.Next();
            var (calScores, calLabels) = ConformalData.Generate(new Random(seed), 3000, 10, 100, signal);
            var (testScores, testLabels) = ConformalData.Generate(new Random(seed + 1), 6000, 10, 100, signal);
            var view = ConformalData.ToDataView(ml, calScores, calLabels, 10);
            (double Rare, double All) Run(ConformalFallback? fallback)
            {
                var predictor = new ConformalClassifier(ml, new ConformalClassifierOptions
                {
                    Conditioning = ConformalConditioning.Clustered, Seed = split, Fallback = fallback,
                }).Calibrate(view);
                var sets = new bool[testScores.Length];
                predictor.PredictBatch(testScores, sets);
                var m = ConformalClassificationMetrics.Compute(sets, testLabels, 10, Alpha);
                var rare = Enumerable.Range(0, 10).Where(c => predictor.ClusterOfClass![c] < 0 && m.PerClassRowCount[c] > 0).ToArray();
                Assert.NotEmpty(rare);
                double covered = rare.Sum(c => m.PerClassCoverage[c] * m.PerClassRowCount[c]);
                return (covered / rare.Sum(c => m.PerClassRowCount[c]), m.Coverage);
            }
            var (rarePooled, all) = Run(null);
            pooledRare.Add(rarePooled);
            pooledAll.Add(all);
            marginalRare.Add(Run(ConformalFallback.MarginalQuantile).Rare);
        }
        var (rareMean, rareSe) = Summarise(pooledRare);
        var (allMean, allSe) = Summarise(pooledAll);
        var (marginalMean, _) = Summarise(marginalRare);
        Assert.True(rareMean >= 1 - Alpha - 4 * rareSe, $"pooled null cluster coverage {rareMean:0.0000} (se {rareSe:0.0000})");
        Assert.True(allMean >= 1 - Alpha - 4 * allSe, $"clustered coverage {allMean:0.0000} (se {allSe:0.0000})");
        // The test has power: the paper's rule under-covers the same classes.
        Assert.True(marginalMean < rareMean - 0.03, $"marginal-rule null cluster coverage {marginalMean:0.0000} vs pooled {rareMean:0.0000}");
    }

    [Fact]
    public void RiskControl_KeepsTheFalseNegativeRateAtOrBelowAlpha_MultiLabel()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(21);
        const int k = 10, nCal = 300, nTest = 1000;
        var fnr = new List<double>();
        for (int s = 0; s < Splits; s++)
        {
            var (calScores, calHot) = MultiLabel(rng, nCal, k);
            var (testScores, testHot) = MultiLabel(rng, nTest, k);
            var view = ConformalData.ToDataView(ml, calScores, new int[nCal], k, multiHot: calHot);
            var predictor = ml.MulticlassClassification.ConformalRiskControl(new ConformalRiskControlOptions
            {
                Alpha = Alpha, Loss = ConformalLoss.FalseNegativeRate, LabelColumnName = "MultiLabel",
            }).Calibrate(view);
            var sets = new bool[testScores.Length];
            predictor.PredictBatch(testScores, sets);
            double total = 0;
            for (int i = 0; i < nTest; i++)
            {
                int positives = 0, missed = 0;
                for (int j = 0; j < k; j++)
                {
                    if (!testHot[i * k + j]) continue;
                    positives++;
                    if (!sets[i * k + j]) missed++;
                }
                total += positives == 0 ? 0 : (double)missed / positives;
            }
            fnr.Add(total / nTest);
        }
        var (mean, se) = Summarise(fnr);
        Assert.True(mean <= Alpha + 4 * se, $"mean FNR {mean:0.0000} above alpha (se {se:0.0000})");
        // Not trivially conservative: the bound is nearly tight (Angelopoulos et al.: risk >= alpha - 2B/(n+1)).
        Assert.True(mean >= Alpha - 2.0 / (nCal + 1) - 4 * se, $"mean FNR {mean:0.0000} far below alpha");
    }

    /// <summary>Multi-label rows: each label positive with probability 0.2; independent sigmoid scores, higher for positives.</summary>
    internal static (float[] Scores, bool[] Hot) MultiLabel(Random rng, int n, int k)
    {
        var scores = new float[n * k];
        var hot = new bool[n * k];
        for (int i = 0; i < n * k; i++)
        {
            hot[i] = rng.NextDouble() < 0.2;
            double logit = (hot[i] ? 1.5 : -1.5) + 1.5 * ConformalData.Normal(rng);
            scores[i] = (float)(1 / (1 + Math.Exp(-logit)));
        }
        return (scores, hot);
    }

    [Theory]
    [InlineData(ConformalRegressionScore.AbsoluteResidual)]
    [InlineData(ConformalRegressionScore.NormalizedResidual)]
    [InlineData(ConformalRegressionScore.QuantileRegression)]
    public void RegressionCoverage_LiesWithinTheoryBounds(ConformalRegressionScore score)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(31 + (int)score);
        const int nCal = 400, nTest = 400;
        var coverage = new List<double>();
        var widths = new List<double>();
        for (int s = 0; s < Splits; s++)
        {
            var calibration = ml.Data.LoadFromEnumerable(RegressionRows(rng, nCal));
            var testRows = RegressionRows(rng, nTest);
            var predictor = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { Alpha = Alpha, Score = score }).Calibrate(calibration);
            int covered = 0;
            double width = 0;
            foreach (var r in testRows)
            {
                var (lo, hi) = score == ConformalRegressionScore.QuantileRegression ? predictor.Predict(r.Score, r.Lower, r.Upper)
                    : predictor.Predict(r.Score, r.Difficulty);
                if (r.Label >= lo && r.Label <= hi) covered++;
                width += hi - lo;
            }
            coverage.Add((double)covered / nTest);
            widths.Add(width / nTest);
        }
        var (mean, se) = Summarise(coverage);
        Assert.True(mean >= 1 - Alpha - 4 * se, $"{score}: coverage {mean:0.0000} (se {se:0.0000})");
        Assert.True(mean <= 1 - Alpha + 1.0 / (nCal + 1) + 4 * se, $"{score}: coverage {mean:0.0000} (se {se:0.0000})");
    }

    /// <summary>Three groups of very different noise (sigma 0.3, 1, 3), the same number of calibration rows each: Mondrian
    /// intervals cover each group within the theory's bounds ([1 - alpha, 1 - alpha + 1/(n_g + 1)], tolerance 4 standard
    /// errors over the draws), while the marginal interval under-covers the noisiest group by far more than the tolerance.</summary>
    [Fact]
    public void GroupConditionalRegression_CoversEveryGroup_WhereMarginalMissesTheNoisiestGroup()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(41);
        double[] sigmas = [0.3, 1.0, 3.0];
        const int Draws = 60, nCalPerGroup = 150, nTestPerGroup = 150;
        int g = sigmas.Length;
        var grouped = Enumerable.Range(0, g).Select(_ => new List<double>()).ToArray();
        var marginal = Enumerable.Range(0, g).Select(_ => new List<double>()).ToArray();
        for (int s = 0; s < Draws; s++)
        {
            var calibration = GroupRows(rng, sigmas, nCalPerGroup);
            var view = ml.Data.LoadFromEnumerable(calibration, GroupDefinition(g));
            var mondrian = ml.Regression.ConformalRegressor("Group", alpha: Alpha).Calibrate(view);
            var pooled = ml.Regression.ConformalRegressor(alpha: Alpha).Calibrate(view);
            Assert.Equal(Enumerable.Repeat(nCalPerGroup, g), mondrian.GroupCalibrationCounts!);
            var covered = new int[g];
            var coveredMarginal = new int[g];
            foreach (var r in GroupRows(rng, sigmas, nTestPerGroup))
            {
                int group = (int)r.Group;
                var (lo, hi) = mondrian.PredictInGroup(group, r.Score);
                if (r.Label >= lo && r.Label <= hi) covered[group]++;
                (lo, hi) = pooled.Predict(r.Score);
                if (r.Label >= lo && r.Label <= hi) coveredMarginal[group]++;
            }
            for (int j = 0; j < g; j++)
            {
                grouped[j].Add((double)covered[j] / nTestPerGroup);
                marginal[j].Add((double)coveredMarginal[j] / nTestPerGroup);
            }
        }
        for (int j = 0; j < g; j++)
        {
            var (mean, se) = Summarise(grouped[j]);
            Assert.True(mean >= 1 - Alpha - 4 * se, $"group {j} (sigma {sigmas[j]}): Mondrian coverage {mean:0.0000} below 1 - alpha (se {se:0.0000})");
            Assert.True(mean <= 1 - Alpha + 1.0 / (nCalPerGroup + 1) + 4 * se, $"group {j}: Mondrian coverage {mean:0.0000} above 1 - alpha + 1/(n_g+1) (se {se:0.0000})");
        }
        // The test has power: one marginal threshold covers the calm group too much and the noisiest group far too little.
        var (noisy, noisySe) = Summarise(marginal[g - 1]);
        Assert.True(noisy < 1 - Alpha - 0.1 && noisy < 1 - Alpha - 4 * noisySe, $"marginal coverage of the noisiest group {noisy:0.0000} (se {noisySe:0.0000})");
        Assert.True(Summarise(marginal[0]).Mean > 0.99, $"marginal coverage of the calm group {Summarise(marginal[0]).Mean:0.0000}");
    }

    internal sealed class GroupRegressionRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public uint Group { get; set; }
    }

    private static SchemaDefinition GroupDefinition(int groups)
    {
        var definition = SchemaDefinition.Create(typeof(GroupRegressionRow));
        definition[nameof(GroupRegressionRow.Group)].ColumnType = new KeyDataViewType(typeof(uint), groups);
        return definition;
    }

    /// <summary><paramref name="perGroup"/> rows of each group (group j = raw key j + 1): y = x + sigma_j e, the model predicts x.</summary>
    private static List<GroupRegressionRow> GroupRows(Random rng, double[] sigmas, int perGroup)
    {
        var rows = new List<GroupRegressionRow>(sigmas.Length * perGroup);
        for (int j = 0; j < sigmas.Length; j++)
            for (int i = 0; i < perGroup; i++)
            {
                double x = rng.NextDouble() * 4 - 2;
                rows.Add(new GroupRegressionRow { Score = (float)x, Label = (float)(x + sigmas[j] * ConformalData.Normal(rng)), Group = (uint)j });
            }
        return rows;
    }

    internal sealed class RegressionRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public float Difficulty { get; set; }
        public float Lower { get; set; }
        public float Upper { get; set; }
    }

    /// <summary>Heteroscedastic data: y = x + sigma(x) e, sigma(x) = 0.2 + |x|; the model predicts x, the difficulty is sigma.</summary>
    internal static List<RegressionRow> RegressionRows(Random rng, int n) => Enumerable.Range(0, n).Select(_ =>
    {
        double x = rng.NextDouble() * 4 - 2, sigma = 0.2 + Math.Abs(x);
        return new RegressionRow
        {
            Label = (float)(x + sigma * ConformalData.Normal(rng)),
            Score = (float)x,
            Difficulty = (float)sigma,
            Lower = (float)(x - 1.2 * sigma),
            Upper = (float)(x + 1.2 * sigma),
        };
    }).ToList();
}
