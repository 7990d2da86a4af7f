using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>
/// The label and feature columns of a data view, copied into dense arrays: the working form of every
/// component that needs random access to rows (samplers, neighbour search, class statistics).
/// </summary>
/// <remarks>
/// <para>Read one with <see cref="Read"/>: one cursor pass, getters and a reused <see cref="VBuffer{T}"/>,
/// no allocation per row. Features are stored row-major in one array (<see cref="FeatureCount"/> floats per row),
/// labels as 0-based class indices (see <see cref="LabelEncoding"/>).</para>
/// <para>Turn one back into a data view with <see cref="ToDataView"/>; derive a resampled set with
/// <see cref="WithRows"/>. The input data view is never modified.</para>
/// </remarks>
public sealed class LabeledFeatures
{
    private LabeledFeatures(string labelColumnName, string featureColumnName, LabelEncoding label,
        DataViewType featureType, DataViewSchema.Annotations featureAnnotations, int featureCount,
        float[] features, int[] labels, int[]? sourceRows, int sourceRowCount)
    {
        LabelColumnName = labelColumnName;
        FeatureColumnName = featureColumnName;
        Label = label;
        FeatureColumnType = featureType;
        FeatureAnnotations = featureAnnotations;
        FeatureCount = featureCount;
        Features = features;
        Labels = labels;
        SourceRows = sourceRows;
        SourceRowCount = sourceRowCount;
        ClassCounts = CountClasses(labels, label.ClassCount);
    }

    /// <summary>The name of the label column these rows were read from.</summary>
    public string LabelColumnName { get; }

    /// <summary>The name of the feature column these rows were read from.</summary>
    public string FeatureColumnName { get; }

    /// <summary>How class indices map back to the original label values and type.</summary>
    public LabelEncoding Label { get; }

    /// <summary>The feature column's type: a known-size vector of <see cref="float"/>, or a single <see cref="float"/>.</summary>
    public DataViewType FeatureColumnType { get; }

