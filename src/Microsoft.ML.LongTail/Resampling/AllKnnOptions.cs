namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="AllKnn"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>, cleans every class
/// but the minority (re-evaluated at each pass, as imbalanced-learn).</summary>
public sealed class AllKnnOptions : SamplerOptions
{
    /// <summary>The largest neighbourhood: passes use 1, 2, ... this many neighbours (imbalanced-learn's <c>n_neighbors</c>). Default 3.</summary>
    public int NumberOfNeighbors { get; set; } = 3;

    /// <summary>When a row disagrees with its neighbours (imbalanced-learn's <c>kind_sel</c>). Default <see cref="NeighbourSelection.All"/>.</summary>
    public NeighbourSelection KindSelection { get; set; } = NeighbourSelection.All;

    /// <summary>When <see langword="false"/> (the default, imbalanced-learn's <c>allow_minority</c>), stop once a class other than
    /// the original minority falls below the minority's original count; when <see langword="true"/>, go on.</summary>
    public bool AllowMinority { get; set; }

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
