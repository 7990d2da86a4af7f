using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Weighting;

/// <summary>
/// Adds a per-row example weight computed from the row's class, fitted on the training class counts: inverse frequency,
/// square-root inverse frequency, the effective number of samples (Cui et al. 2019) or user-given weights, scaled so that
/// the mean weight over the training rows is 1. Pass the column to a trainer's <c>exampleWeightColumnName</c>
/// (LightGBM, FastTree, SDCA, L-BFGS... all take one).
/// </summary>
/// <remarks>
/// <para>The fitted transformer is a stock ML.NET <c>ValueMapping</c> from the label value to the weight, so it saves and loads
/// with <c>mlContext.Model.Save/Load</c> without this assembly. At scoring time the label is usually absent: put the weight
/// transform (and the trainer) in the training pipeline and score with a model that does not need it, or keep the label
/// column in scoring data.</para>
/// <para>A label value that the training data did not contain maps to weight 0 (the row is ignored by weighted trainers); so
/// does a class of a key label with no training rows.</para>
/// </remarks>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
///     .Append(mlContext.Transforms.ClassBalancedWeights("Weight", "Label", ClassWeightingScheme.EffectiveNumber, beta: 0.999))
///     .Append(mlContext.MulticlassClassification.Trainers.LightGbm(exampleWeightColumnName: "Weight"));
/// </code>
/// </example>
public sealed class ClassBalancedWeightsEstimator : CompiledEstimator
{
    private readonly ClassBalancedWeightsOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.Transforms.ClassBalancedWeights(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public ClassBalancedWeightsEstimator(MLContext mlContext, ClassBalancedWeightsOptions options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.LabelColumnName))
            throw new ArgumentException("LabelColumnName must not be empty.", nameof(options));
        if (string.IsNullOrEmpty(options.OutputColumnName))
            throw new ArgumentException("OutputColumnName must not be empty.", nameof(options));
        if (!Enum.IsDefined(options.Scheme))
            throw new ArgumentOutOfRangeException(nameof(options), options.Scheme, "Scheme is not a ClassWeightingScheme value.");
        if (options.Scheme == ClassWeightingScheme.EffectiveNumber && !(options.Beta >= 0 && options.Beta < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.Beta, "Beta must be in [0, 1) for the effective-number scheme.");
        if (options.Scheme == ClassWeightingScheme.UserDefined && options.ClassWeights is null)
            throw new ArgumentException("The UserDefined scheme needs ClassWeights (a weight per class name).", nameof(options));
        if (options.ClassWeights is not null)
        {
            foreach (var (name, weight) in options.ClassWeights)
            {
                if (!double.IsFinite(weight) || weight < 0)
                    throw new ArgumentOutOfRangeException(nameof(options), weight, $"ClassWeights['{name}'] must be finite and non-negative.");
            }
        }
        _options = options;
    }

    /// <summary>The weight of each class (by class index, as in the label's <see cref="LabelEncoding"/>) from the most recent
    /// <see cref="CompiledEstimator.Fit"/>, after normalisation; <see langword="null"/> before the first fit.</summary>
    public IReadOnlyList<double>? FittedClassWeights { get; private set; }

    /// <summary>The class names matching <see cref="FittedClassWeights"/>; <see langword="null"/> before the first fit.</summary>
    public IReadOnlyList<string>? FittedClassNames { get; private set; }

    /// <summary>
    /// Computes class weights from class counts with one of the formula schemes (not <see cref="ClassWeightingScheme.UserDefined"/>).
    /// </summary>
    /// <param name="classCounts">Training rows per class.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="beta">The effective-number <c>beta</c>, in [0, 1).</param>
    /// <param name="normalize">Scale so that <c>sum_c n_c w_c = sum_c n_c</c> (mean row weight 1).</param>
    /// <returns>One weight per class; 0 for a class with no rows.</returns>
    public static double[] ComputeWeights(IReadOnlyList<long> classCounts, ClassWeightingScheme scheme, double beta = 0.999, bool normalize = true)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        if (scheme == ClassWeightingScheme.UserDefined)
            throw new ArgumentOutOfRangeException(nameof(scheme), "UserDefined weights are given, not computed.");
        if (scheme == ClassWeightingScheme.EffectiveNumber && !(beta >= 0 && beta < 1))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "Beta must be in [0, 1).");
        var weights = new double[classCounts.Count];
        for (int c = 0; c < weights.Length; c++)
        {
            long n = classCounts[c];
            if (n < 0)
                throw new ArgumentOutOfRangeException(nameof(classCounts), n, $"Class count {c} is negative.");
            if (n == 0)
                continue;
            weights[c] = scheme switch
            {
                ClassWeightingScheme.InverseFrequency => 1.0 / n,
                ClassWeightingScheme.SquareRootInverseFrequency => 1.0 / Math.Sqrt(n),
                // (1 - beta) / (1 - beta^n); for beta = 0 this is 1.
                _ => (1 - beta) / (1 - Math.Pow(beta, n)),
            };
        }
        return normalize ? Normalized(weights, classCounts) : weights;
    }

    private static double[] Normalized(double[] weights, IReadOnlyList<long> classCounts)
    {
        double total = 0, weighted = 0;
        for (int c = 0; c < weights.Length; c++)
        {
            total += classCounts[c];
            weighted += classCounts[c] * weights[c];
        }
        if (weighted <= 0)
            throw new InvalidOperationException("Every training row would get weight 0; give at least one class with rows a positive weight.");
        double scale = total / weighted;
        return weights.Select(w => w * scale).ToArray();
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> Compile(IDataView trainingData)
    {
        var (labels, encoding) = LabelColumn.Read(trainingData, _options.LabelColumnName, nameof(ClassBalancedWeightsOptions.LabelColumnName));
        var counts = new long[encoding.ClassCount];
        foreach (int c in labels)
            counts[c]++;
        double[] weights;
        if (_options.Scheme == ClassWeightingScheme.UserDefined)
        {
            var given = _options.ClassWeights!;
            foreach (string name in given.Keys)
            {
                if (!encoding.ClassNames.Contains(name))
                    throw new ArgumentException($"ClassWeights names class '{name}', which label column '{_options.LabelColumnName}' does not have. " +
                        $"Its classes are: {string.Join(", ", encoding.ClassNames.Select(n => $"'{n}'"))}.", nameof(ClassBalancedWeightsOptions.ClassWeights));
            }
            weights = new double[encoding.ClassCount];
            for (int c = 0; c < weights.Length; c++)
            {
                if (given.TryGetValue(encoding.ClassNames[c], out double w))
                    weights[c] = w;
                else if (counts[c] > 0)
                    throw new ArgumentException($"ClassWeights has no weight for class '{encoding.ClassNames[c]}' of label column '{_options.LabelColumnName}' " +
                        $"({counts[c].ToString(CultureInfo.InvariantCulture)} training rows).", nameof(ClassBalancedWeightsOptions.ClassWeights));
            }
            if (_options.Normalize)
                weights = Normalized(weights, counts);
        }
        else
        {
            weights = ComputeWeights(counts, _options.Scheme, _options.Beta, _options.Normalize);
        }
        FittedClassWeights = weights;
        FittedClassNames = encoding.ClassNames;
        return LabelLookup.Create(MLContext, _options.OutputColumnName, _options.LabelColumnName, encoding,
            weights.Select(w => (float)w).ToArray());
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema) =>
        LabelLookup.CreatePlaceholder(MLContext, _options.OutputColumnName, FindColumn(inputSchema, _options.LabelColumnName, "label"));
}
