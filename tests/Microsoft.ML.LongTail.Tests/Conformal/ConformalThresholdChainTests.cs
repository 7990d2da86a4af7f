using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>LAC and PAS sets compile to a normalizer and an expression (group thresholds: look-ups and an expression), not
/// ONNX: the sets equal the managed predictor's bit for bit, at the thresholds, with infinite thresholds and odd scores, and
/// after save / load and in <c>PredictionEngine</c>.</summary>
public class ConformalThresholdChainTests : IDisposable
{
    private const int K = 8;
    private static readonly float Top = MathF.BitDecrement(float.MaxValue);
    private readonly string _directory = Directory.CreateTempSubdirectory("longtail-threshold-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Finite thresholds (some exactly representable boundaries), +infinity (full set), -infinity (empty set) and signed zeros.
    private static readonly float[] LacThresholds = [0.35f, float.PositiveInfinity, float.NegativeInfinity, 0f, 1f, 1f - 0.123456f, 1.0000001f, -0f];
    private static readonly float[] PasThresholds = [-0.7f, float.PositiveInfinity, float.NegativeInfinity, -0f, -1f, -3.3f, -1e30f, 0f];
    private static readonly float[] Priors = [0.5f, 1e-3f, 7f, 0.1f, 1f, 0.333f, 2e-38f, 0.25f];

    private static readonly float[] OddValues =
    [
        0f, -0f, 1f, 0.5f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-7f, 1.0000001f, 0.99999994f, 2f, -2f, 3e7f, -3e7f,
        float.MaxValue, -float.MaxValue, Top, -Top, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    private static NonconformityScorer Scorer(NonconformityScore score, int k) =>
        new(score, k, randomized: false, rapsLambda: 0.01f, rapsKReg: 5, priors: score == NonconformityScore.Pas ? Priors[..k] : null);

    /// <summary>Random probability rows, then rows holding p*, its neighbours and odd values in every slot.</summary>
    private static float[] Rows(Random rng, int randomRows, float[] leastPerSlot, float[] extraBoundaries)
    {
        int k = leastPerSlot.Length;
        var rows = new List<float>();
        for (int i = 0; i < randomRows; i++)
        {
            var p = Enumerable.Range(0, k).Select(_ => -MathF.Log(1 - rng.NextSingle())).ToArray();
            float sum = p.Sum();
            rows.AddRange(p.Select(v => v / sum));
        }
        var special = new List<float>(OddValues);
        foreach (float least in leastPerSlot.Concat(extraBoundaries))
        {
            if (float.IsFinite(least))
                special.AddRange([least, MathF.BitDecrement(least), MathF.BitIncrement(least)]);
        }
        // Every special value in every slot, shifted so that the slots mix values.
        for (int shift = 0; shift < special.Count; shift++)
            for (int j = 0; j < k; j++)
                rows.Add(special[(shift + j * 7) % special.Count]);
        return rows.ToArray();
    }

    private static IDataView View(MLContext ml, float[] scores, int k, int[]? groups = null, int groupCount = 1) =>
        ConformalData.ToDataView(ml, scores, new int[scores.Length / k], k, groups, groupCount);

    /// <summary>Where the compiled chain may differ from the managed predictor (documented on <see cref="ConformalSetPredictor"/>):
    /// -infinity in a full-set slot, the largest finite floats in a slot whose least in-set score is above them.</summary>
    private static bool DocumentedException(float p, float least) =>
        (least == float.NegativeInfinity && p == float.NegativeInfinity) || (least >= Top && p >= Top && p < least);

    [Theory]
    [InlineData(NonconformityScore.Lac)]
    [InlineData(NonconformityScore.Pas)]
    public void PerClassThresholds_EqualManagedSets_AtTheBoundaries_AndAfterSaveLoad(NonconformityScore score)
    {
        var ml = new MLContext(seed: 1);
        var scorer = Scorer(score, K);
        var thresholds = score == NonconformityScore.Lac ? LacThresholds : PasThresholds;
        var predictor = new ConformalSetPredictor(scorer, 0.1, thresholds, false, new int[K], null, marginal: false);
        var least = ConformalThresholdChain.LeastScoresInSet(predictor)!;
        Assert.NotNull(least);
        for (int c = 0; c < K; c++)
        {
            // p* is the boundary: in the set, the float below it is not.
            Assert.True(scorer.PointScore(least[c], c) <= thresholds[c], $"class {c}: p* = {least[c]:R}");
            if (least[c] > float.NegativeInfinity)
                Assert.False(scorer.PointScore(MathF.BitDecrement(least[c]), c) <= thresholds[c], $"class {c}: below p* = {least[c]:R}");
        }
        Assert.Equal(float.NegativeInfinity, least[1]);  // +infinity threshold: the full set
        Assert.Equal(float.PositiveInfinity, least[2]);  // -infinity threshold: only +infinity is in

        var scores = Rows(new Random(7), 2000, least, []);
        var data = View(ml, scores, K);
        var model = predictor.CreateEstimator(ml, "Score", "PredictionSet", null).Fit(data);
        Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);
        var sets = model.Transform(data).GetColumn<float[]>("PredictionSet").ToArray();
        var managed = new bool[scores.Length];
        predictor.PredictBatch(scores, managed);
        int compared = 0;
        for (int i = 0; i < sets.Length; i++)
        {
            for (int j = 0; j < K; j++)
            {
                float p = scores[i * K + j], v = sets[i][j];
                Assert.True(v is 0f or 1f, $"row {i}, class {j}: {v}");
                if (DocumentedException(p, least[j]))
                    continue;
                compared++;
                Assert.True((v == 1f) == managed[i * K + j], $"row {i}, class {j}: score {p:R}, compiled {v}, managed {managed[i * K + j]}, p* {least[j]:R}");
            }
        }
        Assert.True(compared > scores.Length - 3 * sets.Length);

        string path = Path.Combine(_directory, $"{score}.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var again = loaded.Transform(View(fresh, scores, K)).GetColumn<float[]>("PredictionSet").ToArray();
        for (int i = 0; i < sets.Length; i++)
            Assert.Equal(sets[i], again[i]);
        var type = (VectorDataViewType)loaded.GetOutputSchema(data.Schema)["PredictionSet"].Type;
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
        Assert.Equal(K, type.Size);
        Assert.DoesNotContain(loaded.GetOutputSchema(data.Schema), c => c.Name.StartsWith("conformal_", StringComparison.Ordinal));

        var engine = fresh.Model.CreatePredictionEngine<ScoreRow, SetRow>(loaded);
        for (int i = 0; i < sets.Length; i += 97)
            Assert.Equal(sets[i], engine.Predict(new ScoreRow { Score = scores.AsSpan(i * K, K).ToArray() }).PredictionSet);
    }

    [Fact]
    public void GroupThresholds_EqualManagedSets_ForEveryScore_AndUnseenGroupsGetTheFullSet()
    {
        var ml = new MLContext(seed: 1);
        const int Groups = 6, Calibrated = 4;
        float[] thresholds = [0.35f, float.PositiveInfinity, 1f - 0.123456f, 0f];
        var scorer = Scorer(NonconformityScore.Lac, K);
        var predictor = new ConformalSetPredictor(scorer, 0.1, thresholds, true, new int[Calibrated], null, marginal: false);
        var least = ConformalThresholdChain.LeastScoresInSet(predictor)!;
        Assert.NotNull(least);
        var scores = Rows(new Random(3), 1000, new float[K], least);
        int rows = scores.Length / K;
        var groups = Enumerable.Range(0, rows).Select(i => i % Groups).ToArray();  // groups 4 and 5 were never calibrated
        var data = View(ml, scores, K, groups, Groups);
        var model = predictor.CreateEstimator(ml, "Score", "PredictionSet", "Group").Fit(data);
        Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);
        var sets = model.Transform(data).GetColumn<float[]>("PredictionSet").ToArray();
        var managed = new bool[scores.Length];
        predictor.PredictBatch(scores, managed, groups);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < K; j++)
                Assert.True((sets[i][j] == 1f) == managed[i * K + j], $"row {i} (group {groups[i]}), class {j}: score {scores[i * K + j]:R}");
        Assert.Contains(Enumerable.Range(0, rows), i => groups[i] >= Calibrated && sets[i].All(v => v == 1f));

        string path = Path.Combine(_directory, "group.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var again = fresh.Model.Load(path, out _).Transform(View(fresh, scores, K, groups, Groups)).GetColumn<float[]>("PredictionSet").ToArray();
        for (int i = 0; i < rows; i++)
            Assert.Equal(sets[i], again[i]);
    }

    public static TheoryData<NonconformityScore, ConformalConditioning, bool> Routes() => new()
    {
        { NonconformityScore.Lac, ConformalConditioning.Marginal, true },
        { NonconformityScore.Pas, ConformalConditioning.Marginal, true },
        { NonconformityScore.Lac, ConformalConditioning.Mondrian, true },
        { NonconformityScore.Pas, ConformalConditioning.Mondrian, true },
        { NonconformityScore.Lac, ConformalConditioning.Clustered, true },
        { NonconformityScore.Aps, ConformalConditioning.Marginal, false },
        { NonconformityScore.Raps, ConformalConditioning.Mondrian, false },
        { NonconformityScore.TopK, ConformalConditioning.Marginal, false },
    };

    /// <summary>Fitted through the estimator on its own calibration rows (so rows sit exactly on the thresholds, and rare
    /// classes get +infinity): threshold scores take the stock route, rank scores keep ONNX, and both equal the managed sets.</summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public void Estimator_PicksTheRoute_AndEqualsManagedSets_OnTheCalibrationRows(NonconformityScore score, ConformalConditioning conditioning, bool stock)
    {
        var ml = new MLContext(seed: 1);
        // Very long-tailed: the last classes have fewer rows than Mondrian's minimum, so they get the full set.
        var (scores, labels) = ConformalData.Generate(new Random(9), 1500, K, imbalance: 400);
        var data = ConformalData.ToDataView(ml, scores, labels, K);
        var estimator = ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
        {
            Alpha = 0.1, Score = score, Conditioning = conditioning, Seed = 2,
        });
        var model = estimator.Fit(data);
        var predictor = estimator.LastCalibration!;
        Assert.Equal(!stock, TestSchemas.Flatten(model).Any(t => t is OnnxTransformer));
        Assert.Equal(!stock, model is ManagedSetTransformer); // the ONNX route computes its sets in managed code in-process
        if (conditioning == ConformalConditioning.Mondrian)
            Assert.Contains(float.PositiveInfinity, predictor.Thresholds);
        AssertSetsMatchManaged(model, data, predictor, scores);
    }

