namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="Smote"/>.</summary>
public sealed class SmoteOptions : SamplerOptions
{
    /// <summary>The number of nearest neighbours (within the class) a synthetic row may be interpolated towards. Default 5;
    /// every over-sampled class needs more rows than this.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
