using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// One-sided selection (Kubat and Matwin, 1997), as imbalanced-learn's <c>OneSidedSelection</c>: for each selected
/// class, <see cref="OneSidedSelectionOptions.NumberOfSeeds"/> random rows of the class are kept, with the rows of the
/// class that a k-NN classifier fitted on the minority rows and those seeds misclassifies; then the rows of the selected
/// classes that form a Tomek link in what remains are removed (<see cref="TomekLinks"/>).
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>): the strategy selects the classes cleaned (by default
/// every class but the minority), each one against the minority class only. Output, as imbalanced-learn's
/// <c>sample_indices_</c>: class by class in class order; a selected class's seeds in the order drawn, then its
/// misclassified rows in input order; another class's rows in input order; less the Tomek links.</para>
/// <para>Unlike <see cref="CondensedNearestNeighbour"/>, the classifier is fitted once per class, on the seeds. Neighbour
/// ties go to the lower row index; the classifier's vote ties to the lower class index, as scikit-learn.</para>
/// <para>Difference from imbalanced-learn 0.10: the seeds are drawn with this sampler's seeded <see cref="Random"/>,
/// without repetition (imbalanced-learn's <c>randint</c> draws with repetition, so a row can be output twice). With the
/// same seeds, the kept rows are imbalanced-learn's (the tests check this on its output).</para>
/// </remarks>
public sealed class OneSidedSelection : Sampler
{
    private readonly OneSidedSelectionOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours or of seeds is less than 1.</exception>
    public OneSidedSelection(OneSidedSelectionOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(OneSidedSelectionOptions options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(OneSidedSelectionOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfSeeds, nameof(OneSidedSelectionOptions.NumberOfSeeds));
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        CondensedNearestNeighbour.CheckSeeds(set, SelectedClasses(set), _options.NumberOfSeeds, _options.NumberOfNeighbors,
            nameof(OneSidedSelectionOptions.NumberOfSeeds), nameof(OneSidedSelectionOptions.NumberOfNeighbors), nameof(OneSidedSelection));
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var selected = SelectedClasses(set);
        var seeds = CondensedNearestNeighbour.DrawSeeds(set, selected, _options.NumberOfSeeds, rng);
        return KeepRows(set, Select(set, selected, EditedNearestNeighbours.FirstSeenMinority(set), seeds,
            _options.NumberOfNeighbors, _options.MaxDegreeOfParallelism));
    }

    /// <summary>
    /// imbalanced-learn's <c>OneSidedSelection._fit_resample</c> with the given seeds (positions within each selected
    /// class): the kept rows, in imbalanced-learn's output order.
    /// </summary>
    internal static int[] Select(LabeledFeatures set, bool[] selected, int minority, int[]?[] seeds, int k, int maxDegreeOfParallelism)
    {
        var byClass = RowsByClass(set);
        var under = new List<int>(set.RowCount);
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            if (!selected[c] || seeds[c] is not { } classSeeds)
            {
                under.AddRange(rows);
                continue;
            }
            foreach (int p in classSeeds)
                under.Add(rows[p]);
            // Against the minority alone, every prediction is the minority: nothing is misclassified.
            if (c == minority)
                continue;
            var (queries, neighbors, _) = CondensedNearestNeighbour.SearchFromSeeds(set, rows, classSeeds, byClass[minority], k, maxDegreeOfParallelism);
            for (int q = 0; q < queries.Length; q++)
            {
                if (!CondensedNearestNeighbour.IsWellClassified(set.Labels, neighbors.AsSpan(q * k, k), c, minority))
                    under.Add(queries[q]);
            }
        }
        // Tomek links among the rows kept so far, the same classes selected.
        var kept = KeepRows(set, under);
        var links = TomekLinks.FindLinks(kept, selected, maxDegreeOfParallelism);
        var result = new List<int>(under.Count);
        for (int i = 0; i < under.Count; i++)
        {
            if (!links[i])
                result.Add(under[i]);
        }
        return result.ToArray();
    }
}
