using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class RandomSamplerTests
{
    /// <summary>Every output row with a source row is an exact copy of it, label included.</summary>
    private static void AssertCopies(LabeledFeatures source, LabeledFeatures result)
    {
        for (int i = 0; i < result.RowCount; i++)
        {
            int s = result.SourceRows![i];
            Assert.True(s >= 0);
            Assert.Equal(source.Labels[s], result.Labels[i]);
            Assert.True(source.GetRow(s).SequenceEqual(result.GetRow(i)));
        }
    }

    [Fact]
    public void OverSamplingAddsCopiesAfterTheOriginalRows()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var result = new RandomOverSampler(new RandomOverSamplerOptions { Seed = 4 }).Resample(set);
        Assert.Equal([60, 60, 60], result.ClassCounts);
        AssertCopies(set, result);
        Assert.Equal(Enumerable.Range(0, set.RowCount), result.SourceRows![..set.RowCount]);
        Assert.Equal(Enumerable.Repeat(1, 35).Concat(Enumerable.Repeat(2, 52)), result.Labels[set.RowCount..]);
    }

    [Fact]
    public void SmoothedBootstrapPerturbsCopies()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var result = new RandomOverSampler(new RandomOverSamplerOptions { Seed = 4, Shrinkage = 1 }).Resample(set);
        Assert.Equal([60, 60, 60], result.ClassCounts);
        Assert.All(result.SourceRows![set.RowCount..], s => Assert.Equal(-1, s));
        // Shrinkage 0 is a plain bootstrap with noise of scale 0.
        var zero = new RandomOverSampler(new RandomOverSamplerOptions { Seed = 4, Shrinkage = 0 }).Resample(set);
        for (int i = set.RowCount; i < zero.RowCount; i++)
            Assert.Contains(Enumerable.Range(0, set.RowCount), r => set.GetRow(r).SequenceEqual(zero.GetRow(i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomOverSampler(new RandomOverSamplerOptions { Shrinkage = -1 }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnderSamplingKeepsCopiesGroupedByClass(bool replacement)
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var result = new RandomUnderSampler(new RandomUnderSamplerOptions { Seed = 9, Replacement = replacement }).Resample(set);
        Assert.Equal([8, 8, 8], result.ClassCounts);
        AssertCopies(set, result);
        Assert.Equal(Enumerable.Repeat(0, 8).Concat(Enumerable.Repeat(1, 8)).Concat(Enumerable.Repeat(2, 8)), result.Labels);
        if (!replacement)
            Assert.Equal(24, result.SourceRows!.Distinct().Count());
        // The minority class is kept whole, in input order.
        var small = Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == 2);
        Assert.Equal(small, result.SourceRows![16..]);
    }

    [Fact]
    public void UnderSamplingKeepsEachRowEquallyOften()
    {
        var set = ResamplingData.Set(ResamplingData.Rows(big: 200, mid: 20, small: 20));
        var kept = new int[set.RowCount];
        const int runs = 500;
        for (int seed = 0; seed < runs; seed++)
        {
            var result = new RandomUnderSampler(new RandomUnderSamplerOptions { Seed = seed }).Resample(set);
            foreach (int s in result.SourceRows!)
                kept[s]++;
        }
        // Each of the 200 majority rows is kept with probability 20/200: 50 times on average, standard deviation ~6.7.
        var big = Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == 0).Select(r => kept[r]).ToArray();
        Assert.Equal(runs * 20, big.Sum());
        Assert.All(big, n => Assert.InRange(n, 20, 85));
        double chi2 = big.Sum(n => (n - 50.0) * (n - 50.0) / 50.0);
        // 199 degrees of freedom (without-replacement draws are a little less spread than multinomial): p = 0.999 at ~270.
        Assert.InRange(chi2, 100, 270);
    }

    [Fact]
    public void ResamplingADerivedSetKeepsOriginalSourceRows()
    {
        var (ml, data) = ResamplingData.Keyed(ResamplingData.Rows());
        var set = LabeledFeatures.Read(data);
        var under = new RandomUnderSampler(new RandomUnderSamplerOptions { Strategy = SamplingStrategy.Targets(new Dictionary<string, int> { ["big"] = 30 }) }).Resample(set);
        var over = new RandomOverSampler(new RandomOverSamplerOptions()).Resample(under);
        AssertCopies(set, over);
        var view = over.ToDataView(data);
        var output = ResamplingData.ReadOut(ml, view);
        var input = ResamplingData.ReadOut(ml, data);
        for (int i = 0; i < output.Length; i++)
            Assert.Equal(input[over.SourceRows![i]].Id, output[i].Id);
    }

    [Fact]
    public void CatalogOverloadsRun()
    {
        var (ml, data) = ResamplingData.Keyed(ResamplingData.Rows());
        Assert.Equal(180, ResamplingData.ReadOut(ml, ml.Data.RandomOverSample(data, seed: 1)).Length);
        Assert.Equal(24, ResamplingData.ReadOut(ml, ml.Data.RandomUnderSample(data, replacement: true)).Length);
        // Resampling is eager: a strategy that does not fit the data fails at the call (a ratio needs binary data).
        var e = Assert.Throws<ArgumentException>(() =>
            ml.Data.RandomUnderSample(data, new RandomUnderSamplerOptions { Strategy = SamplingStrategy.Ratio(0.5), Seed = 2 }));
        Assert.Contains("binary", e.Message);
    }
}
