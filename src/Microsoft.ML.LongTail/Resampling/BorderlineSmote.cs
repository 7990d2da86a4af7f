using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Borderline-SMOTE (Han et al., 2005), as imbalanced-learn 0.10's <c>BorderlineSMOTE</c>: SMOTE from the rows of the class
/// that are in danger, that is whose <see cref="BorderlineSmoteOptions.NumberOfDangerNeighbors"/> (<c>m</c>) nearest
/// neighbours among all rows hold <c>n</c> rows of other classes with <c>m / 2 &lt;= n &lt; m</c> (at the border, but not
/// noise).
/// </summary>
/// <remarks>
/// <para><see cref="BorderlineSmoteKind.Borderline1"/>: each synthetic row is <c>x + u (n - x)</c> for a random danger row
/// <c>x</c>, one of its <see cref="BorderlineSmoteOptions.NumberOfNeighbors"/> (<c>k</c>) nearest neighbours <c>n</c>
/// within the class, and <c>u ~ U[0, 1)</c>.</para>
/// <para><see cref="BorderlineSmoteKind.Borderline2"/>: with <c>f ~ Beta(10, 10)</c> drawn per class, <c>floor(f (N + 1))</c>
/// of the class's <c>N</c> new rows are made as in kind 1, then <c>floor((1 - f) N)</c> towards one of the danger row's
/// <c>k</c> nearest rows of the other classes with <c>u ~ U[0, 0.5)</c>, so they stay on the class's side. This is
/// imbalanced-learn 0.10's split, which makes <c>N - 1</c> rows instead of <c>N</c> about half the time. One difference:
/// imbalanced-learn 0.10 looks the other-class row up with the index of a same-class neighbour (its issue #861, changed
/// after 0.10 by pull request #1023), which picks an unrelated row; here it is one of the danger row's nearest other-class rows, as the paper and the
/// code's comment mean.</para>
/// <para>A class without rows in danger is left as it is, as imbalanced-learn does (silently): the result then has fewer
/// rows than <see cref="Sampler.GetTargetCounts"/> says. Neighbours are exact Euclidean; a row is never its own neighbour.
/// Output: the input rows in order, then the synthetic rows class by class in class order (for kind 2, the same-class
/// part first).</para>
/// </remarks>
public sealed class BorderlineSmote : Sampler
{
    private readonly BorderlineSmoteOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A number of neighbours is less than 1, or the kind is unknown.</exception>
    public BorderlineSmote(BorderlineSmoteOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(BorderlineSmoteOptions options)
    {
        if (options.NumberOfNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfNeighbors,
                "Borderline-SMOTE needs at least one neighbour to interpolate towards (NumberOfNeighbors >= 1).");
        if (options.NumberOfDangerNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfDangerNeighbors,
                "Borderline-SMOTE needs at least one neighbour to decide which rows are in danger (NumberOfDangerNeighbors >= 1).");
        if (!Enum.IsDefined(options.Kind))
            throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown Borderline-SMOTE kind.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override bool ReachesTargetCounts => false;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        int k = _options.NumberOfNeighbors, m = _options.NumberOfDangerNeighbors;
        if (set.RowCount <= m)
            throw new InvalidOperationException(
                $"Borderline-SMOTE with NumberOfDangerNeighbors = {m} needs more than {m} rows in all, but the data has {set.RowCount}.");
        RequireNeighborsInGrownClasses(set, targetCounts, k, "Borderline-SMOTE");
        for (int c = 0; c < targetCounts.Length; c++)
        {
            int n = set.ClassCounts[c];
            if (targetCounts[c] <= n)
                continue;
            string name = set.Label.GetClassName(c);
            if (_options.Kind == BorderlineSmoteKind.Borderline2 && set.RowCount - n < k)
                throw new InvalidOperationException(
                    $"Borderline-SMOTE kind 2 with {k} neighbours needs at least {k} rows outside each over-sampled class, but only " +
                    $"{set.RowCount - n} rows are not of class '{name}'.");
        }
    }

    /// <summary>The rows of class <paramref name="c"/> in danger (imbalanced-learn's <c>_in_danger_noise(kind="danger")</c>), in input order.</summary>
    internal int[] DangerRows(LabeledFeatures set, int c, int[]? allRows = null)
    {
        int m = _options.NumberOfDangerNeighbors;
        var rows = RowsByClass(set)[c];
        allRows ??= Enumerable.Range(0, set.RowCount).ToArray();
        var (neighbors, _) = NearestNeighbors.Search(set.Features, set.FeatureCount, rows, allRows, m, _options.MaxDegreeOfParallelism);
        var danger = new List<int>();
        for (int i = 0; i < rows.Length; i++)
        {
            int other = 0;
            for (int j = 0; j < m; j++)
                other += set.Labels[neighbors[i * m + j]] != c ? 1 : 0;
            // imbalanced-learn: n_maj >= m / 2 (true division) and n_maj < m.
            if (2 * other >= m && other < m)
                danger.Add(rows[i]);
        }
        return danger.ToArray();
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var byClass = RowsByClass(set);
        var all = Enumerable.Range(0, set.RowCount).ToArray();
        int k = _options.NumberOfNeighbors;
        bool kind2 = _options.Kind == BorderlineSmoteKind.Borderline2;

        // Plan first: the danger rows and the number of new rows of each part, so the output can be laid out at once.
        var danger = new int[byClass.Length][];
        var sameClass = new int[byClass.Length];
        var otherClass = new int[byClass.Length];
        var counts = (int[])set.ClassCounts.Clone();
        for (int c = 0; c < byClass.Length; c++)
        {
            int add = targetCounts[c] - set.ClassCounts[c];
            if (add == 0)
                continue;
            danger[c] = DangerRows(set, c, all);
            if (danger[c].Length == 0)
                continue;
            if (kind2)
            {
                double f = Beta10(rng);
                sameClass[c] = (int)(f * (add + 1));
                otherClass[c] = (int)((1 - f) * add);
            }
            else
            {
                sameClass[c] = add;
            }
            counts[c] += sameClass[c] + otherClass[c];
        }

        var (features, labels, sources, first) = AppendLayout(set, counts);
        int d = set.FeatureCount;
        for (int c = 0; c < byClass.Length; c++)
        {
            if (sameClass[c] + otherClass[c] == 0)
                continue;
            var (within, _) = NearestNeighbors.Search(set.Features, d, danger[c], byClass[c], k, _options.MaxDegreeOfParallelism);
            Interpolation.FromPairs(set, danger[c], within, k, sameClass[c], 1.0, rng, features, sources, first[c]);
            if (otherClass[c] > 0)
            {
                var others = all.Where(r => set.Labels[r] != c).ToArray();
                var (across, _) = NearestNeighbors.Search(set.Features, d, danger[c], others, k, _options.MaxDegreeOfParallelism);
                Interpolation.FromPairs(set, danger[c], across, k, otherClass[c], 0.5, rng, features, sources, first[c] + sameClass[c]);
            }
        }
        return set.WithRows(features, labels, sources);
    }

    /// <summary>A draw of Beta(10, 10) = G1 / (G1 + G2) with G ~ Gamma(10), each the sum of 10 unit exponentials.</summary>
    private static double Beta10(Random rng)
    {
        static double Gamma10(Random rng)
        {
            double g = 0;
            for (int i = 0; i < 10; i++)
                g -= Math.Log(1 - rng.NextDouble());
            return g;
        }
        double a = Gamma10(rng), b = Gamma10(rng);
        return a / (a + b);
    }
}
