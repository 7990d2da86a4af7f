namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Options for <see cref="ImbalancedEvaluationCatalog.EvaluateImbalanced(MulticlassClassificationCatalog, IDataView, ImbalancedEvaluationOptions)"/>
/// and <see cref="ImbalancedEvaluationCatalog.EvaluateImbalanced(BinaryClassificationCatalog, IDataView, ImbalancedEvaluationOptions)"/>.
/// Members that only apply to one task say so; the other task ignores them.
/// </summary>
public sealed class ImbalancedEvaluationOptions
{
    /// <summary>
    /// Name of the label column. Default <c>"Label"</c>. Multiclass: a key type of cardinality K
    /// (raw key 0, the missing value, is rejected). Binary: <see cref="bool"/>.
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>
    /// Name of the score column. Default <c>"Score"</c>. Multiclass: a <see cref="float"/> vector of length K
    /// where slot i scores the class with raw key i + 1. Binary: a <see cref="float"/>.
    /// </summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>
    /// Name of the predicted label column. Default <c>"PredictedLabel"</c>. Multiclass: a key type of the
    /// label's cardinality. Binary: <see cref="bool"/>. Multiclass only: when <see langword="null"/>,
    /// the prediction is the arg-max of the score vector (first slot on ties).
    /// </summary>
    public string? PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>
    /// Binary only. Name of the <see cref="float"/> probability column. Default <c>"Probability"</c>.
    /// When <see langword="null"/> or absent from the view, ROC-AUC, PR-AUC and recall at precision are computed
    /// from the score and the expected calibration error is <see langword="null"/>.
    /// </summary>
    public string? ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>
    /// Multiclass only. Training rows per class (index i is the class with raw key i + 1), used to split classes
    /// into many-shot, medium-shot and few-shot groups. Default <see langword="null"/>: no group accuracies.
    /// When set, its length must equal the label cardinality.
    /// </summary>
    public IReadOnlyList<long>? TrainingClassCounts { get; set; }

    /// <summary>
    /// Multiclass only. A class is many-shot when it has strictly more than this many training rows. Default 100.
    /// </summary>
    public int ManyShotThreshold { get; set; } = 100;

    /// <summary>
    /// Multiclass only. A class is few-shot when it has strictly fewer than this many training rows. Default 20.
    /// Classes from <see cref="FewShotThreshold"/> to <see cref="ManyShotThreshold"/> inclusive are medium-shot.
    /// </summary>
    public int FewShotThreshold { get; set; } = 20;

    /// <summary>
    /// Number of equal-width confidence bins on [0, 1] for the expected calibration error and the reliability
    /// diagram. Default 15. Bin b holds confidences in (b/B, (b+1)/B]; a confidence of exactly 0 falls in bin 0.
    /// </summary>
    public int CalibrationBins { get; set; } = 15;

    /// <summary>
    /// Multiclass only. The k values for top-k accuracy. Default { 2 }.
    /// </summary>
    public IReadOnlyList<int> TopK { get; set; } = new[] { 2 };

    /// <summary>
    /// Binary only. Target precision for <see cref="ImbalancedBinaryMetrics.RecallAtPrecision"/>. Default 0.9.
    /// </summary>
    public double RecallAtPrecision { get; set; } = 0.9;

    /// <summary>
    /// Weight alpha of the dominance term of the index of balanced accuracy,
    /// IBA = (1 + alpha * (sensitivity - specificity)) * G-mean². Default 0.1, as imbalanced-learn.
    /// </summary>
    public double IndexBalancedAccuracyAlpha { get; set; } = 0.1;

    /// <summary>
    /// Multiclass only. A conformal prediction set column (a vector of K Single, 1 = in the set, e.g. added by
    /// <c>ConformalClassifier</c>) to report coverage, set size, class-conditional and size-stratified coverage for, in
    /// <see cref="ImbalancedMulticlassMetrics.Conformal"/>. Default <see langword="null"/>: none.
    /// </summary>
    public string? PredictionSetColumnName { get; set; }

    /// <summary>
    /// Multiclass only, with <see cref="PredictionSetColumnName"/>: the target miscoverage level of the sets. Default 0.1.
    /// </summary>
    public double ConformalAlpha { get; set; } = 0.1;
}
