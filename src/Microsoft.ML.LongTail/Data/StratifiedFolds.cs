using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>Assigns rows to folds so every class is spread as evenly as possible over the folds.</summary>
internal static class StratifiedFolds
{
    /// <summary>Returns the 0-based fold of each row.</summary>
    /// <param name="groups">Class (group) index of each row.</param>
    /// <param name="numberOfFolds">Number of folds.</param>
    /// <param name="seed">Seed for the within-class shuffle.</param>
    public static int[] Assign(int[] groups, int numberOfFolds, int seed)
    {
        var random = new Random(seed);
        var folds = new int[groups.Length];
        int offset = 0;
        foreach (var members in Enumerable.Range(0, groups.Length).GroupBy(i => groups[i]).OrderBy(g => g.Key))
        {
            int[] rows = members.ToArray();
            random.Shuffle(rows);
            // Round-robin within the class gives each fold floor or ceil of n_c / k rows of it; carrying the offset over
            // classes keeps the total fold sizes within one row of each other too.
            for (int i = 0; i < rows.Length; i++)
                folds[rows[i]] = (offset + i) % numberOfFolds;
            offset = (offset + rows.Length) % numberOfFolds;
        }
        return folds;
    }

    /// <summary>Reads a label column into dense group indices (missing values form their own group).</summary>
    /// <remarks>Small private reader for key, bool, integer, floating-point and text labels; a shared label reader will replace it.</remarks>
    public static int[] ReadGroups(IDataView data, string labelColumnName)
    {
        var column = SchemaValidation.GetColumn(data.Schema, labelColumnName, "label", nameof(labelColumnName));
        DataViewType type = column.Type;
        return type.RawType switch
        {
            _ when type is KeyDataViewType && type.RawType == typeof(uint) => Read<uint>(data, column),
            _ when type is KeyDataViewType && type.RawType == typeof(ulong) => Read<ulong>(data, column),
            _ when type is KeyDataViewType && type.RawType == typeof(ushort) => Read<ushort>(data, column),
            _ when type is KeyDataViewType && type.RawType == typeof(byte) => Read<byte>(data, column),
            var t when t == typeof(bool) => Read<bool>(data, column),
            var t when t == typeof(int) => Read<int>(data, column),
            var t when t == typeof(uint) => Read<uint>(data, column),
            var t when t == typeof(long) => Read<long>(data, column),
            var t when t == typeof(float) => Read<float>(data, column),
            var t when t == typeof(double) => Read<double>(data, column),
            var t when t == typeof(ReadOnlyMemory<char>) => ReadText(data, column),
            _ => throw new ArgumentOutOfRangeException(nameof(labelColumnName),
                $"Column '{labelColumnName}' has type {type}; expected a key, Boolean, integer, floating-point or text scalar."),
        };
    }

    private static int[] Read<T>(IDataView data, DataViewSchema.Column column) where T : notnull
    {
        var ids = new Dictionary<T, int>();
        var result = new List<int>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            // NaN != NaN, but Dictionary uses Equals, for which NaN equals NaN: missing floats form one group.
            if (!ids.TryGetValue(value, out int id))
                ids[value] = id = ids.Count;
            result.Add(id);
        }
        return result.ToArray();
    }

    private static int[] ReadText(IDataView data, DataViewSchema.Column column)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<int>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            string text = value.ToString();
            if (!ids.TryGetValue(text, out int id))
                ids[text] = id = ids.Count;
            result.Add(id);
        }
        return result.ToArray();
    }
}
