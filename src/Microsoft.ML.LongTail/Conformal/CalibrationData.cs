using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Scored calibration rows copied into arrays in one cursor pass: the score vectors (row-major), the label class
/// (or a multi-hot label vector), and optionally a group key and a row weight.</summary>
internal sealed class CalibrationData
{
    public required int RowCount { get; init; }
    public required int ClassCount { get; init; }
    /// <summary>Row-major scores, <see cref="ClassCount"/> per row.</summary>
    public required float[] Scores { get; init; }
    /// <summary>The 0-based class of each row; -1 everywhere for a multi-hot label.</summary>
    public required int[] Labels { get; init; }
    /// <summary>Row-major positive flags for a multi-hot label; <see langword="null"/> for a key label.</summary>
    public bool[]? MultiHot { get; init; }
    /// <summary>The 0-based group of each row (raw key - 1; -1 for a missing key).</summary>
    public int[]? Groups { get; init; }
    public int GroupCount { get; init; }
    public float[]? Weights { get; init; }

    public ReadOnlySpan<float> Row(int i) => Scores.AsSpan(i * ClassCount, ClassCount);

    /// <summary>Reads the calibration view.</summary>
    public static CalibrationData Read(IDataView data, string scoreColumnName, string labelColumnName, bool allowMultiHot,
        string? groupColumnName, string? weightColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var scoreColumn = SchemaValidation.GetColumn(schema, scoreColumnName, "score", "ScoreColumnName");
        if (scoreColumn.Type is not VectorDataViewType { Size: > 0 } scoreType || scoreType.ItemType != NumberDataViewType.Single)
            throw new ArgumentException(
                $"The score column '{scoreColumn.Name}' has type {scoreColumn.Type}; a known-size vector of Single (one slot per class) is required.",
                "ScoreColumnName");
        int k = scoreType.Size;

        var labelColumn = SchemaValidation.GetColumn(schema, labelColumnName, "label", "LabelColumnName");
        bool multiHot = false;
        switch (labelColumn.Type)
        {
            case KeyDataViewType key when key.Count == (ulong)k:
                break;
            case KeyDataViewType key:
                throw new ArgumentException(
                    $"The label column '{labelColumn.Name}' has {key.Count} classes but the score column '{scoreColumn.Name}' has {k} slots; slot i must score raw key i + 1.",
                    "LabelColumnName");
            case VectorDataViewType v when allowMultiHot && v.Size == k && (v.ItemType == NumberDataViewType.Single || v.ItemType == BooleanDataViewType.Instance):
                multiHot = true;
                break;
            default:
                throw new ArgumentException(
                    $"The label column '{labelColumn.Name}' has type {labelColumn.Type}; a key type with {k} values is required" +
                    (allowMultiHot ? $" (or a multi-hot vector of {k} Single or Boolean)" : "") +
                    $". Convert it first with mlContext.Transforms.Conversion.MapValueToKey(\"{labelColumn.Name}\").",
                    "LabelColumnName");
        }

        var (groupColumn, groupCount) = GroupColumn(schema, groupColumnName);
        DataViewSchema.Column? weightColumn = null;
        if (weightColumnName is not null)
        {
            var column = SchemaValidation.GetColumn(schema, weightColumnName, "weight", "WeightColumnName");
            if (column.Type != NumberDataViewType.Single)
                throw new ArgumentException($"The weight column '{column.Name}' has type {column.Type}; Single is required.", "WeightColumnName");
            weightColumn = column;
        }

        long? known = data.GetRowCount();
        int capacity = known is long n0 ? checked((int)Math.Max(n0, 1)) : 1024;
        var scores = new float[checked(capacity * k)];
        var labels = new int[capacity];
        bool[]? hot = multiHot ? new bool[capacity * k] : null;
        int[]? groups = groupColumn is null ? null : new int[capacity];
        float[]? weights = weightColumn is null ? null : new float[capacity];
        int rows = 0;

        var active = new List<DataViewSchema.Column> { scoreColumn, labelColumn };
        if (groupColumn is not null) active.Add(groupColumn.Value);
        if (weightColumn is not null) active.Add(weightColumn.Value);
        using (var cursor = data.GetRowCursor(active))
        {
            var scoreGetter = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            Func<ulong>? readLabel = multiHot ? null : EvaluationSchema.KeyReader(cursor, labelColumn);
            Action<Span<bool>>? readHot = multiHot ? MultiHotReader(cursor, labelColumn, k) : null;
            Func<ulong>? readGroup = groupColumn is null ? null : EvaluationSchema.KeyReader(cursor, groupColumn.Value);
            var weightGetter = weightColumn is null ? null : cursor.GetGetter<float>(weightColumn.Value);
            VBuffer<float> buffer = default;
            float weight = 0;
            while (cursor.MoveNext())
            {
                if (rows == labels.Length)
                {
                    int grown = checked(labels.Length * 2);
                    Array.Resize(ref labels, grown);
                    Array.Resize(ref scores, checked(grown * k));
                    if (hot is not null) Array.Resize(ref hot, grown * k);
                    if (groups is not null) Array.Resize(ref groups, grown);
                    if (weights is not null) Array.Resize(ref weights, grown);
                }
                scoreGetter(ref buffer);
                var row = scores.AsSpan(rows * k, k);
                if (buffer.IsDense)
                {
                    buffer.GetValues().CopyTo(row);
                }
                else
                {
                    row.Clear();
                    var values = buffer.GetValues();
                    var indices = buffer.GetIndices();
                    for (int i = 0; i < values.Length; i++)
                        row[indices[i]] = values[i];
                }
                if (!LabeledFeatures.AllFinite(row))
                {
                    int slot = 0;
                    while (float.IsFinite(row[slot])) slot++;
                    throw new InvalidOperationException(
                        $"The score column '{scoreColumn.Name}' has the non-finite value {row[slot]} at row {rows}, slot {slot}; conformal calibration needs finite scores.");
                }
                if (readLabel is not null)
                {
                    ulong raw = readLabel();
                    if (raw == 0 || raw > (ulong)k)
                        throw new InvalidOperationException(
                            $"The label column '{labelColumn.Name}' has a missing key value at row {rows}. Filter unlabelled rows out before calibrating.");
                    labels[rows] = (int)raw - 1;
                }
                else
                {
                    labels[rows] = -1;
                    readHot!(hot.AsSpan(rows * k, k));
                }
                if (readGroup is not null)
                    groups![rows] = (int)readGroup() - 1;
                if (weightGetter is not null)
                {
                    weightGetter(ref weight);
                    if (!float.IsFinite(weight) || weight < 0)
                        throw new InvalidOperationException(
                            $"The weight column '{weightColumn!.Value.Name}' has the value {weight} at row {rows}; weights must be finite and non-negative.");
                    weights![rows] = weight;
                }
                rows++;
            }
        }
        if (rows == 0)
            throw new InvalidOperationException($"The calibration data has no rows: nothing to read from columns '{scoreColumn.Name}' and '{labelColumn.Name}'.");
        if (rows != labels.Length)
        {
            Array.Resize(ref labels, rows);
            Array.Resize(ref scores, rows * k);
            if (hot is not null) Array.Resize(ref hot, rows * k);
            if (groups is not null) Array.Resize(ref groups, rows);
            if (weights is not null) Array.Resize(ref weights, rows);
        }
        return new CalibrationData
        {
            RowCount = rows, ClassCount = k, Scores = scores, Labels = labels, MultiHot = hot,
            Groups = groups, GroupCount = groupCount, Weights = weights,
        };
    }

