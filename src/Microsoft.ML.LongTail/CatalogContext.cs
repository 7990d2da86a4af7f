namespace Microsoft.ML.LongTail;

/// <summary>
/// The <see cref="MLContext"/> that catalog extension methods build their stock estimators with.
/// </summary>
/// <remarks>
/// ML.NET catalogs keep their host environment internal and it is not the user's <see cref="MLContext"/>, so an extension
/// method on a catalog cannot reach the context it came from. The components built through catalogs are deterministic
/// (lookup tables, fixed ONNX graphs, Naive Bayes counts, expressions), so a fresh context changes no result; its seed is 0.
/// Construct an estimator directly to use a context of your own (for logging or <see cref="MLContext.GpuDeviceId"/>).
/// </remarks>
internal static class CatalogContext
{
    public static MLContext Get(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MLContext(seed: 0);
    }
}
