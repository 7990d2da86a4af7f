namespace Microsoft.ML.LongTail.Resampling;

/// <summary>How <see cref="ClusterCentroids"/> turns the k-means centres of a class into its rows (imbalanced-learn's
/// <c>voting</c>).</summary>
public enum ClusterCentroidsVoting
{
    /// <summary>imbalanced-learn's <c>"auto"</c>: <see cref="Soft"/>, since the features here are always dense.</summary>
    Auto,
    /// <summary>The centres themselves, as synthetic rows.</summary>
    Soft,
    /// <summary>The real row of the class nearest to each centre (a row can be nearest to two centres and is then kept twice).</summary>
    Hard,
}

/// <summary>Options of <see cref="ClusterCentroids"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>,
/// under-samples every class but the minority down to the minority's size.</summary>
public sealed class ClusterCentroidsOptions : SamplerOptions
{
    /// <summary>Centres as synthetic rows (<see cref="ClusterCentroidsVoting.Soft"/>, what <see cref="ClusterCentroidsVoting.Auto"/>,
    /// the default, means) or the nearest real rows (<see cref="ClusterCentroidsVoting.Hard"/>).</summary>
    public ClusterCentroidsVoting Voting { get; set; } = ClusterCentroidsVoting.Auto;

    /// <summary>The most Lloyd iterations of each k-means. Default 300 (scikit-learn's <c>max_iter</c>).</summary>
    public int MaxIterations { get; set; } = 300;

    /// <summary>Threads for k-means and the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