    /// <summary>The group key column named <paramref name="groupColumnName"/> and its key count, or (null, 0) when no group
    /// column is named; throws, naming the column, when it is missing or not a key.</summary>
    public static (DataViewSchema.Column? Column, int Count) GroupColumn(DataViewSchema schema, string? groupColumnName)
    {
        if (groupColumnName is null)
            return (null, 0);
        var column = SchemaValidation.GetColumn(schema, groupColumnName, "group", "GroupColumnName");
        if (column.Type is not KeyDataViewType { Count: > 0 and <= int.MaxValue } groupKey)
            throw new ArgumentException(
                $"The group column '{column.Name}' has type {column.Type}; a key type is required (map it with mlContext.Transforms.Conversion.MapValueToKey).",
                "GroupColumnName");
        return (column, (int)groupKey.Count);
    }

    private static Action<Span<bool>> MultiHotReader(DataViewRow cursor, DataViewSchema.Column column, int k)
    {
        if (((VectorDataViewType)column.Type).ItemType == BooleanDataViewType.Instance)
        {
            var getter = cursor.GetGetter<VBuffer<bool>>(column);
            VBuffer<bool> buffer = default;
            return target =>
            {
                getter(ref buffer);
                target.Clear();
                foreach (var (i, v) in buffer.Items())
                    target[i] = v;
            };
        }
        var floatGetter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> floats = default;
        return target =>
        {
            floatGetter(ref floats);
            target.Clear();
            foreach (var (i, v) in floats.Items())
            {
                if (float.IsNaN(v))
                    throw new InvalidOperationException($"The label column '{column.Name}' has NaN in slot {i}.");
                target[i] = v != 0;
            }
        };
    }
}
