namespace Microsoft.ML.LongTail.Data;

/// <summary>Reads just a label column into class indices (no feature column needed), with the same rules as <see cref="LabeledFeatures.Read"/>.</summary>
internal static class LabelColumn
{
    /// <summary>Reads every row's class index and the label encoding.</summary>
    /// <exception cref="ArgumentException">The column is missing or cannot be a class label.</exception>
    /// <exception cref="InvalidOperationException">The data is empty or a label is missing.</exception>
    public static (int[] Labels, LabelEncoding Encoding) Read(IDataView data, string labelColumnName, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = SchemaValidation.GetColumn(data.Schema, labelColumnName, "label", parameterName);
        LabelReader reader;
        try
        {
            reader = LabelReader.Create(column);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException(e.Message.Split(" (Parameter")[0], parameterName, e);
        }
        var labels = new List<int>((int)Math.Min(data.GetRowCount() ?? 1024, int.MaxValue));
        using (var cursor = data.GetRowCursor([column]))
        {
            reader.Bind(cursor);
            while (cursor.MoveNext())
                labels.Add(reader.ReadCurrent(labels.Count));
        }
        if (labels.Count == 0)
            throw new InvalidOperationException($"The data has no rows: nothing to read from label column '{labelColumnName}'.");
        var array = labels.ToArray();
        var encoding = reader.Finish(array);
        return (array, encoding);
    }
}
