using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML;

/// <summary>
/// Resampling of imbalanced data on <see cref="DataOperationsCatalog"/>: random over- and under-sampling, SMOTE, Borderline-SMOTE and ADASYN, with
/// imbalanced-learn's semantics (see <see cref="SamplingStrategy"/>).
/// </summary>
/// <remarks>
/// Each method reads the label and feature columns once and returns a new in-memory data view with the input's columns;
/// the input is not modified. Other columns are carried through from each output row's source row; synthetic rows get
/// missing values in them. Results are reproducible: a <see langword="null"/> seed means 0, independent of the
/// <see cref="MLContext"/>'s seed. Resample only training data, never the data you evaluate on.
/// </remarks>
public static class ResamplingCatalog
{
    /// <summary>Over-samples every class but the majority up to the majority's size with SMOTE.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">Nearest neighbours within the class to interpolate towards.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView Smote(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 5, int? seed = null) =>
        Smote(catalog, data, new SmoteOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
            NumberOfNeighbors = numberOfNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with SMOTE.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView Smote(this DataOperationsCatalog catalog, IDataView data, SmoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new Smote(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority towards the majority's size with Borderline-SMOTE: SMOTE from the
    /// rows at the border with other classes only.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="kind">The variant: interpolate within the class only, or also part-way towards other classes.</param>
    /// <param name="numberOfNeighbors">Nearest neighbours to interpolate towards.</param>
    /// <param name="numberOfDangerNeighbors">Nearest neighbours among all rows that decide whether a row is at the border.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class. A class without border rows is left as it
    /// is, and kind 2 may add one row fewer than asked (see <see cref="Microsoft.ML.LongTail.Resampling.BorderlineSmote"/>).</returns>
    public static IDataView BorderlineSmote(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", BorderlineSmoteKind kind = BorderlineSmoteKind.Borderline1, int numberOfNeighbors = 5,
        int numberOfDangerNeighbors = 10, int? seed = null) =>
        BorderlineSmote(catalog, data, new BorderlineSmoteOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Kind = kind,
            NumberOfNeighbors = numberOfNeighbors, NumberOfDangerNeighbors = numberOfDangerNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with Borderline-SMOTE.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView BorderlineSmote(this DataOperationsCatalog catalog, IDataView data, BorderlineSmoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new BorderlineSmote(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority to about the majority's size with ADASYN: SMOTE that makes more
    /// rows where a class's rows have more rows of other classes around them.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">Nearest neighbours, among all rows to weigh each row and within the class to
    /// interpolate towards.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class. Rounding leaves each class a few rows off
    /// its target, as in imbalanced-learn (see <see cref="Microsoft.ML.LongTail.Resampling.Adasyn"/>).</returns>
    public static IDataView Adasyn(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 5, int? seed = null) =>
        Adasyn(catalog, data, new AdasynOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
            NumberOfNeighbors = numberOfNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with ADASYN.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView Adasyn(this DataOperationsCatalog catalog, IDataView data, AdasynOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new Adasyn(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority up to the majority's size by drawing copies of random rows.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the copies class by class.</returns>
    public static IDataView RandomOverSample(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int? seed = null) =>
        RandomOverSample(catalog, data, new RandomOverSamplerOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Seed = seed,
        });

    /// <summary>Over-samples by drawing copies of random rows, optionally smoothed.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The input rows in order, then the new rows class by class.</returns>
    public static IDataView RandomOverSample(this DataOperationsCatalog catalog, IDataView data, RandomOverSamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RandomOverSampler(options).Resample(data);
    }

    /// <summary>Under-samples every class but the minority down to the minority's size, keeping random rows.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="replacement">Whether a row can be kept more than once.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The kept rows grouped by class in class order.</returns>
    public static IDataView RandomUnderSample(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", bool replacement = false, int? seed = null) =>
        RandomUnderSample(catalog, data, new RandomUnderSamplerOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Replacement = replacement, Seed = seed,
        });

    /// <summary>Under-samples by keeping random rows.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows grouped by class in class order.</returns>
    public static IDataView RandomUnderSample(this DataOperationsCatalog catalog, IDataView data, RandomUnderSamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RandomUnderSampler(options).Resample(data);
    }
}
