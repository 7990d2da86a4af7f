using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// ADASYN (He et al., 2008), as imbalanced-learn 0.10's <c>ADASYN</c>: SMOTE that makes more rows from the rows of a class
/// that have more rows of other classes around them.
/// </summary>
/// <remarks>
/// <para>For each row <c>i</c> of an over-sampled class, <c>r_i</c> is the share of other-class rows among its
/// <see cref="AdasynOptions.NumberOfNeighbors"/> (<c>k</c>) nearest neighbours among all rows (one class against the rest).
/// Row <c>i</c> then gets <c>rint(r_i / sum(r) x N)</c> synthetic rows, <c>N</c> being the rows the strategy asks to add
/// and <c>rint</c> rounding half to even, each <c>x_i + u (n - x_i)</c> with <c>n</c> one of its <c>k</c> nearest
/// neighbours within the class and <c>u ~ U[0, 1)</c>.</para>
/// <para>As in imbalanced-learn, the rounding means a class usually ends a few rows above or below its target (the sum
/// of the rounded counts is not <c>N</c>): <see cref="Sampler.GetTargetCounts"/> is the target, not the result.
/// A class none of whose rows has an other-class neighbour, or whose rounded counts are all 0, cannot be over-sampled
/// this way: an <see cref="InvalidOperationException"/> names it (imbalanced-learn raises too).</para>
/// <para>Output: the input rows in order, then the synthetic rows class by class in class order, and within a class by
/// source row in input order. Neighbours are exact Euclidean; a row is never its own neighbour. The sum of the shares
/// is taken in order, where numpy sums pairwise: a count can differ from imbalanced-learn's only when
/// <c>r_i / sum(r) x N</c> falls within rounding error of a half.</para>
/// </remarks>
public sealed class Adasyn : Sampler
{
    private readonly AdasynOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1.</exception>
    public Adasyn(AdasynOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(AdasynOptions options)
    {
        if (options.NumberOfNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfNeighbors, "ADASYN needs at least one neighbour (NumberOfNeighbors >= 1).");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override bool ReachesTargetCounts => false;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        RequireNeighborsInGrownClasses(set, targetCounts, _options.NumberOfNeighbors, "ADASYN");
    }

    /// <summary>
    /// The number of synthetic rows each row of class <paramref name="c"/> gets (in the order of the class's rows in the
    /// input) when <paramref name="add"/> rows are asked for.
    /// </summary>
    /// <exception cref="InvalidOperationException">No row of the class has an other-class neighbour, or every count rounds to 0.</exception>
    internal int[] SamplesPerRow(LabeledFeatures set, int c, int add, int[]? allRows = null)
    {
        int k = _options.NumberOfNeighbors;
        var rows = RowsByClass(set)[c];
        allRows ??= Enumerable.Range(0, set.RowCount).ToArray();
        var (neighbors, _) = NearestNeighbors.Search(set.Features, set.FeatureCount, rows, allRows, k, _options.MaxDegreeOfParallelism);
        var ratio = new double[rows.Length];
        double sum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int other = 0;
            for (int j = 0; j < k; j++)
                other += set.Labels[neighbors[i * k + j]] != c ? 1 : 0;
            ratio[i] = other / (double)k;
            sum += ratio[i];
        }
        string name = set.Label.GetClassName(c);
        if (sum == 0)
            throw new InvalidOperationException(
                $"ADASYN cannot over-sample class '{name}': none of its rows has a row of another class among its {k} nearest neighbours, " +
                "so every weight is 0 (imbalanced-learn raises here too). Use SMOTE for this class, or a larger NumberOfNeighbors.");
        var counts = new int[rows.Length];
        long total = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            // As imbalanced-learn: ratio /= sum, then rint(ratio * n_samples), half to even.
            counts[i] = (int)Math.Round(ratio[i] / sum * add, MidpointRounding.ToEven);
            total += counts[i];
        }
        if (total == 0)
            throw new InvalidOperationException(
                $"ADASYN would add no rows to class '{name}': its {add} requested rows, spread over {rows.Length} rows by weight, all round to 0.");
        return counts;
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var byClass = RowsByClass(set);
        var all = Enumerable.Range(0, set.RowCount).ToArray();
        int k = _options.NumberOfNeighbors, d = set.FeatureCount;
        var perRow = new int[byClass.Length][];
        var counts = (int[])set.ClassCounts.Clone();
        for (int c = 0; c < byClass.Length; c++)
        {
            int add = targetCounts[c] - set.ClassCounts[c];
            if (add == 0)
                continue;
            perRow[c] = SamplesPerRow(set, c, add, all);
            counts[c] += perRow[c].Sum();
        }

        var (features, labels, sources, first) = AppendLayout(set, counts);
        for (int c = 0; c < byClass.Length; c++)
        {
            if (perRow[c] is not { } plan)
                continue;
            var rows = byClass[c];
            var (neighbors, _) = NearestNeighbors.Search(set.Features, d, rows, rows, k, _options.MaxDegreeOfParallelism);
            int outRow = first[c];
            for (int i = 0; i < rows.Length; i++)
            {
                var x = set.GetRow(rows[i]);
                for (int s = 0; s < plan[i]; s++, outRow++)
                {
                    var n = set.GetRow(neighbors[i * k + rng.Next(k)]);
                    Interpolation.Write(x, n, (float)rng.NextDouble(), features.AsSpan(outRow * d, d));
                    sources[outRow] = -1;
                }
            }
        }
        return set.WithRows(features, labels, sources);
    }
}
