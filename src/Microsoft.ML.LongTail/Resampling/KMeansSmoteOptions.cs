namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="KMeansSmote"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>, over-samples
/// every class but the majority up to the majority's size (up to a few rows more, see <see cref="KMeansSmote"/>).</summary>
public sealed class KMeansSmoteOptions : SamplerOptions
{
    /// <summary>The number of nearest neighbours, within the class and the cluster, a synthetic row may be interpolated
    /// towards (imbalanced-learn's <c>k_neighbors</c>). Default 2; a cluster needs more rows of the class than this to be
    /// used.</summary>
    public int NumberOfNeighbors { get; set; } = 2;

    /// <summary>The number of k-means clusters of all rows (imbalanced-learn's default estimator,
    /// <c>MiniBatchKMeans()</c>, has 8). Default 8.</summary>
    public int NumberOfClusters { get; set; } = 8;

    /// <summary>The share of a cluster's rows the class must reach for the cluster to be over-sampled (imbalanced-learn's
    /// <c>cluster_balance_threshold</c>). Default <see langword="null"/>, imbalanced-learn's <c>"auto"</c>: half the class's
    /// share of all the rows to add, <c>n_add(class) / sum(n_add) / 2</c>. Ignored with one cluster, which always qualifies.</summary>
    public double? ClusterBalanceThreshold { get; set; }

    /// <summary>The exponent of the mean distance in a cluster's sparsity (imbalanced-learn's <c>density_exponent</c>).
    /// Default <see langword="null"/>, imbalanced-learn's <c>"auto"</c>: <c>0.16 log_1.6(m)^1.8</c> for a cluster with
    /// <c>m</c> rows of the class.</summary>
    public double? DensityExponent { get; set; }

    /// <summary>The most Lloyd iterations of the k-means. Default 300.</summary>
    public int MaxIterations { get; set; } = 300;

    /// <summary>Threads for k-means, the distances and the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
