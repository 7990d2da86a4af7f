using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// The neighbourhood cleaning rule (Laurikkala, 2001), as imbalanced-learn's <c>NeighbourhoodCleaningRule</c>: removes
/// the rows of the selected classes that <see cref="EditedNearestNeighbours"/> (rule <see cref="NeighbourSelection.Mode"/>)
/// removes, and, for each minority row whose <see cref="NeighbourhoodCleaningRuleOptions.NumberOfNeighbors"/> nearest
/// rows misclassify it (<see cref="NeighbourhoodCleaningRuleOptions.KindSelection"/>), those neighbours that belong to a
/// selected class holding more than <see cref="NeighbourhoodCleaningRuleOptions.ThresholdCleaning"/> of all rows.
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>), deterministic: the strategy selects the classes that
/// may lose rows (by default every class but the minority). The minority is the smallest class, a tie going to the class
/// seen first, as imbalanced-learn. Output: the kept rows in input order, as imbalanced-learn's <c>sample_indices_</c>.</para>
/// <para>Neighbours are exact Euclidean among all rows, a row excluded from its own neighbours by index
/// (imbalanced-learn drops the first neighbour as the row itself: the same on data without duplicate rows).</para>
/// <para>Difference from imbalanced-learn 0.10: with <see cref="NeighbourSelection.All"/>, imbalanced-learn tests
/// <c>np.all(nnhood_label)</c>, that is, whether no neighbour has the label value 0, where its documentation (and the
/// rule) mean "all neighbours are of the minority class"; this class implements the latter. The two agree on binary
/// 0/1 labels whose minority is 1; the tests check the other cases against imbalanced-learn's code with that test
/// corrected.</para>
/// </remarks>
public sealed class NeighbourhoodCleaningRule : Sampler
{
    private readonly NeighbourhoodCleaningRuleOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1, the selection rule is
    /// unknown, or the cleaning threshold is not strictly between 0 and 1.</exception>
    public NeighbourhoodCleaningRule(NeighbourhoodCleaningRuleOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(NeighbourhoodCleaningRuleOptions options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(NeighbourhoodCleaningRuleOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckSelection(options.KindSelection);
        double t = options.ThresholdCleaning;
        if (!(t > 0 && t < 1))
            throw new ArgumentOutOfRangeException(nameof(NeighbourhoodCleaningRuleOptions.ThresholdCleaning), t,
                $"{nameof(NeighbourhoodCleaningRuleOptions.ThresholdCleaning)} must be strictly between 0 and 1, but is {t.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        EditedNearestNeighbours.CheckRows(set, _options.NumberOfNeighbors, nameof(NeighbourhoodCleaningRuleOptions.NumberOfNeighbors), nameof(NeighbourhoodCleaningRule));
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        int k = _options.NumberOfNeighbors;
        var selected = SelectedClasses(set);
        var labels = set.Labels;

        // A1: the rows edited nearest neighbours (mode) removes.
        var removed = new bool[set.RowCount];
        Array.Fill(removed, true);
        foreach (int row in EditedNearestNeighbours.Edit(set, selected, k, NeighbourSelection.Mode, _options.MaxDegreeOfParallelism))
            removed[row] = false;

        // A2: the neighbours, of a large selected class, of the minority rows their neighbourhood misclassifies.
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        var large = new bool[set.ClassCount];
        for (int c = 0; c < large.Length; c++)
            large[c] = selected[c] && set.ClassCounts[c] > set.RowCount * _options.ThresholdCleaning;
        var queries = RowsByClass(set)[minority];
        var all = Enumerable.Range(0, set.RowCount).ToArray();
        var neighbors = NearestNeighbors.Search(set.Features, set.FeatureCount, queries, all, k, _options.MaxDegreeOfParallelism).Neighbors;
        var votes = new int[set.ClassCount];
        for (int q = 0; q < queries.Length; q++)
        {
            var hood = neighbors.AsSpan(q * k, k);
            bool agree;
            if (_options.KindSelection == NeighbourSelection.All)
            {
                agree = true;
                foreach (int n in hood)
                    agree &= labels[n] == minority;
            }
            else
            {
                // scipy.stats.mode: the most frequent label, a tie going to the smallest.
                Array.Clear(votes);
                foreach (int n in hood)
                    votes[labels[n]]++;
                int mode = 0;
                for (int v = 1; v < votes.Length; v++)
                {
                    if (votes[v] > votes[mode])
                        mode = v;
                }
                agree = mode == minority;
            }
            if (agree)
                continue;
            foreach (int n in hood)
            {
                if (large[labels[n]])
                    removed[n] = true;
            }
        }

        var keep = new List<int>(set.RowCount);
        for (int i = 0; i < removed.Length; i++)
        {
            if (!removed[i])
                keep.Add(i);
        }
        return KeepRows(set, keep);
    }
}
