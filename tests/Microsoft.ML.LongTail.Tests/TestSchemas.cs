using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests;

/// <summary>Schema helpers for the tests.</summary>
internal static class TestSchemas
{
    private static readonly System.Reflection.MethodInfo CreateShape = typeof(SchemaShape).GetMethod("Create",
        System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!;

    /// <summary>The <see cref="SchemaShape"/> of a schema, as an estimator's <c>GetOutputSchema</c> takes it
    /// (<c>SchemaShape.Create</c> is internal in ML.NET, so it is called by reflection: tests only).</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => (SchemaShape)CreateShape.Invoke(null, [schema])!;

    /// <summary>Every transformer of a model, through nested chains and through the stock chain a managed conformal set
    /// transformer saves as (<see cref="LongTail.Conformal.ManagedSetTransformer.Stock"/>), the model itself included when it is
    /// neither.</summary>
    public static List<ITransformer> Flatten(ITransformer model) => model switch
    {
        IEnumerable<ITransformer> chain => chain.SelectMany(Flatten).ToList(),
        LongTail.Conformal.ManagedSetTransformer managed => Flatten(managed.Stock),
        _ => [model],
    };
}
