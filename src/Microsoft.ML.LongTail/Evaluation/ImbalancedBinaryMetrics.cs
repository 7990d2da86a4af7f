using System.Globalization;
using System.Text;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Result of <see cref="ImbalancedEvaluationCatalog.EvaluateImbalanced(BinaryClassificationCatalog, IDataView, string, string, string, string)"/>:
/// the shared imbalance-aware metrics over the two classes (index 0 = false, 1 = true) plus ranking metrics of the
/// positive class. The calibration figures treat the probability p as the two-class vector [1 - p, p].
/// </summary>
public sealed class ImbalancedBinaryMetrics : ImbalancedClassificationMetrics
{
    internal ImbalancedBinaryMetrics(ConfusionSummary summary, double? expectedCalibrationError,
        CalibrationBin[] calibrationBins, double? areaUnderRocCurve, double? areaUnderPrecisionRecallCurve,
        double? recallAtPrecision, double targetPrecision)
        : base(summary, expectedCalibrationError, calibrationBins)
    {
        AreaUnderRocCurve = areaUnderRocCurve;
        AreaUnderPrecisionRecallCurve = areaUnderPrecisionRecallCurve;
        RecallAtPrecision = recallAtPrecision;
        TargetPrecision = targetPrecision;
    }

    /// <summary>
    /// Area under the ROC curve of the probability (or the score when there is no probability column), ties
    /// counted as half; <see langword="null"/> when the labels hold a single class.
    /// </summary>
    public double? AreaUnderRocCurve { get; }

    /// <summary>
    /// Average precision, sum over thresholds of (R_n - R_{n-1}) * P_n (scikit-learn
    /// <c>average_precision_score</c>, no interpolation); <see langword="null"/> when there are no positive labels.
    /// </summary>
    public double? AreaUnderPrecisionRecallCurve { get; }

    /// <summary>
    /// Largest recall over the precision-recall curve's thresholds whose precision is at least
    /// <see cref="TargetPrecision"/>; 0 when no threshold reaches it, <see langword="null"/> when there are no
    /// positive labels.
    /// </summary>
    public double? RecallAtPrecision { get; }

    /// <summary>The precision target used for <see cref="RecallAtPrecision"/>.</summary>
    public double TargetPrecision { get; }

    private protected override void AppendTaskLines(StringBuilder sb)
    {
        AppendLine(sb, "ROC-AUC", AreaUnderRocCurve);
        AppendLine(sb, "PR-AUC (average precision)", AreaUnderPrecisionRecallCurve);
        AppendLine(sb, "Recall @ precision " + TargetPrecision.ToString("0.###", CultureInfo.InvariantCulture), RecallAtPrecision);
    }
}
