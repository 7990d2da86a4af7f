using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// SMOTE then Tomek-link cleaning (Batista et al., 2004), as imbalanced-learn's <c>SMOTETomek</c>: <see cref="Smote"/>
/// with this sampler's strategy, seed and neighbours, then <see cref="TomekLinks"/> with <see cref="SamplingStrategy.All"/>
/// on the result.
/// </summary>
/// <remarks>An over-sampler: the strategy is SMOTE's. Each class ends with at most its SMOTE target (the cleaning
/// removes links from every class, original and synthetic rows alike). Output: SMOTE's layout (input rows, then the
/// synthetic rows class by class) with the linked rows removed. The random stream is .NET's, not NumPy's: the synthetic
/// rows differ from imbalanced-learn's for the same seed.</remarks>
public sealed class SmoteTomek : Sampler
{
    private readonly SmoteTomekOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1.</exception>
    public SmoteTomek(SmoteTomekOptions options) : base(options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(SmoteTomekOptions.NumberOfNeighbors));
        _options = options;
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts) =>
        EditedNearestNeighbours.CheckNeighbors(_options.NumberOfNeighbors, nameof(SmoteTomekOptions.NumberOfNeighbors));

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var smoted = new Smote(new SmoteOptions
        {
            LabelColumnName = Options.LabelColumnName, FeatureColumnName = Options.FeatureColumnName, Strategy = Options.Strategy,
            Seed = Options.Seed, NumberOfNeighbors = _options.NumberOfNeighbors, MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
        }).Resample(set);
        return new TomekLinks(new TomekLinksOptions
        {
            LabelColumnName = Options.LabelColumnName, FeatureColumnName = Options.FeatureColumnName, Strategy = SamplingStrategy.All,
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
        }).Resample(smoted);
    }

    /// <inheritdoc/>
    protected override void CheckResult(LabeledFeatures set, int[] targetCounts, LabeledFeatures result) =>
        CheckAtMostTargets(this, set, targetCounts, result);

    /// <summary>The check of the combined samplers: no class above its over-sampling target.</summary>
    internal static void CheckAtMostTargets(Sampler sampler, LabeledFeatures set, int[] targetCounts, LabeledFeatures result)
    {
        for (int c = 0; c < targetCounts.Length; c++)
        {
            if (result.ClassCounts[c] > targetCounts[c])
                throw new InvalidOperationException(
                    $"{sampler.GetType().Name} returned {result.ClassCounts[c]} rows of class '{set.Label.GetClassName(c)}', more than its target {targetCounts[c]}.");
        }
    }
}
