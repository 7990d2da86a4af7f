using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// K-means SMOTE (Douzas, Bacao and Last, 2018), as imbalanced-learn's <c>KMeansSMOTE</c>: clusters all rows with
/// k-means, keeps for each over-sampled class the clusters where the class is frequent enough, gives sparser clusters
/// more synthetic rows, and runs SMOTE within each kept cluster.
/// </summary>
/// <remarks>
/// <para>For a class that needs <c>n</c> new rows: a cluster qualifies when the class's share of its rows is at least
/// <see cref="KMeansSmoteOptions.ClusterBalanceThreshold"/> and it has more than
/// <see cref="KMeansSmoteOptions.NumberOfNeighbors"/> rows of the class. Its sparsity is <c>mean_dist^e / m</c>, where
/// <c>m</c> is its number of rows of the class, <c>mean_dist</c> their mean pairwise Euclidean distance and <c>e</c> the
/// <see cref="KMeansSmoteOptions.DensityExponent"/>; each qualifying cluster gets <c>ceil(n w)</c> rows, <c>w</c> its
/// sparsity over the sum of sparsities, made by SMOTE between rows of the class in the cluster. Because of the ceiling a
/// class can end with a few rows more than its target, as in imbalanced-learn.</para>
/// <para>Output: the input rows in order, then the synthetic rows class by class in class order, cluster by cluster
/// within a class. Synthetic rows get missing values in the columns other than the label and features.</para>
/// <para>Differences from imbalanced-learn: its default clustering is scikit-learn's <c>MiniBatchKMeans</c>; here it is
/// a full k-means (k-means++ seeding, Lloyd iterations to convergence), so clusters, and therefore rows, differ. With
/// imbalanced-learn's <c>"auto"</c> exponent, <c>m</c> is the number of rows, not of features, as in imbalanced-learn
/// 0.10 (the paper uses the number of features). When every qualifying cluster has sparsity 0 (all its rows of the
/// class equal), the clusters get equal weights where imbalanced-learn would divide by zero. A
/// <see cref="KMeansSmoteOptions.DensityExponent"/> must be positive (imbalanced-learn accepts any number).</para>
/// </remarks>
public sealed class KMeansSmote : Sampler
{
    private readonly KMeansSmoteOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public KMeansSmote(KMeansSmoteOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(KMeansSmoteOptions options)
    {
        if (options.NumberOfNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(KMeansSmoteOptions.NumberOfNeighbors), options.NumberOfNeighbors,
                "KMeansSmote needs NumberOfNeighbors >= 1.");
        if (options.NumberOfClusters < 1)
            throw new ArgumentOutOfRangeException(nameof(KMeansSmoteOptions.NumberOfClusters), options.NumberOfClusters,
                "KMeansSmote needs NumberOfClusters >= 1.");
        if (options.ClusterBalanceThreshold is { } t && !double.IsFinite(t))
            throw new ArgumentOutOfRangeException(nameof(KMeansSmoteOptions.ClusterBalanceThreshold), t,
                "KMeansSmote ClusterBalanceThreshold must be a finite number (or null for imbalanced-learn's \"auto\").");
        if (options.DensityExponent is { } e && !(double.IsFinite(e) && e > 0))
            throw new ArgumentOutOfRangeException(nameof(KMeansSmoteOptions.DensityExponent), e,
                "KMeansSmote DensityExponent must be a positive finite number (or null for imbalanced-learn's \"auto\").");
        if (options.MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(KMeansSmoteOptions.MaxIterations), options.MaxIterations,
                "KMeansSmote MaxIterations must be at least 1.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override bool ReachesTargetCounts => false;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        if (_options.NumberOfClusters > set.RowCount)
            throw new InvalidOperationException(
                $"KMeansSmote with NumberOfClusters = {_options.NumberOfClusters.ToString(CultureInfo.InvariantCulture)} needs at least that many rows, " +
                $"but the data has {set.RowCount.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        int d = set.FeatureCount, k = _options.NumberOfNeighbors, clusterCount = _options.NumberOfClusters;
        var add = new int[set.ClassCount];
        for (int c = 0; c < add.Length; c++)
            add[c] = targetCounts[c] - set.ClassCounts[c];
        long totalAdd = add.Sum(a => (long)a);
        if (totalAdd == 0)
        {
            // Nothing to add (imbalanced-learn skips such classes): the input rows as they are.
            var (same, sameLabels, sameSources, _) = AppendLayout(set, targetCounts);
            return set.WithRows(same, sameLabels, sameSources);
        }

        var fit = KMeans.Fit(set.Features, d, Enumerable.Range(0, set.RowCount).ToArray(), clusterCount, rng, _options.MaxIterations,
            _options.MaxDegreeOfParallelism);
        var members = new List<int>[clusterCount];
        for (int g = 0; g < clusterCount; g++)
            members[g] = [];
        for (int i = 0; i < set.RowCount; i++)
            members[fit.Assignment[i]].Add(i);

        // Per class: the qualifying clusters' rows of the class and how many rows each gets.
        var plans = new List<(int[] Rows, int Count)>[set.ClassCount];
        var finalCounts = (int[])set.ClassCounts.Clone();
        for (int c = 0; c < add.Length; c++)
        {
            plans[c] = [];
            if (add[c] == 0)
                continue;
            double threshold = clusterCount == 1 ? double.NegativeInfinity
                : _options.ClusterBalanceThreshold ?? (double)add[c] / totalAdd / 2;
            var chosen = new List<int[]>();
            var sparsities = new List<double>();
            for (int g = 0; g < clusterCount; g++)
            {
                if (members[g].Count == 0)
                    continue;
                var classRows = members[g].Where(i => set.Labels[i] == c).ToArray();
                double share = (double)classRows.Length / members[g].Count;
                if (share < threshold || classRows.Length < k + 1)
                    continue;
                chosen.Add(classRows);
                sparsities.Add(ClusterSparsity(set.Features, d, classRows, _options.DensityExponent, _options.MaxDegreeOfParallelism));
            }
            if (chosen.Count == 0)
                throw new InvalidOperationException(
                    $"KMeansSmote found no cluster with enough rows of class '{set.Label.GetClassName(c)}' (a share of at least " +
                    $"{threshold.ToString("G4", CultureInfo.InvariantCulture)} and more than NumberOfNeighbors = {k.ToString(CultureInfo.InvariantCulture)} rows). " +
                    "Lower ClusterBalanceThreshold or raise NumberOfClusters.");
            var weights = Weights(sparsities.ToArray());
            for (int j = 0; j < chosen.Count; j++)
            {
                int count = (int)Math.Ceiling(add[c] * weights[j]);
                plans[c].Add((chosen[j], count));
                finalCounts[c] += count;
            }
        }

        var (features, labels, sources, first) = AppendLayout(set, finalCounts);
        for (int c = 0; c < plans.Length; c++)
        {
            int next = first[c];
            foreach (var (rows, count) in plans[c])
            {
                var (neighbors, _) = NearestNeighbors.Search(set.Features, d, rows, rows, k, _options.MaxDegreeOfParallelism);
                Interpolation.FromPairs(set, rows, neighbors, k, count, 1.0, rng, features, sources, next);
                next += count;
            }
        }
        return set.WithRows(features, labels, sources);
    }

    /// <summary>imbalanced-learn's <c>_find_cluster_sparsity</c>: <c>mean_dist^e / m</c> over the <c>m</c> rows
    /// <paramref name="rows"/>, the mean over the <c>m^2 - m</c> ordered pairs of distinct rows, in double precision;
    /// <paramref name="exponent"/> <see langword="null"/> for <c>0.16 log_1.6(m)^1.8</c>.</summary>
    internal static double ClusterSparsity(float[] features, int d, int[] rows, double? exponent, int maxDegreeOfParallelism = -1)
    {
        int m = rows.Length;
        var rowSums = new double[m];
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
        {
            var a = features.AsSpan(rows[i] * d, d);
            double s = 0;
            for (int j = i + 1; j < m; j++)
            {
                var b = features.AsSpan(rows[j] * d, d);
                double sq = 0;
                for (int f = 0; f < d; f++)
                {
                    double diff = (double)a[f] - b[f];
                    sq += diff * diff;
                }
                s += Math.Sqrt(sq);
            }
            rowSums[i] = s;
        });
        double sum = 0;
        foreach (double s in rowSums)
            sum += s;
        double mean = 2 * sum / ((double)m * m - m);
        double e = exponent ?? Math.Pow(Math.Log(m) / Math.Log(1.6), 1.8) * 0.16;
        return Math.Pow(mean, e) / m;
    }

    /// <summary>Sparsities normalised to sum to 1 (equal weights when they are all 0).</summary>
    internal static double[] Weights(double[] sparsities)
    {
        double total = sparsities.Sum();
        return total > 0 ? sparsities.Select(s => s / total).ToArray() : sparsities.Select(_ => 1.0 / sparsities.Length).ToArray();
    }
}
