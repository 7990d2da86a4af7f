namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Options of <see cref="ConformalClassifier"/>.</summary>
public sealed class ConformalClassifierOptions : ConformalSetOptions
{
    /// <summary>What the guarantee is conditional on. Default <see cref="ConformalConditioning.Marginal"/>.</summary>
    public ConformalConditioning Conditioning { get; set; } = ConformalConditioning.Marginal;

    /// <summary>Mondrian only: a key column whose values are the groups (one threshold per group instead of per class).
    /// Default <see langword="null"/>: per class. The column is read at prediction time too; a row whose group is missing or
    /// was not seen at calibration gets the full set.</summary>
    public string? GroupColumnName { get; set; }

    /// <summary>What a class (group) with fewer than <see cref="MinimumClassCount"/> calibration rows gets. Default
    /// <see langword="null"/>: <see cref="ConformalFallback.FullSet"/> for Mondrian, <see cref="ConformalFallback.PooledQuantile"/>
    /// for clustered (the null cluster's classes pooled; the paper's marginal quantile, <see cref="ConformalFallback.MarginalQuantile"/>,
    /// under-covers them on long-tailed data).</summary>
    public ConformalFallback? Fallback { get; set; }

    /// <summary>Mondrian and clustered: the fewest calibration rows a class (group) needs for its own (or its cluster's)
    /// threshold. Default <see langword="null"/>: <see cref="ConformalQuantile.MinimumCalibrationSize"/>(alpha), the least
    /// count whose quantile is finite. For clustered it applies to the class's clustering rows.</summary>
    public int? MinimumClassCount { get; set; }

    /// <summary>Clustered only: the number of clusters. Default <see langword="null"/>: Ding et al.'s heuristic,
    /// <c>floor(n_clustering / 2)</c>, at least 1 and at most the number of clustered classes.</summary>
    public int? NumberOfClusters { get; set; }

    /// <summary>Clustered only: the fraction of each class's calibration rows used to embed and cluster the classes (the rest
    /// computes the cluster thresholds, keeping the guarantee exact). Default <see langword="null"/>: Ding et al.'s heuristic
    /// <c>K' / (75 + K')</c> with K' the number of classes with enough rows.</summary>
    public double? ClusteringFraction { get; set; }

    /// <summary>Clustered only: the quantile levels of a class's scores that embed it. Default 0.5, 0.6, 0.7, 0.8, 0.9 (the paper's).</summary>
    public IReadOnlyList<double> EmbeddingQuantiles { get; set; } = [0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>Clustered only: the seed of the clustering split and of k-means. Default <see langword="null"/>, which means 0.</summary>
    public int? Seed { get; set; }
}
