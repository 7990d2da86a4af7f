using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Tests.Conformal;

/// <summary>The README / docs conformal snippet, as written there, on the embedded glass data; and the imbalanced report's conformal section.</summary>
public class ConformalTourTests
{
    [Fact]
    public void ReadmeSnippetRunsOnGlass_AndTheImbalancedReportIncludesTheSets()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "glass.csv");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile(path, new TextLoader.Options
        {
            HasHeader = true, Separators = [','],
            Columns = [new("Features", DataKind.Single, 0, 8), new("Label", DataKind.String, 9)],
        });
        var prepared = ml.Data.AddStratifiedFoldColumn(ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data), "Label", 3, 1, "Fold");
        var train = ml.Data.FilterRowsByKeyColumnFraction(prepared, "Fold", 0, 1 / 3.0);
        var calibration = ml.Data.FilterRowsByKeyColumnFraction(prepared, "Fold", 1 / 3.0, 2 / 3.0);
        var test = ml.Data.FilterRowsByKeyColumnFraction(prepared, "Fold", 2 / 3.0, 1);
        var model = ml.MulticlassClassification.Trainers.LightGbm().Fit(train);

        // --- as in README.md ---
        var conformal = ml.MulticlassClassification
            .ConformalClassifier(alpha: 0.1, score: NonconformityScore.Aps, conditioning: ConformalConditioning.Clustered)
            .Fit(model.Transform(calibration));
        var scored = model.Append(conformal).Transform(test);    // "PredictionSet": Vector<Single, K>, 1 = class in the set
        var coverage = ml.MulticlassClassification.EvaluateConformal(scored, alpha: 0.1);  // coverage, set size, worst class...
        // --- end ---

        Assert.InRange(coverage.Coverage, 0.7, 1.0);
        Assert.InRange(coverage.MeanSetSize, 1.0, 6.0);
        Assert.Equal(6, coverage.PerClassCoverage.Count);
        Assert.Contains("Class-coverage gap", coverage.ToReport());

        var report = ml.MulticlassClassification.EvaluateImbalanced(scored, new ImbalancedEvaluationOptions { PredictionSetColumnName = "PredictionSet" });
        Assert.NotNull(report.Conformal);
        Assert.Equal(coverage.Coverage, report.Conformal!.Coverage);
        Assert.Contains("Conformal coverage", report.ToReport());
    }

    [Fact]
    public void MetricsFromArrays_ComputeCoverageStrataAndGap()
    {
        // 3 classes; rows: (label, set)
        bool[] sets =
        [
            true, false, false,   // label 0, size 1, covered
            true, true, false,    // label 0, size 2, covered
            false, false, false,  // label 1, size 0, missed
            true, true, true,     // label 2, size 3, covered
        ];
        int[] labels = [0, 0, 1, 2];
        var m = ConformalClassificationMetrics.Compute(sets, labels, 3, 0.1);
        Assert.Equal(0.75, m.Coverage);
        Assert.Equal(1.5, m.MeanSetSize);
        Assert.Equal(0.25, m.EmptySetRate);
        Assert.Equal([1.0, 0.0, 1.0], m.PerClassCoverage);
        Assert.Equal(0.0, m.WorstClassCoverage);
        Assert.Equal((0.1 + 0.9 + 0.1) / 3, m.ClassCoverageGap, 12);
        Assert.Equal([(0, 0, 1L, 0.0), (1, 1, 1L, 1.0), (2, 3, 2L, 1.0)],
            m.SizeStratifiedCoverage.Select(s => (s.MinimumSize, s.MaximumSize, s.RowCount, s.Coverage)));
        Assert.Equal(0.9, m.SizeStratifiedCoverageViolation, 12);
    }
}
