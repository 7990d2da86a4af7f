using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>The compiled chain (stock threshold transforms or ONNX): same sets as the managed predictor, save/load in a fresh context, PredictionEngine, Append.</summary>
public class ConformalPipelineTests : IDisposable
{
    private const int K = 6;
    private readonly string _directory = Directory.CreateTempSubdirectory("longtail-conformal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<NonconformityScore, ConformalConditioning, bool> Configurations()
    {
        var data = new TheoryData<NonconformityScore, ConformalConditioning, bool>();
        foreach (var score in Enum.GetValues<NonconformityScore>())
            data.Add(score, ConformalConditioning.Marginal, false);
        data.Add(NonconformityScore.Aps, ConformalConditioning.Marginal, true);
        data.Add(NonconformityScore.Raps, ConformalConditioning.Marginal, true);
        data.Add(NonconformityScore.Lac, ConformalConditioning.Mondrian, false);
        data.Add(NonconformityScore.Aps, ConformalConditioning.Mondrian, true);
        data.Add(NonconformityScore.Lac, ConformalConditioning.Clustered, false);
        data.Add(NonconformityScore.Pas, ConformalConditioning.Clustered, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void OnnxSets_EqualManagedSets_AndSurviveSaveLoad(NonconformityScore score, ConformalConditioning conditioning, bool randomized)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(11);
        var (calScores, calLabels) = ConformalData.Generate(rng, 1500, K);
        var (testScores, testLabels) = ConformalData.Generate(rng, 300, K);
        // Ties: round some test rows to 2 decimals (then renormalise only for the score kinds that do not need sums).
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < K; j++)
                testScores[i * K + j] = MathF.Round(testScores[i * K + j], 1);
        if (score is NonconformityScore.Aps or NonconformityScore.Raps)
            Renormalise(testScores);
        var calibration = ConformalData.ToDataView(ml, calScores, calLabels, K);
        var test = ConformalData.ToDataView(ml, testScores, testLabels, K);

        var estimator = ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
        {
            Alpha = 0.1, Score = score, Conditioning = conditioning, Randomized = randomized, Seed = 3,
        });
        var model = estimator.Fit(calibration);
        var predictor = estimator.LastCalibration!;
        var sets = model.Transform(test).GetColumn<float[]>("PredictionSet").ToArray();
        // Rank scores: the fitted transformer computes the sets in managed code and saves as the stock ONNX chain; run that
        // chain itself too, so both routes are compared with the managed predictor here.
        bool rank = score is not (NonconformityScore.Lac or NonconformityScore.Pas);
        Assert.Equal(rank, model is ManagedSetTransformer);
        var stockSets = model is ManagedSetTransformer wrapper
            ? wrapper.Stock.Transform(test).GetColumn<float[]>("PredictionSet").ToArray()
            : sets;

        var managed = new bool[testScores.Length];
        predictor.PredictBatch(testScores, managed);
        for (int i = 0; i < testLabels.Length; i++)
            for (int j = 0; j < K; j++)
            {
                Assert.True((sets[i][j] == 1f) == managed[i * K + j], $"row {i}, class {j}: transformer {sets[i][j]}, managed {managed[i * K + j]}");
                Assert.True((stockSets[i][j] == 1f) == managed[i * K + j], $"row {i}, class {j}: stock chain {stockSets[i][j]}, managed {managed[i * K + j]}");
            }
        // Single-row API agrees with the batch.
        var one = new bool[K];
        predictor.Predict(testScores.AsSpan(0, K), one);
        Assert.Equal(managed.AsSpan(0, K).ToArray(), one);

        string path = Path.Combine(_directory, $"{score}-{conditioning}-{randomized}.zip");
        ml.Model.Save(model, calibration.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var reloaded = loaded.Transform(ConformalData.ToDataView(fresh, testScores, testLabels, K)).GetColumn<float[]>("PredictionSet").ToArray();
        for (int i = 0; i < sets.Length; i++)
            Assert.Equal(sets[i], reloaded[i]);
        Assert.Equal(K, ((VectorDataViewType)loaded.GetOutputSchema(calibration.Schema)["PredictionSet"].Type).Size);
    }

    private static void Renormalise(float[] scores)
    {
        for (int i = 0; i < scores.Length / K; i++)
        {
            float sum = 0;
            for (int j = 0; j < K; j++) sum += scores[i * K + j];
            for (int j = 0; j < K; j++) scores[i * K + j] /= sum;
        }
    }

    [Fact]
    public void GroupMondrian_LooksUpTheGroupThreshold_AndUnseenGroupsGetTheFullSet()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(5);
        var (scores, labels) = ConformalData.Generate(rng, 1200, K);
        var groups = labels.Select((_, i) => i % 3).ToArray(); // groups 0..2 of a 4-value key; group 3 never calibrated
        var calibration = ConformalData.ToDataView(ml, scores, labels, K, groups, groupCount: 4);
        var estimator = ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
        {
            Conditioning = ConformalConditioning.Mondrian, GroupColumnName = "Group",
        });
        var model = estimator.Fit(calibration);
        var predictor = estimator.LastCalibration!;
        Assert.True(predictor.IsGroupConditional);
        Assert.Equal(4, predictor.Thresholds.Count);
        Assert.Equal(float.PositiveInfinity, predictor.Thresholds[3]);
        Assert.Equal([400, 400, 400, 0], predictor.CalibrationCounts);

