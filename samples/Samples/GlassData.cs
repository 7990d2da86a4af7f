using Microsoft.ML;
using Microsoft.ML.Data;

namespace LongTail.Samples;

/// <summary>Loads the Glass Identification CSV (9 numeric features, 6 imbalanced classes) next to the executable.</summary>
public static class GlassData
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "Data", "glass.csv");

    /// <summary>Columns: <c>Features</c> (9 floats) and <c>Label</c> (text: "1", "2", "3", "5", "6", "7").</summary>
    public static IDataView Load(MLContext ml) => ml.Data.LoadFromTextFile(Path, new TextLoader.Options
    {
        HasHeader = true,
        Separators = [','],
        Columns = [new("Features", DataKind.Single, 0, 8), new("Label", DataKind.String, 9)],
    });
}
