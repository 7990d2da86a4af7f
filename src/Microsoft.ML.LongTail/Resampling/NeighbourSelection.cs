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
