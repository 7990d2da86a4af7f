using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// SMOTE then edited-nearest-neighbour cleaning (Batista et al., 2004), as imbalanced-learn's <c>SMOTEENN</c>:
/// <see cref="Smote"/> with this sampler's strategy, seed and neighbours, then <see cref="EditedNearestNeighbours"/> with
/// <see cref="SamplingStrategy.All"/> on the result.
/// </summary>
/// <remarks>An over-sampler: the strategy is SMOTE's. Each class ends with at most its SMOTE target. Output: the
/// cleaning's layout (rows grouped by class in class order; within a class, SMOTE's order: input rows, then synthetic
/// ones). The random stream is .NET's, not NumPy's: the synthetic rows differ from imbalanced-learn's for the same seed.</remarks>
public sealed class SmoteEnn : Sampler
{
    private readonly SmoteEnnOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A number of neighbours is less than 1, or the selection rule is unknown.</exception>
    public SmoteEnn(SmoteEnnOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(SmoteEnnOptions options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(SmoteEnnOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckNeighbors(options.EnnNumberOfNeighbors, nameof(SmoteEnnOptions.EnnNumberOfNeighbors));
        EditedNearestNeighbours.CheckSelection(options.EnnKindSelection);
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.OverSampling;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts) => CheckOptions(_options);

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var smoted = new Smote(new SmoteOptions
        {
            LabelColumnName = Options.LabelColumnName, FeatureColumnName = Options.FeatureColumnName, Strategy = Options.Strategy,
            Seed = Options.Seed, NumberOfNeighbors = _options.NumberOfNeighbors, MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
        }).Resample(set);
        return new EditedNearestNeighbours(new EditedNearestNeighboursOptions
        {
            LabelColumnName = Options.LabelColumnName, FeatureColumnName = Options.FeatureColumnName, Strategy = SamplingStrategy.All,
            NumberOfNeighbors = _options.EnnNumberOfNeighbors, KindSelection = _options.EnnKindSelection,
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
        }).Resample(smoted);
    }

    /// <inheritdoc/>
    protected override void CheckResult(LabeledFeatures set, int[] targetCounts, LabeledFeatures result) =>
        SmoteTomek.CheckAtMostTargets(this, set, targetCounts, result);
}
