namespace Microsoft.ML.LongTail.Resampling;

/// <summary>How edited-nearest-neighbour rules decide that a row disagrees with its neighbourhood (imbalanced-learn's <c>kind_sel</c>).</summary>
public enum NeighbourSelection
{
    /// <summary>A row is kept only if all its neighbours have its class (imbalanced-learn's <c>"all"</c>); removes more rows.</summary>
    All,
    /// <summary>A row is kept if the most common class among its neighbours is its own (imbalanced-learn's <c>"mode"</c>);
    /// a tie goes to the lower class index, as <c>scipy.stats.mode</c> over sorted labels.</summary>
    Mode,
}

/// <summary>Options of <see cref="TomekLinks"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>, cleans every class but the minority.</summary>
public sealed class TomekLinksOptions : SamplerOptions
{
    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}

/// <summary>Options of <see cref="EditedNearestNeighbours"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>, cleans every class but the minority.</summary>
public sealed class EditedNearestNeighboursOptions : SamplerOptions
{
    /// <summary>The size of the neighbourhood, among all rows (imbalanced-learn's <c>n_neighbors</c>). Default 3.</summary>
    public int NumberOfNeighbors { get; set; } = 3;

    /// <summary>When a row disagrees with its neighbours (imbalanced-learn's <c>kind_sel</c>). Default <see cref="NeighbourSelection.All"/>.</summary>
    public NeighbourSelection KindSelection { get; set; } = NeighbourSelection.All;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}

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

/// <summary>Options of <see cref="SmoteTomek"/>: SMOTE's (the strategy is SMOTE's; the Tomek-link cleaning always uses
/// <see cref="SamplingStrategy.All"/>, as imbalanced-learn's default).</summary>
public sealed class SmoteTomekOptions : SamplerOptions
{
    /// <summary>SMOTE's nearest neighbours within the class (imbalanced-learn's SMOTE <c>k_neighbors</c>). Default 5.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>Threads for the neighbour searches; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}

/// <summary>Options of <see cref="SmoteEnn"/>: SMOTE's, then the edited-nearest-neighbour cleaning's (with
/// <see cref="SamplingStrategy.All"/>, as imbalanced-learn's default).</summary>
public sealed class SmoteEnnOptions : SamplerOptions
{
    /// <summary>SMOTE's nearest neighbours within the class (imbalanced-learn's SMOTE <c>k_neighbors</c>). Default 5.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>The cleaning's neighbourhood size (imbalanced-learn's ENN <c>n_neighbors</c>). Default 3.</summary>
    public int EnnNumberOfNeighbors { get; set; } = 3;

    /// <summary>The cleaning's rule (imbalanced-learn's ENN <c>kind_sel</c>). Default <see cref="NeighbourSelection.All"/>.</summary>
    public NeighbourSelection EnnKindSelection { get; set; } = NeighbourSelection.All;

    /// <summary>Threads for the neighbour searches; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
