using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Tests.Posthoc;
using Microsoft.ML.LongTail.Weighting;

namespace Microsoft.ML.LongTail.Tests.Weighting;

public sealed class ClassBalancedWeightsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lt-weights-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class TextRow
    {
        public string Label { get; set; } = "";
        public bool Flag { get; set; }
        public float Number { get; set; }
    }

    private static List<TextRow> Rows(params (string Label, int Count)[] classes) =>
        classes.SelectMany(c => Enumerable.Repeat(c.Label, c.Count))
            .Select((l, i) => new TextRow { Label = l, Flag = l == "b", Number = l == "a" ? 1.5f : l == "b" ? -2f : 7f }).ToList();

    [Theory]
    [InlineData(ClassWeightingScheme.InverseFrequency)]
    [InlineData(ClassWeightingScheme.SquareRootInverseFrequency)]
    [InlineData(ClassWeightingScheme.EffectiveNumber)]
    public void ComputeWeights_MatchesFormula_AndMeanRowWeightIsOne(ClassWeightingScheme scheme)
    {
        long[] counts = [100, 30, 5, 0];
        const double beta = 0.99;
        var raw = ClassBalancedWeightsEstimator.ComputeWeights(counts, scheme, beta, normalize: false);
        for (int c = 0; c < 3; c++)
        {
            double expected = scheme switch
            {
                ClassWeightingScheme.InverseFrequency => 1.0 / counts[c],
                ClassWeightingScheme.SquareRootInverseFrequency => 1.0 / Math.Sqrt(counts[c]),
                _ => (1 - beta) / (1 - Math.Pow(beta, counts[c])),
            };
            Assert.Equal(expected, raw[c], 12);
        }
        Assert.Equal(0, raw[3]);
        var normalized = ClassBalancedWeightsEstimator.ComputeWeights(counts, scheme, beta);
        double mean = counts.Select((n, c) => n * normalized[c]).Sum() / counts.Sum();
        Assert.Equal(1.0, mean, 12);
        Assert.Equal(raw[0] / raw[2], normalized[0] / normalized[2], 9);
    }

    [Fact]
    public void EffectiveNumber_BetaZeroIsUniform_AndLargeBetaApproachesInverseFrequency()
    {
        long[] counts = [1000, 10];
        var uniform = ClassBalancedWeightsEstimator.ComputeWeights(counts, ClassWeightingScheme.EffectiveNumber, 0);
        Assert.All(uniform, w => Assert.Equal(1.0, w, 12));
        var strong = ClassBalancedWeightsEstimator.ComputeWeights(counts, ClassWeightingScheme.EffectiveNumber, 0.999999);
        var inverse = ClassBalancedWeightsEstimator.ComputeWeights(counts, ClassWeightingScheme.InverseFrequency);
        Assert.Equal(inverse[1] / inverse[0], strong[1] / strong[0], 1);
    }

    [Theory]
    [InlineData("Label")]
    [InlineData("Flag")]
    [InlineData("Number")]
    [InlineData("Key")]
    public void Fit_WritesEachRowsClassWeight_ForEveryLabelKind(string labelColumn)
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Rows(("a", 60), ("b", 30), ("c", 10)));
        data = ml.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(data).Transform(data);
        var estimator = ml.Transforms.ClassBalancedWeights("Weight", labelColumn);
        var weighted = estimator.Fit(data).Transform(data);
        var weights = weighted.GetColumn<float>("Weight").ToArray();
        var labels = weighted.GetColumn<string>("Label").ToArray();
        Assert.Equal(1.0, weights.Average(), 5);
        if (labelColumn == "Flag")
        {
            // Two classes: b (30 rows) and not-b (70 rows).
            Assert.Equal(100.0 / (2 * 30), weights[labels.ToList().IndexOf("b")], 4);
            Assert.Equal(100.0 / (2 * 70), weights[labels.ToList().IndexOf("a")], 4);
        }
        else
        {
            Assert.Equal(100.0 / (3 * 60), weights[labels.ToList().IndexOf("a")], 4);
            Assert.Equal(100.0 / (3 * 10), weights[labels.ToList().IndexOf("c")], 4);
        }
        Assert.NotNull(estimator.FittedClassWeights);
    }

    [Fact]
    public void UserDefinedWeights_AreNormalised_AndMissingOrUnknownClassesAreNamed()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Rows(("a", 50), ("b", 50)));
        var options = new ClassBalancedWeightsOptions
        {
            Scheme = ClassWeightingScheme.UserDefined,
            ClassWeights = new Dictionary<string, double> { ["a"] = 1, ["b"] = 3 },
        };
        var weights = ml.Transforms.ClassBalancedWeights(options).Fit(data).Transform(data).GetColumn<float>("Weight").ToArray();
        Assert.Equal(0.5f, weights.Min(), 5);
        Assert.Equal(1.5f, weights.Max(), 5);

        options.ClassWeights = new Dictionary<string, double> { ["a"] = 1 };
        var missing = Assert.Throws<ArgumentException>(() => ml.Transforms.ClassBalancedWeights(options).Fit(data));
        Assert.Contains("'b'", missing.Message);
        options.ClassWeights = new Dictionary<string, double> { ["a"] = 1, ["b"] = 1, ["zebra"] = 2 };
        var unknown = Assert.Throws<ArgumentException>(() => ml.Transforms.ClassBalancedWeights(options).Fit(data));
        Assert.Contains("'zebra'", unknown.Message);
        options.ClassWeights = new Dictionary<string, double> { ["a"] = -1, ["b"] = 1 };
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ClassBalancedWeights(options));
    }

    [Fact]
    public void BadOptions_AndBadLabelColumn_AreClearErrors()
    {
        var ml = new MLContext(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ClassBalancedWeights(scheme: ClassWeightingScheme.EffectiveNumber, beta: 1.0));
        Assert.Throws<ArgumentException>(() => ml.Transforms.ClassBalancedWeights(new ClassBalancedWeightsOptions { Scheme = ClassWeightingScheme.UserDefined }));
        var data = ml.Data.LoadFromEnumerable(Rows(("a", 5), ("b", 5)));
        var noColumn = Assert.Throws<ArgumentException>(() => ml.Transforms.ClassBalancedWeights(labelColumnName: "Missing").Fit(data));
        Assert.Contains("'Missing'", noColumn.Message);
    }

    [Fact]
    public void UnseenLabel_GetsWeightZero_AndTheModelReloadsInAFreshContext()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Rows(("a", 8), ("b", 2)));
        var model = ml.Transforms.ClassBalancedWeights().Fit(data);
        var other = ml.Data.LoadFromEnumerable(new[] { new TextRow { Label = "b" }, new TextRow { Label = "never-seen" } });
        var expected = model.Transform(other).GetColumn<float>("Weight").ToArray();
        Assert.Equal(0f, expected[1]);
        Assert.Equal(10.0 / (2 * 2), expected[0], 5);

        string path = Path.Combine(_directory, "weights.zip");
        ml.Model.Save(model, data.Schema, path);
        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out _);
        Assert.Equal(expected, loaded.Transform(other).GetColumn<float>("Weight").ToArray());
        var engine = fresh.Model.CreatePredictionEngine<TextRow, WeightRow>(loaded);
        Assert.Equal(expected[0], engine.Predict(new TextRow { Label = "b" }).Weight);
    }

    private sealed class WeightRow
    {
        public float Weight { get; set; }
    }

    public static TheoryData<string> Trainers => new() { "LightGbm", "FastTree", "Sdca" };

    [Theory]
    [MemberData(nameof(Trainers))]
    public void Trainers_UseTheWeightColumn_AndRecallTheMinorityClassBetter(string trainer)
    {
        var ml = new MLContext(3);
        // Binary task: the minority class (5%) overlaps the majority; unweighted trainers favour the majority.
        var train = LongTailBlobs.Load(ml, LongTailBlobs.Rows([0.95, 0.05], 2000, seed: 1, spread: 1.0), 2);
        var test = LongTailBlobs.Load(ml, LongTailBlobs.Rows([0.5, 0.5], 1000, seed: 2, spread: 1.0), 2);
        double Recall(bool weighted)
        {
            IEstimator<ITransformer> learner = trainer switch
            {
                "LightGbm" => ml.BinaryClassification.Trainers.LightGbm("IsPositive", exampleWeightColumnName: weighted ? "Weight" : null, numberOfIterations: 50),
                "FastTree" => ml.BinaryClassification.Trainers.FastTree("IsPositive", exampleWeightColumnName: weighted ? "Weight" : null, numberOfTrees: 50),
                _ => ml.BinaryClassification.Trainers.SdcaLogisticRegression("IsPositive", exampleWeightColumnName: weighted ? "Weight" : null),
            };
            var pipeline = ml.Transforms.ClassBalancedWeights("Weight", "IsPositive").Append(learner);
            var scored = pipeline.Fit(train).Transform(test);
            var labels = scored.GetColumn<bool>("IsPositive").ToArray();
            var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
            return (double)labels.Zip(predicted).Count(p => p.First && p.Second) / labels.Count(l => l);
        }
        double plain = Recall(false), balanced = Recall(true);
        Assert.True(balanced > plain + 0.1, $"{trainer}: minority recall {plain:F3} unweighted, {balanced:F3} weighted.");
    }
}
