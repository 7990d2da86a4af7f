namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// Target class priors under label shift by expectation-maximisation (Saerens, Latinne and Decaestecker, 2002).
/// </summary>
/// <remarks>
/// Starting from <c>pi_0 = pi_s</c>, each step re-weights every target row's posterior,
/// <c>p_t(y|x) = p_s(y|x) pi(y) / pi_s(y)</c> renormalised over y, and sets <c>pi(y)</c> to the mean of <c>p_t(y|x)</c> over
/// the rows, until no prior moves by more than the tolerance. The likelihood of the target rows increases at every step.
/// </remarks>
public static class EmPriorEstimator
{
    /// <summary>Estimates the target priors.</summary>
    /// <param name="probabilities">The source model's posteriors on the target rows, row-major (<paramref name="classCount"/> per row).</param>
    /// <param name="classCount">K.</param>
    /// <param name="sourcePriors">The priors the model was trained under (positive).</param>
    /// <param name="iterations">The number of EM steps taken.</param>
    /// <param name="maximumIterations">At most this many steps.</param>
    /// <param name="tolerance">Stop when no prior changes by more than this.</param>
    /// <returns>The estimated target priors (summing to 1).</returns>
    public static double[] Estimate(ReadOnlySpan<float> probabilities, int classCount, IReadOnlyList<double> sourcePriors,
        out int iterations, int maximumIterations = 1000, double tolerance = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentNullException.ThrowIfNull(sourcePriors);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumIterations, 1);
        if (!(tolerance > 0))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be positive.");
        if (sourcePriors.Count != classCount)
            throw new ArgumentException($"{sourcePriors.Count} source priors for {classCount} classes.", nameof(sourcePriors));
        LogitAdjustmentEstimator.CheckPriors(sourcePriors, nameof(sourcePriors));
        if (probabilities.Length == 0 || probabilities.Length % classCount != 0)
            throw new ArgumentException($"Expected a positive multiple of {classCount} probabilities, got {probabilities.Length}.", nameof(probabilities));
        int n = probabilities.Length / classCount;
        double sourceSum = sourcePriors.Sum();
        var source = sourcePriors.Select(p => p / sourceSum).ToArray();
        var priors = (double[])source.Clone();
        var next = new double[classCount];
        var row = new double[classCount];
        iterations = 0;
        while (iterations < maximumIterations)
        {
            iterations++;
            Array.Clear(next);
            for (int r = 0; r < n; r++)
            {
                double sum = 0;
                for (int c = 0; c < classCount; c++)
                    sum += row[c] = probabilities[r * classCount + c] * priors[c] / source[c];
                if (sum <= 0)
                {
                    // The model gives every class with a non-zero prior probability 0: the row keeps the current priors.
                    for (int c = 0; c < classCount; c++)
                        next[c] += priors[c];
                    continue;
                }
                for (int c = 0; c < classCount; c++)
                    next[c] += row[c] / sum;
            }
            double change = 0;
            for (int c = 0; c < classCount; c++)
            {
                next[c] /= n;
                change = Math.Max(change, Math.Abs(next[c] - priors[c]));
            }
            (priors, next) = (next, priors);
            if (change <= tolerance)
                break;
        }
        return priors;
    }
}
