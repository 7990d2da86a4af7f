namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="SmoteTomek"/>: SMOTE's (the strategy is SMOTE's; the Tomek-link cleaning always uses
/// <see cref="SamplingStrategy.All"/>, as imbalanced-learn's default).</summary>
public sealed class SmoteTomekOptions : SamplerOptions
{
    /// <summary>SMOTE's nearest neighbours within the class (imbalanced-learn's SMOTE <c>k_neighbors</c>). Default 5.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>Threads for the neighbour searches; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
