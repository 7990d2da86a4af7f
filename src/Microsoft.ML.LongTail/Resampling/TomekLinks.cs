using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Removes Tomek links (Tomek, 1976), as imbalanced-learn's <c>TomekLinks</c>: two rows of different classes that are
/// each other's nearest neighbour form a link, and the row of a link that belongs to a selected class is removed.
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>): the strategy selects the classes that may lose rows
/// (by default every class but the minority); how many go depends on the data. Output: the kept rows in input order,
/// as imbalanced-learn.</para>
/// <para>Neighbours are exact Euclidean among all rows. imbalanced-learn asks for two neighbours and drops the first as
/// the row itself; here a row is excluded from its own neighbours by index. Both agree on data without duplicate rows;
/// with duplicates, a row's duplicate can be its nearest neighbour here.</para>
/// </remarks>
public sealed class TomekLinks : Sampler
{
    private readonly TomekLinksOptions _options;

    /// <summary>Creates the sampler.</summary>
    public TomekLinks(TomekLinksOptions options) : base(options) => _options = options;

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var selected = SelectedClasses(set);
        var links = FindLinks(set, selected, _options.MaxDegreeOfParallelism);
        var keep = new List<int>(set.RowCount);
        for (int i = 0; i < set.RowCount; i++)
        {
            if (!links[i])
                keep.Add(i);
        }
        return KeepRows(set, keep);
    }

    /// <summary>Whether each row of a selected class is in a Tomek link (imbalanced-learn's <c>is_tomek</c>).</summary>
    internal static bool[] FindLinks(LabeledFeatures set, bool[] selected, int maxDegreeOfParallelism)
    {
        var all = Enumerable.Range(0, set.RowCount).ToArray();
        var (nearest, _) = NearestNeighbors.Search(set.Features, set.FeatureCount, all, all, 1, maxDegreeOfParallelism);
        var labels = set.Labels;
        var links = new bool[set.RowCount];
        for (int i = 0; i < links.Length; i++)
        {
            int n = nearest[i];
            links[i] = selected[labels[i]] && labels[n] != labels[i] && nearest[n] == i;
        }
        return links;
    }
}