    /// <summary>Every slot of the compiled chain's <c>PredictionSet</c> equals the managed predictor's set.</summary>
    private static void AssertSetsMatchManaged(ITransformer model, IDataView data, ConformalSetPredictor predictor, float[] scores)
    {
        var sets = model.Transform(data).GetColumn<float[]>("PredictionSet").ToArray();
        var managed = new bool[scores.Length];
        predictor.PredictBatch(scores, managed);
        Assert.Equal(scores.Length / K, sets.Length);
        for (int i = 0; i < sets.Length; i++)
            for (int j = 0; j < K; j++)
                Assert.True((sets[i][j] == 1f) == managed[i * K + j], $"row {i}, class {j}");
    }

    [Fact]
    public void RiskControl_ThresholdSets_TakeTheStockRoute()
    {
        var ml = new MLContext(seed: 1);
        var (scores, labels) = ConformalData.Generate(new Random(4), 800, K);
        var data = ConformalData.ToDataView(ml, scores, labels, K);
        var estimator = ml.MulticlassClassification.ConformalRiskControl(loss: ConformalLoss.Miscoverage);
        var model = estimator.Fit(data);
        Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);
        AssertSetsMatchManaged(model, data, estimator.LastCalibration!, scores);
    }

    [Fact]
    public void RankScores_AndPasWithGroups_HaveNoThresholdForm()
    {
        foreach (var score in new[] { NonconformityScore.Aps, NonconformityScore.Raps, NonconformityScore.TopK })
            Assert.Null(ConformalThresholdChain.LeastScoresInSet(new ConformalSetPredictor(Scorer(score, K), 0.1, new float[K], false, new int[K], null, false)));
        Assert.Null(ConformalThresholdChain.LeastScoresInSet(new ConformalSetPredictor(Scorer(NonconformityScore.Pas, K), 0.1, [0.1f, 0.2f], true, [5, 5], null, false)));
        Assert.Null(ConformalThresholdChain.LeastScoresInSet(new ConformalSetPredictor(Scorer(NonconformityScore.Lac, K), 0.1, Enumerable.Repeat(float.NaN, K).ToArray(), false, new int[K], null, false)));
    }

    /// <summary>A score column of dimensions [1, K] (e.g. scores adjusted by an ONNX graph) takes the stock route too.</summary>
    [Fact]
    public void ScoreOfDimensionsOneByK_TakesTheStockRoute()
    {
        var ml = new MLContext(seed: 1);
        var (scores, labels) = ConformalData.Generate(new Random(6), 600, K);
        var definition = SchemaDefinition.Create(typeof(ConformalData.Row));
        definition[nameof(ConformalData.Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), K);
        definition[nameof(ConformalData.Row.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, K);
        definition[nameof(ConformalData.Row.Group)].ColumnType = new KeyDataViewType(typeof(uint), 1);
        definition[nameof(ConformalData.Row.MultiLabel)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, K);
        var data = ml.Data.LoadFromEnumerable(ConformalData.Rows(scores, labels, K), definition);
        var estimator = ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions { Conditioning = ConformalConditioning.Mondrian });
        var model = estimator.Fit(data);
        Assert.DoesNotContain(TestSchemas.Flatten(model), t => t is OnnxTransformer);
        AssertSetsMatchManaged(model, data, estimator.LastCalibration!, scores);
    }

    [Fact]
    public void GetOutputSchema_OfTheStockGroupRoute_HasTheSetAndNoTemporaries()
    {
        var ml = new MLContext(seed: 1);
        var (scores, labels) = ConformalData.Generate(new Random(1), 50, K);
        var data = ConformalData.ToDataView(ml, scores, labels, K, groupCount: 2);
        var shape = TestSchemas.ShapeOf(data.Schema);
        var output = ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
        {
            Conditioning = ConformalConditioning.Mondrian, GroupColumnName = "Group",
        }).GetOutputSchema(shape);
        Assert.Contains(output, c => c.Name == "PredictionSet" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single);
        Assert.DoesNotContain(output, c => c.Name.StartsWith("conformal_", StringComparison.Ordinal));
    }

    private sealed class ScoreRow
    {
        [VectorType(K)] public float[] Score { get; set; } = [];
    }

    private sealed class SetRow
    {
        public float[] PredictionSet { get; set; } = [];
    }
}
