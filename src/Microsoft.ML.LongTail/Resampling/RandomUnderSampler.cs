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
        int total = targetCounts.Sum();
        int d = set.FeatureCount;
        // Every element is written below: skip the zeroing of a possibly large array.
        var features = GC.AllocateUninitializedArray<float>(checked(total * d));
        var labels = new int[total];
        var sources = new int[total];
        int next = 0;
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            int keep = targetCounts[c];
            if (keep == rows.Length)
            {
                // Unselected, or asked for all its rows: kept as is, in input order (even with replacement; imbalanced-learn
                // would redraw a selected class whose target equals its size).
                foreach (int row in rows)
                    Emit(row);
                continue;
            }
            if (_options.Replacement)
            {
                for (int i = 0; i < keep; i++)
                    Emit(rows[rng.Next(rows.Length)]);
                continue;
            }
            // Partial Fisher-Yates on a copy: the first `keep` entries are a uniform sample without replacement.
            var pool = (int[])rows.Clone();
            for (int i = 0; i < keep; i++)
            {
                int j = rng.Next(i, pool.Length);
                (pool[i], pool[j]) = (pool[j], pool[i]);
                Emit(pool[i]);
            }
        }
        return set.WithRows(features, labels, sources);

        void Emit(int row)
        {
            set.GetRow(row).CopyTo(features.AsSpan(next * d, d));
            labels[next] = set.Labels[row];
            sources[next] = SourceRowOf(set, row);
            next++;
        }
    }
}
