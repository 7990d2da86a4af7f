namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="RepeatedEditedNearestNeighbours"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>,
/// cleans every class but the minority (re-evaluated at each pass, as imbalanced-learn).</summary>
public sealed class RepeatedEditedNearestNeighboursOptions : SamplerOptions
{
    /// <summary>The size of the neighbourhood, among all remaining rows (imbalanced-learn's <c>n_neighbors</c>). Default 3.</summary>
    public int NumberOfNeighbors { get; set; } = 3;

    /// <summary>The most passes of edited nearest neighbours (imbalanced-learn's <c>max_iter</c>). Default 100.</summary>
    public int MaxIterations { get; set; } = 100;

    /// <summary>When a row disagrees with its neighbours (imbalanced-learn's <c>kind_sel</c>). Default <see cref="NeighbourSelection.All"/>.</summary>
    public NeighbourSelection KindSelection { get; set; } = NeighbourSelection.All;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
