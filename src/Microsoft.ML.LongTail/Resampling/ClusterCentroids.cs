using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Cluster centroids, as imbalanced-learn's <c>ClusterCentroids</c>: under-samples each selected class by replacing its
/// rows with the centres of a k-means clustering of them into as many clusters as the class's target.
/// </summary>
/// <remarks>
/// <para>With <see cref="ClusterCentroidsVoting.Soft"/> (the default, imbalanced-learn's <c>"auto"</c> on dense data)
/// the centres are new, synthetic rows (source row -1: missing values in the other columns); with
/// <see cref="ClusterCentroidsVoting.Hard"/> each centre is replaced by the nearest real row of the class (exact
/// Euclidean, ties to the earlier row), which can repeat a row.</para>
/// <para>Output, as imbalanced-learn's: rows grouped by class in class order; an unselected class keeps its rows in
/// input order, a selected class (even one whose target is its size) has one row per cluster in cluster order.</para>
/// <para>Differences from imbalanced-learn, whose default estimator is scikit-learn's <c>KMeans</c> (10 k-means++
/// initialisations with several candidates per centre, <c>tol = 1e-4</c>): the k-means here (see the remarks of the
/// internal engine) seeds once with plain k-means++ and iterates until no row changes cluster, at most
/// <see cref="ClusterCentroidsOptions.MaxIterations"/> times. Centres therefore differ from imbalanced-learn's for the
/// same data, as they do between scikit-learn seeds.</para>
/// </remarks>
public sealed class ClusterCentroids : Sampler
{
    private readonly ClusterCentroidsOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The voting is unknown or the maximum of iterations is less than 1.</exception>
    public ClusterCentroids(ClusterCentroidsOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(ClusterCentroidsOptions options)
    {
        if (!Enum.IsDefined(options.Voting))
            throw new ArgumentOutOfRangeException(nameof(ClusterCentroidsOptions.Voting), options.Voting, "ClusterCentroids Voting must be Auto, Soft or Hard.");
        if (options.MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(ClusterCentroidsOptions.MaxIterations), options.MaxIterations,
                "ClusterCentroids MaxIterations must be at least 1.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.UnderSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        var selected = Options.Strategy.GetUnderSamplingSelection(set.ClassCounts, set.Label.ClassNames, targetCounts);
        for (int c = 0; c < selected.Length; c++)
        {
            if (selected[c] && targetCounts[c] < 1)
                throw new InvalidOperationException(
                    $"ClusterCentroids needs at least one cluster per under-sampled class, but the strategy asks for {targetCounts[c].ToString(CultureInfo.InvariantCulture)} " +
                    $"rows of class '{set.Label.GetClassName(c)}'.");
        }
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var selected = Options.Strategy.GetUnderSamplingSelection(set.ClassCounts, set.Label.ClassNames, targetCounts);
        var byClass = RowsByClass(set);
        bool hard = _options.Voting == ClusterCentroidsVoting.Hard;
        int d = set.FeatureCount, total = 0;
        for (int c = 0; c < byClass.Length; c++)
            total += selected[c] ? targetCounts[c] : byClass[c].Length;
        var features = GC.AllocateUninitializedArray<float>(checked(total * d));
        var labels = new int[total];
        var sources = new int[total];
        int next = 0;
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            if (!selected[c])
            {
                foreach (int row in rows)
                    EmitRow(row);
                continue;
            }
            int k = targetCounts[c];
            var fit = KMeans.Fit(set.Features, d, rows, k, rng, _options.MaxIterations, _options.MaxDegreeOfParallelism);
            if (hard)
            {
                foreach (int row in NearestRows(set, rows, fit.Centroids, k))
                    EmitRow(row);
                continue;
            }
            fit.Centroids.AsSpan().CopyTo(features.AsSpan(next * d, k * d));
            labels.AsSpan(next, k).Fill(c);
            sources.AsSpan(next, k).Fill(-1);
            next += k;
        }
        return set.WithRows(features, labels, sources);

        void EmitRow(int row)
        {
            set.GetRow(row).CopyTo(features.AsSpan(next * d, d));
            labels[next] = set.Labels[row];
            sources[next] = SourceRowOf(set, row);
            next++;
        }
    }

    /// <summary>For each centre, the nearest of <paramref name="rows"/> (imbalanced-learn's hard voting).</summary>
    private int[] NearestRows(LabeledFeatures set, int[] rows, float[] centroids, int k)
    {
        int d = set.FeatureCount, m = rows.Length;
        var buffer = new float[checked((m + k) * d)];
        for (int i = 0; i < m; i++)
            set.GetRow(rows[i]).CopyTo(buffer.AsSpan(i * d, d));
        centroids.AsSpan().CopyTo(buffer.AsSpan(m * d));
        var (nearest, _) = NearestNeighbors.Search(buffer, d, Enumerable.Range(m, k).ToArray(), Enumerable.Range(0, m).ToArray(), 1,
            _options.MaxDegreeOfParallelism);
        return nearest.Select(i => rows[i]).ToArray();
    }
}
