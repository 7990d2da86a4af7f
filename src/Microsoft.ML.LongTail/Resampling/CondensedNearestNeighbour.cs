using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Condensed nearest neighbour (Hart, 1968), as imbalanced-learn's <c>CondensedNearestNeighbour</c>: for each selected
/// class, a kept set starts from <see cref="CondensedNearestNeighbourOptions.NumberOfSeeds"/> random rows of the class;
/// then, in one pass over the class's rows in input order, a row that a k-NN classifier fitted on the minority rows and
/// the kept set misclassifies is added to the kept set (and the classifier refitted). Only the kept set remains.
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>): the strategy selects the classes condensed (by
/// default every class but the minority), each one against the minority class only (one-vs-minority, as
/// imbalanced-learn). Output, as imbalanced-learn's <c>sample_indices_</c>: class by class in class order; a condensed
/// class's seeds in the order drawn, then the rows added, in input order; another class's rows in input order.</para>
/// <para>What the pass guarantees: every row of a condensed class that is not kept is classified as its class by the
/// k-NN classifier on the minority rows and the kept rows (adding a row of the class can only add votes for the
/// class). Neighbour ties go to the lower row index; the classifier's vote ties to the lower class index, as
/// scikit-learn's <c>KNeighborsClassifier</c>.</para>
/// <para>Differences from imbalanced-learn 0.10: the seeds are drawn with this sampler's seeded <see cref="Random"/>,
/// without repetition (imbalanced-learn draws with <c>randint</c>, with repetition, so a row can be output twice);
/// and imbalanced-learn's shortcut list of rows already well classified mixes row indices with positions in the class,
/// so it skips some rows it should test, leaving them misclassified; here every row is tested. With the same seeds, the
/// kept rows are those of imbalanced-learn's loop with that mix-up fixed (the tests check this against scikit-learn).
/// When the strategy selects the minority class itself, only its seeds are kept, as imbalanced-learn.</para>
/// </remarks>
public sealed class CondensedNearestNeighbour : Sampler
{
    private readonly CondensedNearestNeighbourOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours or of seeds is less than 1.</exception>
    public CondensedNearestNeighbour(CondensedNearestNeighbourOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(CondensedNearestNeighbourOptions options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(CondensedNearestNeighbourOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfSeeds, nameof(CondensedNearestNeighbourOptions.NumberOfSeeds));
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        CheckSeeds(set, SelectedClasses(set), _options.NumberOfSeeds, _options.NumberOfNeighbors,
            nameof(CondensedNearestNeighbourOptions.NumberOfSeeds), nameof(CondensedNearestNeighbourOptions.NumberOfNeighbors),
            nameof(CondensedNearestNeighbour));
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var selected = SelectedClasses(set);
        var seeds = DrawSeeds(set, selected, _options.NumberOfSeeds, rng);
        return KeepRows(set, Condense(set, selected, EditedNearestNeighbours.FirstSeenMinority(set), seeds,
            _options.NumberOfNeighbors, _options.MaxDegreeOfParallelism));
    }

    /// <summary>Throws when a selected class has fewer rows than the seeds asked for, or when the classifier's training
    /// set (the minority rows and the seeds) has fewer rows than its neighbours.</summary>
    internal static void CheckSeeds(LabeledFeatures set, bool[] selected, int seeds, int k, string seedOption, string neighborOption, string sampler)
    {
        string S(int v) => v.ToString(CultureInfo.InvariantCulture);
        for (int c = 0; c < selected.Length; c++)
        {
            if (selected[c] && set.ClassCounts[c] < seeds)
                throw new InvalidOperationException(
                    $"{sampler} with {seedOption} = {S(seeds)} draws that many distinct rows of each selected class, but class " +
                    $"'{set.Label.GetClassName(c)}' has {S(set.ClassCounts[c])}. Use {seedOption} <= {S(set.ClassCounts[c])} or leave the class out of the strategy.");
        }
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        int fit = set.ClassCounts[minority] + seeds;
        if (k > fit)
            throw new InvalidOperationException(
                $"{sampler} with {neighborOption} = {S(k)} fits its classifier on the minority class '{set.Label.GetClassName(minority)}' " +
                $"({S(set.ClassCounts[minority])} rows) and the {S(seeds)} seed rows: {S(fit)} rows, fewer than the neighbours. Use {neighborOption} <= {S(fit)}.");
    }

    /// <summary>For each selected class in class order, <paramref name="count"/> distinct positions in the class (in the
    /// order drawn); <see langword="null"/> for the other classes.</summary>
    internal static int[]?[] DrawSeeds(LabeledFeatures set, bool[] selected, int count, Random rng)
    {
        var seeds = new int[]?[set.ClassCount];
        for (int c = 0; c < seeds.Length; c++)
        {
            if (!selected[c])
                continue;
            int n = set.ClassCounts[c];
            var positions = Enumerable.Range(0, n).ToArray();
            for (int i = 0; i < count; i++)
            {
                int j = rng.Next(i, n);
                (positions[i], positions[j]) = (positions[j], positions[i]);
            }
            seeds[c] = positions[..count];
        }
        return seeds;
    }

    /// <summary>
    /// The first step of CNN and one-sided selection for one class: its rows other than the seeds (positions in
    /// <paramref name="rows"/>), and their <paramref name="k"/> nearest among the minority rows and the seeds.
    /// </summary>
    internal static (int[] Queries, int[] Neighbors, float[] Distances) SearchFromSeeds(LabeledFeatures set, int[] rows,
        int[] classSeeds, int[] minorityRows, int k, int maxDegreeOfParallelism)
    {
        var isSeed = new bool[rows.Length];
        foreach (int p in classSeeds)
            isSeed[p] = true;
        var queries = Enumerable.Range(0, rows.Length).Where(p => !isSeed[p]).Select(p => rows[p]).ToArray();
        if (queries.Length == 0)
            return ([], [], []);
        var reference = minorityRows.Concat(classSeeds.Select(p => rows[p])).ToArray();
        var (neighbors, distances) = NearestNeighbors.Search(set.Features, set.FeatureCount, queries, reference, k, maxDegreeOfParallelism);
        return (queries, neighbors, distances);
    }

    /// <summary>
    /// imbalanced-learn's <c>CondensedNearestNeighbour._fit_resample</c> with the given seeds (positions within each
    /// selected class): the kept rows, in imbalanced-learn's output order.
    /// </summary>
    internal static int[] Condense(LabeledFeatures set, bool[] selected, int minority, int[]?[] seeds, int k, int maxDegreeOfParallelism)
    {
        var byClass = RowsByClass(set);
        var keep = new List<int>(set.RowCount);
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            if (!selected[c] || seeds[c] is not { } classSeeds)
            {
                keep.AddRange(rows);
                continue;
            }
            foreach (int p in classSeeds)
                keep.Add(rows[p]);
            // Against the minority alone, every prediction is the minority: only the seeds remain.
            if (c == minority)
                continue;
            var (queries, neighbors, distances) = SearchFromSeeds(set, rows, classSeeds, byClass[minority], k, maxDegreeOfParallelism);
            if (queries.Length == 0)
                continue;
            for (int q = 0; q < queries.Length; q++)
            {
                if (IsWellClassified(set.Labels, neighbors.AsSpan(q * k, k), c, minority))
                    continue;
                // Misclassified: keep it, and refit, that is, offer it as a neighbour to the rows still to be tested.
                int added = queries[q];
                keep.Add(added);
                Offer(set, queries, q + 1, added, neighbors, distances, k, maxDegreeOfParallelism);
            }
        }
        return keep.ToArray();
    }

    /// <summary>Whether the k-NN vote of <paramref name="hood"/> (rows of class <paramref name="c"/> or of the
    /// minority) gives class <paramref name="c"/>, a tie going to the lower class index.</summary>
    internal static bool IsWellClassified(int[] labels, ReadOnlySpan<int> hood, int c, int minority)
    {
        int own = 0;
        foreach (int n in hood)
        {
            if (labels[n] == c)
                own++;
        }
        int other = hood.Length - own;
        return own > other || (own == other && c < minority);
    }

    /// <summary>Inserts row <paramref name="added"/> into the sorted neighbour lists of queries
    /// <paramref name="from"/> and after, where it is nearer (ties to the lower row index, as the search).</summary>
    private static void Offer(LabeledFeatures set, int[] queries, int from, int added, int[] neighbors, float[] distances, int k, int maxDegreeOfParallelism)
    {
        int count = queries.Length - from;
        if (count <= 0)
            return;
        var features = set.Features;
        int d = set.FeatureCount;
        void One(int q)
        {
            var a = features.AsSpan(queries[q] * d, d);
            var b = features.AsSpan(added * d, d);
            float s = 0;
            for (int j = 0; j < d; j++)
            {
                float t = a[j] - b[j];
                s += t * t;
            }
            var nb = neighbors.AsSpan(q * k, k);
            var ds = distances.AsSpan(q * k, k);
            int at = k;
            while (at > 0 && (s < ds[at - 1] || (s == ds[at - 1] && added < nb[at - 1])))
                at--;
            if (at == k)
                return;
            for (int j = k - 1; j > at; j--)
            {
                nb[j] = nb[j - 1];
                ds[j] = ds[j - 1];
            }
            nb[at] = added;
            ds[at] = s;
        }
        if ((long)count * d < 1 << 16 || maxDegreeOfParallelism == 1)
        {
            for (int q = from; q < queries.Length; q++)
                One(q);
            return;
        }
        Parallel.For(from, queries.Length, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, One);
    }
}
