using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests;

/// <summary>The README's tour, as written there, runs and gives sensible figures.</summary>
public class ReadmeTourTests
{
    [Fact]
    public void TourRunsOnGlass()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "glass.csv");

        // --- as in README.md ---
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile(path, new TextLoader.Options
        {
            HasHeader = true, Separators = [','],
            Columns = [new("Features", DataKind.Single, 0, 8), new("Label", DataKind.String, 9)],
        });
        var prepared = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

        var withFolds = ml.Data.AddStratifiedFoldColumn(prepared, "Label", numberOfFolds: 5, seed: 1, "Fold");
        var split = ml.Data.TrainTestSplit(withFolds, testFraction: 0.2, samplingKeyColumnName: "Fold");
        var (train, test) = (split.TrainSet, split.TestSet);

        var model = ml.MulticlassClassification.Trainers.LightGbm().Fit(train);
        var trainCounts = LabeledFeatures.Read(train).ClassCounts.Select(c => (long)c).ToArray();
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(model.Transform(test), trainingClassCounts: trainCounts);

        var set = LabeledFeatures.Read(prepared, labelColumnName: "Label", featureColumnName: "Features");
        int[] counts = set.ClassCounts;
        IDataView again = set.ToDataView(prepared);

        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.MulticlassClassification.Trainers.LightGbm().WithResampling(new SmoteOptions { Seed = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var balanced = pipeline.Fit(train);
        var predictions = balanced.Transform(test);
        var folds = ml.MulticlassClassification.CrossValidate(withFolds,
            ml.MulticlassClassification.Trainers.LightGbm().WithResampling(new SmoteOptions()),
            numberOfFolds: 5, samplingKeyColumnName: "Fold");

        var smoted = ml.Data.Smote(train, numberOfNeighbors: 5, seed: 1);
        var cleaned = ml.Data.EditNearestNeighbours(train);
        // --- end of tour ---

        Assert.Equal(214, set.RowCount);
        Assert.Equal(new[] { 29, 76, 70, 17, 13, 9 }.Order(), counts.Order());
        Assert.Equal(prepared.Schema.Count(c => !c.IsHidden), again.Schema.Count);
        // The held-out fold keeps every class's share: within one row of a fifth of each class.
        long[] testSupport = metrics.PerClass.Select(c => c.Support).ToArray();
        for (int c = 0; c < counts.Length; c++)
        {
            Assert.InRange(testSupport[c], counts[c] / 5, (counts[c] + 4) / 5);
            Assert.Equal(counts[c], trainCounts[c] + testSupport[c]);
        }
        Assert.InRange(metrics.Accuracy, 0.55, 1.0); // LightGBM on Glass: well above the 35 % majority rate
        Assert.NotNull(metrics.FewShotAccuracy);      // classes with < 20 training rows exist
        Assert.Contains("Balanced accuracy", metrics.ToReport());

        // Resampling as a data operation: SMOTE balances every class up to the majority; ENN only removes rows.
        var smotedCounts = LabeledFeatures.Read(smoted).ClassCounts;
        Assert.All(smotedCounts, n => Assert.Equal(trainCounts.Max(), n));
        var cleanedCounts = LabeledFeatures.Read(cleaned).ClassCounts;
        Assert.True(cleanedCounts.Sum() < trainCounts.Sum());
        Assert.All(Enumerable.Range(0, counts.Length), c => Assert.InRange(cleanedCounts[c], 0, trainCounts[c]));
        Assert.Equal(train.Schema.Count(c => !c.IsHidden), smoted.Schema.Count);

        // Resampling in the pipeline: the held-out rows are scored as they are, predictions are the class names.
        var classNames = new HashSet<string>(data.GetColumn<string>("Label"));
        var predicted = predictions.GetColumn<string>("PredictedLabel").ToArray();
        Assert.Equal(testSupport.Sum(), predicted.Length);
        Assert.All(predicted, p => Assert.Contains(p, classNames));
        Assert.Equal(5, folds.Count);
        Assert.Equal(214, folds.Sum(f => f.ScoredHoldOutSet.GetColumn<uint>("Label").Count()));
        Assert.InRange(folds.Average(f => f.Metrics.MacroAccuracy), 0.4, 1.0);
    }
}
