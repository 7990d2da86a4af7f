namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>The validation metric <see cref="ThresholdMovingEstimator"/> maximises over decision thresholds.</summary>
public enum ThresholdMetric
{
    /// <summary>F1 of the positive class: <c>2 TP / (2 TP + FP + FN)</c>.</summary>
    F1,

    /// <summary>Geometric mean of the true-positive and true-negative rates.</summary>
    GeometricMean,

    /// <summary>Balanced accuracy: the mean of the true-positive and true-negative rates.</summary>
    BalancedAccuracy,

    /// <summary>Recall of the positive class subject to precision of at least
    /// <see cref="ThresholdMovingOptions.MinimumPrecision"/> (ties: the higher precision). When no threshold reaches that
    /// precision, the threshold with the highest precision (ties: the higher recall) is taken.</summary>
    RecallAtPrecision,
}
