using System.Numerics;
using Microsoft.ML.LongTail.Conformal;

namespace Microsoft.ML.LongTail.Tests.Conformal;

public class ConformalQuantileTests
{
    private static long Exact(long n, long p, long q) => (long)BigInteger.Divide((n + 1) * (BigInteger)(q - p) + q - 1, q);

    [Fact]
    public void QuantileIndex_MatchesRationalArithmetic_OverGridOfFractions()
    {
        int checkedPairs = 0;
        for (long q = 2; q <= 40; q++)
        {
            for (long p = 1; p < q; p++)
            {
                if (BigInteger.GreatestCommonDivisor(p, q) != 1) continue;
                double alpha = (double)p / q;
                for (long n = 0; n <= 600; n++)
                {
                    Assert.Equal(Exact(n, p, q), ConformalQuantile.QuantileIndex(n, alpha));
                    checkedPairs++;
                }
            }
        }
        Assert.True(checkedPairs > 200_000);
    }

    [Fact]
    public void QuantileIndex_MatchesRationalArithmetic_ForDecimalAlphas_AndNaiveFloatingPointDoesNot()
    {
        int naiveWrong = 0;
        foreach (long q in new long[] { 100, 1000 })
        {
            for (long p = 1; p < q; p++)
            {
                double alpha = (double)p / q;   // the double nearest to 0.01, 0.001, 0.1, 0.05...
                for (long n = 1; n <= 2000; n += q == 100 ? 1 : 7)
                {
                    long exact = Exact(n, p, q);
                    Assert.Equal(exact, ConformalQuantile.QuantileIndex(n, alpha));
                    if ((long)Math.Ceiling((n + 1) * (1 - alpha)) != exact)
                        naiveWrong++;
                }
            }
        }
        // The reason for exact arithmetic: the naive formula is off by one for some (n, alpha).
        Assert.True(naiveWrong > 0);
    }

    [Theory]
    [InlineData(0.1, 1L, 10L)]
    [InlineData(0.05, 1L, 20L)]
    [InlineData(1.0 / 3, 1L, 3L)]
    [InlineData(0.123456, 1929L, 15625L)]
    public void ToFraction_FindsTheSimplestFraction(double alpha, long p, long q)
    {
        var (num, den) = ConformalQuantile.ToFraction(alpha);
        Assert.Equal(new BigInteger(p), num);
        Assert.Equal(new BigInteger(q), den);
    }

    [Fact]
    public void ToFraction_OfANonSimpleDouble_IsItsExactBinaryValue()
    {
        double alpha = 0.1 + 1e-17 * 3; // rounds to 0.1 + 1 ulp
        Assert.NotEqual(0.1, alpha);
        var (p, q) = ConformalQuantile.ToFraction(alpha);
        Assert.Equal(alpha, (double)p / (double)q);
        Assert.True(q > 1_000_000);
    }

    [Fact]
    public void KBeyondN_GivesInfiniteThreshold_AndMinimumCalibrationSize()
    {
        Assert.Equal(9, ConformalQuantile.MinimumCalibrationSize(0.1));
        Assert.Equal(19, ConformalQuantile.MinimumCalibrationSize(0.05));
        Assert.Equal(9, ConformalQuantile.QuantileIndex(8, 0.1)); // ceil(8.1) = 9 > 8
        Assert.Equal(float.PositiveInfinity, ConformalQuantile.Threshold(new float[8], 0.1));
        Assert.Equal(float.PositiveInfinity, ConformalQuantile.Threshold(Span<float>.Empty, 0.1));
        Assert.True(float.IsFinite(ConformalQuantile.Threshold(new float[9], 0.1)));
        for (double alpha = 0.01; alpha < 0.99; alpha += 0.01)
        {
            long m = ConformalQuantile.MinimumCalibrationSize(alpha);
            Assert.True(ConformalQuantile.QuantileIndex(m, alpha) <= m);
            Assert.True(ConformalQuantile.QuantileIndex(m - 1, alpha) > m - 1);
        }
    }

    [Fact]
    public void Threshold_IsTheKthSmallest()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.Next(1, 400);
            var scores = Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble(), trial % 3 == 0 ? 1 : 6)).ToArray();
            double alpha = rng.Next(1, 50) / 100.0;
            long k = ConformalQuantile.QuantileIndex(n, alpha);
            var sorted = scores.OrderBy(s => s).ToArray();
            float expected = k > n ? float.PositiveInfinity : sorted[k - 1];
            Assert.Equal(expected, ConformalQuantile.Threshold(scores.ToArray(), alpha));
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void AlphaOutsideOpenUnitInterval_Throws(double alpha)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ConformalQuantile.QuantileIndex(10, alpha));
        Assert.Contains("Alpha", e.Message);
    }
}
