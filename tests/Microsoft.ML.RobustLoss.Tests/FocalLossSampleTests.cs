using LongTail.Samples;

namespace Microsoft.ML.RobustLoss.Tests;

/// <summary>samples/Samples.NeuralNetwork runs as written.</summary>
public sealed class FocalLossSampleTests
{
    [Fact]
    public void FocalLossNetwork_LearnsGlass_AndLoadsBack()
    {
        var output = new StringWriter();
        var (balancedAccuracy, sameAfterLoad) = FocalLossNetwork.Run(output);
        Assert.True(balancedAccuracy > 0.4, $"balanced accuracy {balancedAccuracy} (6 classes: chance is 0.17)\n{output}");
        Assert.True(sameAfterLoad, output.ToString());
        Assert.Contains("focal loss", output.ToString());
    }
}
