using System.Globalization;
using System.Text;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Result of <see cref="ImbalancedEvaluationCatalog.EvaluateImbalanced(MulticlassClassificationCatalog, IDataView, string, string, string, IReadOnlyList{long})"/>:
/// the shared imbalance-aware metrics plus top-k accuracy and many/medium/few-shot accuracy.
/// </summary>
public sealed class ImbalancedMulticlassMetrics : ImbalancedClassificationMetrics
{
    internal ImbalancedMulticlassMetrics(ConfusionSummary summary, double? expectedCalibrationError,
        CalibrationBin[] calibrationBins, IReadOnlyDictionary<int, double> topKAccuracy,
        double? manyShotAccuracy, double? mediumShotAccuracy, double? fewShotAccuracy, ConformalClassificationMetrics? conformal = null)
        : base(summary, expectedCalibrationError, calibrationBins)
    {
        TopKAccuracy = topKAccuracy;
        ManyShotAccuracy = manyShotAccuracy;
        MediumShotAccuracy = mediumShotAccuracy;
        FewShotAccuracy = fewShotAccuracy;
        Conformal = conformal;
    }

    /// <summary>
    /// Conformal prediction set metrics (coverage, set size, worst-class coverage, class-coverage gap, size-stratified
    /// coverage) when <see cref="ImbalancedEvaluationOptions.PredictionSetColumnName"/> was given; otherwise <see langword="null"/>.
    /// </summary>
    public ConformalClassificationMetrics? Conformal { get; }

    /// <summary>
    /// Top-k accuracy for each requested k: the fraction of rows whose label is among the k highest scores.
    /// Ties are broken as scikit-learn's <c>top_k_accuracy_score</c> does (the higher class index ranks first).
    /// </summary>
    public IReadOnlyDictionary<int, double> TopKAccuracy { get; }

    /// <summary>
    /// Mean recall over the many-shot classes (more than <see cref="ImbalancedEvaluationOptions.ManyShotThreshold"/>
    /// training rows) that are present in the evaluation labels; <see langword="null"/> when no training counts were
    /// given or the group has no such class.
    /// </summary>
    public double? ManyShotAccuracy { get; }

    /// <summary>
    /// Mean recall over the medium-shot classes (from <see cref="ImbalancedEvaluationOptions.FewShotThreshold"/> to
    /// <see cref="ImbalancedEvaluationOptions.ManyShotThreshold"/> training rows) present in the evaluation labels;
    /// <see langword="null"/> when the group is empty.
    /// </summary>
    public double? MediumShotAccuracy { get; }

    /// <summary>
    /// Mean recall over the few-shot classes (fewer than <see cref="ImbalancedEvaluationOptions.FewShotThreshold"/>
    /// training rows) present in the evaluation labels; <see langword="null"/> when the group is empty.
    /// </summary>
    public double? FewShotAccuracy { get; }

    private protected override void AppendTaskLines(StringBuilder sb)
    {
        foreach (var kv in TopKAccuracy)
            AppendLine(sb, "Top-" + kv.Key.ToString(CultureInfo.InvariantCulture) + " accuracy", kv.Value);
        if (ManyShotAccuracy.HasValue || MediumShotAccuracy.HasValue || FewShotAccuracy.HasValue)
        {
            AppendLine(sb, "Many-shot accuracy", ManyShotAccuracy);
            AppendLine(sb, "Medium-shot accuracy", MediumShotAccuracy);
            AppendLine(sb, "Few-shot accuracy", FewShotAccuracy);
        }
        if (Conformal is not null)
        {
            AppendLine(sb, "Conformal coverage", Conformal.Coverage);
            AppendLine(sb, "Conformal mean set size", Conformal.MeanSetSize);
            AppendLine(sb, "Conformal worst-class coverage", Conformal.WorstClassCoverage);
            AppendLine(sb, "Conformal class-coverage gap", Conformal.ClassCoverageGap);
            AppendLine(sb, "Conformal size-stratified violation", Conformal.SizeStratifiedCoverageViolation);
        }
    }
}
