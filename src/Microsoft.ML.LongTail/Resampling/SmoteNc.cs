using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// SMOTE-NC (Chawla et al., 2002), SMOTE for numeric and categorical features together, as imbalanced-learn's
/// <c>SMOTENC</c>. The categorical slots of the feature vector (<see cref="SmoteNcOptions.CategoricalSlots"/>) hold
/// category codes. Each synthetic row starts from a random row <c>x</c> of the class and one of its
/// <see cref="SmoteNcOptions.NumberOfNeighbors"/> nearest neighbours <c>n</c> within the class: its numeric slots are
/// <c>x + u (n - x)</c> with <c>u ~ U[0, 1)</c>, and each categorical slot takes the most frequent category among the
/// <c>k</c> neighbours of <c>x</c>, a tie going to one of the tied categories at random.
/// </summary>
/// <remarks>
/// <para>The distance is imbalanced-learn's: the Euclidean distance on the numeric slots and on the categorical slots
/// one-hot encoded with <c>m / 2</c> in place of 1, where <c>m</c> is the median, over the numeric slots, of their
/// standard deviation (population, ddof 0) within the minority class (the class with the fewest rows, the first to appear
/// among equals). So each categorical slot that differs adds <c>m^2 / 2</c> to the squared distance, the same for every
/// class resampled. When <c>m</c> is 0, categories do not count in the distance.</para>
/// <para>Output: the input rows in order, then the synthetic rows class by class in class order. A row is never its own
/// neighbour, but a duplicate of it can be; neighbours at equal distance go to the lower row index.</para>
/// </remarks>
public sealed class SmoteNc : Sampler
{
    private readonly SmoteNcOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1.</exception>
    /// <exception cref="ArgumentException">No categorical slot is given.</exception>
    public SmoteNc(SmoteNcOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(SmoteNcOptions options)
    {
        if (options.NumberOfNeighbors < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfNeighbors, "SMOTE-NC needs at least one neighbour.");
        if ((options.CategoricalSlots?.Count ?? 0) + (options.CategoricalSlotNames?.Count ?? 0) == 0)
            throw new ArgumentException(
                "SMOTE-NC needs at least one categorical slot in CategoricalSlots or CategoricalSlotNames (with numeric features only, use SMOTE).",
                nameof(options));
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        var categorical = ResolveCategoricalSlots(set);
        CheckCategoricalValues(set, categorical);
        RequireNeighborsInGrownClasses(set, targetCounts, _options.NumberOfNeighbors, "SMOTE-NC");
    }

    /// <summary>The categorical slots, sorted: the union of <see cref="SmoteNcOptions.CategoricalSlots"/> and the slots
    /// named in <see cref="SmoteNcOptions.CategoricalSlotNames"/>, checked against the feature column.</summary>
    internal int[] ResolveCategoricalSlots(LabeledFeatures set)
    {
        int d = set.FeatureCount;
        var slots = new SortedSet<int>();
        if (_options.CategoricalSlots is { } indices)
        {
            foreach (int slot in indices)
            {
                if (slot < 0 || slot >= d)
                    throw new ArgumentException(
                        $"CategoricalSlots contains slot {slot}, but the feature column '{set.FeatureColumnName}' has {d} slot{(d == 1 ? "" : "s")} (0 to {d - 1}).");
                if (!slots.Add(slot))
                    throw new ArgumentException($"CategoricalSlots lists slot {slot} more than once.");
            }
        }
        if (_options.CategoricalSlotNames is { Count: > 0 } names)
        {
            var slotNames = SlotNames(set);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                if (!seen.Add(name))
                    throw new ArgumentException($"CategoricalSlotNames lists slot '{name}' more than once.");
                int slot = Array.IndexOf(slotNames, name);
                if (slot < 0)
                    throw new ArgumentException(
                        $"CategoricalSlotNames names slot '{name}', which the feature column '{set.FeatureColumnName}' does not have. Its slots: " +
                        string.Join(", ", slotNames.Select(s => $"'{s}'")) + ".");
                slots.Add(slot);
            }
        }
        if (slots.Count == d)
            throw new ArgumentException(
                $"SMOTE-NC needs at least one numeric slot, but all {d} slots of the feature column '{set.FeatureColumnName}' are categorical: use SMOTE-N (SmoteN).");
        return [.. slots];
    }

    private static string[] SlotNames(LabeledFeatures set)
    {
        var column = set.FeatureAnnotations.Schema.GetColumnOrNull("SlotNames");
        if (column is not { Type: VectorDataViewType { ItemType: TextDataViewType } type } || type.Size != set.FeatureCount)
            throw new ArgumentException(
                $"CategoricalSlotNames needs slot names on the feature column '{set.FeatureColumnName}', which has none: use CategoricalSlots (slot indices).");
        VBuffer<ReadOnlyMemory<char>> names = default;
        set.FeatureAnnotations.GetValue("SlotNames", ref names);
        var result = new string[set.FeatureCount];
        int i = 0;
        foreach (var name in names.DenseValues())
            result[i++] = name.ToString();
        return result;
    }

