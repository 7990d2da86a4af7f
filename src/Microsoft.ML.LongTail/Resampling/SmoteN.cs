using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// SMOTE-N (Chawla et al., 2002), SMOTE for categorical features only, as imbalanced-learn's <c>SMOTEN</c>: every slot of
/// the feature vector holds a category code. Each synthetic row starts from a random row of the class and takes, slot by
/// slot, the most frequent category among that row and its <see cref="SmoteNOptions.NumberOfNeighbors"/> nearest
/// neighbours within the class, a tie going to the smallest code.
/// </summary>
/// <remarks>
/// <para>The distance is imbalanced-learn's <c>ValueDifferenceMetric</c> with its defaults (<c>k = 1</c>, <c>r = 2</c>),
/// fitted on all rows: for slot <c>f</c> and category <c>v</c>, <c>P(c | v)</c> is the share of the rows with <c>v</c> in
/// slot <c>f</c> that are of class <c>c</c>, and the distance between rows <c>a</c> and <c>b</c> is
/// <c>sum_f (sum_c |P(c | a_f) - P(c | b_f)|)^2</c>.</para>
/// <para>Output: the input rows in order, then the synthetic rows class by class in class order. A row's neighbours are
/// the row itself and its <c>k</c> nearest other rows (imbalanced-learn searches <c>k + 1</c> neighbours among rows that
/// include the row); neighbours at equal distance go to the lower row index.</para>
/// </remarks>
public sealed class SmoteN : Sampler
{
    private readonly SmoteNOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1.</exception>
    public SmoteN(SmoteNOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(SmoteNOptions options)
    {
        if (options.NumberOfNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfNeighbors, "SMOTE-N needs at least one neighbour.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        var f = set.Features;
        for (int i = 0; i < f.Length; i++)
        {
            if (!float.IsFinite(f[i]))
                throw new InvalidOperationException(
                    $"Slot {i % set.FeatureCount} of row {i / set.FeatureCount} is {f[i].ToString(CultureInfo.InvariantCulture)}: category codes must be finite.");
        }
        RequireNeighborsInGrownClasses(set, targetCounts, _options.NumberOfNeighbors, "SMOTE-N");
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var distance = ValueDifferenceMetric.Fit(set);
        var byClass = RowsByClass(set);
        var (features, labels, sources, first) = AppendLayout(set, targetCounts);
        int d = set.FeatureCount, k = _options.NumberOfNeighbors;
        for (int c = 0; c < byClass.Length; c++)
        {
            int add = targetCounts[c] - set.ClassCounts[c];
            if (add == 0)
                continue;
            var rows = byClass[c];
            // As imbalanced-learn: one draw of a row per synthetic row; only the rows drawn are searched.
            var drawnRows = new int[add];
            for (int i = 0; i < add; i++)
                drawnRows[i] = rng.Next(rows.Length);
            var slot = new int[rows.Length];
            foreach (int p in drawnRows)
                slot[p] = 1;
            int drawn = 0;
            for (int p = 0; p < slot.Length; p++)
                slot[p] = slot[p] == 0 ? -1 : drawn++;
            var queries = new int[drawn];
            for (int p = 0; p < slot.Length; p++)
            {
                if (slot[p] >= 0)
                    queries[slot[p]] = rows[p];
            }
            var (neighbors, _) = MetricNearestNeighbors.Search(distance, queries, rows, k, _options.MaxDegreeOfParallelism);

            int firstRow = first[c];
            Parallel.For(0, (add + 1023) / 1024, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism }, chunk =>
            {
                var values = new float[k + 1];
                for (int i = chunk * 1024, end = Math.Min(add, i + 1024); i < end; i++)
                {
                    int p = drawnRows[i], row = rows[p];
                    var dest = features.AsSpan((firstRow + i) * d, d);
                    for (int j = 0; j < d; j++)
                    {
                        values[0] = set.Features[row * d + j];
                        for (int t = 0; t < k; t++)
                            values[t + 1] = set.Features[neighbors[slot[p] * k + t] * d + j];
                        dest[j] = Categories.ModeLowest(values);
                    }
                    sources[firstRow + i] = -1;
                }
            });
        }
        return set.WithRows(features, labels, sources);
    }

    /// <summary>imbalanced-learn's <c>ValueDifferenceMetric</c> (<c>k = 1</c>, <c>r = 2</c>) fitted on a set: each row's
    /// category index per slot, and per slot and category the class shares <c>P(c | v)</c>.</summary>
    internal readonly struct ValueDifferenceMetric : IRowDistance
    {
        private readonly int[] _codes;
        private readonly double[][] _shares;
        private readonly int _featureCount;
        private readonly int _classCount;

        private ValueDifferenceMetric(int[] codes, double[][] shares, int featureCount, int classCount)
        {
            _codes = codes;
            _shares = shares;
            _featureCount = featureCount;
            _classCount = classCount;
        }

        public static ValueDifferenceMetric Fit(LabeledFeatures set)
        {
            int n = set.RowCount, d = set.FeatureCount, classes = set.ClassCount;
            var codes = new int[n * d];
            var shares = new double[d][];
            var index = new Dictionary<float, int>();
            for (int j = 0; j < d; j++)
            {
                index.Clear();
                for (int i = 0; i < n; i++)
                {
                    float v = set.Features[i * d + j] + 0f; // -0 and 0 are one category
                    if (!index.TryGetValue(v, out int code))
                        index.Add(v, code = index.Count);
                    codes[i * d + j] = code;
                }
                var counts = new double[index.Count * classes];
                var totals = new double[index.Count];
                for (int i = 0; i < n; i++)
                {
                    int code = codes[i * d + j];
                    counts[code * classes + set.Labels[i]]++;
                    totals[code]++;
                }
                for (int v = 0; v < totals.Length; v++)
                {
                    for (int c = 0; c < classes; c++)
                        counts[v * classes + c] /= totals[v];
                }
                shares[j] = counts;
            }
            return new ValueDifferenceMetric(codes, shares, d, classes);
        }

        public double Distance(int a, int b)
        {
            int d = _featureCount, classes = _classCount;
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                int va = _codes[a * d + j], vb = _codes[b * d + j];
                if (va == vb)
                    continue;
                var shares = _shares[j];
                double l1 = 0;
                for (int c = 0; c < classes; c++)
                    l1 += Math.Abs(shares[va * classes + c] - shares[vb * classes + c]);
                sum += l1 * l1;
            }
            return sum;
        }
    }
}
