using System.Globalization;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Repeated edited nearest neighbours (Tomek, 1976), as imbalanced-learn's <c>RepeatedEditedNearestNeighbours</c>:
/// <see cref="EditedNearestNeighbours"/> applied again and again to the rows it keeps.
/// </summary>
/// <remarks>
/// <para>A cleaning sampler (<see cref="SamplingKind.Cleaning"/>). As imbalanced-learn, the strategy is re-evaluated on
/// the remaining rows at each pass (with <see cref="SamplingStrategy.Auto"/>, the minority of the remaining rows is
/// spared), and the passes stop, keeping the last pass's result, after <see cref="RepeatedEditedNearestNeighboursOptions.MaxIterations"/>
/// passes or as soon as a pass (1) removes nothing, (2) leaves a class other than the original minority with fewer rows
/// than the original minority had, or (3) removes a class entirely. The original minority is the smallest class, a tie
/// going to the class whose first row comes first (imbalanced-learn's <c>Counter</c> order).</para>
/// <para>Output: rows grouped by class in class order, input order within a class. Because the strategy is re-evaluated,
/// a class not selected at first can lose rows in a later pass (only through a tie for the minority).</para>
/// <para>When the first pass already removes nothing, imbalanced-learn 0.10's <c>sample_indices_</c> applies the pass's
/// re-ordering twice and no longer matches its returned rows; the rows returned here are those imbalanced-learn returns.</para>
/// </remarks>
public sealed class RepeatedEditedNearestNeighbours : Sampler
{
    private readonly RepeatedEditedNearestNeighboursOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of neighbours or iterations is less than 1, or the selection rule is unknown.</exception>
    public RepeatedEditedNearestNeighbours(RepeatedEditedNearestNeighboursOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(RepeatedEditedNearestNeighboursOptions options)
    {
        EditedNearestNeighbours.CheckNeighbors(options.NumberOfNeighbors, nameof(RepeatedEditedNearestNeighboursOptions.NumberOfNeighbors));
        EditedNearestNeighbours.CheckSelection(options.KindSelection);
        if (options.MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(RepeatedEditedNearestNeighboursOptions.MaxIterations), options.MaxIterations,
                "MaxIterations must be at least 1.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.Cleaning;

    /// <summary>The number of passes the last call to <see cref="Sampler.Resample(LabeledFeatures)"/> ran (imbalanced-learn's <c>n_iter_</c>).</summary>
    public int IterationCount { get; private set; }

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        EditedNearestNeighbours.CheckRows(set, _options.NumberOfNeighbors, nameof(RepeatedEditedNearestNeighboursOptions.NumberOfNeighbors),
            nameof(RepeatedEditedNearestNeighbours));
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        int k = _options.NumberOfNeighbors;
        var original = set.ClassCounts;
        int minority = EditedNearestNeighbours.FirstSeenMinority(set);
        var current = set;
        int iteration = 0;
        while (iteration < _options.MaxIterations)
        {
            iteration++;
            EditedNearestNeighbours.CheckRows(current, k, nameof(RepeatedEditedNearestNeighboursOptions.NumberOfNeighbors),
                $"{nameof(RepeatedEditedNearestNeighbours)} (pass {iteration.ToString(CultureInfo.InvariantCulture)})");
            var keep = EditedNearestNeighbours.Edit(current, SelectedClasses(current), k, _options.KindSelection, _options.MaxDegreeOfParallelism);
            bool converged = keep.Length == current.RowCount;
            current = KeepRows(current, keep);
            var (below, removed) = EditedNearestNeighbours.StopConditions(original, minority, current);
            if (converged || below || removed)
                break;
        }
        IterationCount = iteration;
        return current;
    }

    /// <inheritdoc/>
    protected override void CheckResult(LabeledFeatures set, int[] targetCounts, LabeledFeatures result) =>
        CheckNoClassGrew(this, set, result);

    /// <summary>The check of the iterated cleaners, whose selection can change between passes: no class grew.</summary>
    internal static void CheckNoClassGrew(Sampler sampler, LabeledFeatures set, LabeledFeatures result)
    {
        for (int c = 0; c < set.ClassCount; c++)
        {
            if (result.ClassCounts[c] > set.ClassCounts[c])
                throw new InvalidOperationException(
                    $"{sampler.GetType().Name} returned {result.ClassCounts[c]} rows of class '{set.Label.GetClassName(c)}', which had {set.ClassCounts[c]}: a cleaning sampler cannot add rows.");
        }
    }
}
