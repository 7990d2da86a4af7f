using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Over-samples by drawing rows of each selected class at random with replacement (imbalanced-learn's
/// <c>RandomOverSampler</c>), optionally as a smoothed bootstrap (<see cref="RandomOverSamplerOptions.Shrinkage"/>).
/// </summary>
/// <remarks>Output: the input rows in order, then the new rows class by class in class order.</remarks>
public sealed class RandomOverSampler : Sampler
{
    private readonly RandomOverSamplerOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The shrinkage is negative or not finite.</exception>
    public RandomOverSampler(RandomOverSamplerOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(RandomOverSamplerOptions options)
    {
        if (options.Shrinkage is double s && !(s >= 0 && double.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(options), s, "The shrinkage must be a finite number >= 0.");
    }

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts) => CheckOptions(_options);

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var byClass = RowsByClass(set);
        var (features, labels, sources, first) = AppendLayout(set, targetCounts);
        int d = set.FeatureCount;
        var scale = _options.Shrinkage is null ? null : new float[d];
        for (int c = 0; c < byClass.Length; c++)
        {
            int add = targetCounts[c] - set.ClassCounts[c];
            if (add == 0)
                continue;
            var rows = byClass[c];
            if (scale is not null)
                SmoothingScale(set, rows, _options.Shrinkage!.Value, scale);
            for (int i = 0; i < add; i++)
            {
                int pick = rows[rng.Next(rows.Length)];
                int outRow = first[c] + i;
                var dest = features.AsSpan(outRow * d, d);
                set.GetRow(pick).CopyTo(dest);
                if (scale is null)
                {
                    sources[outRow] = SourceRowOf(set, pick);
                    continue;
                }
                sources[outRow] = -1;
                for (int j = 0; j < d; j++)
                    dest[j] += (float)(NextGaussian(rng) * scale[j]);
            }
        }
        return set.WithRows(features, labels, sources);
    }

    /// <summary>The per-feature noise scale <c>shrinkage * h * std_c</c> (population standard deviation, as numpy's default).</summary>
    private static void SmoothingScale(LabeledFeatures set, int[] rows, double shrinkage, float[] scale)
    {
        int d = set.FeatureCount;
        double h = Math.Pow(4.0 / ((d + 2.0) * set.RowCount), 1.0 / (d + 4.0));
        var mean = new double[d];
        var m2 = new double[d];
        // Welford: stable for large classes with large feature values.
        for (int i = 0; i < rows.Length; i++)
        {
            var x = set.GetRow(rows[i]);
            for (int j = 0; j < d; j++)
            {
                double delta = x[j] - mean[j];
                mean[j] += delta / (i + 1);
                m2[j] += delta * (x[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++)
            scale[j] = (float)(shrinkage * h * Math.Sqrt(m2[j] / rows.Length));
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double NextGaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // in (0, 1]: log is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
