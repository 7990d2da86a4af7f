using System.Globalization;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>Column look-ups that fail with a message a user can act on, and class names from key annotations.</summary>
internal static class SchemaValidation
{
    /// <summary>ML.NET's annotation kind holding a key column's values (AnnotationUtils.Kinds.KeyValues is internal).</summary>
    private const string KeyValuesKind = "KeyValues";

    /// <summary>Finds a column by name or throws, listing the columns the view does have.</summary>
    public static DataViewSchema.Column GetColumn(DataViewSchema schema, string? columnName, string role, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrEmpty(columnName))
            throw new ArgumentException($"The {role} column name must not be empty.", parameterName);
        var column = schema.GetColumnOrNull(columnName);
        if (column is null)
            throw new ArgumentException(
                $"The data has no {role} column '{columnName}'. Available columns: {DescribeColumns(schema)}.", parameterName);
        return column.Value;
    }

    /// <summary>The visible columns with their types, for error messages.</summary>
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

    /// <summary>Class names from a key column's key-value annotations, else the zero-based class index.</summary>
    public static string[] ClassNames(DataViewSchema.Column label, int classCount)
    {
        var names = new string[classCount];
        for (int i = 0; i < classCount; i++)
            names[i] = i.ToString(CultureInfo.InvariantCulture);
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
            string? name = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString();
            if (name is not null)
                names[i] = name;
            i++;
        }
    }
}
