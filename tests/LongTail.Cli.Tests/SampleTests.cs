using LongTail.Samples;

namespace LongTail.Cli.Tests;

/// <summary>Every sample runs as written.</summary>
[Collection("cli")]
public sealed class SampleTests
{
    [Fact]
    public void SmoteLightGbmCrossValidation_Runs()
    {
        var output = new StringWriter();
        var (withSmote, plain) = SmoteLightGbmCrossValidation.Run(output);
        Assert.InRange(withSmote, 0.5, 1);
        Assert.InRange(plain, 0.5, 1);
        Assert.Contains("macro-F1 with SMOTE", output.ToString());
    }

    [Fact]
    public void ClassBalancedWeightsFastTree_Runs()
    {
        var output = new StringWriter();
        var (weighted, plain) = ClassBalancedWeightsFastTree.Run(output);
        Assert.InRange(weighted, 0.5, 1);
        Assert.InRange(plain, 0.5, 1);
    }

    [Fact]
    public void SweepFromCode_Runs()
    {
        var output = new StringWriter();
        var result = SweepFromCode.Run(output, budgetSeconds: 30, maxTrials: 3);
        Assert.Equal(3, result.Trials.Count);
        Assert.Contains("Best:", output.ToString());
    }

    [Fact]
    public void ConformalPredictionSets_CoverNearOneMinusAlpha()
    {
        var output = new StringWriter();
        var metrics = ConformalPredictionSets.Run(output, alpha: 0.1);
        // About 54 test rows: the coverage is 0.9 in expectation, within sampling noise here.
        Assert.InRange(metrics.Coverage, 0.75, 1);
        Assert.InRange(metrics.MeanSetSize, 1, 4);   // informative: well below the 6 classes
        Assert.True(metrics.RowCount > 40, $"{metrics.RowCount} test rows");
        Assert.Contains("Coverage", output.ToString());
    }

    [Fact]
    public void QuantizeOnnxModel_IsSmallerAndAgrees()
    {
        var output = new StringWriter();
        var (sizeRatio, agreement) = QuantizeOnnxModel.Run(output);
        Assert.True(sizeRatio < 0.35, $"size ratio {sizeRatio}");
        Assert.True(agreement > 0.95, $"agreement {agreement}");
        Assert.Contains("int8 model", output.ToString());
    }
}
