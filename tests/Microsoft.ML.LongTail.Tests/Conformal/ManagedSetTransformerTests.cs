using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>
/// Rank-score sets (APS, RAPS, top-k, PAS per group): the fitted transformer computes the set column in managed code, while
/// its schema, row mapper and saved model are the stock ONNX chain's.
/// </summary>
public class ManagedSetTransformerTests : IDisposable
{
    private const int K = 5;
    private readonly string _directory = Directory.CreateTempSubdirectory("longtail-managed-sets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (ITransformer Model, ConformalSetPredictor Predictor, float[] TestScores, IDataView Test) Fit(
        MLContext ml, ConformalClassifierOptions options, int seed = 4)
    {
        var rng = new Random(seed);
        var (scores, labels) = ConformalData.Generate(rng, 1000, K);
        var (testScores, testLabels) = ConformalData.Generate(rng, 400, K);
        var estimator = ml.MulticlassClassification.ConformalClassifier(options);
        var model = estimator.Fit(ConformalData.ToDataView(ml, scores, labels, K));
        return (model, estimator.LastCalibration!, testScores, ConformalData.ToDataView(ml, testScores, testLabels, K));
    }

    private static long ManagedTotal(ConformalSetPredictor predictor, float[] scores, int[]? groups = null)
    {
        var sets = new bool[scores.Length];
        return predictor.PredictBatch(scores, sets, groups);
    }

