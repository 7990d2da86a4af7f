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
}
