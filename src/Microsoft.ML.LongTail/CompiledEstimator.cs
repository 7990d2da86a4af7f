namespace Microsoft.ML.LongTail;

/// <summary>
/// Base for ML.LongTail estimators whose fitted form is a chain of <em>stock</em> ML.NET transformers
/// (ONNX graphs via <see cref="Onnx.OnnxScoring"/>, per-class tables via <see cref="PerClassLookup"/>, column copies...).
/// </summary>
/// <remarks>
/// <para>ML.NET 5 gives third-party assemblies no public way to save a custom transformer, so each component computes its
/// state from the training data in <see cref="Compile"/> and returns stock estimators that embed that state;
/// <see cref="Fit"/> fits them. The result saves with <c>mlContext.Model.Save</c> and loads in a fresh <see cref="MLContext"/>
/// without registration, and works inside <c>CrossValidate</c>, <c>TransformerChain.Append</c> and <c>PredictionEngine</c>.</para>
/// <para><see cref="GetOutputSchema"/> is answered by the stock chain returned from <see cref="CompileForSchema"/>, built with
/// placeholder state. <see cref="SchemaShape"/> records only vector <em>kind</em> and item type, never vector sizes, so the
/// placeholder only has to produce the same column names, kinds and item types (e.g. a 1-class ONNX graph).</para>
/// <para>Fit returns a plain <see cref="ITransformer"/> (the stock chain), not a component-specific type: a saved model
/// cannot contain a type of ours. (The one wrapper, for rank-score conformal sets, saves as its stock chain and only speeds up
/// <c>Transform</c> in this process: <see cref="Conformal.ManagedSetTransformer"/>.)</para>
/// </remarks>
public abstract class CompiledEstimator : IEstimator<ITransformer>
{
    /// <summary>Initializes the base.</summary>
    /// <param name="mlContext">The ML.NET context used to create the stock estimators.</param>
    protected CompiledEstimator(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        MLContext = mlContext;
    }

    /// <summary>The ML.NET context.</summary>
    protected MLContext MLContext { get; }

    /// <summary>Computes the component's state from <paramref name="trainingData"/> and returns the stock estimators that apply it.</summary>
    /// <param name="trainingData">The data passed to <see cref="Fit"/>.</param>
    protected abstract IEstimator<ITransformer> Compile(IDataView trainingData);

    /// <summary>Returns a stock chain of the same shape as <see cref="Compile"/> would, with placeholder state, for schema propagation.</summary>
    /// <param name="inputSchema">The input schema shape; throw <see cref="ArgumentOutOfRangeException"/> if required columns are missing or mistyped.</param>
    protected abstract IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema);

    /// <summary>
    /// Finds <paramref name="columnName"/> in <paramref name="inputSchema"/> (ML.NET's own <c>TryFindColumn</c> is internal),
    /// throwing the <see cref="ArgumentOutOfRangeException"/> ML.NET estimators throw for a missing column.
    /// </summary>
    /// <param name="inputSchema">Schema shape to search.</param>
    /// <param name="columnName">Column name; the last column of that name wins, as in a data view.</param>
    /// <param name="purpose">What the column is for (e.g. "label"), for the error message.</param>
    protected static SchemaShape.Column FindColumn(SchemaShape inputSchema, string columnName, string purpose)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var column in inputSchema.Reverse())
        {
            if (column.Name == columnName)
                return column;
        }
        throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input schema has no {purpose} column '{columnName}'.");
    }

    /// <summary>Compiles the component from <paramref name="input"/> and fits the resulting stock chain on it.</summary>
    /// <param name="input">Training data.</param>
    /// <returns>A stock ML.NET transformer (chain) that saves and reloads without this assembly's types.</returns>
    public virtual ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Compile(input).Fit(input);
    }

    /// <summary>Propagates the schema through the placeholder chain from <see cref="CompileForSchema"/>.</summary>
    /// <param name="inputSchema">Input schema shape.</param>
    public virtual SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return CompileForSchema(inputSchema).GetOutputSchema(inputSchema);
    }
}
