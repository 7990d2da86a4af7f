using Microsoft.ML.Data;

namespace Microsoft.ML.RobustLoss.Tests;

public sealed class MulticlassTrainerTests
{
    private static readonly int[] Counts = [120, 60, 30, 15];

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private static MulticlassNeuralNetworkOptions Small(TailLoss loss = TailLoss.CrossEntropy) => new()
    {
        Loss = loss, HiddenLayers = [16], Epochs = 30, BatchSize = 32, LearningRate = 0.02, Seed = 1, NumberOfThreads = 1,
    };

    [Fact]
    public void TrainsScoresAndPredictsTheArgMaxAsAKeyWithTheLabelsNames()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 1);
        var test = TestData.KeyedBlobs(ml, [40, 40, 40, 40], seed: 2);
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(Small()).Fit(train);
        var scored = model.Transform(test);

        var predicted = scored.Schema["PredictedLabel"];
        Assert.Equal(new KeyDataViewType(typeof(uint), 4), predicted.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        predicted.GetKeyValues(ref names);
        Assert.Equal(["class0", "class1", "class2", "class3"], names.DenseValues().Select(n => n.ToString()));
        // ONNX's [N, K] output reaches ML.NET as Vector<Single, 1, K>: K slots.
        var scoreType = Assert.IsType<VectorDataViewType>(scored.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, scoreType.ItemType);
        Assert.Equal(4, scoreType.Size);

        var labels = scored.GetColumn<uint>("Label").ToArray();
        var rows = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToArray();
        int correct = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(1.0, rows[i].Score.Sum(), 4);
            uint argMax = (uint)Array.IndexOf(rows[i].Score, rows[i].Score.Max()) + 1;
            Assert.Equal(argMax, rows[i].PredictedLabel);
            correct += rows[i].PredictedLabel == labels[i] ? 1 : 0;
        }
        Assert.True(correct > 0.9 * rows.Length, $"accuracy {correct}/{rows.Length}");

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.Equal((double)correct / rows.Length, metrics.MicroAccuracy, 6);
    }

    [Fact]
    public void SavedModelLoadsInAFreshContextAndPredictsExactlyAsBefore()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 3);
        var o = Small(TailLoss.LdamDrw);
        o.Epochs = 5;
        o.Normalization = NeuralNetworkNormalization.BatchNorm;
        o.HiddenLayers = [8, 8];
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"robustloss-mc-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out _);
            var before = model.Transform(train);
            var after = loaded.Transform(train);
            var a = before.GetColumn<float[]>("Score").ToArray();
            var b = after.GetColumn<float[]>("Score").ToArray();
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
            {
                Assert.All(a[i], v => Assert.True(float.IsFinite(v)));
                Assert.Equal(a[i], b[i]);
            }
            Assert.Equal(before.GetColumn<uint>("PredictedLabel"), after.GetColumn<uint>("PredictedLabel"));

            // The scoring chain reads only the features: the label is not needed to predict.
            var engine = fresh.Model.CreatePredictionEngine<ClassRow, Prediction>(loaded);
            var p = engine.Predict(new ClassRow { Label = "class0", Features = [3, 3] });
            Assert.Equal(4, p.Score.Length);
            Assert.Equal((uint)Array.IndexOf(p.Score, p.Score.Max()) + 1, p.PredictedLabel);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OutputSchemaNamesScoreAndPredictedLabel()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 3);
        var estimator = ml.Transforms.NormalizeMinMax("Features").Append(ml.MulticlassClassification.Trainers.NeuralNetwork(Small()));
        // SchemaShape.Create is internal, hence reflection (test only).
        var shape = estimator.GetOutputSchema(TestSchemas.ShapeOf(train.Schema));
        var score = shape.Single(c => c.Name == "Score");
        var predicted = shape.Single(c => c.Name == "PredictedLabel");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        Assert.True(predicted.IsKey);
    }

    [Fact]
    public void FittedModelHoldsOnlyStockMlNetTransformers()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.KeyedBlobs(ml, Counts, seed: 4);
        var o = Small();
        o.Epochs = 1;
        var model = ml.MulticlassClassification.Trainers.NeuralNetwork(o).Fit(train);
        var types = new List<Type>();
        void Walk(ITransformer t)
        {
            types.Add(t.GetType());
            if (t is IEnumerable<ITransformer> chain)
            {
                foreach (var inner in chain)
                    Walk(inner);
            }
        }
        Walk(model);
        Assert.Contains(types, t => t.Name.StartsWith("OnnxTransformer", StringComparison.Ordinal));
        Assert.Contains(types, t => t.Name.StartsWith("ClusteringPredictionTransformer", StringComparison.Ordinal));
        // Nothing of ours, of TorchSharp or of ML.LongTail: the saved model loads where only ML.NET and ONNX Runtime are.
        Assert.All(types, t => Assert.StartsWith("Microsoft.ML", t.Assembly.GetName().Name));
        Assert.All(types, t => Assert.DoesNotContain("RobustLoss", t.Assembly.GetName().Name));
        Assert.All(types, t => Assert.DoesNotContain("LongTail", t.Assembly.GetName().Name));
    }

    private sealed class RawKeyRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void AKeyLabelWithoutNamesGivesAPlainKeyOfTheSameCount()
    {
        var ml = new MLContext(seed: 1);
        var rows = TestData.Blobs([40, 40, 40], seed: 6).Select(r => new RawKeyRow { Label = uint.Parse(r.Label[^1..]), Features = r.Features });
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = ml.MulticlassClassification.Trainers.NeuralNetwork(Small()).Fit(data).Transform(data);
        var predicted = scored.Schema["PredictedLabel"];
        Assert.Equal(new KeyDataViewType(typeof(uint), 3), predicted.Type);
        Assert.False(predicted.HasKeyValues());
        var accuracy = scored.GetColumn<uint>("Label").Zip(scored.GetColumn<uint>("PredictedLabel"), (l, p) => l == p ? 1.0 : 0).Average();
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
    }
}
