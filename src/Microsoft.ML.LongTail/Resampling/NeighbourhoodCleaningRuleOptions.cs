namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="NeighbourhoodCleaningRule"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>,
/// cleans every class but the minority.</summary>
public sealed class NeighbourhoodCleaningRuleOptions : SamplerOptions
{
    /// <summary>The size of the neighbourhood, among all rows, of both the edited-nearest-neighbours step and the
    /// minority rows' neighbourhoods (imbalanced-learn's <c>n_neighbors</c>). Default 3.</summary>
    public int NumberOfNeighbors { get; set; } = 3;

    /// <summary>When a minority row's neighbourhood counts as misclassifying it, so that its neighbours of the large
    /// selected classes are removed (imbalanced-learn's <c>kind_sel</c>): <see cref="NeighbourSelection.All"/> unless
    /// all neighbours are of the minority class, <see cref="NeighbourSelection.Mode"/> unless the most common class is the
    /// minority. The edited-nearest-neighbours step always uses <see cref="NeighbourSelection.Mode"/>, as
    /// imbalanced-learn. Default <see cref="NeighbourSelection.All"/>.</summary>
    public NeighbourSelection KindSelection { get; set; } = NeighbourSelection.All;

    /// <summary>Only selected classes with more than this fraction of all rows lose the neighbours of misclassified
    /// minority rows (imbalanced-learn's <c>threshold_cleaning</c>); strictly between 0 and 1. Default 0.5.</summary>
    public double ThresholdCleaning { get; set; } = 0.5;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
