using System.Numerics;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// The split-conformal quantile: the threshold is the <c>k</c>-th smallest of <c>n</c> calibration scores with
/// <c>k = ceil((n + 1)(1 - alpha))</c>, and +infinity (the full label set, an infinite interval) when <c>k &gt; n</c>.
/// </summary>
/// <remarks>
/// <para><c>k</c> is computed exactly. Naive floating point (<c>Math.Ceiling((n + 1) * (1 - alpha))</c>) is off by one for
/// some pairs, because <c>1 - alpha</c> and the product are rounded: one more rank over-covers, one fewer breaks the
/// guarantee. Here alpha is read as the <em>simplest fraction</em> <c>p/q</c> that rounds to the given
/// <see cref="double"/> (the first continued-fraction convergent of its exact binary value that does), so <c>0.1</c> means
/// exactly 1/10 and <c>1.0 / 3</c> exactly 1/3; every fraction with a denominator below 2^26 is recovered. Then
/// <c>k = ceil((n + 1)(q - p) / q)</c> in integer arithmetic. A double that is no such fraction is used at its exact
/// binary value.</para>
/// </remarks>
public static class ConformalQuantile
{
    /// <summary>The rank <c>k = ceil((n + 1)(1 - alpha))</c> (1-based) of the calibration score used as the threshold.</summary>
    /// <param name="n">The number of calibration scores; at least 0.</param>
    /// <param name="alpha">The miscoverage level, in (0, 1).</param>
    /// <returns><c>k</c>; a value above <paramref name="n"/> means the threshold is +infinity.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside (0, 1) or <paramref name="n"/> is negative.</exception>
    public static long QuantileIndex(long n, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var (p, q) = ToFraction(alpha);
        return QuantileIndex(n, p, q);
    }

    /// <summary>The rank <c>k = ceil((n + 1)(1 - p/q))</c> for a miscoverage level given as the fraction <c>p/q</c>.</summary>
    /// <param name="n">The number of calibration scores.</param>
    /// <param name="numerator">p, with 0 &lt; p &lt; q.</param>
    /// <param name="denominator">q.</param>
    public static long QuantileIndex(long n, BigInteger numerator, BigInteger denominator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (numerator.Sign <= 0 || numerator >= denominator)
            throw new ArgumentOutOfRangeException(nameof(numerator), $"The miscoverage level {numerator}/{denominator} must lie strictly between 0 and 1.");
        // ceil(a / q) = (a + q - 1) / q for a >= 0.
        BigInteger a = (n + 1) * (denominator - numerator);
        return (long)((a + denominator - 1) / denominator);
    }

    /// <summary>The smallest calibration set size for which the threshold is finite: the least <c>n</c> with
    /// <c>ceil((n + 1)(1 - alpha)) &lt;= n</c> (9 for alpha = 0.1, 19 for alpha = 0.05).</summary>
    /// <param name="alpha">The miscoverage level, in (0, 1).</param>
    public static long MinimumCalibrationSize(double alpha)
    {
        var (p, q) = ToFraction(alpha);
        // k <= n  <=>  (n + 1)(q - p) <= n q  <=>  n >= (q - p) / p.
        BigInteger need = (q - p + p - 1) / p;
        return need > long.MaxValue ? long.MaxValue : (long)need;
    }

    /// <summary>The conformal threshold of <paramref name="scores"/>: their <c>k</c>-th smallest value, or
    /// <see cref="float.PositiveInfinity"/> when <c>k &gt; n</c> (including an empty span).</summary>
    /// <param name="scores">Calibration non-conformity scores; reordered in place.</param>
    /// <param name="alpha">The miscoverage level, in (0, 1).</param>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    public static float Threshold(Span<float> scores, double alpha) => Threshold(scores, QuantileIndex(scores.Length, alpha));

    /// <summary>The <paramref name="k"/>-th smallest of <paramref name="scores"/> (1-based), or +infinity when k exceeds their count.</summary>
    internal static float Threshold(Span<float> scores, long k)
    {
        if (k > scores.Length)
            return float.PositiveInfinity;
        if (k < 1)
            return float.NegativeInfinity;
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]))
                throw new ArgumentException($"Calibration score {i} is NaN.", nameof(scores));
        }
        return Select(scores, (int)k - 1);
    }

    /// <summary>Exact k-th order statistic (0-based) by Floyd-Rivest-like quickselect with median-of-three pivots.</summary>
    private static float Select(Span<float> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            if (hi - lo < 32)
            {
                a[lo..(hi + 1)].Sort();
                return a[k];
            }
            int mid = lo + ((hi - lo) >> 1);
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            float pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    /// <summary>Reads <paramref name="alpha"/> as the simplest fraction p/q that rounds to it (see the class remarks).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not strictly between 0 and 1.</exception>
    public static (BigInteger Numerator, BigInteger Denominator) ToFraction(double alpha)
    {
        if (!(alpha > 0 && alpha < 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"Alpha must lie strictly between 0 and 1; got {alpha}.");
        // Exact binary value: alpha = mantissa / 2^shift.
        long bits = BitConverter.DoubleToInt64Bits(alpha);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        int shift = 1075 - exponent;
        BigInteger num = mantissa, den = BigInteger.One << shift;
        var g = BigInteger.GreatestCommonDivisor(num, den);
        num /= g;
        den /= g;

        // Continued-fraction convergents h/k of num/den; the first that rounds to alpha is the simplest such fraction.
        BigInteger hPrev = 1, h = 0, kPrev = 0, k = 1; // h_{-1}/k_{-1} = 1/0, h_{-2}/k_{-2} = 0/1
        BigInteger x = num, y = den;
        (h, hPrev) = (hPrev, h);
        (k, kPrev) = (kPrev, k);
        // Now (h, k) = (1, 0) is convergent -1 and (hPrev, kPrev) = (0, 1) convergent -2.
        while (!y.IsZero)
        {
            BigInteger a = BigInteger.DivRem(x, y, out BigInteger r);
            (x, y) = (y, r);
            BigInteger hNext = a * h + hPrev, kNext = a * k + kPrev;
            (hPrev, h) = (h, hNext);
            (kPrev, k) = (k, kNext);
            if (h.Sign > 0 && k < (BigInteger.One << 53) && (double)h / (double)k == alpha)
                return (h, k);
        }
        return (num, den);
    }
}
