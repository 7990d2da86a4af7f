using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// All k-NN (Tomek, 1976), as imbalanced-learn's <c>AllKNN</c>: <see cref="EditedNearestNeighbours"/> applied with
/// 1, 2, ... <see cref="AllKnnOptions.NumberOfNeighbors"/> neighbours in turn, each pass on the rows the previous one kept.
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>). As imbalanced-learn, the strategy is re-evaluated on
/// the remaining rows at each pass, and the passes stop, keeping the last pass's result, when a pass removes a class
/// entirely or (unless <see cref="AllKnnOptions.AllowMinority"/>) leaves a class other than the original minority with
/// fewer rows than the original minority had. Output: rows grouped by class in class order, input order within a class.</para>
/// </remarks>
public sealed class AllKnn : Sampler
{
    private readonly AllKnnOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours is less than 1, or the selection rule is unknown.</exception>
    public AllKnn(AllKnnOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(AllKnnOptions options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(AllKnnOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckSelection(options.KindSelection);
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        EditedNearestNeighbours.CheckRows(set, _options.NumberOfNeighbors, nameof(AllKnnOptions.NumberOfNeighbors), nameof(AllKnn));
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var original = set.ClassCounts;
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        var current = set;
        for (int k = 1; k <= _options.NumberOfNeighbors; k++)
        {
            EditedNearestNeighbours.CheckRows(current, k, nameof(AllKnnOptions.NumberOfNeighbors),
                $"{nameof(AllKnn)} (pass with {k.ToString(CultureInfo.InvariantCulture)} neighbours)");
            var keep = EditedNearestNeighbours.Edit(current, SelectedClasses(current), k, _options.KindSelection, _options.MaxDegreeOfParallelism);
            current = KeepRows(current, keep);
            var (below, removed) = EditedNearestNeighbours.StopConditions(original, minority, current);
            if ((below && !_options.AllowMinority) || removed)
                break;
        }
        return current;
    }

    /// <inheritdoc/>
    protected override void CheckResult(LabeledFeatures set, int[] targetCounts, LabeledFeatures result) =>
        RepeatedEditedNearestNeighbours.CheckNoClassGrew(this, set, result);
}
