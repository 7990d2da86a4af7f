using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>A scored multiclass view read into arrays: the score vectors (row-major) and, optionally, the key label.</summary>
internal sealed class MulticlassScores
{
    private MulticlassScores(float[] scores, int[]? labels, int classCount, int rowCount, DataViewSchema.Column? labelColumn)
    {
        Scores = scores;
        Labels = labels;
        ClassCount = classCount;
        RowCount = rowCount;
        LabelColumn = labelColumn;
    }

    public float[] Scores { get; }
    public int[]? Labels { get; }
    public int ClassCount { get; }
    public int RowCount { get; }
    public DataViewSchema.Column? LabelColumn { get; }

    public ReadOnlySpan<float> Row(int row) => Scores.AsSpan(row * ClassCount, ClassCount);

    /// <summary>Class counts of the labels.</summary>
    public long[] CountClasses()
    {
        var counts = new long[ClassCount];
        foreach (int c in Labels!)
            counts[c]++;
        return counts;
    }

    /// <summary>Log-probabilities up to a per-row constant: <c>log(max(p, 1e-30))</c> or the raw scores.</summary>
    public double[] LogScores(MulticlassScoreKind kind)
    {
        var result = new double[Scores.Length];
        for (int i = 0; i < Scores.Length; i++)
            result[i] = kind == MulticlassScoreKind.Probabilities ? Math.Log(Math.Max(Scores[i], 1e-30)) : Scores[i];
        return result;
    }

    /// <summary>Probabilities: the scores, or the softmax of raw scores.</summary>
    public float[] Probabilities(MulticlassScoreKind kind)
    {
        if (kind == MulticlassScoreKind.Probabilities)
            return Scores;
        var result = new float[Scores.Length];
        int k = ClassCount;
        for (int r = 0; r < RowCount; r++)
        {
            var row = Row(r);
            float max = float.NegativeInfinity;
            foreach (float s in row)
                max = Math.Max(max, s);
            double sum = 0;
            for (int c = 0; c < k; c++)
                sum += Math.Exp(row[c] - max);
            for (int c = 0; c < k; c++)
                result[r * k + c] = (float)(Math.Exp(row[c] - max) / sum);
        }
        return result;
    }

    /// <summary>The key label column's class count, or throws naming the column.</summary>
    public static int KeyClassCount(DataViewSchema.Column label, string optionName)
    {
        if (label.Type is not KeyDataViewType key)
            throw new ArgumentException($"The label column '{label.Name}' has type {label.Type}, but a key type is required " +
                $"(the label the trainer was trained on; use mlContext.Transforms.Conversion.MapValueToKey(\"{label.Name}\")).", optionName);
        if (key.Count > 65536)
            throw new ArgumentException($"The label column '{label.Name}' has {key.Count} classes; at most 65536 are supported.", optionName);
        return (int)key.Count;
    }

    /// <summary>Reads the score vectors and, when <paramref name="labelColumnName"/> is given, the key labels.</summary>
    /// <param name="data">Scored data.</param>
    /// <param name="what">What the data is, for messages (e.g. "validation data").</param>
    /// <param name="scoreColumnName">The score column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="labelColumnName">A key label column, or <see langword="null"/>.</param>
    /// <param name="classCount">The expected number of classes, or <see langword="null"/> to take the label's (or score's).</param>
    /// <param name="kind">The score kind; probabilities outside [0, 1] are rejected.</param>
    public static MulticlassScores Read(IDataView data, string what, string scoreColumnName, string? labelColumnName, int? classCount,
        MulticlassScoreKind kind)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var scoreColumn = schema.GetColumnOrNull(scoreColumnName)
            ?? throw new ArgumentException($"The {what} has no score column '{scoreColumnName}' (it must be scored by the model, e.g. model.Transform(data)). " +
                $"Available columns: {SchemaValidation.DescribeColumns(schema)}.", "ScoreColumnName");
        if (scoreColumn.Type is not VectorDataViewType scoreType || scoreType.ItemType != NumberDataViewType.Single || !scoreType.IsKnownSize)
            throw new ArgumentException($"The score column '{scoreColumnName}' of the {what} has type {scoreColumn.Type}, but a known-size vector of Single " +
                "(one slot per class, as a multiclass trainer's Score) is required.", "ScoreColumnName");
        int k = scoreType.Size;

