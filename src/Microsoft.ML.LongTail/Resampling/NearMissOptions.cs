namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="NearMiss"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>, under-samples every
/// class but the minority down to the minority's size.</summary>
public sealed class NearMissOptions : SamplerOptions
{
    /// <summary>1, 2 or 3 (imbalanced-learn's <c>version</c>). Default 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Minority neighbours whose distances are summed to score a row (imbalanced-learn's <c>n_neighbors</c>). Default 3.</summary>
    public int NumberOfNeighbors { get; set; } = 3;

    /// <summary>Version 3 only: the rows of a class kept as candidates are the union of this many nearest rows of the class
    /// around each minority row (imbalanced-learn's <c>n_neighbors_ver3</c>). Default 3.</summary>
    public int NumberOfNeighborsVersion3 { get; set; } = 3;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
