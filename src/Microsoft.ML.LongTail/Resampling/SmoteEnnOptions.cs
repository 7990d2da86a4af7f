namespace Microsoft.ML.LongTail.Resampling;

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
