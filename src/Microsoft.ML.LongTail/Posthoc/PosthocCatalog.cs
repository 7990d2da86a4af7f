using Microsoft.ML.LongTail;
using Microsoft.ML.LongTail.Posthoc;

namespace Microsoft.ML;

/// <summary>
/// Post-hoc corrections of a trained classifier's scores on <see cref="MulticlassClassificationCatalog"/> and
/// <see cref="BinaryClassificationCatalog"/>: logit adjustment, label-shift correction and binary threshold moving. Each is an
/// estimator whose fitted form is made of stock ML.NET transformers, so it composes with <c>Append</c>, saves and loads with
/// <c>mlContext.Model.Save/Load</c> and works in <c>PredictionEngine</c> and <c>CrossValidate</c>.
/// </summary>
public static class PosthocCatalog
{
    /// <summary>Post-hoc logit adjustment: <c>Score = softmax(log p - tau * log prior)</c> and a new <c>PredictedLabel</c>, with
    /// the priors fitted from the training labels.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="labelColumnName">The key label column the trainer was trained on.</param>
    /// <param name="scoreColumnName">The score vector column to adjust in place.</param>
    /// <param name="tau">The adjustment strength, non-negative.</param>
    /// <param name="scoreKind">Whether the scores are probabilities or raw scores.</param>
    /// <returns>The estimator; fit it on the scored training data (or append it to the trainer).</returns>
    public static LogitAdjustmentEstimator LogitAdjustment(this MulticlassClassificationCatalog catalog, string labelColumnName = "Label",
        string scoreColumnName = "Score", double tau = 1.0, MulticlassScoreKind scoreKind = MulticlassScoreKind.Probabilities) =>
        LogitAdjustment(catalog, new LogitAdjustmentOptions
        {
            LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName, Tau = tau, ScoreKind = scoreKind,
        });

    /// <summary>Post-hoc logit adjustment with given priors, <c>tau</c> tuning on validation data and other options.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static LogitAdjustmentEstimator LogitAdjustment(this MulticlassClassificationCatalog catalog, LogitAdjustmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LogitAdjustmentEstimator(CatalogContext.Get(catalog), options);
    }

    /// <summary>Label-shift correction: estimates the class priors of the (scored, unlabelled) data it is fitted on and re-weights
    /// the posteriors by <c>pi_t(y) / pi_s(y)</c>, with a new <c>PredictedLabel</c>.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="sourceData">Scored, labelled rows of the training distribution (a validation split).</param>
    /// <param name="method">Expectation-maximisation or black-box shift estimation.</param>
    /// <param name="labelColumnName">The key label column of <paramref name="sourceData"/>.</param>
    /// <param name="scoreColumnName">The score vector column (probabilities).</param>
    /// <returns>The estimator; fit it on the scored target data.</returns>
    public static LabelShiftCorrectionEstimator LabelShiftCorrection(this MulticlassClassificationCatalog catalog, IDataView sourceData,
        LabelShiftMethod method = LabelShiftMethod.ExpectationMaximization, string labelColumnName = "Label", string scoreColumnName = "Score") =>
        LabelShiftCorrection(catalog, new LabelShiftCorrectionOptions
        {
            SourceData = sourceData, Method = method, LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName,
        });

    /// <summary>Label-shift correction with full options.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="options">The options; <see cref="LabelShiftCorrectionOptions.SourceData"/> is required.</param>
    /// <returns>The estimator.</returns>
    public static LabelShiftCorrectionEstimator LabelShiftCorrection(this MulticlassClassificationCatalog catalog, LabelShiftCorrectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LabelShiftCorrectionEstimator(CatalogContext.Get(catalog), options);
    }

    /// <summary>Binary threshold moving: the decision threshold that maximises <paramref name="metric"/> on validation data,
    /// applied as <c>PredictedLabel = score &gt;= threshold</c>.</summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="metric">The metric to maximise.</param>
    /// <param name="validationData">Scored, labelled validation data; <see langword="null"/> searches on the data the estimator is fitted on.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="scoreColumnName">The Single column to threshold (<c>Probability</c> or <c>Score</c>).</param>
    /// <param name="minimumPrecision">The precision floor of <see cref="ThresholdMetric.RecallAtPrecision"/>.</param>
    /// <returns>The estimator.</returns>
    public static ThresholdMovingEstimator ThresholdMoving(this BinaryClassificationCatalog catalog, ThresholdMetric metric = ThresholdMetric.F1,
        IDataView? validationData = null, string labelColumnName = "Label", string scoreColumnName = "Probability", double minimumPrecision = 0.5) =>
        ThresholdMoving(catalog, new ThresholdMovingOptions
        {
            Metric = metric, ValidationData = validationData, LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName,
            MinimumPrecision = minimumPrecision,
        });

    /// <summary>Binary threshold moving with full options (a fixed threshold included).</summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static ThresholdMovingEstimator ThresholdMoving(this BinaryClassificationCatalog catalog, ThresholdMovingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ThresholdMovingEstimator(CatalogContext.Get(catalog), options);
    }
}
