using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.LongTail.Tests.Onnx;

public class SaveLoadTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("longtail-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Prediction
    {
        public float[] Probs { get; set; } = [];
        public float Weight { get; set; }
    }

    private sealed class ScorePrediction
    {
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void CompiledPipeline_SavesAndLoadsInFreshContext()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticData.Rows(120);
        var data = ml.Data.LoadFromEnumerable(rows);
        float[] classWeights = [0.5f, 1f, 3f];

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(OnnxScoring.CreateEstimator(ml, TestGraphs.Mlp("Features", "Probs"), ["Probs"], ["Features"]))
            .Append(new PriorAdjustmentEstimator(ml, "Label", "Probs", tau: 1f))
            .Append(PerClassLookup.CreateEstimator(ml, "Weight", "Label", classWeights));
        var model = pipeline.Fit(data);
        var before = model.Transform(data);

        string path = Path.Combine(_directory, "model.zip");
        ml.Model.Save(model, data.Schema, path);

        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out var loadedSchema);
        var freshData = fresh.Data.LoadFromEnumerable(rows);
        var after = loaded.Transform(freshData);

        Assert.Equal(data.Schema.Count, loadedSchema.Count);
        Assert.Equal(3, ((VectorDataViewType)after.Schema["Probs"].Type).Size);
        Assert.DoesNotContain(after.Schema, c => c.Name == "prior_adjusted_score" && !c.IsHidden);
        var probsBefore = before.GetColumn<float[]>("Probs").ToArray();
        var probsAfter = after.GetColumn<float[]>("Probs").ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            Assert.Equal(probsBefore[r], probsAfter[r]);
            Assert.Equal(1.0, probsAfter[r].Sum(), 4);
        }
        Assert.Equal(before.GetColumn<float>("Weight").ToArray(), after.GetColumn<float>("Weight").ToArray());
        Assert.Equal(before.GetColumn<uint>("Label").ToArray(), after.GetColumn<uint>("Label").ToArray());

        // The prior adjustment changed the MLP's probabilities.
        var raw = OnnxScoring.CreateEstimator(ml, TestGraphs.Mlp("Features", "Probs"), ["Probs"], ["Features"]);
        var normalized = ml.Transforms.NormalizeMinMax("Features").Fit(data).Transform(data);
        var unadjusted = raw.Fit(normalized).Transform(normalized).GetColumn<float[]>("Probs").First();
        Assert.NotEqual(unadjusted, probsAfter[0]);

        // PredictionEngine over the loaded model.
        var engine = fresh.Model.CreatePredictionEngine<SyntheticData.Row, Prediction>(loaded);
        for (int r = 0; r < 5; r++)
        {
            var p = engine.Predict(rows[r]);
            ManagedReference.AssertClose(probsAfter[r], p.Probs, 1e-6);
            Assert.Equal(classWeights[OrderOfAppearance(rows, rows[r].Label)], p.Weight);
        }
    }

    // MapValueToKey orders key values by first appearance.
    private static int OrderOfAppearance(List<SyntheticData.Row> rows, string label)
        => rows.Select(r => r.Label).Distinct().ToList().IndexOf(label);

    [Fact]
    public void CompiledTransformer_AppendsAfterTrainer_AndReloads()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticData.Rows(200);
        var data = ml.Data.LoadFromEnumerable(rows);
        var trained = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 20 }))
            .Fit(data);
        var scored = trained.Transform(data);
        var adjustment = new PriorAdjustmentEstimator(ml, tau: 1f).Fit(scored);
        TransformerChain<ITransformer> model = trained.Append(adjustment);
        var before = model.Transform(data).GetColumn<float[]>("Score").ToArray();

        string path = Path.Combine(_directory, "chain.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        var after = loaded.Transform(fresh.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();

        var unadjusted = scored.GetColumn<float[]>("Score").ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            Assert.Equal(before[r], after[r]);
            Assert.Equal(1.0, after[r].Sum(), 4);
        }
        // Tail probabilities go up relative to head after dividing by the prior.
        Assert.True(after.Average(s => s[2]) > unadjusted.Average(s => s[2]));

        var engine = fresh.Model.CreatePredictionEngine<SyntheticData.Row, ScorePrediction>(loaded);
        ManagedReference.AssertClose(after[0], engine.Predict(rows[0]).Score, 1e-6);
    }

    [Fact]
    public void CrossValidate_WithCompiledEstimator_AndStratifiedFolds()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticData.Rows(300);
        var data = ml.Data.AddStratifiedFoldColumn(ml.Data.LoadFromEnumerable(rows), "Label", numberOfFolds: 3, seed: 5);
        var adjustment = new PriorAdjustmentEstimator(ml, tau: 1f);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = 20 }))
            .Append(adjustment);

        var results = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 3, labelColumnName: "Label",
            samplingKeyColumnName: StratifiedFoldCatalogExtensions.DefaultFoldColumnName);

        Assert.Equal(3, results.Count);
        foreach (var fold in results)
        {
            Assert.InRange(fold.Metrics.MicroAccuracy, 0.5, 1.0);
            Assert.True(double.IsFinite(fold.Metrics.LogLoss));
            var scores = fold.ScoredHoldOutSet.GetColumn<float[]>("Score").ToArray();
            Assert.All(scores, s => Assert.Equal(1.0, s.Sum(), 4));

            // The evaluator scores the adjusted Score vector: its accuracy is the argmax accuracy of that column.
            var labels = fold.ScoredHoldOutSet.GetColumn<uint>("Label").ToArray();
            double argmaxAccuracy = labels.Zip(scores, (l, s) => Array.IndexOf(s, s.Max()) + 1 == l ? 1.0 : 0.0).Average();
            Assert.Equal(argmaxAccuracy, fold.Metrics.MicroAccuracy, 6);
        }
        // Each fold fitted its own priors (3 classes).
        Assert.Equal(3, adjustment.LastPriors!.Length);

        // GetOutputSchema goes through the placeholder chain. SchemaShape.Create is internal, hence reflection (test only).
        var shape = pipeline.GetOutputSchema(TestSchemas.ShapeOf(data.Schema));
        Assert.Contains(shape, c => c.Name == "Score" && c.Kind == SchemaShape.Column.VectorKind.Vector);
    }
}
