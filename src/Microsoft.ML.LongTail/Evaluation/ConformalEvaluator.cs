using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Reads prediction set / interval columns in one cursor pass.</summary>
internal static class ConformalEvaluator
{
    public static ConformalClassificationMetrics EvaluateSets(IDataView data, double alpha, string labelColumnName, string predictionSetColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(alpha > 0 && alpha < 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"Alpha must lie strictly between 0 and 1; got {alpha}.");
        var label = SchemaValidation.GetColumn(data.Schema, labelColumnName, "label", nameof(labelColumnName));
        if (label.Type is not KeyDataViewType { Count: > 0 and <= int.MaxValue } key)
            throw new ArgumentException($"The label column '{label.Name}' has type {label.Type}; a key type is required.", nameof(labelColumnName));
        int k = (int)key.Count;
        var set = SchemaValidation.GetColumn(data.Schema, predictionSetColumnName, "prediction set", nameof(predictionSetColumnName));
        if (set.Type is not VectorDataViewType v || (v.ItemType != NumberDataViewType.Single && v.ItemType != BooleanDataViewType.Instance) || (v.Size != 0 && v.Size != k))
            throw new ArgumentException(
                $"The prediction set column '{set.Name}' has type {set.Type}; a vector of {k} Single (1 = in the set) or Boolean is required.",
                nameof(predictionSetColumnName));
        bool boolean = v.ItemType == BooleanDataViewType.Instance;
        var acc = new ConformalClassificationMetrics.Accumulator(k, alpha);
        using var cursor = data.GetRowCursor([label, set]);
        var readLabel = EvaluationSchema.KeyReader(cursor, label);
        var floatGetter = boolean ? null : cursor.GetGetter<VBuffer<float>>(set);
        var boolGetter = boolean ? cursor.GetGetter<VBuffer<bool>>(set) : null;
        VBuffer<float> floats = default;
        VBuffer<bool> bools = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            ulong raw = readLabel();
            if (raw == 0 || raw > (ulong)k)
                throw new InvalidOperationException($"The label column '{label.Name}' has a missing key value at row {row}.");
            int y = (int)raw - 1;
            int size = 0;
            bool covered = false;
            if (boolean)
            {
                boolGetter!(ref bools);
                CheckLength(bools.Length, k, set.Name, row);
                foreach (var (i, b) in bools.Items())
                    if (b) { size++; covered |= i == y; }
            }
            else
            {
                floatGetter!(ref floats);
                CheckLength(floats.Length, k, set.Name, row);
                foreach (var (i, f) in floats.Items())
                    if (f > 0.5f) { size++; covered |= i == y; }
            }
            acc.Add(y, size, covered);
            row++;
        }
        return acc.Build();
    }

    private static void CheckLength(int length, int k, string column, long row)
    {
        if (length != k)
            throw new InvalidOperationException($"The prediction set column '{column}' has {length} slots at row {row}, but the label has {k} classes.");
    }

    public static ConformalRegressionMetrics EvaluateIntervals(IDataView data, string labelColumnName, string intervalColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var label = SchemaValidation.GetColumn(data.Schema, labelColumnName, "label", nameof(labelColumnName));
        if (label.Type != NumberDataViewType.Single)
            throw new ArgumentException($"The label column '{label.Name}' has type {label.Type}; Single is required.", nameof(labelColumnName));
        var interval = SchemaValidation.GetColumn(data.Schema, intervalColumnName, "interval", nameof(intervalColumnName));
        if (interval.Type is not VectorDataViewType { ItemType: var item } v || item != NumberDataViewType.Single || (v.Size != 0 && v.Size != 2))
            throw new ArgumentException($"The interval column '{interval.Name}' has type {interval.Type}; a vector of 2 Single [lower, upper] is required.", nameof(intervalColumnName));
        var widths = new List<double>();
        long covered = 0;
        using var cursor = data.GetRowCursor([label, interval]);
        var getLabel = cursor.GetGetter<float>(label);
        var getInterval = cursor.GetGetter<VBuffer<float>>(interval);
        float y = 0;
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getLabel(ref y);
            getInterval(ref buffer);
            var values = buffer.DenseValues().ToArray();
            if (values.Length != 2)
                throw new InvalidOperationException($"The interval column '{interval.Name}' has {values.Length} slots at row {widths.Count}; 2 are required.");
            if (float.IsNaN(y))
                throw new InvalidOperationException($"The label column '{label.Name}' is NaN at row {widths.Count}.");
            if (y >= values[0] && y <= values[1]) covered++;
            widths.Add((double)values[1] - values[0]);
        }
        if (widths.Count == 0)
            throw new InvalidOperationException("There are no rows to evaluate.");
        var sorted = widths.ToArray();
        Array.Sort(sorted);
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new ConformalRegressionMetrics(widths.Count, (double)covered / widths.Count, widths.Average(), median);
    }
}
