namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>
/// The sweep's racing rule: after some folds, whether a trial is clearly worse than the best completed trial on the
/// same folds (see <see cref="ImbalanceSweepOptions.Racing"/>).
/// </summary>
internal static class SweepRacing
{
    /// <summary>The outcome of one comparison: the paired differences' mean and its one-sided upper confidence bound.</summary>
    internal readonly record struct Comparison(int Folds, double MeanDifference, double UpperBound, bool Stop);

    /// <summary>
    /// Compares <paramref name="candidate"/>'s first folds with <paramref name="best"/>'s values on the same folds
    /// (larger is better). With d_i = candidate_i - best_i over the n folds run so far, mean d̄ and sample standard
    /// deviation s, the one-sided upper confidence bound is U = d̄ + t(n - 1, confidence) s / √n; the trial is stopped
    /// when U &lt; -<paramref name="margin"/>. Never stops a trial whose mean difference is zero or positive, nor one
    /// with a NaN value.
    /// </summary>
    internal static Comparison Compare(IReadOnlyList<double> candidate, IReadOnlyList<double> best, double confidence, double margin)
    {
        int n = candidate.Count;
        if (n < 2 || best.Count < n)
            return new Comparison(n, double.NaN, double.NaN, false);
        var d = new double[n];
        for (int i = 0; i < n; i++)
            d[i] = candidate[i] - best[i];
        double mean = d.Average();
        double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        double upper = mean + StudentTQuantile(confidence, n - 1) * sd / Math.Sqrt(n);
        // NaN compares false: a fold with an undefined metric never stops a trial.
        bool stop = mean < 0 && upper < -margin;
        return new Comparison(n, mean, upper, stop);
    }

    /// <summary>The <paramref name="p"/> quantile (p in [0.5, 1)) of Student's t with <paramref name="df"/> degrees of
    /// freedom, by bisection on the closed-form distribution function for integer degrees of freedom.</summary>
    internal static double StudentTQuantile(double p, int df)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(df, 1);
        if (!(p >= 0.5 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "The quantile's level must be in [0.5, 1).");
        if (p == 0.5)
            return 0;
        double lo = 0, hi = 1;
        while (StudentTCdf(hi, df) < p)
            hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            double mid = (lo + hi) / 2;
            if (StudentTCdf(mid, df) < p)
                lo = mid;
            else
                hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>P(T ≤ t) for t ≥ 0 (Abramowitz and Stegun 26.7.3-4: the finite series in θ = atan(t / √df)).</summary>
    internal static double StudentTCdf(double t, int df)
    {
        double theta = Math.Atan(t / Math.Sqrt(df));
        double s = Math.Sin(theta), c2 = Math.Cos(theta) * Math.Cos(theta);
        double a; // P(|T| < t)
        if (df % 2 == 1)
        {
            double sum = 0, term = 1;
            if (df > 1)
            {
                sum = 1;
                for (int k = 3; k <= df - 2; k += 2)
                {
                    term *= (k - 1.0) / k * c2;
                    sum += term;
                }
            }
            a = 2 / Math.PI * (theta + s * Math.Cos(theta) * sum);
        }
        else
        {
            double sum = 1, term = 1;
            for (int k = 2; k <= df - 2; k += 2)
            {
                term *= (k - 1.0) / k * c2;
                sum += term;
            }
            a = s * sum;
        }
        return (1 + a) / 2;
    }
}