    private static void CheckCategoricalValues(LabeledFeatures set, int[] categorical)
    {
        int d = set.FeatureCount;
        var f = set.Features;
        for (int i = 0; i < set.RowCount; i++)
        {
            foreach (int j in categorical)
            {
                if (!float.IsFinite(f[i * d + j]))
                    throw new InvalidOperationException(
                        $"Categorical slot {j} of row {i} is {f[i * d + j].ToString(CultureInfo.InvariantCulture)}: category codes must be finite.");
            }
        }
    }

    /// <summary>imbalanced-learn's <c>median_std_</c>: the median over the numeric slots of their population standard
    /// deviation within the minority class (fewest rows; among equals, the first to appear).</summary>
    internal static double MedianStandardDeviation(LabeledFeatures set, int[] numeric)
    {
        int minority = -1;
        for (int i = 0; i < set.RowCount; i++)
        {
            int c = set.Labels[i];
            if (minority < 0 || set.ClassCounts[c] < set.ClassCounts[minority])
                minority = c;
        }
        int d = set.FeatureCount, n = set.ClassCounts[minority];
        var std = new double[numeric.Length];
        for (int s = 0; s < numeric.Length; s++)
        {
            int j = numeric[s];
            double mean = 0;
            for (int i = 0; i < set.RowCount; i++)
            {
                if (set.Labels[i] == minority)
                    mean += set.Features[i * d + j];
            }
            mean /= n;
            double sum = 0;
            for (int i = 0; i < set.RowCount; i++)
            {
                if (set.Labels[i] == minority)
                {
                    double e = set.Features[i * d + j] - mean;
                    sum += e * e;
                }
            }
            std[s] = Math.Sqrt(sum / n);
        }
        Array.Sort(std);
        int m = std.Length / 2;
        return std.Length % 2 == 1 ? std[m] : (std[m - 1] + std[m]) / 2;
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var categorical = ResolveCategoricalSlots(set);
        var numeric = Enumerable.Range(0, set.FeatureCount).Except(categorical).ToArray();
        double median = MedianStandardDeviation(set, numeric);
        var distance = new SmoteNcDistance(set.Features, set.FeatureCount, numeric, categorical, median * median / 2);

        var byClass = RowsByClass(set);
        var (features, labels, sources, first) = AppendLayout(set, targetCounts);
        int d = set.FeatureCount, k = _options.NumberOfNeighbors;
        for (int c = 0; c < byClass.Length; c++)
        {
            int add = targetCounts[c] - set.ClassCounts[c];
            if (add == 0)
                continue;
            var rows = byClass[c];
            var (pairs, steps, slot, queries) = Interpolation.DrawPairs(rows, k, add, rng);
            var (neighbors, _) = MetricNearestNeighbors.Search(distance, queries, rows, k, _options.MaxDegreeOfParallelism);

            int firstRow = first[c];
            var values = new float[k];
            for (int i = 0; i < add; i++)
            {
                int p = pairs[i] / k;
                var dest = features.AsSpan((firstRow + i) * d, d);
                Interpolation.Write(set.GetRow(rows[p]), set.GetRow(neighbors[slot[p] * k + pairs[i] % k]), steps[i], dest);
                sources[firstRow + i] = -1;
                // Each categorical slot: the most frequent category among the k neighbours of the base row.
                foreach (int j in categorical)
                {
                    for (int t = 0; t < k; t++)
                        values[t] = set.Features[neighbors[slot[p] * k + t] * d + j];
                    dest[j] = Categories.Mode(values, rng);
                }
            }
        }
        return set.WithRows(features, labels, sources);
    }

    /// <summary>The squared SMOTE-NC distance: squared Euclidean on the numeric slots, plus <c>penalty</c> per categorical
    /// slot that differs.</summary>
    internal readonly struct SmoteNcDistance(float[] features, int featureCount, int[] numeric, int[] categorical, double penalty) : IRowDistance
    {
        public double Distance(int a, int b)
        {
            int ia = a * featureCount, ib = b * featureCount;
            double sum = 0;
            foreach (int j in numeric)
            {
                double e = (double)features[ia + j] - features[ib + j];
                sum += e * e;
            }
            int differ = 0;
            foreach (int j in categorical)
            {
                if (features[ia + j] != features[ib + j])
                    differ++;
            }
            return sum + differ * penalty;
        }
    }
}
