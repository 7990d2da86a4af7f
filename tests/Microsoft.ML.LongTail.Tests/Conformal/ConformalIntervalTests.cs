using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>Regression intervals compile to stock transforms (expression, look-ups, concatenate; no ONNX): the same bits as the
/// managed predictor for odd values and thresholds, after save / load and in <c>PredictionEngine</c>; group-conditional
/// (Mondrian) thresholds per group with the documented fallbacks; bad group columns fail with clear messages.</summary>
public class ConformalIntervalTests : IDisposable
{
    private const int Groups = 6;
    private static readonly float SignallingNaN = BitConverter.Int32BitsToSingle(0x7F800001);
    private readonly string _directory = Directory.CreateTempSubdirectory("longtail-interval-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly float[] OddValues =
    [
        0f, -0f, 1f, -1f, 0.1f, -2.5f, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, 1.17549435e-38f, 1e-30f, -1e30f,
        16777217f, 3e10f, float.MaxValue, -float.MaxValue, MathF.BitDecrement(float.MaxValue), float.PositiveInfinity,
        float.NegativeInfinity, float.NaN, -float.NaN, SignallingNaN,
    ];

    // Thresholds: signed zeros, subnormal, tiny, ordinary, integers beyond 2^24, huge, the largest float, +infinity; negative
    // ones occur with CQR (the quantile pair already over-covers).
    private static readonly float[] Thresholds =
    [
        0f, -0f, float.Epsilon, 1e-40f, 1e-30f, 0.1f, 1f, 2.2319949f, 16777217f, 3e38f, float.MaxValue, float.PositiveInfinity,
        -0.3f, -1e-40f, -float.MaxValue,
    ];

    internal sealed class Row
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public float Difficulty { get; set; }
        public float Lower { get; set; }
        public float Upper { get; set; }
        public uint Group { get; set; }
    }

    private sealed class IntervalOutput
    {
        public float[] PredictionInterval { get; set; } = [];
    }

