namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="SmoteN"/>.</summary>
public sealed class SmoteNOptions : SamplerOptions
{
    /// <summary>The number of nearest neighbours (within the class, under the Value Difference Metric) whose most frequent
    /// category, with the row's own, each slot of a synthetic row takes. Default 5; every over-sampled class needs more
    /// rows than this.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