    private static long SetTotal(DataViewRowCursor cursor, DataViewSchema.Column set)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(set);
        VBuffer<float> value = default;
        long total = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            foreach (float v in value.DenseValues())
                total += v == 1f ? 1 : 0;
        }
        return total;
    }

    [Fact]
    public void Cursors_ReadTheSetWithOrWithoutItsInputs_InOneOrSeveralCursors()
    {
        var ml = new MLContext(seed: 1);
        var (model, predictor, testScores, test) = Fit(ml, new ConformalClassifierOptions { Score = NonconformityScore.Aps, Randomized = true });
        Assert.IsType<ManagedSetTransformer>(model);
        var view = model.Transform(test);
        var set = view.Schema["PredictionSet"];
        long expected = ManagedTotal(predictor, testScores);
        Assert.InRange(expected, 401, 400L * K - 1); // neither all singletons nor all full sets: the comparison below can fail

        // Only the set column requested: the score is read underneath, though the caller did not ask for it.
        using (var cursor = view.GetRowCursor([set]))
        {
            Assert.True(cursor.IsColumnActive(set));
            Assert.False(cursor.IsColumnActive(view.Schema["Label"]));
            Assert.Equal(expected, SetTotal(cursor, set));
        }

        // Without the set column nothing computes it, and asking for its getter is an error naming it.
        using (var cursor = view.GetRowCursor([view.Schema["Label"]]))
        {
            Assert.False(cursor.IsColumnActive(set));
            var error = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(set));
            Assert.Contains("PredictionSet", error.Message);
            int rows = 0;
            var label = cursor.GetGetter<uint>(view.Schema["Label"]);
            uint key = 0;
            while (cursor.MoveNext()) { label(ref key); rows++; }
            Assert.Equal(400, rows);
        }

        // Parallel cursors split the rows; together they hold every set once.
        var cursors = view.GetRowCursorSet(view.Schema, 2);
        long parallel = 0;
        foreach (var cursor in cursors)
        {
            using (cursor)
                parallel += SetTotal(cursor, set);
        }
        Assert.Equal(expected, parallel);

        // Reading the getter twice at one position gives the same set (computed once per row).
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(set);
            VBuffer<float> a = default, b = default;
            Assert.True(cursor.MoveNext());
            getter(ref a);
            getter(ref b);
            Assert.Equal(a.DenseValues(), b.DenseValues());
        }
    }

    [Fact]
    public void PasPerGroup_FittedSetsEqualTheStockChainAndTheManagedPredictor()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(8);
        var (scores, labels) = ConformalData.Generate(rng, 1500, K);
        var groups = labels.Select((_, i) => i % 2).ToArray(); // groups 0 and 1 of a 3-value key; group 2 never calibrated
        var estimator = ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
        {
            Score = NonconformityScore.Pas, Conditioning = ConformalConditioning.Mondrian, GroupColumnName = "Group",
        });
        var model = estimator.Fit(ConformalData.ToDataView(ml, scores, labels, K, groups, groupCount: 3));
        var wrapper = Assert.IsType<ManagedSetTransformer>(model);

        var (testScores, testLabels) = ConformalData.Generate(rng, 300, K);
        var testGroups = testLabels.Select((_, i) => i % 3).ToArray();
        var test = ConformalData.ToDataView(ml, testScores, testLabels, K, testGroups, groupCount: 3);
        var fitted = model.Transform(test).GetColumn<float[]>("PredictionSet").ToArray();
        var stock = wrapper.Stock.Transform(test).GetColumn<float[]>("PredictionSet").ToArray();
        var managed = new bool[testScores.Length];
        estimator.LastCalibration!.PredictBatch(testScores, managed, testGroups);
        int full = 0;
        for (int i = 0; i < fitted.Length; i++)
        {
            Assert.Equal(stock[i], fitted[i]);
            for (int j = 0; j < K; j++)
                Assert.Equal(managed[i * K + j], fitted[i][j] == 1f);
            if (testGroups[i] == 2)
                Assert.All(fitted[i], v => Assert.Equal(1f, v));
            full += fitted[i].All(v => v == 1f) ? 1 : 0;
        }
        Assert.InRange(full, 100, 299); // the unseen group's 100 rows, and not every row
    }

    private sealed class ScoreRow
    {
        public uint Label { get; set; }
        public float[] Score { get; set; } = [];
        public uint Group { get; set; }
        public float Weight { get; set; }
        public float[] MultiLabel { get; set; } = [];
    }

    private sealed class SetRow
    {
        public float[] PredictionSet { get; set; } = [];
    }

    [Fact]
    public void SavesAsTheStockChain_InsideAChain_AndPredictionEngineAgrees()
    {
        var ml = new MLContext(seed: 1);
        var (model, _, testScores, test) = Fit(ml, new ConformalClassifierOptions { Score = NonconformityScore.TopK });
        var chain = new TransformerChain<ITransformer>(ml.Transforms.CopyColumns("ScoreCopy", "Score").Fit(test)).Append(model);
        var fitted = chain.Transform(test).GetColumn<float[]>("PredictionSet").ToArray();

        string path = Path.Combine(_directory, "chain.zip");
        ml.Model.Save(chain, test.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out var inputSchema);
        // Nothing of this assembly in the saved model: it loads as stock transformers (walked through the chains only).
        static IEnumerable<ITransformer> Walk(ITransformer t) => t is IEnumerable<ITransformer> c ? c.SelectMany(Walk).Prepend(t) : [t];
        var all = Walk(loaded).ToList();
        Assert.Contains(all, t => t is Microsoft.ML.Transforms.Onnx.OnnxTransformer);
        Assert.DoesNotContain(all, t => t.GetType().Assembly == typeof(ConformalClassifier).Assembly);
        var reloaded = loaded.Transform(ConformalData.ToDataView(fresh, testScores, new int[400], K)).GetColumn<float[]>("PredictionSet").ToArray();
        for (int i = 0; i < fitted.Length; i++)
            Assert.Equal(fitted[i], reloaded[i]);

        // PredictionEngine on the fitted (not reloaded) model uses the stock row mapper: the same sets.
        var definition = SchemaDefinition.Create(typeof(ScoreRow));
        definition[nameof(ScoreRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), K);
        definition[nameof(ScoreRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, K);
        definition[nameof(ScoreRow.Group)].ColumnType = new KeyDataViewType(typeof(uint), 1);
        definition[nameof(ScoreRow.MultiLabel)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, K);
        var engine = ml.Model.CreatePredictionEngine<ScoreRow, SetRow>(chain, inputSchemaDefinition: definition);
        for (int i = 0; i < 50; i++)
        {
            var row = new ScoreRow { Score = testScores.AsSpan(i * K, K).ToArray(), MultiLabel = new float[K] };
            Assert.Equal(fitted[i], engine.Predict(row).PredictionSet);
        }
    }
}