    /// <summary>The feature column's annotations (slot names, normalisation flag), kept on the way back.</summary>
    public DataViewSchema.Annotations FeatureAnnotations { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount => Labels.Length;

    /// <summary>The number of features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount => Label.ClassCount;

    /// <summary>All features, row-major: row <c>i</c> is <c>Features[i * FeatureCount .. (i + 1) * FeatureCount]</c>.</summary>
    public float[] Features { get; }

    /// <summary>The class index (0-based) of each row.</summary>
    public int[] Labels { get; }

    /// <summary>The number of rows of each class.</summary>
    public int[] ClassCounts { get; }

    /// <summary>
    /// For a derived set (<see cref="WithRows"/>): the row of the source data view each row comes from, or -1 for a
    /// synthetic row. <see langword="null"/> when the rows are the source's rows, in order.
    /// </summary>
    public int[]? SourceRows { get; }

    /// <summary>The number of rows of the data view these rows were first read from.</summary>
    public int SourceRowCount { get; }

    /// <summary>The features of one row.</summary>
    public ReadOnlySpan<float> GetRow(int row) => Features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>
    /// Reads the label and feature columns of <paramref name="data"/> into arrays.
    /// </summary>
    /// <param name="data">The data to read. It is read once and not modified.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/> or a single <see cref="float"/>.</param>
    /// <param name="allowNonFiniteFeatures">When <see langword="false"/> (the default), a NaN or infinite feature
    /// throws, naming the row and slot; most components cannot work with them.</param>
    /// <exception cref="ArgumentException">A column is missing, or has an unsupported type.</exception>
    /// <exception cref="InvalidOperationException">The data is empty, a label is missing, or a feature is not finite.</exception>
    public static LabeledFeatures Read(IDataView data, string labelColumnName = "Label", string featureColumnName = "Features",
        bool allowNonFiniteFeatures = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labelColumn = SchemaValidation.GetColumn(data.Schema, labelColumnName, "label", nameof(labelColumnName));
        var featureColumn = SchemaValidation.GetColumn(data.Schema, featureColumnName, "feature", nameof(featureColumnName));
        int featureCount = GetFeatureCount(featureColumn);
        var labelReader = LabelReader.Create(labelColumn);

        long? knownRows = data.GetRowCount();
        int capacity = knownRows is long n ? checked((int)n) : 1024;
        var features = new float[checked(capacity * featureCount)];
        var labels = new int[capacity];
        int rows = 0;

        using (var cursor = data.GetRowCursor([labelColumn, featureColumn]))
        {
            labelReader.Bind(cursor);
            var read = MakeFeatureReader(cursor, featureColumn, featureCount);
            while (cursor.MoveNext())
            {
                if (rows == labels.Length)
                {
                    int grown = checked(Math.Max(16, labels.Length * 2));
                    Array.Resize(ref labels, grown);
                    Array.Resize(ref features, checked(grown * featureCount));
                }
                var row = features.AsSpan(rows * featureCount, featureCount);
                read(row);
                if (!allowNonFiniteFeatures && !AllFinite(row))
                    throw NonFinite(featureColumnName, rows, row);
                labels[rows] = labelReader.ReadCurrent(rows);
                rows++;
            }
        }
        if (rows == 0)
            throw new InvalidOperationException($"The data has no rows: nothing to read from columns '{labelColumnName}' and '{featureColumnName}'.");
        if (rows != labels.Length)
        {
            Array.Resize(ref labels, rows);
            Array.Resize(ref features, rows * featureCount);
        }
        var encoding = labelReader.Finish(labels);
        return new LabeledFeatures(labelColumn.Name, featureColumn.Name, encoding, featureColumn.Type,
            featureColumn.Annotations, featureCount, features, labels, null, rows);
    }

    /// <summary>
    /// A set with other rows and the same schema: the result of resampling these rows.
    /// </summary>
    /// <param name="features">Row-major features, <see cref="FeatureCount"/> per row.</param>
    /// <param name="labels">The class index of each row.</param>
    /// <param name="sourceRows">For each row, the source row it copies (for pass-through columns), or -1 for a synthetic row;
    /// <see langword="null"/> when the rows are the source rows in order.</param>
    public LabeledFeatures WithRows(float[] features, int[] labels, int[]? sourceRows)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Length != (long)labels.Length * FeatureCount)
            throw new ArgumentException($"Expected {labels.Length} x {FeatureCount} = {(long)labels.Length * FeatureCount} features, got {features.Length}.", nameof(features));
        foreach (int c in labels)
        {
            if ((uint)c >= (uint)ClassCount)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Class index {c} is outside 0..{ClassCount - 1}.");
        }
        if (sourceRows is null)
        {
            if (labels.Length != SourceRowCount)
                throw new ArgumentException($"Without source rows the set must have the source's {SourceRowCount} rows, not {labels.Length}.", nameof(sourceRows));
        }
        else
        {
            if (sourceRows.Length != labels.Length)
                throw new ArgumentException($"Expected one source row per row ({labels.Length}), got {sourceRows.Length}.", nameof(sourceRows));
            foreach (int s in sourceRows)
            {
                if (s < -1 || s >= SourceRowCount)
                    throw new ArgumentOutOfRangeException(nameof(sourceRows), $"Source row {s} is outside -1..{SourceRowCount - 1}.");
            }
        }
        return new LabeledFeatures(LabelColumnName, FeatureColumnName, Label, FeatureColumnType, FeatureAnnotations,
            FeatureCount, features, labels, sourceRows, SourceRowCount);
    }

    /// <summary>
    /// Builds a data view of these rows: the label column with its original type and annotations (a key keeps its
    /// cardinality and class names), the feature column with its type and slot names.
    /// </summary>
    /// <param name="passThroughSource">When given (it must be the data view these rows were read from), the result has
    /// all of its columns in its order, and every other column is carried through from <see cref="SourceRows"/>;
    /// a synthetic row (source -1) gets the column type's missing value: NaN for floating point, 0 (missing) for a key,
    /// empty text, and the default value (0, <see langword="false"/>, an all-zero vector) for types without one.
    /// When <see langword="null"/>, the result has just the label and feature columns.</param>
    public IDataView ToDataView(IDataView? passThroughSource = null) =>
        ArrayDataView.Create(this, passThroughSource);

    internal static int[] CountClasses(ReadOnlySpan<int> labels, int classCount)
    {
        var counts = new int[classCount];
        foreach (int c in labels)
            counts[c]++;
        return counts;
    }

    private static int GetFeatureCount(DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case NumberDataViewType t when t == NumberDataViewType.Single:
                return 1;
            case VectorDataViewType { ItemType: var item, Size: > 0 } v when item == NumberDataViewType.Single:
                return v.Size;
            case VectorDataViewType { ItemType: var item } when item == NumberDataViewType.Single:
                throw new ArgumentOutOfRangeException(nameof(column),
                    $"The feature column '{column.Name}' is a vector of unknown size; a known size is required (for example, concatenate the features with mlContext.Transforms.Concatenate).");
            default:
                throw new ArgumentOutOfRangeException(nameof(column),
                    $"The feature column '{column.Name}' has type {column.Type}; expected a vector of Single (convert with mlContext.Transforms.Conversion.ConvertType and combine with mlContext.Transforms.Concatenate).");
        }
    }

    private delegate void FeatureReader(Span<float> row);

    private static FeatureReader MakeFeatureReader(DataViewRowCursor cursor, DataViewSchema.Column column, int featureCount)
    {
        if (column.Type is not VectorDataViewType)
        {
            var getScalar = cursor.GetGetter<float>(column);
            float value = 0;
            return row => { getScalar(ref value); row[0] = value; };
        }
        var getVector = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return row =>
        {
            getVector(ref buffer);
            var values = buffer.GetValues();
            if (buffer.IsDense)
            {
                values.CopyTo(row);
                return;
            }
            row.Clear();
            var indices = buffer.GetIndices();
            for (int i = 0; i < indices.Length; i++)
                row[indices[i]] = values[i];
        };
    }

    /// <summary>True when no value is NaN or infinite: x - x is 0 exactly for finite x, NaN otherwise.</summary>
    internal static bool AllFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var floats = MemoryMarshal.Cast<float, Vector<float>>(values);
            var acc = Vector<float>.Zero;
            foreach (var v in floats)
                acc += v - v;
            if (!Vector.EqualsAll(acc, Vector<float>.Zero))
                return false;
            i = floats.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return false;
        }
        return true;
    }

    private static InvalidOperationException NonFinite(string column, int row, ReadOnlySpan<float> values)
    {
        int slot = 0;
        while (slot < values.Length && float.IsFinite(values[slot]))
            slot++;
        return new InvalidOperationException(
            $"The feature column '{column}' has the non-finite value {values[slot]} at row {row}, slot {slot}. " +
            "Replace missing values first (for example with mlContext.Transforms.ReplaceMissingValues) or filter the row out.");
    }
}
