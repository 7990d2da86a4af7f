namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>The figure an <see cref="ImbalanceSweep"/> maximises, computed on each held-out fold and averaged.</summary>
public enum SweepMetric
{
    /// <summary>Unweighted mean of the per-class F1 scores (the default).</summary>
    MacroF1,

    /// <summary>Mean recall over the classes.</summary>
    BalancedAccuracy,

    /// <summary>Geometric mean of the per-class recalls.</summary>
    GeometricMean,

    /// <summary>Area under the precision-recall curve (average precision) of the positive class for two classes; the
    /// mean over classes of the one-vs-rest average precision for more.</summary>
    PrAuc,

    /// <summary>The lowest per-class recall.</summary>
    WorstClassRecall,
}