        DataViewSchema.Column? labelColumn = null;
        if (labelColumnName is not null)
        {
            labelColumn = SchemaValidation.GetColumn(schema, labelColumnName, "label", "LabelColumnName");
            int labelClasses = KeyClassCount(labelColumn.Value, "LabelColumnName");
            if (labelClasses != k)
                throw new ArgumentException($"The score column '{scoreColumnName}' of the {what} has {k} slots but the label column '{labelColumnName}' has " +
                    $"{labelClasses} classes; slot i must score the class with key i + 1.", "ScoreColumnName");
        }
        if (classCount is int expected && expected != k)
            throw new ArgumentException($"The score column '{scoreColumnName}' of the {what} has {k} slots, but {expected} classes were expected.", "ScoreColumnName");

        var scores = new List<float>();
        var labels = labelColumn is null ? null : new List<int>();
        var active = labelColumn is null ? new[] { scoreColumn } : new[] { scoreColumn, labelColumn.Value };
        using (var cursor = data.GetRowCursor(active))
        {
            var getScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            ValueGetter<uint>? getLabel = labelColumn is null ? null : KeyGetter(cursor, labelColumn.Value);
            VBuffer<float> buffer = default;
            uint raw = 0;
            int row = 0;
            var dense = new float[k];
            while (cursor.MoveNext())
            {
                getScore(ref buffer);
                if (buffer.Length != k)
                    throw new InvalidOperationException($"The score column '{scoreColumnName}' of the {what} has {buffer.Length} slots at row {row}, not {k}.");
                buffer.CopyTo(dense);
                for (int c = 0; c < k; c++)
                {
                    float s = dense[c];
                    if (!float.IsFinite(s))
                        throw new InvalidOperationException($"The score column '{scoreColumnName}' of the {what} has {s.ToString(CultureInfo.InvariantCulture)} in slot {c} at row {row}.");
                    if (kind == MulticlassScoreKind.Probabilities && (s < 0f || s > 1.001f))
                        throw new ArgumentException($"The score column '{scoreColumnName}' of the {what} has {s.ToString("R", CultureInfo.InvariantCulture)} in slot {c} at row {row}, " +
                            "which is not a probability; set ScoreKind = MulticlassScoreKind.RawScores for raw scores.", "ScoreKind");
                    scores.Add(s);
                }
                if (getLabel is not null)
                {
                    getLabel(ref raw);
                    if (raw == 0 || raw > k)
                        throw new InvalidOperationException($"The label column '{labelColumnName}' of the {what} has a missing key value at row {row}.");
                    labels!.Add((int)raw - 1);
                }
                row++;
            }
            if (row == 0)
                throw new InvalidOperationException($"The {what} has no rows.");
            return new MulticlassScores(scores.ToArray(), labels?.ToArray(), k, row, labelColumn);
        }
    }

    private static ValueGetter<uint> KeyGetter(DataViewRow cursor, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint))
            return cursor.GetGetter<uint>(column);
        if (raw == typeof(ushort))
        {
            var g = cursor.GetGetter<ushort>(column);
            ushort v = 0;
            return (ref uint dst) => { g(ref v); dst = v; };
        }
        if (raw == typeof(byte))
        {
            var g = cursor.GetGetter<byte>(column);
            byte v = 0;
            return (ref uint dst) => { g(ref v); dst = v; };
        }
        var g64 = cursor.GetGetter<ulong>(column);
        ulong v64 = 0;
        return (ref uint dst) => { g64(ref v64); dst = v64 > uint.MaxValue ? uint.MaxValue : (uint)v64; };
    }
}
