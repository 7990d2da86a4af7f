using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// NearMiss (Mani and Zhang, 2003), as imbalanced-learn's <c>NearMiss</c>: under-samples each selected class by keeping
/// the rows closest to (versions 1 and 2) or farthest from (version 3) the minority class.
/// </summary>
/// <remarks>
/// <para>A row's score is the sum of its Euclidean distances to minority rows: version 1, its
/// <see cref="NearMissOptions.NumberOfNeighbors"/> nearest minority rows, lowest scores kept; version 2, its
/// <see cref="NearMissOptions.NumberOfNeighbors"/> farthest minority rows, lowest kept; version 3, its nearest minority
/// rows as version 1, highest kept, among the candidates only: the rows of the class that are among the
/// <see cref="NearMissOptions.NumberOfNeighborsVersion3"/> nearest of the class around some minority row.</para>
/// <para>Version 3 can keep fewer rows than the target when there are fewer candidates; as imbalanced-learn (which
/// warns), it then keeps all candidates, so the result can have fewer rows than the strategy asks.</para>
/// <para>As imbalanced-learn: the minority class is the smallest, a tie going to the class whose first row comes first;
/// output rows are grouped by class in class order; an unselected class keeps its rows in input order, a selected
/// class (even one whose target is its size, as the minority under <see cref="SamplingStrategy.All"/>) has its kept
/// rows in score order, ties to the earlier row. When the minority class is itself selected, a minority row's own
/// distance (0) counts among its nearest minority rows, as in imbalanced-learn, where the query rows are part of the
/// fitted rows. Scores are sums of square roots of float32 squared distances, in double precision; with exact ties or
/// near-ties within float rounding the order can differ from imbalanced-learn's float64 one.</para>
/// <para>Version 2 finds all minority rows around each row (a k-nearest search with k = the minority's size), so its
/// cost grows with the product of the class and minority sizes times the minority size.</para>
/// </remarks>
public sealed class NearMiss : Sampler
{
    private readonly NearMissOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The version is not 1, 2 or 3, or a number of neighbours is less than 1.</exception>
    public NearMiss(NearMissOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(NearMissOptions options)
    {
        if (options.Version is < 1 or > 3)
            throw new ArgumentOutOfRangeException(nameof(NearMissOptions.Version), options.Version, "NearMiss Version must be 1, 2 or 3.");
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(NearMissOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighborsVersion3, nameof(NearMissOptions.NumberOfNeighborsVersion3));
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.UnderSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        var selected = Options.Strategy.GetUnderSamplingSelection(set.ClassCounts, set.Label.ClassNames, targetCounts);
        if (!selected.Any(s => s))
            return;
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        int nMin = set.ClassCounts[minority];
        int k = _options.NumberOfNeighbors;
        if (_options.Version != 2 && k > nMin)
            throw new InvalidOperationException(
                $"NearMiss version {_options.Version} with NumberOfNeighbors = {k} needs at least {k} rows in the minority class, but class " +
                $"'{set.Label.GetClassName(minority)}' has {nMin}. Use NumberOfNeighbors <= {nMin}.");
        if (_options.Version == 3)
        {
            int k3 = _options.NumberOfNeighborsVersion3;
            for (int c = 0; c < selected.Length; c++)
            {
                if (selected[c] && k3 > set.ClassCounts[c])
                    throw new InvalidOperationException(
                        $"NearMiss version 3 with NumberOfNeighborsVersion3 = {k3} needs at least {k3} rows in each under-sampled class, but class " +
                        $"'{set.Label.GetClassName(c)}' has {set.ClassCounts[c]}. Use NumberOfNeighborsVersion3 <= {set.ClassCounts[c]}.");
            }
        }
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var selected = Options.Strategy.GetUnderSamplingSelection(set.ClassCounts, set.Label.ClassNames, targetCounts);
        var byClass = RowsByClass(set);
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        var minorityRows = byClass[minority];
        var keep = new List<int>(targetCounts.Sum());
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            if (!selected[c])
            {
                keep.AddRange(rows);
                continue;
            }
            int n = targetCounts[c];
            switch (_options.Version)
            {
                case 1:
                {
                    var scores = Scores(set, rows, minorityRows, c == minority, _options.NumberOfNeighbors, _options.NumberOfNeighbors);
                    keep.AddRange(Order(scores, ascending: true).Take(n).Select(i => rows[i]));
                    break;
                }
                case 2:
                {
                    var scores = Scores(set, rows, minorityRows, c == minority, minorityRows.Length, _options.NumberOfNeighbors);
                    keep.AddRange(Order(scores, ascending: true).Take(n).Select(i => rows[i]));
                    break;
                }
                default:
                {
                    var candidates = Candidates(set, rows, minorityRows, c == minority);
                    var scores = Scores(set, candidates, minorityRows, c == minority, _options.NumberOfNeighbors, _options.NumberOfNeighbors);
                    keep.AddRange(Order(scores, ascending: false).Take(n).Select(i => candidates[i]));
                    break;
                }
            }
        }
        return KeepRows(set, keep);
    }

