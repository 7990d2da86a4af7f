using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Under-samples by keeping random rows of each selected class (imbalanced-learn's <c>RandomUnderSampler</c>).
/// </summary>
/// <remarks>Output, as imbalanced-learn's: rows grouped by class in class order; an unselected class keeps all its rows in
/// input order, a selected class its drawn rows in draw order.</remarks>
public sealed class RandomUnderSampler : Sampler
{
    private readonly RandomUnderSamplerOptions _options;

    /// <summary>Creates the sampler.</summary>
    public RandomUnderSampler(RandomUnderSamplerOptions options) : base(options) => _options = options;

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.UnderSampling;

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var byClass = RowsByClass(set);
        var kept = new List<int>(targetCounts.Sum());
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            int keep = targetCounts[c];
            if (keep == rows.Length)
            {
                // Unselected, or asked for all its rows: kept as is, in input order (even with replacement; imbalanced-learn
                // would redraw a selected class whose target equals its size).
                kept.AddRange(rows);
                continue;
            }
            if (_options.Replacement)
            {
                for (int i = 0; i < keep; i++)
                    kept.Add(rows[rng.Next(rows.Length)]);
                continue;
            }
            // Partial Fisher-Yates on a copy: the first `keep` entries are a uniform sample without replacement.
            var pool = (int[])rows.Clone();
            for (int i = 0; i < keep; i++)
            {
                int j = rng.Next(i, pool.Length);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                kept.Add(pool[i]);
            }
        }
        return KeepRows(set, kept);
    }
}
