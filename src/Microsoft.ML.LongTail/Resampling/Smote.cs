using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// SMOTE (Chawla et al., 2002), as imbalanced-learn's <c>SMOTE</c>: each synthetic row is <c>x + u (n - x)</c> for a
/// random row <c>x</c> of the class, one of its <see cref="SmoteOptions.NumberOfNeighbors"/> nearest neighbours
/// <c>n</c> within the class, and <c>u ~ U[0, 1)</c>.
/// </summary>
/// <remarks>Output: the input rows in order, then the synthetic rows class by class in class order. Synthetic rows get
/// missing values in the columns other than the label and features. Neighbours are exact Euclidean; a row is never its
/// own neighbour, but a duplicate of it can be.</remarks>
public sealed class Smote : Sampler
{
    private readonly SmoteOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1.</exception>
    public Smote(SmoteOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(SmoteOptions options)
    {
        if (options.NumberOfNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfNeighbors, "SMOTE needs at least one neighbour.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        RequireNeighborsInGrownClasses(set, targetCounts, _options.NumberOfNeighbors, "SMOTE");
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var byClass = RowsByClass(set);
        var (features, labels, sources, first) = AppendLayout(set, targetCounts);
        int d = set.FeatureCount, k = _options.NumberOfNeighbors;
        for (int c = 0; c < byClass.Length; c++)
        {
            int add = targetCounts[c] - set.ClassCounts[c];
            if (add == 0)
                continue;
            var rows = byClass[c];
            var (pairs, steps, slot, queries) = Interpolation.DrawPairs(rows, k, add, rng);
            var (neighbors, _) = NearestNeighbors.Search(set.Features, d, queries, rows, k, _options.MaxDegreeOfParallelism);
            // The draws are made: the rows can be written in parallel (see ParallelCopy for why it matters).
            int firstRow = first[c];
            Parallel.For(0, (add + 4095) / 4096, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism }, chunk =>
            {
                for (int i = chunk * 4096, end = Math.Min(add, i + 4096); i < end; i++)
                {
                    int p = pairs[i] / k;
                    Interpolation.Write(set.GetRow(rows[p]), set.GetRow(neighbors[slot[p] * k + pairs[i] % k]), steps[i],
                        features.AsSpan((firstRow + i) * d, d));
                    sources[firstRow + i] = -1;
                }
            });
        }
        return set.WithRows(features, labels, sources);
    }
}
