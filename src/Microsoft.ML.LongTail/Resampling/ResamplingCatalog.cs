using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML;

/// <summary>
/// Resampling of imbalanced data on <see cref="DataOperationsCatalog"/>: random over- and under-sampling, SMOTE,
/// Borderline-SMOTE, ADASYN, NearMiss, the cleaning samplers (Tomek links, edited nearest neighbours and their repeated
/// forms), SMOTE combined with cleaning, instance hardness threshold, cluster centroids and k-means SMOTE, with imbalanced-learn's semantics (see <see cref="SamplingStrategy"/>).
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

    /// <summary>Over-samples every class but the majority up to the majority's size with SMOTE-NC: SMOTE on the numeric
    /// slots, the neighbours' most frequent category on the categorical slots.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="categoricalSlots">The feature vector's slots that hold category codes; at least one, and not all.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">Nearest neighbours to interpolate towards and take categories from.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView SmoteNc(this DataOperationsCatalog catalog, IDataView data, IReadOnlyList<int> categoricalSlots,
        string labelColumnName = "Label", string featureColumnName = "Features", int numberOfNeighbors = 5, int? seed = null) =>
        SmoteNc(catalog, data, new SmoteNcOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, CategoricalSlots = categoricalSlots,
            NumberOfNeighbors = numberOfNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with SMOTE-NC.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, categorical slots and strategy included.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView SmoteNc(this DataOperationsCatalog catalog, IDataView data, SmoteNcOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SmoteNc(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority up to the majority's size with SMOTE-N, for features that are all
    /// category codes: each slot of a synthetic row takes the most frequent category of a row and its nearest neighbours
    /// under the Value Difference Metric.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/> category codes.</param>
    /// <param name="numberOfNeighbors">Nearest neighbours to take categories from.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView SmoteN(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 5, int? seed = null) =>
        SmoteN(catalog, data, new SmoteNOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
            NumberOfNeighbors = numberOfNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with SMOTE-N.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    public static IDataView SmoteN(this DataOperationsCatalog catalog, IDataView data, SmoteNOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SmoteN(options).Resample(data);
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

    /// <summary>Removes the rows of every class but the minority that form a Tomek link (mutual nearest neighbours of different classes).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>

    /// <returns>The kept rows in input order.</returns>
    public static IDataView RemoveTomekLinks(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features") =>
        RemoveTomekLinks(catalog, data, new TomekLinksOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
        });

    /// <summary>Removes the rows of the selected classes that form a Tomek link.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows in input order.</returns>
    public static IDataView RemoveTomekLinks(this DataOperationsCatalog catalog, IDataView data, TomekLinksOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TomekLinks(options).Resample(data);
    }

    /// <summary>Removes the rows of every class but the minority that disagree with their nearest neighbours (edited nearest neighbours).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">The neighbourhood size, among all rows.</param>
    /// <param name="kindSelection">When a row disagrees with its neighbours: all must share its class, or the most common class must be its own.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView EditNearestNeighbours(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 3, NeighbourSelection kindSelection = NeighbourSelection.All) =>
        EditNearestNeighbours(catalog, data, new EditedNearestNeighboursOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, KindSelection = kindSelection,
        });

    /// <summary>Removes the rows of the selected classes that disagree with their nearest neighbours.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView EditNearestNeighbours(this DataOperationsCatalog catalog, IDataView data, EditedNearestNeighboursOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new EditedNearestNeighbours(options).Resample(data);
    }

    /// <summary>Applies edited nearest neighbours repeatedly to every class but the minority, until a pass changes nothing or a stop condition holds.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">The neighbourhood size, among all remaining rows.</param>
    /// <param name="maxIterations">The most passes.</param>
    /// <param name="kindSelection">When a row disagrees with its neighbours: all must share its class, or the most common class must be its own.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView RepeatedlyEditNearestNeighbours(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 3, int maxIterations = 100, NeighbourSelection kindSelection = NeighbourSelection.All) =>
        RepeatedlyEditNearestNeighbours(catalog, data, new RepeatedEditedNearestNeighboursOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, MaxIterations = maxIterations, KindSelection = kindSelection,
        });

    /// <summary>Applies edited nearest neighbours repeatedly.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView RepeatedlyEditNearestNeighbours(this DataOperationsCatalog catalog, IDataView data, RepeatedEditedNearestNeighboursOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RepeatedEditedNearestNeighbours(options).Resample(data);
    }

    /// <summary>Applies edited nearest neighbours with 1, 2, ... <paramref name="numberOfNeighbors"/> neighbours in turn to every class but the minority.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">The largest neighbourhood size.</param>
    /// <param name="kindSelection">When a row disagrees with its neighbours: all must share its class, or the most common class must be its own.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView AllKnn(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 3, NeighbourSelection kindSelection = NeighbourSelection.All) =>
        AllKnn(catalog, data, new AllKnnOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, KindSelection = kindSelection,
        });

    /// <summary>Applies edited nearest neighbours with growing neighbourhoods (All k-NN).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView AllKnn(this DataOperationsCatalog catalog, IDataView data, AllKnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AllKnn(options).Resample(data);
    }

    /// <summary>Condenses every class but the minority to the rows a nearest-neighbour classifier needs to tell it from the
    /// minority (condensed nearest neighbour), starting from random seed rows.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">The neighbours of the classifier.</param>
    /// <param name="numberOfSeeds">The random rows each condensed class starts from.</param>
    /// <param name="seed">The seed of the random draws; <see langword="null"/> means 0.</param>
    /// <returns>Class by class in class order: a condensed class's seeds, then the rows added, in input order.</returns>
    public static IDataView CondenseNearestNeighbour(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 1, int numberOfSeeds = 1, int? seed = null) =>
        CondenseNearestNeighbour(catalog, data, new CondensedNearestNeighbourOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, NumberOfSeeds = numberOfSeeds, Seed = seed,
        });

    /// <summary>Condenses the selected classes (condensed nearest neighbour).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy and seed included.</param>
    /// <returns>Class by class in class order: a condensed class's seeds, then the rows added, in input order.</returns>
    public static IDataView CondenseNearestNeighbour(this DataOperationsCatalog catalog, IDataView data, CondensedNearestNeighbourOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CondensedNearestNeighbour(options).Resample(data);
    }

    /// <summary>One-sided selection on every class but the minority: keeps random seed rows and the rows a nearest-neighbour
    /// classifier on the minority and the seeds misclassifies, then removes Tomek links.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">The neighbours of the classifier.</param>
    /// <param name="numberOfSeeds">The random seed rows of each cleaned class.</param>
    /// <param name="seed">The seed of the random draws; <see langword="null"/> means 0.</param>
    /// <returns>Class by class in class order: a cleaned class's seeds, then its misclassified rows in input order; less the Tomek links.</returns>
    public static IDataView OneSidedSelection(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 1, int numberOfSeeds = 1, int? seed = null) =>
        OneSidedSelection(catalog, data, new OneSidedSelectionOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, NumberOfSeeds = numberOfSeeds, Seed = seed,
        });

    /// <summary>One-sided selection on the selected classes.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy and seed included.</param>
    /// <returns>Class by class in class order: a cleaned class's seeds, then its misclassified rows in input order; less the Tomek links.</returns>
    public static IDataView OneSidedSelection(this DataOperationsCatalog catalog, IDataView data, OneSidedSelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new OneSidedSelection(options).Resample(data);
    }

    /// <summary>The neighbourhood cleaning rule on every class but the minority: removes the rows edited nearest neighbours
    /// removes, and the neighbours (of a large class) of the minority rows their neighbourhood misclassifies.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">The neighbourhood size, among all rows.</param>
    /// <param name="kindSelection">When a minority row's neighbourhood misclassifies it: not all neighbours are of the minority, or the most common class is not the minority.</param>
    /// <param name="thresholdCleaning">Only classes with more than this fraction of the rows lose minority rows' neighbours; strictly between 0 and 1.</param>
    /// <returns>The kept rows in input order.</returns>
    public static IDataView CleanNeighbourhood(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 3, NeighbourSelection kindSelection = NeighbourSelection.All, double thresholdCleaning = 0.5) =>
        CleanNeighbourhood(catalog, data, new NeighbourhoodCleaningRuleOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, KindSelection = kindSelection,
            ThresholdCleaning = thresholdCleaning,
        });

    /// <summary>The neighbourhood cleaning rule on the selected classes.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows in input order.</returns>
    public static IDataView CleanNeighbourhood(this DataOperationsCatalog catalog, IDataView data, NeighbourhoodCleaningRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NeighbourhoodCleaningRule(options).Resample(data);
    }

    /// <summary>Under-samples every class but the minority down to the minority's size, keeping the rows NearMiss picks by their distances to the minority.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="version">1, 2 or 3.</param>
    /// <param name="numberOfNeighbors">Minority neighbours whose distances score a row.</param>
    /// <param name="numberOfNeighborsVersion3">Version 3: class neighbours around each minority row that make the candidates.</param>
    /// <returns>The kept rows grouped by class in class order; version 3 can keep fewer rows than asked.</returns>
    public static IDataView NearMiss(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int version = 1, int numberOfNeighbors = 3, int numberOfNeighborsVersion3 = 3) =>
        NearMiss(catalog, data, new NearMissOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Version = version, NumberOfNeighbors = numberOfNeighbors, NumberOfNeighborsVersion3 = numberOfNeighborsVersion3,
        });

    /// <summary>Under-samples with NearMiss.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows grouped by class in class order; version 3 can keep fewer rows than asked.</returns>
    public static IDataView NearMiss(this DataOperationsCatalog catalog, IDataView data, NearMissOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NearMiss(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority with SMOTE, then removes the Tomek links of every class.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">SMOTE's nearest neighbours within the class.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>SMOTE's rows (input rows, then synthetic ones) less the linked ones.</returns>
    public static IDataView SmoteTomek(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 5, int? seed = null) =>
        SmoteTomek(catalog, data, new SmoteTomekOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with SMOTE, then removes the Tomek links of every class.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>SMOTE's rows (input rows, then synthetic ones) less the linked ones.</returns>
    public static IDataView SmoteTomek(this DataOperationsCatalog catalog, IDataView data, SmoteTomekOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SmoteTomek(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority with SMOTE, then applies edited nearest neighbours to every class.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">SMOTE's nearest neighbours within the class.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView SmoteEnn(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 5, int? seed = null) =>
        SmoteEnn(catalog, data, new SmoteEnnOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors, Seed = seed,
        });

    /// <summary>Over-samples with SMOTE, then applies edited nearest neighbours to every class.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The kept rows grouped by class in class order, input order within a class.</returns>
    public static IDataView SmoteEnn(this DataOperationsCatalog catalog, IDataView data, SmoteEnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SmoteEnn(options).Resample(data);
    }

    /// <summary>Under-samples every class but the minority towards the minority's size by removing the rows a classifier
    /// finds hardest (lowest cross-validated probability of their own class).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfFolds">Stratified cross-validation folds.</param>
    /// <param name="seed">The random seed (folds and trainer); <see langword="null"/> means 0.</param>
    /// <returns>The kept rows grouped by class in class order; ties at the threshold can keep a few rows more than the
    /// target (see <see cref="Microsoft.ML.LongTail.Resampling.InstanceHardnessThreshold"/>).</returns>
    public static IDataView InstanceHardnessThreshold(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfFolds = 5, int? seed = null) =>
        InstanceHardnessThreshold(catalog, data, new InstanceHardnessThresholdOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfFolds = numberOfFolds, Seed = seed,
        });

    /// <summary>Under-samples with the instance hardness threshold.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy and trainer included.</param>
    /// <returns>The kept rows grouped by class in class order.</returns>
    public static IDataView InstanceHardnessThreshold(this DataOperationsCatalog catalog, IDataView data, InstanceHardnessThresholdOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new InstanceHardnessThreshold(options).Resample(data);
    }

    /// <summary>Under-samples every class but the minority to the minority's size by replacing its rows with k-means centres.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="voting">The centres themselves (soft, the default) or the nearest real rows (hard).</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>Rows grouped by class in class order: an under-sampled class's centres (synthetic rows) or nearest rows.</returns>
    public static IDataView ClusterCentroids(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", ClusterCentroidsVoting voting = ClusterCentroidsVoting.Auto, int? seed = null) =>
        ClusterCentroids(catalog, data, new ClusterCentroidsOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Voting = voting, Seed = seed,
        });

    /// <summary>Under-samples with cluster centroids.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>Rows grouped by class in class order.</returns>
    public static IDataView ClusterCentroids(this DataOperationsCatalog catalog, IDataView data, ClusterCentroidsOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ClusterCentroids(options).Resample(data);
    }

    /// <summary>Over-samples every class but the majority to about the majority's size with k-means SMOTE: SMOTE within
    /// the k-means clusters where the class is frequent, more rows in sparser clusters.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="numberOfNeighbors">Nearest neighbours within the class and cluster to interpolate towards.</param>
    /// <param name="numberOfClusters">The number of k-means clusters of all rows.</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class; rounding up per cluster can add a few rows
    /// more than the target (see <see cref="Microsoft.ML.LongTail.Resampling.KMeansSmote"/>).</returns>
    /// <exception cref="InvalidOperationException">No cluster qualifies for some class.</exception>
    public static IDataView KMeansSmote(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        string featureColumnName = "Features", int numberOfNeighbors = 2, int numberOfClusters = 8, int? seed = null) =>
        KMeansSmote(catalog, data, new KMeansSmoteOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, NumberOfNeighbors = numberOfNeighbors,
            NumberOfClusters = numberOfClusters, Seed = seed,
        });

    /// <summary>Over-samples with k-means SMOTE.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options, strategy included.</param>
    /// <returns>The input rows in order, then the synthetic rows class by class.</returns>
    /// <exception cref="InvalidOperationException">No cluster qualifies for some class.</exception>
    public static IDataView KMeansSmote(this DataOperationsCatalog catalog, IDataView data, KMeansSmoteOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new KMeansSmote(options).Resample(data);
    }
}