    /// <summary>A view with the Single columns and Group: Key&lt;<paramref name="groupCount"/>&gt; (group g = raw key g + 1).</summary>
    private static IDataView View(MLContext ml, IEnumerable<Row> rows, int groupCount = Groups)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Group)].ColumnType = new KeyDataViewType(typeof(uint), groupCount);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>Random floats of every magnitude (random bit patterns), ordinary values, and every odd value against every other.</summary>
    private static List<Row> OddRows(Random rng, int randomRows)
    {
        float Any() => rng.Next(4) == 0 ? (float)(rng.NextDouble() * 20 - 10) : BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));
        var rows = new List<Row>();
        for (int i = 0; i < randomRows; i++)
            rows.Add(new Row { Score = Any(), Difficulty = Any(), Lower = Any(), Upper = Any(), Group = (uint)rng.Next(Groups) });
        for (int i = 0; i < OddValues.Length; i++)
            for (int j = 0; j < OddValues.Length; j++)
                rows.Add(new Row
                {
                    Score = OddValues[i], Difficulty = OddValues[j], Lower = OddValues[i], Upper = OddValues[j],
                    Group = (uint)((i + j) % Groups),
                });
        return rows;
    }

    private static (float Lower, float Upper) Managed(ConformalIntervalPredictor predictor, Row r) =>
        predictor.IsGroupConditional
            ? predictor.Score == ConformalRegressionScore.QuantileRegression ? predictor.PredictInGroup((int)r.Group, r.Score, r.Lower, r.Upper)
                : predictor.PredictInGroup((int)r.Group, r.Score, r.Difficulty)
            : predictor.Score == ConformalRegressionScore.QuantileRegression ? predictor.Predict(r.Score, r.Lower, r.Upper)
                : predictor.Predict(r.Score, r.Difficulty);

    private static void AssertSameBits(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{what}: managed {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), chain {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");

    /// <summary>Every row's compiled interval has the managed predictor's bits, lower and upper.</summary>
    private static void AssertMatchesManaged(ConformalIntervalPredictor predictor, List<Row> rows, float[][] intervals, string what)
    {
        Assert.Equal(rows.Count, intervals.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            var (lo, hi) = Managed(predictor, rows[i]);
            Assert.Equal(2, intervals[i].Length);
            AssertSameBits(lo, intervals[i][0], $"{what}, row {i} lower (score {rows[i].Score:R}, d {rows[i].Difficulty:R}, group {rows[i].Group})");
            AssertSameBits(hi, intervals[i][1], $"{what}, row {i} upper (score {rows[i].Score:R}, d {rows[i].Difficulty:R}, group {rows[i].Group})");
        }
    }

    [Theory]
    [InlineData(ConformalRegressionScore.AbsoluteResidual)]
    [InlineData(ConformalRegressionScore.NormalizedResidual)]
    [InlineData(ConformalRegressionScore.QuantileRegression)]
    public void MarginalChain_EqualsManagedBitForBit_ForOddValuesAndThresholds_AndAfterSaveLoad(ConformalRegressionScore score)
    {
        var ml = new MLContext(seed: 1);
        var rows = OddRows(new Random(5 + (int)score), 3000);
        var data = View(ml, rows);
        var options = new ConformalRegressorOptions { Score = score };
        foreach (float q in Thresholds)
        {
            var predictor = new ConformalIntervalPredictor(score, 0.1, q, 100);
            var model = predictor.CreateEstimator(ml, options).Fit(data);
            Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);
            var intervals = model.Transform(data).GetColumn<float[]>("PredictionInterval").ToArray();
            AssertMatchesManaged(predictor, rows, intervals, $"{score}, q = {q:R}");
            if (q == float.PositiveInfinity)
            {
                // An infinite threshold gives an infinite interval wherever the prediction (and difficulty) is finite and non-zero.
                Assert.Contains(intervals, v => v[0] == float.NegativeInfinity && v[1] == float.PositiveInfinity);
                for (int i = 0; i < rows.Count; i++)
                {
                    var r = rows[i];
                    bool finite = score == ConformalRegressionScore.QuantileRegression ? float.IsFinite(r.Lower) && float.IsFinite(r.Upper)
                        : float.IsFinite(r.Score) && (score == ConformalRegressionScore.AbsoluteResidual || (float.IsFinite(r.Difficulty) && r.Difficulty > 0));
                    if (finite)
                        Assert.True(intervals[i][0] == float.NegativeInfinity && intervals[i][1] == float.PositiveInfinity, $"row {i}");
                }
            }
        }

        // Save / load in a fresh context, PredictionEngine, output type: a known-size vector of 2.
        var fitted = new ConformalIntervalPredictor(score, 0.1, 0.7f, 100);
        var chain = fitted.CreateEstimator(ml, options).Fit(data);
        var expected = chain.Transform(data).GetColumn<float[]>("PredictionInterval").ToArray();
        string path = Path.Combine(_directory, $"{score}.zip");
        ml.Model.Save(chain, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var again = loaded.Transform(View(fresh, rows)).GetColumn<float[]>("PredictionInterval").ToArray();
        AssertMatchesManaged(fitted, rows, again, $"{score} after save / load");
        var schema = loaded.GetOutputSchema(data.Schema);
        var type = Assert.IsType<VectorDataViewType>(schema["PredictionInterval"].Type);
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
        Assert.Equal(2, type.Size);
        Assert.DoesNotContain(schema, c => c.Name.StartsWith("conformal_", StringComparison.Ordinal));

        var engine = fresh.Model.CreatePredictionEngine<Row, IntervalOutput>(loaded);
        for (int i = 0; i < rows.Count; i += 101)
        {
            var interval = engine.Predict(rows[i]).PredictionInterval;
            AssertSameBits(expected[i][0], interval[0], $"engine row {i} lower");
            AssertSameBits(expected[i][1], interval[1], $"engine row {i} upper");
        }
    }

    [Theory]
    [InlineData(ConformalRegressionScore.AbsoluteResidual)]
    [InlineData(ConformalRegressionScore.NormalizedResidual)]
    [InlineData(ConformalRegressionScore.QuantileRegression)]
    public void GroupChain_EqualsManagedBitForBit_AndUncalibratedGroupsGetAnInfiniteInterval(ConformalRegressionScore score)
    {
        var ml = new MLContext(seed: 1);
        // Four calibrated groups (one with an infinite threshold, signed zeros); the data's key has six values, so groups 4
        // and 5 are beyond the table.
        float[] thresholds = score == ConformalRegressionScore.QuantileRegression ? [0.35f, float.PositiveInfinity, -0f, -1.5f] : [0.35f, float.PositiveInfinity, 0f, 3e-40f];
        var predictor = new ConformalIntervalPredictor(score, 0.1, 1f, 400, thresholds, [100, 3, 100, 100]);
        var rows = OddRows(new Random(17 + (int)score), 3000);
        var data = View(ml, rows);
        var options = new ConformalRegressorOptions { Score = score, GroupColumnName = "Group" };
        var model = predictor.CreateEstimator(ml, options).Fit(data);
        Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);
        var intervals = model.Transform(data).GetColumn<float[]>("PredictionInterval").ToArray();
        AssertMatchesManaged(predictor, rows, intervals, $"{score}, groups");
        // Rows of the uncalibrated groups with finite inputs get (-infinity, +infinity), in both.
        var ordinary = Enumerable.Range(0, rows.Count).Where(i => rows[i].Group >= 4 && MathF.Abs(rows[i].Score) is > 1e-3f and < 1e3f
            && MathF.Abs(rows[i].Difficulty) is > 1e-3f and < 1e3f && MathF.Abs(rows[i].Lower) is > 1e-3f and < 1e3f && MathF.Abs(rows[i].Upper) is > 1e-3f and < 1e3f
            && rows[i].Difficulty > 0).ToList();
        Assert.NotEmpty(ordinary);
        Assert.All(ordinary, i => Assert.Equal([float.NegativeInfinity, float.PositiveInfinity], intervals[i]));
        Assert.Equal(float.PositiveInfinity, predictor.ThresholdOf(4));
        Assert.Equal(float.PositiveInfinity, predictor.ThresholdOf(-1));

        string path = Path.Combine(_directory, $"group-{score}.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var again = fresh.Model.Load(path, out _).Transform(View(fresh, rows)).GetColumn<float[]>("PredictionInterval").ToArray();
        AssertMatchesManaged(predictor, rows, again, $"{score}, groups, after save / load");
    }

    [Fact]
    public void Literal_ParsesToTheExactFloat_ForEveryMagnitude()
    {
        // Checked again inside the chain at compile time; here over many random bit patterns at once.
        var ml = new MLContext(seed: 1);
        var rng = new Random(3);
        var values = Thresholds.Concat(Enumerable.Range(0, 200).Select(_ => BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue))))
            .Where(v => !float.IsNaN(v)).Append(float.NegativeInfinity).ToArray();
        var row = ml.Data.LoadFromEnumerable([new Row()]);
        foreach (float v in values)
        {
            string literal = ConformalIntervalChain.Literal(v);
            float parsed = ml.Transforms.Expression("Q", $"x => {literal}", "Score").Fit(row).Transform(row).GetColumn<float>("Q").Single();
            AssertSameBits(v, parsed, $"literal '{literal}'");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ConformalIntervalChain.Literal(float.NaN));
    }

    private sealed class TextGroupRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public string Region { get; set; } = "";
    }

    private static List<TextGroupRow> RegionRows(Random rng, string region, int n, double sigma) => Enumerable.Range(0, n).Select(_ =>
    {
        double x = rng.NextDouble() * 4 - 2;
        return new TextGroupRow { Score = (float)x, Label = (float)(x + sigma * ConformalData.Normal(rng)), Region = region };
    }).ToList();

    /// <summary>Calibration rows: "calm" and "rough" with enough rows, "tiny" (5) and "small" (6) below the minimum of 9 at
    /// alpha = 0.1, "empty" in the key dictionary without a row, and rows of an unknown region (a missing key).</summary>
    private static (List<TextGroupRow> Rows, string[] Keys) Calibration(Random rng)
    {
        var rows = RegionRows(rng, "calm", 300, 0.3).Concat(RegionRows(rng, "rough", 300, 2.0)).Concat(RegionRows(rng, "tiny", 5, 1.0))
            .Concat(RegionRows(rng, "small", 6, 1.0)).Concat(RegionRows(rng, "elsewhere", 40, 5.0)).ToList();
        return (rows, ["calm", "rough", "tiny", "small", "empty"]);
    }

    private IEstimator<ITransformer> RegionKey(string[] keys) =>
        new MLContext(seed: 1).Transforms.Conversion.MapValueToKey("Group", "Region", keyData: new MLContext().Data.LoadFromEnumerable(keys.Select(k => new KeyRow { Region = k })));

    private sealed class KeyRow
    {
        public string Region { get; set; } = "";
    }

    private static float[] Residuals(IEnumerable<TextGroupRow> rows) => rows.Select(r => MathF.Abs(r.Label - r.Score)).ToArray();

    [Fact]
    public void GroupThresholds_AreEachGroupsExactQuantile_WithTheDocumentedFallbacks()
    {
        var ml = new MLContext(seed: 1);
        var (rows, keys) = Calibration(new Random(12));
        var keyed = RegionKey(keys).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        float Quantile(params string[] regions) => ConformalQuantile.Threshold(Residuals(rows.Where(r => regions.Contains(r.Region))), 0.1);

        var full = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "Group" }).Calibrate(keyed);
        Assert.True(full.IsGroupConditional);
        Assert.Equal([300, 300, 5, 6, 0], full.GroupCalibrationCounts!);
        Assert.Equal(rows.Count, full.CalibrationCount);
        Assert.Equal(Quantile("calm"), full.GroupThresholds![0]);
        Assert.Equal(Quantile("rough"), full.GroupThresholds[1]);
        Assert.True(full.GroupThresholds[0] < 1f && full.GroupThresholds[1] > 2f);
        // FullSet (the default): the small and the empty groups get an infinite interval.
        Assert.Equal(float.PositiveInfinity, full.GroupThresholds[2]);
        Assert.Equal(float.PositiveInfinity, full.GroupThresholds[3]);
        Assert.Equal(float.PositiveInfinity, full.GroupThresholds[4]);
        // Threshold is the marginal quantile over every row, those of the unknown region included.
        var marginal = ml.Regression.ConformalRegressor().Calibrate(keyed);
        Assert.Equal(marginal.Threshold, full.Threshold);
        Assert.Equal(Quantile("calm", "rough", "tiny", "small", "elsewhere"), full.Threshold);
        Assert.Throws<InvalidOperationException>(() => full.Predict(0f));

        var toMarginal = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "Group", Fallback = ConformalFallback.MarginalQuantile }).Calibrate(keyed);
        Assert.Equal([full.GroupThresholds[0], full.GroupThresholds[1], full.Threshold, full.Threshold, full.Threshold], toMarginal.GroupThresholds!);

        // Pooled: tiny and small together (11 rows) have a finite quantile; the empty group adds no row.
        var pooled = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "Group", Fallback = ConformalFallback.PooledQuantile }).Calibrate(keyed);
        float pool = Quantile("tiny", "small");
        Assert.True(float.IsFinite(pool));
        Assert.Equal([full.GroupThresholds[0], full.GroupThresholds[1], pool, pool, pool], pooled.GroupThresholds!);

        // A higher minimum sends every group to the fallback. A lower one gives "tiny" and "small" their own quantile, which is
        // still +infinity (k = ceil((n + 1) 0.9) > n): lowering the minimum never under-covers silently. The empty group (0
        // rows) still gets the fallback.
        var strict = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "Group", MinimumGroupCount = 301 }).Calibrate(keyed);
        Assert.All(strict.GroupThresholds!, q => Assert.Equal(float.PositiveInfinity, q));
        var lax = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "Group", MinimumGroupCount = 5, Fallback = ConformalFallback.MarginalQuantile }).Calibrate(keyed);
        Assert.Equal([full.GroupThresholds[0], full.GroupThresholds[1], float.PositiveInfinity, float.PositiveInfinity, full.Threshold], lax.GroupThresholds!);
    }

    [Fact]
    public void GroupPipeline_GivesUnseenAndSmallGroupsAnInfiniteInterval_SavesLoads_AndWorksInPredictionEngine()
    {
        var ml = new MLContext(seed: 1);
        var (rows, keys) = Calibration(new Random(13));
        var calibration = ml.Data.LoadFromEnumerable(rows);
        var key = RegionKey(keys).Fit(calibration);
        var estimator = ml.Regression.ConformalRegressor("Group", alpha: 0.1);
        var conformal = estimator.Fit(key.Transform(calibration));
        var model = key.Append(conformal);
        var predictor = estimator.LastCalibration!;
        Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);

        var test = new List<TextGroupRow>
        {
            new() { Score = 1.5f, Region = "calm" }, new() { Score = -0.25f, Region = "rough" }, new() { Score = 0.5f, Region = "tiny" },
            new() { Score = 0.5f, Region = "empty" }, new() { Score = 2f, Region = "never seen" }, new() { Score = float.NaN, Region = "calm" },
        };
        var view = ml.Data.LoadFromEnumerable(test);
        var intervals = model.Transform(view).GetColumn<float[]>("PredictionInterval").ToArray();
        Assert.Equal([1.5f - predictor.GroupThresholds![0], 1.5f + predictor.GroupThresholds[0]], intervals[0]);
        Assert.Equal([-0.25f - predictor.GroupThresholds[1], -0.25f + predictor.GroupThresholds[1]], intervals[1]);
        for (int i = 2; i <= 4; i++)
            Assert.Equal([float.NegativeInfinity, float.PositiveInfinity], intervals[i]);
        Assert.True(float.IsNaN(intervals[5][0]) && float.IsNaN(intervals[5][1]));
        // The managed predictor agrees: "never seen" is a missing key (-1).
        Assert.Equal((float.NegativeInfinity, float.PositiveInfinity), predictor.PredictInGroup(-1, 2f));
        Assert.Equal((1.5f - predictor.GroupThresholds[0], 1.5f + predictor.GroupThresholds[0]), predictor.PredictInGroup(0, 1.5f));

        string path = Path.Combine(_directory, "regions.zip");
        ml.Model.Save(model, calibration.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var again = loaded.Transform(fresh.Data.LoadFromEnumerable(test)).GetColumn<float[]>("PredictionInterval").ToArray();
        for (int i = 0; i < test.Count; i++)
            Assert.Equal(intervals[i], again[i]);
        var engine = fresh.Model.CreatePredictionEngine<TextGroupRow, IntervalOutput>(loaded);
        for (int i = 0; i < test.Count; i++)
            Assert.Equal(intervals[i], engine.Predict(test[i]).PredictionInterval);

        // The evaluator reads the stock chain's interval column.
        var scored = model.Transform(ml.Data.LoadFromEnumerable(RegionRows(new Random(14), "rough", 400, 2.0)));
        var metrics = ml.Regression.EvaluateConformal(scored);
        Assert.InRange(metrics.Coverage, 0.85, 0.97);
    }

    [Fact]
    public void BadGroupColumn_FailsWithClearMessages()
    {
        var ml = new MLContext(seed: 1);
        var rows = CoverageTests.RegressionRows(new Random(1), 50);
        var data = ml.Data.LoadFromEnumerable(rows);

        var missing = Assert.Throws<ArgumentException>(() => ml.Regression.ConformalRegressor("Region").Fit(data));
        Assert.Contains("no group column 'Region'", missing.Message);
        Assert.Equal("GroupColumnName", missing.ParamName);

        // A Single column is not a key.
        var wrongType = Assert.Throws<ArgumentException>(() => ml.Regression.ConformalRegressor("Difficulty").Fit(data));
        Assert.Contains("group column 'Difficulty' has type Single; a key type is required", wrongType.Message);
        Assert.Contains("MapValueToKey", wrongType.Message);

        var shape = TestSchemas.ShapeOf(data.Schema);
        Assert.Contains("must be a key column", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.ConformalRegressor("Difficulty").GetOutputSchema(shape)).Message);
        Assert.Contains("no group column 'Region'", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.ConformalRegressor("Region").GetOutputSchema(shape)).Message);

        Assert.Contains("MinimumGroupCount", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "G", MinimumGroupCount = 0 })).Message);
        Assert.Contains("Fallback", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "G", Fallback = (ConformalFallback)42 })).Message);
        Assert.Contains("GroupColumnName", Assert.Throws<ArgumentException>(() =>
            ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = "" })).Message);
    }

    [Fact]
    public void GetOutputSchema_OfTheGroupRoute_HasTheIntervalAndNoTemporaries()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, OddRows(new Random(1), 10));
        var shape = TestSchemas.ShapeOf(data.Schema);
        foreach (var group in new[] { "Group", null })
        {
            var output = ml.Regression.ConformalRegressor(new ConformalRegressorOptions { GroupColumnName = group, Score = ConformalRegressionScore.NormalizedResidual }).GetOutputSchema(shape);
            Assert.Contains(output, c => c.Name == "PredictionInterval" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single);
            Assert.DoesNotContain(output, c => c.Name.StartsWith("conformal_", StringComparison.Ordinal));
        }
    }
}
