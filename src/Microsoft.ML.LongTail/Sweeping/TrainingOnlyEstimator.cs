namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>
/// Fits <c>prepare</c> on the training rows and the trainer on its output, and returns the trainer's transformer
/// alone: the prepared columns (an example-weight column) are a training-time aid, not part of the saved model.
/// </summary>
internal sealed class TrainingOnlyEstimator(IEstimator<ITransformer> prepare, IEstimator<ITransformer> trainer) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input)
    {
        var prepared = prepare.Fit(input).Transform(input);
        return trainer.Fit(prepared);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => trainer.GetOutputSchema(prepare.GetOutputSchema(inputSchema));
}
