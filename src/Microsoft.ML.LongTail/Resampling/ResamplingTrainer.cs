using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Wraps an ML.NET trainer (or any estimator) so that it is fitted on resampled data, with imbalanced-learn's
/// <c>Pipeline</c> semantics: the sampler runs only while fitting, never while scoring. Create one with
/// <see cref="ResamplingTrainerExtensions.WithResampling{TModel}(IEstimator{TModel}, Sampler)"/> and
/// <c>Append</c> it to a chain like any trainer.
/// </summary>
/// <typeparam name="TModel">The wrapped estimator's transformer, returned unchanged by <see cref="Fit"/>.</typeparam>
/// <remarks>
/// <para><see cref="Fit"/> reads the sampler's label and feature columns, resamples them and fits the wrapped estimator
/// on the result. It returns the wrapped estimator's own transformer: the fitted chain saves and loads with
/// <c>mlContext.Model.Save/Load</c> exactly as without resampling (no ML.LongTail type in the model), and scoring,
/// evaluation and <c>PredictionEngine</c> see every row unchanged. Inside <c>CrossValidate</c> each training fold is
/// resampled on its own and the held-out fold is scored as it is.</para>
/// <para><b>Columns.</b> The wrapped estimator is fitted on the label and feature columns only (with their types and
/// annotations), because synthetic rows have no value in any other column: carrying, say, an example-weight column
/// would silently train on missing (NaN) weights. So a trainer configured with an example-weight column is refused
/// when the wrapper is created, naming the column. Columns named in <see cref="KeptColumns"/> are carried through
/// from each output row's source row; then every output row must be a copy of an input row (as from
/// <see cref="RandomUnderSampler"/>, or <see cref="RandomOverSampler"/> without shrinkage), and a sampler that
/// creates a synthetic row makes <see cref="Fit"/> throw instead of inventing a value.</para>
/// <para>The sampler's label and feature column names must be those of the trainer. When the wrapped estimator is
/// an ML.NET trainer (it has the public <c>LabelColumn</c>, <c>FeatureColumn</c> and <c>WeightColumn</c> fields of
/// <c>TrainerEstimatorBase</c>) this is checked when the wrapper is created.</para>
/// </remarks>
public sealed class ResamplingTrainer<TModel> : IEstimator<TModel>
    where TModel : class, ITransformer
{
    private readonly string[] _keptColumns;

    /// <summary>Wraps <paramref name="estimator"/> so that it is fitted on data resampled by <paramref name="sampler"/>.</summary>
    /// <param name="estimator">The trainer, or any estimator that reads the label and feature columns.</param>
    /// <param name="sampler">The sampler; its label and feature column names must be the trainer's.</param>
    /// <param name="keptColumns">Other columns to hand the trainer, carried through from each row's source row; only
    /// with samplers that copy rows. <see langword="null"/> or empty for none (the default).</param>
    /// <exception cref="ArgumentException">The trainer's label or feature column differs from the sampler's, or the
    /// trainer reads an example-weight column that is not kept.</exception>
    public ResamplingTrainer(IEstimator<TModel> estimator, Sampler sampler, IEnumerable<string>? keptColumns = null)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(sampler);
        _keptColumns = keptColumns?.ToArray() ?? [];
        foreach (string name in _keptColumns)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("A kept column name must not be empty.", nameof(keptColumns));
        }
        Estimator = estimator;
        Sampler = sampler;
        CheckTrainerColumns(estimator, sampler.Options, _keptColumns);
    }

    /// <summary>The wrapped estimator; <see cref="Fit"/> returns its transformer.</summary>
    public IEstimator<TModel> Estimator { get; }

    /// <summary>The sampler applied to the training data before each fit.</summary>
    public Sampler Sampler { get; }

    /// <summary>The columns other than the label and features handed to the wrapped estimator (empty by default).</summary>
    public IReadOnlyList<string> KeptColumns => _keptColumns;

    /// <summary>Resamples <paramref name="input"/> and fits the wrapped estimator on the result.</summary>
    /// <param name="input">The training data; read once, not modified.</param>
    /// <returns>The wrapped estimator's transformer, as it returns it.</returns>
    /// <exception cref="ArgumentException">The input lacks the label, feature or a kept column, or a column has an
    /// unsupported type.</exception>
    /// <exception cref="InvalidOperationException">The sampler cannot resample the data (see <see cref="Sampler.Resample(IDataView)"/>),
    /// or it created synthetic rows while columns are kept.</exception>
    public TModel Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = Sampler.Options;
        CheckInputColumns(input.Schema.Where(c => !c.IsHidden).Select(c => c.Name), DescribeColumns(input.Schema), options, nameof(input));
        var set = LabeledFeatures.Read(input, options.LabelColumnName, options.FeatureColumnName);
        var resampled = Sampler.Resample(set);
        IDataView training;
        if (_keptColumns.Length == 0)
        {
            training = resampled.ToDataView();
        }
        else
        {
            int synthetic = resampled.SourceRows?.Count(s => s < 0) ?? 0;
            if (synthetic > 0)
                throw new InvalidOperationException(
                    $"{Sampler.GetType().Name} created {synthetic} synthetic row{(synthetic == 1 ? "" : "s")}, which have no value in the kept " +
                    $"column{(_keptColumns.Length == 1 ? "" : "s")} {Quote(_keptColumns)}. Keep columns only with a sampler that copies rows " +
                    "(RandomUnderSampler, or RandomOverSampler without shrinkage), or keep none.");
            var keep = new HashSet<string>(_keptColumns, StringComparer.Ordinal);
            training = ArrayDataView.Create(resampled, input, keep.Contains);
        }
        return Estimator.Fit(training);
    }

    /// <summary>The wrapped estimator's output schema: scoring is not affected by resampling.</summary>
    /// <param name="inputSchema">The input's shape.</param>
    /// <exception cref="ArgumentException">The input lacks the label, feature or a kept column.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInputColumns(inputSchema.Select(c => c.Name), string.Join(", ", inputSchema.Select(c => $"'{c.Name}'")), Sampler.Options, nameof(inputSchema));
        return Estimator.GetOutputSchema(inputSchema);
    }

    private void CheckInputColumns(IEnumerable<string> present, string available, SamplerOptions options, string paramName)
    {
        var names = new HashSet<string>(present, StringComparer.Ordinal);
        Check(options.LabelColumnName, "label");
        Check(options.FeatureColumnName, "feature");
        foreach (string kept in _keptColumns)
            Check(kept, "kept");

        void Check(string name, string role)
        {
            if (!names.Contains(name))
                throw new ArgumentException(
                    $"The training data has no {role} column '{name}' for resampling before {Estimator.GetType().Name}. Available columns: {available}.",
                    paramName);
        }
    }

    private static string DescribeColumns(DataViewSchema schema) => SchemaValidation.DescribeColumns(schema);

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    /// <summary>Checks an ML.NET trainer's label, feature and weight columns, read from the public fields of
    /// <c>TrainerEstimatorBase</c>; estimators without them are checked when fitted.</summary>
    private static void CheckTrainerColumns(object estimator, SamplerOptions options, string[] keptColumns)
    {
        string trainer = estimator.GetType().Name;
        string? label = TrainerColumn(estimator, "LabelColumn");
        if (label is not null && label != options.LabelColumnName)
            throw new ArgumentException(
                $"{trainer} reads the label column '{label}' but the sampler reads '{options.LabelColumnName}': " +
                $"set the sampler's LabelColumnName to \"{label}\" (or the trainer's labelColumnName to \"{options.LabelColumnName}\").",
                nameof(estimator));
        string? feature = TrainerColumn(estimator, "FeatureColumn");
        if (feature is not null && feature != options.FeatureColumnName)
            throw new ArgumentException(
                $"{trainer} reads the feature column '{feature}' but the sampler reads '{options.FeatureColumnName}': " +
                $"set the sampler's FeatureColumnName to \"{feature}\" (or the trainer's featureColumnName to \"{options.FeatureColumnName}\").",
                nameof(estimator));
        string? weight = TrainerColumn(estimator, "WeightColumn");
        if (weight is not null && !keptColumns.Contains(weight, StringComparer.Ordinal))
            throw new ArgumentException(
                $"{trainer} reads the example-weight column '{weight}', which resampling does not hand it: synthetic rows have no weight. " +
                "Resampling already re-weights the classes, so drop the trainer's exampleWeightColumnName; or, with a sampler that only " +
                $"copies rows (RandomUnderSampler, RandomOverSampler without shrinkage), keep the column with keptColumns: [\"{weight}\"].",
                nameof(estimator));
    }

    private static string? TrainerColumn(object estimator, string field)
    {
        var info = estimator.GetType().GetField(field, BindingFlags.Public | BindingFlags.Instance);
        return info?.FieldType == typeof(SchemaShape.Column) && info.GetValue(estimator) is SchemaShape.Column { Name: { Length: > 0 } name }
            ? name
            : null;
    }
}
