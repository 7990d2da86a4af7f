using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Edited nearest neighbours (Wilson, 1972), as imbalanced-learn's <c>EditedNearestNeighbours</c>: a row of a selected
/// class is removed when its <see cref="EditedNearestNeighboursOptions.NumberOfNeighbors"/> nearest rows (among all
/// rows, any class) disagree with it (<see cref="EditedNearestNeighboursOptions.KindSelection"/>).
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>): the strategy selects the classes that may lose rows
/// (by default every class but the minority). Output, as imbalanced-learn's <c>sample_indices_</c>: rows grouped by
/// class in class order, each class's kept rows in input order.</para>
/// <para>imbalanced-learn asks for k + 1 neighbours and drops the first as the row itself; here a row is excluded from
/// its own neighbours by index. Both agree on data without duplicate rows.</para>
/// </remarks>
public sealed class EditedNearestNeighbours : Sampler
{
    private readonly EditedNearestNeighboursOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1, or the selection rule is unknown.</exception>
    public EditedNearestNeighbours(EditedNearestNeighboursOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(EditedNearestNeighboursOptions options)
    {
        CheckNeighbors(options.NumberOfNeighbors, nameof(EditedNearestNeighboursOptions.NumberOfNeighbors));
        CheckSelection(options.KindSelection);
    }

    internal static void CheckNeighbors(int k, string option)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(option, k, $"{option} must be at least 1.");
    }

    internal static void CheckSelection(NeighbourSelection selection)
    {
        if (selection is not (NeighbourSelection.All or NeighbourSelection.Mode))
            throw new ArgumentOutOfRangeException(nameof(EditedNearestNeighboursOptions.KindSelection), selection, "KindSelection must be All or Mode.");
    }

    /// <summary>Throws when a neighbourhood of <paramref name="k"/> rows (the row itself excluded) cannot be found among the rows of <paramref name="set"/>.</summary>
    internal static void CheckRows(LabeledFeatures set, int k, string option, string sampler)
    {
        if (k > set.RowCount - 1)
            throw new InvalidOperationException(
                $"{sampler} with {option} = {k.ToString(CultureInfo.InvariantCulture)} needs more than {k.ToString(CultureInfo.InvariantCulture)} rows " +
                $"(the neighbours are taken among all rows), but {(set.SourceRows is null ? "the data" : "the remaining data")} has {set.RowCount.ToString(CultureInfo.InvariantCulture)}. " +
                $"Use {option} <= {Math.Max(1, set.RowCount - 1).ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        CheckRows(set, _options.NumberOfNeighbors, nameof(EditedNearestNeighboursOptions.NumberOfNeighbors), nameof(EditedNearestNeighbours));
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng) =>
        KeepRows(set, Edit(set, SelectedClasses(set), _options.NumberOfNeighbors, _options.KindSelection, _options.MaxDegreeOfParallelism));

    /// <summary>
    /// One pass of edited nearest neighbours (imbalanced-learn's <c>EditedNearestNeighbours._fit_resample</c>): the rows
    /// kept, grouped by class in class order, in input order within a class.
    /// </summary>
    internal static int[] Edit(LabeledFeatures set, bool[] selected, int k, NeighbourSelection selection, int maxDegreeOfParallelism)
    {
        var byClass = RowsByClass(set);
        var queries = Enumerable.Range(0, byClass.Length).Where(c => selected[c]).SelectMany(c => byClass[c]).ToArray();
        var all = Enumerable.Range(0, set.RowCount).ToArray();
        int[] neighbors = queries.Length == 0 ? [] :
            NearestNeighbors.Search(set.Features, set.FeatureCount, queries, all, k, maxDegreeOfParallelism).Neighbors;
        var labels = set.Labels;
        var keep = new List<int>(set.RowCount);
        var votes = new int[set.ClassCount];
        int q = 0;
        for (int c = 0; c < byClass.Length; c++)
        {
            if (!selected[c])
            {
                keep.AddRange(byClass[c]);
                continue;
            }
            foreach (int row in byClass[c])
            {
                var hood = neighbors.AsSpan(q++ * k, k);
                bool agree;
                if (selection == NeighbourSelection.All)
                {
                    agree = true;
                    foreach (int n in hood)
                        agree &= labels[n] == c;
                }
                else
                {
                    // scipy.stats.mode: the most frequent label, a tie going to the smallest.
                    Array.Clear(votes);
                    int mode = -1;
                    foreach (int n in hood)
                        votes[labels[n]]++;
                    for (int v = 0; v < votes.Length; v++)
                    {
                        if (mode < 0 || votes[v] > votes[mode])
                            mode = v;
                    }
                    agree = mode == c;
                }
                if (agree)
                    keep.Add(row);
            }
        }
        return keep.ToArray();
    }

    /// <summary>imbalanced-learn's <c>min(Counter(y), key=...)</c>: the smallest class, a tie going to the class seen first in row order.</summary>
    internal static int FirstSeenMinority(LabeledFeatures set)
    {
        var first = new int[set.ClassCount];
        Array.Fill(first, int.MaxValue);
        for (int i = set.RowCount - 1; i >= 0; i--)
            first[set.Labels[i]] = i;
        int minority = -1;
        for (int c = 0; c < first.Length; c++)
        {
            int n = set.ClassCounts[c];
            if (n == 0)
                continue;
            if (minority < 0 || n < set.ClassCounts[minority] || (n == set.ClassCounts[minority] && first[c] < first[minority]))
                minority = c;
        }
        return minority;
    }

    /// <summary>The stop conditions shared by RENN and AllKNN: a class other than the original minority fell below the
    /// minority's original count, or a class disappeared.</summary>
    internal static (bool MinorityBecameMajority, bool ClassRemoved) StopConditions(int[] originalCounts, int originalMinority, LabeledFeatures edited)
    {
        bool below = false;
        int presentBefore = originalCounts.Count(n => n > 0), presentAfter = 0;
        for (int c = 0; c < edited.ClassCount; c++)
        {
            int n = edited.ClassCounts[c];
            if (n == 0)
                continue;
            presentAfter++;
            if (c != originalMinority && n < originalCounts[originalMinority])
                below = true;
        }
        return (below, presentAfter < presentBefore);
    }
}
