namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>An estimator whose <see cref="Fit"/> returns a transformer fitted beforehand (on other data); its schema is
/// propagated by a stock estimator of the same output shape.</summary>
internal sealed class PrefittedEstimator(ITransformer transformer, IEstimator<ITransformer> shapeEstimator) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input) => transformer;

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => shapeEstimator.GetOutputSchema(inputSchema);
}
