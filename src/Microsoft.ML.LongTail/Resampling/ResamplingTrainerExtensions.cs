using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML;

/// <summary>
/// <c>WithResampling</c>: fit any ML.NET trainer on resampled data inside a pipeline, with imbalanced-learn's
/// <c>Pipeline</c> semantics (resample while fitting only, never while scoring; in <c>CrossValidate</c>, the training
/// folds only). See <see cref="ResamplingTrainer{TModel}"/>.
/// </summary>
/// <example>
/// <code>
/// var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
///     .Append(ml.Transforms.Concatenate("Features", "A", "B", "C"))
///     .Append(ml.MulticlassClassification.Trainers.LightGbm().WithResampling(new SmoteOptions { NumberOfNeighbors = 3 }))
///     .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
/// </code>
/// </example>
public static class ResamplingTrainerExtensions
{
    /// <summary>Fits <paramref name="trainer"/> on data resampled by <paramref name="sampler"/>; scoring is unchanged.</summary>
    /// <typeparam name="TModel">The trainer's transformer, which the wrapper's <c>Fit</c> returns unchanged.</typeparam>
    /// <param name="trainer">The trainer (or any estimator reading the label and feature columns).</param>
    /// <param name="sampler">The sampler; its label and feature column names must be the trainer's.</param>
    /// <returns>An estimator to <c>Append</c> in place of the trainer. It hands the trainer the label and feature
    /// columns only (see <see cref="ResamplingTrainer{TModel}"/>).</returns>
    /// <exception cref="ArgumentException">The trainer's label or feature column differs from the sampler's, or the
    /// trainer reads an example-weight column.</exception>
    public static ResamplingTrainer<TModel> WithResampling<TModel>(this IEstimator<TModel> trainer, Sampler sampler)
        where TModel : class, ITransformer =>
        new(trainer, sampler);

    /// <summary>Fits <paramref name="trainer"/> on data resampled by <paramref name="sampler"/>, also handing it
    /// <paramref name="keptColumns"/> (for example an example-weight column); scoring is unchanged.</summary>
    /// <typeparam name="TModel">The trainer's transformer, which the wrapper's <c>Fit</c> returns unchanged.</typeparam>
    /// <param name="trainer">The trainer (or any estimator reading the label and feature columns).</param>
    /// <param name="sampler">A sampler that only copies rows (<see cref="RandomUnderSampler"/>, or
    /// <see cref="RandomOverSampler"/> without shrinkage): fitting throws if it creates a synthetic row, which would
    /// have no value in the kept columns.</param>
    /// <param name="keptColumns">Columns carried through from each output row's source row.</param>
    /// <returns>An estimator to <c>Append</c> in place of the trainer.</returns>
    /// <exception cref="ArgumentException">The trainer's label or feature column differs from the sampler's, or the
    /// trainer reads an example-weight column that is not kept.</exception>
    public static ResamplingTrainer<TModel> WithResampling<TModel>(this IEstimator<TModel> trainer, Sampler sampler,
        IEnumerable<string> keptColumns)
        where TModel : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(keptColumns);
        return new(trainer, sampler, keptColumns);
    }

    /// <summary>Fits <paramref name="trainer"/> on data over-sampled with SMOTE; scoring is unchanged.</summary>
    /// <typeparam name="TModel">The trainer's transformer, which the wrapper's <c>Fit</c> returns unchanged.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="options">The SMOTE options; the column names must be the trainer's.</param>
    /// <returns>An estimator to <c>Append</c> in place of the trainer.</returns>
    public static ResamplingTrainer<TModel> WithResampling<TModel>(this IEstimator<TModel> trainer, SmoteOptions options)
        where TModel : class, ITransformer =>
        new(trainer, new Smote(options));

    /// <summary>Fits <paramref name="trainer"/> on randomly over-sampled data; scoring is unchanged.</summary>
    /// <typeparam name="TModel">The trainer's transformer, which the wrapper's <c>Fit</c> returns unchanged.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="options">The random over-sampler's options; the column names must be the trainer's.</param>
    /// <returns>An estimator to <c>Append</c> in place of the trainer.</returns>
    public static ResamplingTrainer<TModel> WithResampling<TModel>(this IEstimator<TModel> trainer, RandomOverSamplerOptions options)
        where TModel : class, ITransformer =>
        new(trainer, new RandomOverSampler(options));

    /// <summary>Fits <paramref name="trainer"/> on randomly under-sampled data; scoring is unchanged.</summary>
    /// <typeparam name="TModel">The trainer's transformer, which the wrapper's <c>Fit</c> returns unchanged.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="options">The random under-sampler's options; the column names must be the trainer's.</param>
    /// <returns>An estimator to <c>Append</c> in place of the trainer.</returns>
    public static ResamplingTrainer<TModel> WithResampling<TModel>(this IEstimator<TModel> trainer, RandomUnderSamplerOptions options)
        where TModel : class, ITransformer =>
        new(trainer, new RandomUnderSampler(options));
}
