using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>WithResampling: resampling while fitting only, inside chains, CrossValidate, Save/Load and PredictionEngine.</summary>
public class ResamplingTrainerTests
{
    /// <summary>What the wrapped trainer was fitted on.</summary>
    private sealed record Seen(int Rows, int[] ClassCounts, string[] Columns, IDataView Data);

    /// <summary>Wraps a real trainer and records the data each Fit gets.</summary>
    private sealed class SpyEstimator<TModel>(IEstimator<TModel> inner) : IEstimator<TModel>
        where TModel : class, ITransformer
    {
        private readonly List<Seen> _fits = [];

        public IReadOnlyList<Seen> Fits { get { lock (_fits) return _fits.ToArray(); } }

        public TModel Fit(IDataView input)
        {
            var set = LabeledFeatures.Read(input);
            lock (_fits)
                _fits.Add(new Seen(set.RowCount, set.ClassCounts, input.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToArray(), input));
            return inner.Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inner.GetOutputSchema(inputSchema);
    }

    private static SpyEstimator<TModel> Spy<TModel>(IEstimator<TModel> inner) where TModel : class, ITransformer => new(inner);

    private sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    private static LightGbmMulticlassTrainer LightGbm(MLContext ml) =>
        ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            NumberOfIterations = 20, NumberOfLeaves = 4, MinimumExampleCountPerLeaf = 2,
        });

    private static readonly ResamplingData.Row[] Rows = ResamplingData.Rows(big: 60, mid: 25, small: 12);

    [Fact]
    public void Fit_TrainerSeesResampledRows_ScoringSeesInputRows()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var spy = Spy(LightGbm(ml));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
            .Append(spy.WithResampling(new SmoteOptions { NumberOfNeighbors = 3 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var model = pipeline.Fit(data);

        var seen = Assert.Single(spy.Fits);
        Assert.Equal(3 * 60, seen.Rows);
        Assert.Equal(new[] { 60, 60, 60 }, seen.ClassCounts);
        Assert.Equal(new[] { "Label", "Features" }, seen.Columns); // other columns are not handed to the trainer

        var scored = model.Transform(data);
        var ids = scored.GetColumn<string>("Id").ToArray();
        Assert.Equal(Rows.Select(r => r.Id), ids);
        Assert.Equal(Rows.Select(r => r.Weight), scored.GetColumn<double>("Weight"));
        var predicted = scored.GetColumn<string>("PredictedLabel").ToArray();
        Assert.All(predicted, p => Assert.Contains(p, ResamplingData.Names));
        double accuracy = predicted.Zip(Rows, (p, r) => p == r.Label ? 1.0 : 0.0).Average();
        Assert.InRange(accuracy, 0.8, 1.0);
        // The fitted chain holds the trainer's own transformer: nothing of ML.LongTail.
        Assert.DoesNotContain(model, t => t.GetType().Assembly == typeof(Sampler).Assembly);
        Assert.IsType<MulticlassPredictionTransformer<OneVersusAllModelParameters>>(model.ElementAt(2));
    }

    [Fact]
    public void CrossValidate_ResamplesTrainingFoldsOnly()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var spy = Spy(LightGbm(ml));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
            .Append(spy.WithResampling(new SmoteOptions { NumberOfNeighbors = 3, Seed = 7 }));

        var folds = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 3);

        Assert.Equal(3, folds.Count);
        var byId = Rows.ToDictionary(r => r.Id);
        var allIds = new List<string>();
        var expectedTrainingMajority = new List<int>();
        foreach (var fold in folds)
        {
            // The held-out fold is scored as it is: original rows only, with their own features.
            var ids = fold.ScoredHoldOutSet.GetColumn<string>("Id").ToArray();
            var features = fold.ScoredHoldOutSet.GetColumn<float[]>("Features").ToArray();
            for (int i = 0; i < ids.Length; i++)
            {
                Assert.True(byId.TryGetValue(ids[i], out var row), $"Scored row '{ids[i]}' is not an input row.");
                Assert.Equal(new[] { row.A, row.B, row.C }, features[i]);
            }
            allIds.AddRange(ids);
            Assert.InRange(fold.Metrics.MicroAccuracy, 0.6, 1.0);

            var testCounts = ResamplingData.Names.Select(n => ids.Count(id => byId[id].Label == n)).ToArray();
            int[] totals = [60, 25, 12];
            expectedTrainingMajority.Add(totals.Zip(testCounts, (t, c) => t - c).Max());
        }
        Assert.Equal(Rows.Select(r => r.Id).Order(), allIds.Order()); // every row held out exactly once

        // The trainer saw each training fold balanced up to that fold's majority count, never a held-out row count.
        var fits = spy.Fits;
        Assert.Equal(3, fits.Count);
        Assert.All(fits, f => Assert.True(f.ClassCounts.All(c => c == f.ClassCounts[0]), string.Join(",", f.ClassCounts)));
        Assert.Equal(expectedTrainingMajority.Order(), fits.Select(f => f.ClassCounts[0]).Order());
    }

    [Fact]
    public void SaveLoad_FreshContext_SamePredictions_AlsoThroughPredictionEngine()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
            .Append(LightGbm(ml).WithResampling(new SmoteOptions { NumberOfNeighbors = 3 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        var before = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToArray();
        var engineBefore = ml.Model.CreatePredictionEngine<ResamplingData.Row, Prediction>(model);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;

        var fresh = new MLContext(seed: 99);
        var loaded = fresh.Model.Load(stream, out var inputSchema);
        Assert.Equal(data.Schema.Count, inputSchema.Count);
        var after = fresh.Data.CreateEnumerable<Prediction>(loaded.Transform(fresh.Data.LoadFromEnumerable(Rows)), reuseRowObject: false).ToArray();
        Assert.Equal(Rows.Length, after.Length);
        var engine = fresh.Model.CreatePredictionEngine<ResamplingData.Row, Prediction>(loaded);
        for (int i = 0; i < Rows.Length; i++)
        {
            Assert.Equal(before[i].PredictedLabel, after[i].PredictedLabel);
            Assert.Equal(before[i].Score, after[i].Score);
            var p = engine.Predict(Rows[i]);
            Assert.Equal(before[i].PredictedLabel, p.PredictedLabel);
            Assert.Equal(before[i].Score, p.Score);
            Assert.Equal(before[i].Score, engineBefore.Predict(Rows[i]).Score);
        }
    }

    [Fact]
    public void ColumnNames_DifferFromTrainers_ClearError()
    {
        var ml = new MLContext(seed: 1);
        var label = Assert.Throws<ArgumentException>(() =>
            ml.MulticlassClassification.Trainers.LightGbm(labelColumnName: "Target").WithResampling(new SmoteOptions()));
        Assert.Contains("label column 'Target'", label.Message);
        Assert.Contains("'Label'", label.Message);

        var feature = Assert.Throws<ArgumentException>(() =>
            ml.BinaryClassification.Trainers.FastTree(featureColumnName: "X").WithResampling(new RandomUnderSamplerOptions()));
        Assert.Contains("feature column 'X'", feature.Message);

        // Matching names on both sides are accepted.
        var ok = ml.MulticlassClassification.Trainers.LightGbm(labelColumnName: "Target")
            .WithResampling(new SmoteOptions { LabelColumnName = "Target" });
        Assert.Equal("Target", ok.Sampler.Options.LabelColumnName);
    }

    [Fact]
    public void Fit_InputLacksSamplerColumn_ClearError()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label") // no Concatenate: no "Features" column
            .Append(LightGbm(ml).WithResampling(new SmoteOptions()));
        var e = Assert.Throws<ArgumentException>(() => pipeline.Fit(data));
        Assert.Contains("no feature column 'Features'", e.Message);
        Assert.Contains("'A'", e.Message); // lists what the data has
    }

    [Fact]
    public void GetOutputSchema_DelegatesToTrainer_AndChecksColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var withFeatures = ml.Transforms.Concatenate("Features", "A", "B", "C").Fit(keyed).Transform(keyed);
        // SchemaShape.Create is internal, hence reflection (test only).
        SchemaShape Shape(IDataView view) => TestSchemas.ShapeOf(view.Schema);

        var trainer = LightGbm(ml);
        var wrapped = trainer.WithResampling(new SmoteOptions());
        var expected = trainer.GetOutputSchema(Shape(withFeatures));
        var shape = wrapped.GetOutputSchema(Shape(withFeatures));
        Assert.Equal(expected.Select(c => (c.Name, c.Kind, c.ItemType)), shape.Select(c => (c.Name, c.Kind, c.ItemType)));
        Assert.Contains(shape, c => c.Name == "Score");

        var e = Assert.Throws<ArgumentException>(() => wrapped.GetOutputSchema(Shape(keyed)));
        Assert.Contains("no feature column 'Features'", e.Message);
    }

    [Fact]
    public void WeightColumn_RefusedUnlessKeptWithCopyingSampler()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        IEstimator<ITransformer> prepare = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
            .Append(ml.Transforms.Conversion.ConvertType("W", "Weight", DataKind.Single));
        SdcaMaximumEntropyMulticlassTrainer Sdca() =>
            ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(exampleWeightColumnName: "W", maximumNumberOfIterations: 5);

        // By default synthetic rows would have NaN weights: refused up front, naming the column.
        var e = Assert.Throws<ArgumentException>(() => Sdca().WithResampling(new SmoteOptions()));
        Assert.Contains("example-weight column 'W'", e.Message);

        // Kept with a sampler that copies rows: the trainer gets the rows' own weights.
        var spy = Spy(Sdca());
        var model = prepare.Append(spy.WithResampling(new RandomUnderSampler(new RandomUnderSamplerOptions { Seed = 3 }), ["W"])).Fit(data);
        var seen = Assert.Single(spy.Fits);
        Assert.Equal(new[] { "Label", "Features", "W" }, seen.Columns);
        Assert.Equal(new[] { 12, 12, 12 }, seen.ClassCounts);
        var weights = seen.Data.GetColumn<float>("W").ToArray();
        var original = Rows.Select(r => (float)r.Weight).ToHashSet();
        Assert.All(weights, w => Assert.Contains(w, original));
        Assert.Equal(weights.Length, weights.Distinct().Count()); // without replacement
        Assert.Equal(Rows.Length, model.Transform(data).GetColumn<string>("Id").Count());
        // The real trainer accepts the same configuration.
        _ = Sdca().WithResampling(new RandomUnderSampler(new RandomUnderSamplerOptions()), ["W"]);

        // Kept with SMOTE: the synthetic rows would have no weight, so fitting fails instead of inventing one.
        var smote = prepare.Append(Spy(Sdca()).WithResampling(new Smote(new SmoteOptions { NumberOfNeighbors = 3 }), ["W"]));
        var synthetic = Assert.Throws<InvalidOperationException>(() => smote.Fit(data));
        Assert.Contains("'W'", synthetic.Message);
        Assert.Contains("synthetic", synthetic.Message);
    }

    [Fact]
    public void SameSeed_SamePredictions()
    {
        (float[][] Scores, float[][] Trained) Fit(int samplerSeed)
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Rows);
            var spy = Spy(LightGbm(ml));
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
                .Append(spy.WithResampling(new SmoteOptions { NumberOfNeighbors = 3, Seed = samplerSeed }))
                .Fit(data);
            return (model.Transform(data).GetColumn<float[]>("Score").ToArray(),
                Assert.Single(spy.Fits).Data.GetColumn<float[]>("Features").ToArray());
        }

        var first = Fit(5);
        var again = Fit(5);
        Assert.Equal(first.Trained, again.Trained);
        Assert.Equal(first.Scores, again.Scores);
        Assert.NotEqual(first.Trained, Fit(6).Trained); // the sampler's seed does reach the training data
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }
        public float A { get; set; }
        public float B { get; set; }
    }

    private static BinaryRow[] BinaryRows(int negatives = 80, int positives = 16)
    {
        var rnd = new Random(11);
        return Enumerable.Range(0, negatives + positives).Select(i =>
        {
            bool positive = i % 6 == 5 && i / 6 < positives;
            return new BinaryRow { Label = positive, A = (float)rnd.NextDouble() + (positive ? 1.2f : 0f), B = (float)rnd.NextDouble() };
        }).Take(negatives + positives).ToArray();
    }

    [Fact]
    public void BinaryTrainers_ChainAndCrossValidate()
    {
        var ml = new MLContext(seed: 1);
        var rows = BinaryRows();
        var data = ml.Data.LoadFromEnumerable(rows);
        int positives = rows.Count(r => r.Label);

        var spy = Spy(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20));
        var sdca = ml.Transforms.Concatenate("Features", "A", "B")
            .Append(spy.WithResampling(new SmoteOptions { NumberOfNeighbors = 3 }));
        var model = sdca.Fit(data);
        var seen = Assert.Single(spy.Fits);
        Assert.Equal(new[] { rows.Length - positives, rows.Length - positives }, seen.ClassCounts);
        var predicted = model.Transform(data).GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal(rows.Length, predicted.Length);
        Assert.True(predicted.Zip(rows, (p, r) => p == r.Label).Count(x => x) > rows.Length * 0.8);

        var fastTree = ml.Transforms.Concatenate("Features", "A", "B")
            .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 4, numberOfTrees: 10, minimumExampleCountPerLeaf: 2)
                .WithResampling(new RandomUnderSamplerOptions { Seed = 2 }));
        var folds = ml.BinaryClassification.CrossValidate(data, fastTree, numberOfFolds: 3);
        Assert.Equal(3, folds.Count);
        Assert.Equal(rows.Length, folds.Sum(f => f.ScoredHoldOutSet.GetColumn<bool>("Label").Count()));
        Assert.All(folds, f => Assert.InRange(f.Metrics.AreaUnderRocCurve, 0.6, 1.0));
    }
}