        var (testScores, testLabels) = ConformalData.Generate(rng, 200, K);
        var testGroups = testLabels.Select((_, i) => i % 4).ToArray();
        var testView = ConformalData.ToDataView(ml, testScores, testLabels, K, testGroups, groupCount: 4);
        var sets = model.Transform(testView).GetColumn<float[]>("PredictionSet").ToArray();
        var managed = new bool[testScores.Length];
        predictor.PredictBatch(testScores, managed, testGroups);
        for (int i = 0; i < sets.Length; i++)
        {
            for (int j = 0; j < K; j++)
                Assert.Equal(managed[i * K + j], sets[i][j] == 1f);
            if (testGroups[i] == 3)
                Assert.All(sets[i], v => Assert.Equal(1f, v));
        }
        // The three groups got their own thresholds.
        Assert.Equal(3, predictor.Thresholds.Take(3).Distinct().Count());

        // Save / load keeps the lookups.
        string path = Path.Combine(_directory, "group.zip");
        ml.Model.Save(model, calibration.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var again = loaded.Transform(testView).GetColumn<float[]>("PredictionSet").ToArray();
        for (int i = 0; i < sets.Length; i++)
            Assert.Equal(sets[i], again[i]);
    }

    private sealed class InputRow
    {
        public string Label { get; set; } = "";
        [VectorType(4)] public float[] Features { get; set; } = [];
    }

    private sealed class SetPrediction
    {
        public float[] Score { get; set; } = [];
        public float[] PredictionSet { get; set; } = [];
    }

    [Fact]
    public void AppendsToATrainedModel_SavesLoads_AndRunsInPredictionEngine()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(2);
        List<InputRow> Make(int n) => Enumerable.Range(0, n).Select(_ =>
        {
            int c = rng.NextDouble() switch { < 0.6 => 0, < 0.9 => 1, _ => 2 };
            return new InputRow
            {
                Label = ((char)('a' + c)).ToString(),
                Features = Enumerable.Range(0, 4).Select(j => (float)(c + 1.2 * ConformalData.Normal(rng))).ToArray(),
            };
        }).ToList();
        var train = ml.Data.LoadFromEnumerable(Make(600));
        var calibrationRows = Make(600);
        var testRows = Make(100);
        var trained = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 30 }))
            .Fit(train);
        var conformal = ml.MulticlassClassification.ConformalClassifier(alpha: 0.1, score: NonconformityScore.Aps)
            .Fit(trained.Transform(ml.Data.LoadFromEnumerable(calibrationRows)));
        var model = trained.Append(conformal);

        var test = ml.Data.LoadFromEnumerable(testRows);
        var scored = model.Transform(test);
        var before = scored.GetColumn<float[]>("PredictionSet").ToArray();
        Assert.All(before, s => Assert.Equal(3, s.Length));
        var metrics = ml.MulticlassClassification.EvaluateConformal(scored, alpha: 0.1);
        Assert.InRange(metrics.Coverage, 0.75, 1.0);
        // The model's own columns are kept.
        Assert.NotNull(scored.Schema.GetColumnOrNull("PredictedLabel"));

        string path = Path.Combine(_directory, "chain.zip");
        ml.Model.Save(model, train.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var engine = fresh.Model.CreatePredictionEngine<InputRow, SetPrediction>(loaded);
        for (int i = 0; i < testRows.Count; i++)
            Assert.Equal(before[i], engine.Predict(testRows[i]).PredictionSet);
    }

    [Fact]
    public void GetOutputSchema_GoesThroughThePlaceholderChain()
    {
        var ml = new MLContext(seed: 1);
        var (scores, labels) = ConformalData.Generate(new Random(1), 50, K);
        var data = ConformalData.ToDataView(ml, scores, labels, K, groupCount: 2);
        var shape = TestSchemas.ShapeOf(data.Schema);
        foreach (var options in new[]
        {
            new ConformalClassifierOptions(),
            new ConformalClassifierOptions { Conditioning = ConformalConditioning.Mondrian, GroupColumnName = "Group", Score = NonconformityScore.Raps },
        })
        {
            var output = ml.MulticlassClassification.ConformalClassifier(options).GetOutputSchema(shape);
            Assert.Contains(output, c => c.Name == "PredictionSet" && c.Kind == SchemaShape.Column.VectorKind.Vector);
            Assert.DoesNotContain(output, c => c.Name.StartsWith("conformal_", StringComparison.Ordinal));
        }
    }
}
