using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.RobustLoss.Tests;

/// <summary>Schema helpers for the tests.</summary>
internal static class TestSchemas
{
    private static readonly System.Reflection.MethodInfo CreateShape = typeof(SchemaShape).GetMethod("Create",
        System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!;

    /// <summary>The <see cref="SchemaShape"/> of a schema, as an estimator's <c>GetOutputSchema</c> takes it
    /// (<c>SchemaShape.Create</c> is internal in ML.NET, so it is called by reflection: tests only).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => (SchemaShape)CreateShape.Invoke(null, [schema])!;
}
