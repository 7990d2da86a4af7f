using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>Column look-ups that fail with a message a user can act on.</summary>
internal static class SchemaValidation
{
    /// <summary>Finds a column by name or throws, listing the columns that do exist.</summary>
    public static DataViewSchema.Column GetColumn(DataViewSchema schema, string columnName, string role)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (string.IsNullOrEmpty(columnName))
            throw new ArgumentException($"The {role} column name must not be empty.", nameof(columnName));
        var column = schema.GetColumnOrNull(columnName);
        if (column is null)
        {
            var available = string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})"));
            throw new ArgumentOutOfRangeException(nameof(columnName),
                $"The {role} column '{columnName}' was not found in the data. Available columns: {available}.");
        }
        return column.Value;
    }

    /// <summary>Reads the key-value annotations (class names) of a key column, when it has them.</summary>
    public static string[]? TryGetKeyNames(DataViewSchema.Column column, int cardinality)
    {
        if (!column.HasKeyValues(TextDataViewType.Instance))
            return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref names);
        return names.Length == cardinality ? names.DenseValues().Select(n => n.ToString()).ToArray() : null;
    }
}