    /// <summary>
    /// Each query row's sum of Euclidean distances to the last <paramref name="summed"/> of its <paramref name="k"/>
    /// nearest minority rows (imbalanced-learn: <c>kneighbors(X_class, k)</c> on the minority rows, then
    /// <c>dist[:, -n_neighbors:].sum(1)</c>). When the queries are minority rows, each is its own nearest (distance 0).
    /// </summary>
    private double[] Scores(LabeledFeatures set, int[] queries, int[] minorityRows, bool queriesAreMinority, int k, int summed)
    {
        var scores = new double[queries.Length];
        int searched = queriesAreMinority ? k - 1 : k;
        float[] distances = searched == 0 ? [] :
            NearestNeighbors.Search(set.Features, set.FeatureCount, queries, minorityRows, searched, _options.MaxDegreeOfParallelism).SquaredDistances;
        int first = Math.Max(0, k - summed);
        for (int q = 0; q < queries.Length; q++)
        {
            double sum = 0;
            for (int j = first; j < k; j++)
            {
                // Column j of imbalanced-learn's distance matrix; for minority queries column 0 is the row itself.
                int column = queriesAreMinority ? j - 1 : j;
                sum += column < 0 ? 0 : Math.Sqrt(distances[q * searched + column]);
            }
            scores[q] = sum;
        }
        return scores;
    }

    /// <summary>Version 3's candidates: the rows of the class among the k3 nearest of the class around some minority row, in input order.</summary>
    private int[] Candidates(LabeledFeatures set, int[] classRows, int[] minorityRows, bool classIsMinority)
    {
        int k3 = _options.NumberOfNeighborsVersion3;
        var chosen = new HashSet<int>();
        if (classIsMinority)
        {
            // Each minority row is its own nearest.
            chosen.UnionWith(minorityRows);
            if (k3 > 1)
                chosen.UnionWith(NearestNeighbors.Search(set.Features, set.FeatureCount, minorityRows, classRows, k3 - 1, _options.MaxDegreeOfParallelism).Neighbors);
        }
        else
        {
            chosen.UnionWith(NearestNeighbors.Search(set.Features, set.FeatureCount, minorityRows, classRows, k3, _options.MaxDegreeOfParallelism).Neighbors);
        }
        return classRows.Where(chosen.Contains).ToArray();
    }

    /// <summary>Python's stable <c>sorted(range(n), key=scores, reverse=!ascending)</c>: equal scores keep their order.</summary>
    private static int[] Order(double[] scores, bool ascending)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int byScore = ascending ? scores[a].CompareTo(scores[b]) : scores[b].CompareTo(scores[a]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        return order;
    }

    /// <inheritdoc/>
    protected override void CheckResult(LabeledFeatures set, int[] targetCounts, LabeledFeatures result)
    {
        if (_options.Version != 3)
        {
            base.CheckResult(set, targetCounts, result);
            return;
        }
        // Version 3 may keep fewer rows than asked (all its candidates), never more.
        for (int c = 0; c < targetCounts.Length; c++)
        {
            if (result.ClassCounts[c] > targetCounts[c])
                throw new InvalidOperationException(
                    $"NearMiss returned {result.ClassCounts[c].ToString(CultureInfo.InvariantCulture)} rows of class '{set.Label.GetClassName(c)}' instead of at most {targetCounts[c].ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
