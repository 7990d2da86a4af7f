namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="CondensedNearestNeighbour"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>,
/// condenses every class but the minority.</summary>
public sealed class CondensedNearestNeighbourOptions : SamplerOptions
{
    /// <summary>The neighbours of the k-NN classifier that decides whether a row is already well classified
    /// (imbalanced-learn's <c>n_neighbors</c>, whose default <c>None</c> means 1). Default 1.</summary>
    public int NumberOfNeighbors { get; set; } = 1;

    /// <summary>How many rows of each condensed class are drawn at random to start its kept set (imbalanced-learn's
    /// <c>n_seeds_S</c>); drawn without repetition, so at most the class's row count. Default 1.</summary>
    public int NumberOfSeeds { get; set; } = 1;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
