using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class InstanceHardnessThresholdTests
{
    /// <summary>Probabilities, target, then numpy's threshold and the kept positions, from Fixtures/make_cluster_fixtures.py
    /// (numpy 1.24, imbalanced-learn 0.10's rule <c>p &gt;= np.percentile(p, (1 - t / n) * 100)</c>).</summary>
    public static TheoryData<double[], int, double, int[]> NumpyThresholds => new()
    {
        { [0.9, 0.1, 0.35, 0.8, 0.35, 0.6, 0.05, 0.7, 0.99, 0.5], 4, 0.6399999999999999, [0, 3, 7, 8] },
        // Ties at the threshold keep more than the target.
        { [0.9, 0.1, 0.35, 0.8, 0.35, 0.6, 0.05, 0.7, 0.99, 0.5], 7, 0.35, [0, 2, 3, 4, 5, 7, 8, 9] },
        { [0.5, 0.5, 0.5, 0.2, 0.2, 0.9], 3, 0.5, [0, 1, 2, 5] },
        { [0.31, 0.12, 0.77, 0.45, 0.45, 0.45, 0.08], 2, 0.45, [2, 3, 4, 5] },
        { [0.61, 0.27, 0.93], 3, 0.27, [0, 1, 2] },
        { [0.61, 0.27, 0.93], 1, 0.7166666666666667, [2] },
    };

    [Theory]
    [MemberData(nameof(NumpyThresholds))]
    public void ThresholdAndKeptRowsMatchNumpy(double[] probabilities, int target, double threshold, int[] kept)
    {
        double actual = InstanceHardnessThreshold.Threshold(probabilities, target);
        Assert.Equal(threshold, actual);
        Assert.Equal(kept, Enumerable.Range(0, probabilities.Length).Where(i => probabilities[i] >= actual));
    }

    /// <summary>40 rows of "big" around the origin, 5 of them (ids o0..o4) inside the 20 rows of "small" around (10, 10, 10).</summary>
    private static ResamplingData.Row[] Outliers()
    {
        var rnd = new Random(5);
        var rows = new List<ResamplingData.Row>();
        for (int i = 0; i < 60; i++)
        {
            bool small = i % 3 == 2;
            bool outlier = !small && i % 8 == 0;
            float centre = small || outlier ? 10 : 0;
            rows.Add(new ResamplingData.Row
            {
                Label = small ? "small" : "big", A = centre + (float)rnd.NextDouble(), B = centre + (float)rnd.NextDouble(),
                C = centre + (float)rnd.NextDouble(), Id = outlier ? $"o{i}" : $"r{i}", Weight = i,
            });
        }
        return rows.ToArray();
    }

    [Fact]
    public void RemovesTheHardestRowsWithTheDefaultTrainer()
    {
        var rows = Outliers();
        Assert.Equal(5, rows.Count(r => r.Id.StartsWith('o')));
        var (ml, data) = ResamplingData.Keyed(rows);
        var view = ml.Data.InstanceHardnessThreshold(data, numberOfFolds: 3, seed: 2);
        var output = ResamplingData.ReadOut(ml, view);

        // big (key 1) down to about small's 20 rows, small (key 2) untouched; no outlier survives.
        Assert.InRange(output.Count(r => r.Label == 1), 20, 22);
        Assert.Equal(20, output.Count(r => r.Label == 2));
        Assert.DoesNotContain(output, r => r.Id.StartsWith('o'));
        // Grouped by class, input order within a class.
        Assert.Equal(output.Select(r => r.Label).Order(), output.Select(r => r.Label));
        var big = output.Where(r => r.Label == 1).Select(r => r.Weight).ToArray();
        Assert.Equal(big.Order(), big);
    }

    [Fact]
    public void TakesAnyMulticlassOrBinaryTrainer()
    {
        var rows = Outliers();
        var set = ResamplingData.Set(rows);
        var lbfgs = new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions
        {
            NumberOfFolds = 3, Seed = 4,
            Trainer = ml => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(),
        }).Resample(set);
        var binary = new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions
        {
            NumberOfFolds = 3, Seed = 4, TrainerKind = HardnessTrainerKind.Binary,
            Trainer = ml => ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 20),
        }).Resample(set);
        var outliers = Enumerable.Range(0, rows.Length).Where(i => rows[i].Id.StartsWith('o')).ToHashSet();
        // A custom multiclass trainer runs; on these separable rows its probabilities saturate to 1 in float, and all
        // rows tied at the threshold are kept (imbalanced-learn's rule), so only the bounds are certain.
        Assert.Equal(20, lbfgs.ClassCounts[1]);
        Assert.InRange(lbfgs.ClassCounts[0], 20, 40);
        // A binary trainer: the outliers go.
        Assert.Equal(20, binary.ClassCounts[1]);
        Assert.InRange(binary.ClassCounts[0], 20, 22);
        Assert.DoesNotContain(binary.SourceRows!, outliers.Contains);
    }

    [Fact]
    public void IsReproducible()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        LabeledFeatures Run(int seed) => new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions { NumberOfFolds = 3, Seed = seed }).Resample(set);
        var a = Run(7);
        var b = Run(7);
        Assert.Equal(a.SourceRows, b.SourceRows);
        Assert.Equal(a.Features, b.Features);
        Assert.Equal(8, a.ClassCounts[2]);
        Assert.InRange(a.ClassCounts[0], 8, 60);
    }

    /// <summary>The folds train in parallel, each with its own seeded context: one thread or many give the same rows.</summary>
    [Fact]
    public void FoldsInParallelGiveTheSequentialResult()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        LabeledFeatures Run(int threads) => new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions
        {
            NumberOfFolds = 4, Seed = 3, MaxDegreeOfParallelism = threads,
        }).Resample(set);
        var sequential = Run(1);
        var parallel = Run(4);
        Assert.Equal(sequential.SourceRows, parallel.SourceRows);
        Assert.Equal(sequential.Features, parallel.Features);
    }

    [Fact]
    public void RejectsBadOptions()
    {
        var folds = Assert.Throws<ArgumentOutOfRangeException>(() => new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions { NumberOfFolds = 1 }));
        Assert.Equal("NumberOfFolds", folds.ParamName);
        var set = ResamplingData.Set(ResamplingData.Rows());
        var binary = Assert.Throws<InvalidOperationException>(() =>
            new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions { TrainerKind = HardnessTrainerKind.Binary }).Resample(set));
        Assert.Contains("two classes", binary.Message);
        var noScore = Assert.Throws<InvalidOperationException>(() => new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions
        {
            NumberOfFolds = 2, Trainer = ml => ml.Transforms.NormalizeMinMax("Features"),
        }).Resample(set));
        Assert.Contains("'Score'", noScore.Message);
    }
}
