namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// Black-box shift estimation (Lipton, Wang and Smola, 2018): the label-shift importance weights <c>w(y) = pi_t(y) / pi_s(y)</c>
/// from hard predictions.
/// </summary>
/// <remarks>
/// <para>With <c>C[i, j] = P_s(prediction = i, label = j)</c> measured on labelled source validation rows and
/// <c>mu[i] = P_t(prediction = i)</c> on the target rows, label shift gives <c>C w = mu</c>. The system is solved by Gaussian
/// elimination with partial pivoting; when <c>C</c> is singular (a class never predicted on the validation rows) by
/// least squares with a 1e-9 ridge. Negative weights (estimation noise) are clipped to 0.</para>
/// <para>Every class must occur among the validation labels (otherwise its column of <c>C</c> is 0 and its weight is not
/// identifiable): a missing class throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public static class BlackBoxShiftEstimator
{
    /// <summary>Estimates the importance weights <c>w(y)</c>.</summary>
    /// <param name="sourceLabels">Class index of each labelled source validation row.</param>
    /// <param name="sourcePredictions">The model's predicted class of each of those rows.</param>
    /// <param name="targetPredictions">The model's predicted class of each target row.</param>
    /// <param name="classCount">K.</param>
    /// <param name="classNames">Class names for messages, or <see langword="null"/>.</param>
    /// <returns>Non-negative weights, one per class.</returns>
    public static double[] EstimateWeights(ReadOnlySpan<int> sourceLabels, ReadOnlySpan<int> sourcePredictions,
        ReadOnlySpan<int> targetPredictions, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (sourceLabels.Length != sourcePredictions.Length)
            throw new ArgumentException($"{sourceLabels.Length} source labels but {sourcePredictions.Length} predictions.", nameof(sourcePredictions));
        if (sourceLabels.Length == 0 || targetPredictions.Length == 0)
            throw new ArgumentException("Both the source validation rows and the target rows must be non-empty.");
        int k = classCount;
        var c = new double[k, k];
        var present = new bool[k];
        for (int r = 0; r < sourceLabels.Length; r++)
        {
            int y = sourceLabels[r], p = sourcePredictions[r];
            if ((uint)y >= (uint)k || (uint)p >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(sourceLabels), $"Row {r} has class {y} / prediction {p} outside 0..{k - 1}.");
            c[p, y] += 1.0 / sourceLabels.Length;
            present[y] = true;
        }
        for (int j = 0; j < k; j++)
        {
            if (!present[j])
                throw new InvalidOperationException($"The labelled validation data has no row of class '{classNames?[j] ?? j.ToString(System.Globalization.CultureInfo.InvariantCulture)}'; " +
                    "black-box shift estimation needs every class there (its confusion-matrix column would be 0).");
        }
        var mu = new double[k];
        foreach (int p in targetPredictions)
        {
            if ((uint)p >= (uint)k)
                throw new ArgumentOutOfRangeException(nameof(targetPredictions), $"Prediction {p} is outside 0..{k - 1}.");
            mu[p] += 1.0 / targetPredictions.Length;
        }
        var w = Solve(c, mu) ?? RidgeLeastSquares(c, mu, 1e-9);
        for (int j = 0; j < k; j++)
            w[j] = Math.Max(0, w[j]);
        if (w.All(v => v == 0))
            throw new InvalidOperationException("Every estimated class weight is 0 or negative; the target predictions are inconsistent with the validation confusion matrix.");
        return w;
    }

    /// <summary>Estimates the target priors <c>pi_t = w * pi_s</c> (renormalised), with <c>pi_s</c> the validation label frequencies.</summary>
    /// <inheritdoc cref="EstimateWeights" path="/param"/>
    /// <returns>The target priors (summing to 1).</returns>
    public static double[] EstimateTargetPriors(ReadOnlySpan<int> sourceLabels, ReadOnlySpan<int> sourcePredictions,
        ReadOnlySpan<int> targetPredictions, int classCount, IReadOnlyList<string>? classNames = null)
    {
        var w = EstimateWeights(sourceLabels, sourcePredictions, targetPredictions, classCount, classNames);
        var priors = new double[classCount];
        foreach (int y in sourceLabels)
            priors[y] += 1;
        double sum = 0;
        for (int j = 0; j < classCount; j++)
            sum += priors[j] *= w[j];
        for (int j = 0; j < classCount; j++)
            priors[j] /= sum;
        return priors;
    }

    private static double[]? Solve(double[,] matrix, double[] rhs)
    {
        int k = rhs.Length;
        var a = (double[,])matrix.Clone();
        var b = (double[])rhs.Clone();
        double scale = 0;
        foreach (double v in matrix)
            scale = Math.Max(scale, Math.Abs(v));
        for (int col = 0; col < k; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < k; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                    pivot = r;
            }
            if (Math.Abs(a[pivot, col]) <= 1e-12 * Math.Max(scale, 1e-300))
                return null;
            if (pivot != col)
            {
                for (int j = 0; j < k; j++)
                    (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                (b[col], b[pivot]) = (b[pivot], b[col]);
            }
            for (int r = col + 1; r < k; r++)
            {
                double f = a[r, col] / a[col, col];
                if (f == 0)
                    continue;
                for (int j = col; j < k; j++)
                    a[r, j] -= f * a[col, j];
                b[r] -= f * b[col];
            }
        }
        var x = new double[k];
        for (int r = k - 1; r >= 0; r--)
        {
            double s = b[r];
            for (int j = r + 1; j < k; j++)
                s -= a[r, j] * x[j];
            x[r] = s / a[r, r];
        }
        return x;
    }

    private static double[] RidgeLeastSquares(double[,] c, double[] mu, double ridge)
    {
        int k = mu.Length;
        var normal = new double[k, k];
        var rhs = new double[k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int r = 0; r < k; r++)
                    s += c[r, i] * c[r, j];
                normal[i, j] = s + (i == j ? ridge : 0);
            }
            for (int r = 0; r < k; r++)
                rhs[i] += c[r, i] * mu[r];
        }
        return Solve(normal, rhs) ?? throw new InvalidOperationException("The confusion matrix is degenerate; the class weights cannot be estimated.");
    }
}
