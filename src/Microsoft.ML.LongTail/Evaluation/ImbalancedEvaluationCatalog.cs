using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML;

/// <summary>
/// Imbalance-aware evaluation on <see cref="MulticlassClassificationCatalog"/> and
/// <see cref="BinaryClassificationCatalog"/>: per-class precision/recall/specificity/F1/G-mean/IBA, balanced
/// accuracy, macro/weighted F1, MCC, Cohen's kappa, worst-class and many/medium/few-shot accuracy, calibration
/// error and, for binary tasks, ROC-AUC, average precision and recall at a precision target.
/// </summary>
/// <remarks>
/// The data is read in a single cursor pass. Rows are never dropped: a missing label key, a NaN score or an
/// empty view throws <see cref="InvalidOperationException"/>; a missing or mistyped column throws
/// <see cref="ArgumentException"/> naming the column (and listing the available ones).
/// </remarks>
public static class ImbalancedEvaluationCatalog
{
    /// <summary>
    /// Evaluates scored multiclass data with imbalance-aware metrics.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">Scored data: a key-typed label of cardinality K, a Single vector score of length K
    /// (slot i scores key i + 1) and a key-typed predicted label.</param>
    /// <param name="labelColumnName">Name of the key-typed label column.</param>
    /// <param name="scoreColumnName">Name of the score vector column.</param>
    /// <param name="predictedLabelColumnName">Name of the key-typed predicted label column.</param>
    /// <param name="trainingClassCounts">Training rows per class, for many/medium/few-shot accuracy
    /// (many: more than 100, few: fewer than 20); <see langword="null"/> to skip them.</param>
    /// <returns>The metrics.</returns>
    public static ImbalancedMulticlassMetrics EvaluateImbalanced(this MulticlassClassificationCatalog catalog,
        IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", IReadOnlyList<long>? trainingClassCounts = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return MulticlassImbalancedEvaluator.Evaluate(data, new ImbalancedEvaluationOptions
        {
            LabelColumnName = labelColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            TrainingClassCounts = trainingClassCounts,
        });
    }

    /// <summary>
    /// Evaluates scored multiclass data with imbalance-aware metrics, with full control over the options.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">Scored data; see <see cref="ImbalancedEvaluationOptions"/> for the column contract.</param>
    /// <param name="options">Column names, shot thresholds, calibration bins and top-k values.</param>
    /// <returns>The metrics.</returns>
    public static ImbalancedMulticlassMetrics EvaluateImbalanced(this MulticlassClassificationCatalog catalog,
        IDataView data, ImbalancedEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return MulticlassImbalancedEvaluator.Evaluate(data, options);
    }

    /// <summary>
    /// Evaluates scored binary data with imbalance-aware metrics.
    /// </summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="data">Scored data: a Boolean label, a Single score, a Boolean predicted label and optionally a
    /// Single probability.</param>
    /// <param name="labelColumnName">Name of the Boolean label column.</param>
    /// <param name="scoreColumnName">Name of the score column.</param>
    /// <param name="probabilityColumnName">Name of the probability column. If the default-named column is absent,
    /// ROC-AUC and the precision-recall figures use the score and the calibration error is <see langword="null"/>.</param>
    /// <param name="predictedLabelColumnName">Name of the Boolean predicted label column.</param>
    /// <returns>The metrics.</returns>
    public static ImbalancedBinaryMetrics EvaluateImbalanced(this BinaryClassificationCatalog catalog,
        IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return BinaryImbalancedEvaluator.Evaluate(data, new ImbalancedEvaluationOptions
        {
            LabelColumnName = labelColumnName,
            ScoreColumnName = scoreColumnName,
            ProbabilityColumnName = probabilityColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
        });
    }

    /// <summary>
    /// Evaluates scored binary data with imbalance-aware metrics, with full control over the options.
    /// </summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="data">Scored data; see <see cref="ImbalancedEvaluationOptions"/> for the column contract.</param>
    /// <param name="options">Column names, calibration bins and the precision target.</param>
    /// <returns>The metrics.</returns>
    public static ImbalancedBinaryMetrics EvaluateImbalanced(this BinaryClassificationCatalog catalog,
        IDataView data, ImbalancedEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return BinaryImbalancedEvaluator.Evaluate(data, options);
    }

    /// <summary>
    /// Evaluates conformal prediction sets: empirical coverage, mean set size, class-conditional coverage (per class, worst
    /// class, class-coverage gap) and size-stratified coverage.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">Data with a key label and a prediction set column (e.g. added by <c>ConformalClassifier</c>).</param>
    /// <param name="alpha">The target miscoverage level the gap and the stratified violation are measured against.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="predictionSetColumnName">The set column: a vector of K Single (above 0.5 = in the set) or Boolean.</param>
    /// <returns>The metrics.</returns>
    public static ConformalClassificationMetrics EvaluateConformal(this MulticlassClassificationCatalog catalog, IDataView data,
        double alpha, string labelColumnName = "Label", string predictionSetColumnName = "PredictionSet")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ConformalEvaluator.EvaluateSets(data, alpha, labelColumnName, predictionSetColumnName);
    }

    /// <summary>Evaluates conformal prediction intervals: empirical coverage and mean / median width.</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="data">Data with a Single label and an interval column (e.g. added by <c>ConformalRegressor</c>).</param>
    /// <param name="labelColumnName">The Single label column.</param>
    /// <param name="intervalColumnName">The interval column: a vector of 2 Single, [lower, upper].</param>
    /// <returns>The metrics.</returns>
    public static ConformalRegressionMetrics EvaluateConformal(this RegressionCatalog catalog, IDataView data,
        string labelColumnName = "Label", string intervalColumnName = "PredictionInterval")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ConformalEvaluator.EvaluateIntervals(data, labelColumnName, intervalColumnName);
    }
}
