using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Column look-ups and reading helpers shared by the imbalanced evaluators.</summary>
internal static class EvaluationSchema
{
    /// <summary>ML.NET's annotation kind holding a key column's values (AnnotationUtils.Kinds.KeyValues is internal).</summary>
    private const string KeyValuesKind = "KeyValues";

    /// <summary>Finds a visible column or throws, listing the columns the view does have.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string? name, string role, string parameterName)
    {
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException($"The {role} column name must not be empty.", parameterName);
        var column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentException(
                $"The scored data has no {role} column '{name}'. Available columns: {DescribeColumns(schema)}.",
                parameterName);
        return column.Value;
    }

    public static string DescribeColumns(DataViewSchema schema)
    {
        var sb = new StringBuilder();
        foreach (var column in schema)
        {
            if (column.IsHidden)
                continue;
            if (sb.Length > 0)
                sb.Append(", ");
            sb.Append('\'').Append(column.Name).Append("' (").Append(column.Type).Append(')');
        }
        return sb.Length == 0 ? "(none)" : sb.ToString();
    }

    /// <summary>Returns a reader of the raw key value whatever the key's storage type.</summary>
    public static Func<ulong> KeyReader(DataViewRow row, DataViewSchema.Column column)
    {
        // One closure per column, created before the loop: the per-row call does not allocate.
        var raw = column.Type.RawType;
        if (raw == typeof(uint))
        {
            var getter = row.GetGetter<uint>(column);
            uint value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        if (raw == typeof(ulong))
        {
            var getter = row.GetGetter<ulong>(column);
            ulong value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        if (raw == typeof(ushort))
        {
            var getter = row.GetGetter<ushort>(column);
            ushort value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        if (raw == typeof(byte))
        {
            var getter = row.GetGetter<byte>(column);
            byte value = 0;
            return [MethodImpl(MethodImplOptions.AggressiveOptimization)] () => { getter(ref value); return value; };
        }
        throw new ArgumentException($"Column '{column.Name}' has key storage type {raw.Name}, which is not supported.");
    }

    /// <summary>Class names from the key-value annotations, else the zero-based class index.</summary>
    public static string[] ClassNames(DataViewSchema.Column label, int classCount)
    {
        var names = new string[classCount];
        for (int i = 0; i < classCount; i++)
            names[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var keyValuesType = label.Annotations.Schema.GetColumnOrNull(KeyValuesKind)?.Type as VectorDataViewType;
        if (keyValuesType is null)
            return names;
        var item = keyValuesType.ItemType;
        if (item is TextDataViewType)
            Fill<ReadOnlyMemory<char>>(label, names);
        else if (item.RawType == typeof(float))
            Fill<float>(label, names);
        else if (item.RawType == typeof(double))
            Fill<double>(label, names);
        else if (item.RawType == typeof(int))
            Fill<int>(label, names);
        else if (item.RawType == typeof(uint))
            Fill<uint>(label, names);
        else if (item.RawType == typeof(long))
            Fill<long>(label, names);
        else if (item.RawType == typeof(bool))
            Fill<bool>(label, names);
        return names;
    }

    private static void Fill<T>(DataViewSchema.Column label, string[] names)
    {
        VBuffer<T> values = default;
        label.Annotations.GetValue(KeyValuesKind, ref values);
        int i = 0;
        foreach (var value in values.DenseValues())
        {
            if (i >= names.Length)
                break;
            string? name = value is IFormattable f
                ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)
                : value?.ToString();
            if (name is not null)
                names[i] = name;
            i++;
        }
    }
}
