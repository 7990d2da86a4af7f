using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

/// <summary>Expected values are imbalanced-learn 0.10's <c>check_sampling_strategy</c> on the same counts
/// (its "samples to add" for over-sampling turned into counts after resampling).</summary>
public class SamplingStrategyTests
{
    private static readonly int[] Counts = [50, 20, 5, 30];
    private static readonly string[] Names = ["a", "b", "c", "d"];

    private static int[] Over(SamplingStrategy s, int[]? counts = null) =>
        s.GetTargetCounts(counts ?? Counts, counts is null ? Names : Names[..counts.Length], SamplingKind.OverSampling);

    private static int[] Under(SamplingStrategy s, int[]? counts = null) =>
        s.GetTargetCounts(counts ?? Counts, counts is null ? Names : Names[..counts.Length], SamplingKind.UnderSampling);

    [Fact]
    public void NamedStrategiesMatchImbalancedLearn()
    {
        // over: auto {1: 30, 2: 45, 3: 20}; minority {2: 45}; not minority {0: 0, 1: 30, 3: 20}; all {0: 0, 1: 30, 2: 45, 3: 20}
        Assert.Equal([50, 50, 50, 50], Over(SamplingStrategy.Auto));
        Assert.Equal([50, 50, 50, 50], Over(SamplingStrategy.NotMajority));
        Assert.Equal([50, 20, 50, 30], Over(SamplingStrategy.Minority));
        Assert.Equal([50, 50, 5, 50], Over(SamplingStrategy.NotMinority));
        Assert.Equal([50, 50, 50, 50], Over(SamplingStrategy.All));
        // under: auto {0: 5, 1: 5, 3: 5}; majority {0: 5}; not majority {1: 5, 2: 5, 3: 5}; all: 5 each
        Assert.Equal([5, 5, 5, 5], Under(SamplingStrategy.Auto));
        Assert.Equal([5, 20, 5, 30], Under(SamplingStrategy.Majority));
        Assert.Equal([5, 5, 5, 5], Under(SamplingStrategy.NotMinority));
        Assert.Equal([50, 5, 5, 5], Under(SamplingStrategy.NotMajority));
        Assert.Equal([5, 5, 5, 5], Under(SamplingStrategy.All));
    }

    [Fact]
    public void RatioMatchesImbalancedLearn()
    {
        // imblearn: ratio 0.5 over-sampling on {0: 100, 1: 7} adds 43; ratio 0.3 under-sampling keeps int(7 / 0.3) = 23.
        Assert.Equal([100, 50], Over(SamplingStrategy.Ratio(0.5), [100, 7]));
        Assert.Equal([23, 7], Under(SamplingStrategy.Ratio(0.3), [100, 7]));
        Assert.Equal([100, 100], Over(SamplingStrategy.Ratio(1), [100, 7]));
    }

    [Fact]
    public void ExplicitTargetsByNameAndIndex()
    {
        // imblearn: {1: 40, 2: 5} over-sampling adds {1: 20, 2: 0}; {0: 10} under-sampling keeps 10.
        Assert.Equal([50, 40, 5, 30], Over(SamplingStrategy.Targets(new Dictionary<string, int> { ["b"] = 40, ["c"] = 5 })));
        Assert.Equal([50, 40, 5, 30], Over(SamplingStrategy.Targets(new Dictionary<int, int> { [1] = 40, [2] = 5 })));
        Assert.Equal([10, 20, 5, 30], Under(SamplingStrategy.Targets(new Dictionary<string, int> { ["a"] = 10 })));
    }

    [Fact]
    public void LongTailSoftensTheImbalance()
    {
        // 50 * sqrt(20/50) = 31.6 -> 32, 50 * sqrt(5/50) = 15.8 -> 16, 50 * sqrt(30/50) = 38.7 -> 39.
        Assert.Equal([50, 32, 16, 39], Over(SamplingStrategy.LongTail(0.5)));
        Assert.Equal(Counts, Over(SamplingStrategy.LongTail(1)));
        Assert.Equal([50, 50, 50, 50], Over(SamplingStrategy.LongTail(0)));
        // Under-sampling mirrors it from the minority: 5 * sqrt(50/5) = 15.8 -> 16, 5 * sqrt(4) = 10, 5 * sqrt(6) = 12.2 -> 12.
        Assert.Equal([16, 10, 5, 12], Under(SamplingStrategy.LongTail(0.5)));
    }

    [Fact]
    public void EmptyClassesAreIgnored()
    {
        // An unused key value is neither the minority nor resampled.
        int[] counts = [50, 0, 5, 30];
        Assert.Equal([50, 0, 50, 50], Over(SamplingStrategy.Auto, counts));
        Assert.Equal([5, 0, 5, 5], Under(SamplingStrategy.Auto, counts));
    }

    [Fact]
    public void TiesGoToTheLowerClassIndex()
    {
        // Two majorities: class 0 is "the" majority, so class 1 is over-sampled (to its own size) and only class 0 is under-sampled.
        Assert.Equal([30, 30, 30], Over(SamplingStrategy.Auto, [30, 30, 10]));
        Assert.Equal([10, 30, 10], Under(SamplingStrategy.Majority, [30, 30, 10]));
    }

    [Fact]
    public void BadStrategiesFailClearly()
    {
        var e = Assert.Throws<ArgumentException>(() => Over(SamplingStrategy.Targets(new Dictionary<string, int> { ["b"] = 10 })));
        Assert.Contains("cannot remove rows", e.Message);
        Assert.Contains("'b'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Under(SamplingStrategy.Targets(new Dictionary<string, int> { ["c"] = 10 })));
        Assert.Contains("cannot add rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => Over(SamplingStrategy.Targets(new Dictionary<string, int> { ["zebra"] = 10 })));
        Assert.Contains("'zebra'", e.Message);
        Assert.Contains("'a'", e.Message);
        Assert.Throws<ArgumentException>(() => Over(SamplingStrategy.Targets(new Dictionary<int, int> { [9] = 10 })));
        Assert.Throws<ArgumentException>(() => SamplingStrategy.Targets(new Dictionary<int, int> { [0] = -1 }));
        Assert.Throws<ArgumentException>(() => Over(SamplingStrategy.Majority));
        Assert.Throws<ArgumentException>(() => Under(SamplingStrategy.Minority));
        e = Assert.Throws<ArgumentException>(() => Over(SamplingStrategy.Ratio(0.5)));
        Assert.Contains("binary", e.Message);
        // 0.05 * 100 = 5 < 7: the over-sampler would have to remove minority rows.
        Assert.Throws<ArgumentException>(() => Over(SamplingStrategy.Ratio(0.05), [100, 7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingStrategy.Ratio(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingStrategy.Ratio(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingStrategy.Ratio(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingStrategy.LongTail(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplingStrategy.LongTail(1.1));
    }
}
