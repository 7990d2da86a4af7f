namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="Adasyn"/>.</summary>
public sealed class AdasynOptions : SamplerOptions
{
    /// <summary>The number of nearest neighbours (imbalanced-learn's <c>n_neighbors</c>), used twice: among all rows, to
    /// weigh each row by the share of other-class rows around it; within the class, as the rows a synthetic row may be
    /// interpolated towards. Default 5; every over-sampled class needs more rows than this.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>Threads for the neighbour searches; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
