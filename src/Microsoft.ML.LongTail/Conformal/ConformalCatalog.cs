using Microsoft.ML.LongTail.Conformal;

namespace Microsoft.ML;

/// <summary>
/// Conformal calibration on <see cref="MulticlassClassificationCatalog"/> and <see cref="RegressionCatalog"/>: estimators
/// fitted on held-out calibration data already scored by any ML.NET model, adding prediction sets (classification) or
/// intervals (regression) with distribution-free coverage guarantees.
/// </summary>
/// <remarks>
/// Fit each estimator on calibration rows the model did not train on, then append the result to the model:
/// <c>model.Append(mlContext.MulticlassClassification.ConformalClassifier(0.1).Fit(model.Transform(calibration)))</c>.
/// The fitted transformers are stock ML.NET transformers (normalizer and expression transforms for LAC / PAS sets and for
/// regression intervals, ONNX graphs for the rank-based sets), so they save, load and run in <c>PredictionEngine</c>.
/// </remarks>
public static class ConformalCatalog
{
    /// <summary>Split conformal prediction sets.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="alpha">The miscoverage level: sets cover the label with probability at least 1 - alpha.</param>
    /// <param name="score">The non-conformity score.</param>
    /// <param name="conditioning">Marginal, Mondrian (per class) or clustered coverage.</param>
    /// <param name="labelColumnName">The key label column of the calibration data.</param>
    /// <param name="scoreColumnName">The score vector column (probabilities, except for <see cref="NonconformityScore.TopK"/>).</param>
    /// <param name="outputColumnName">The prediction set column to add: <c>Vector&lt;Single, K&gt;</c>, 1 = class in the set.</param>
    /// <returns>The estimator.</returns>
    public static ConformalClassifier ConformalClassifier(this MulticlassClassificationCatalog catalog, double alpha = 0.1,
        NonconformityScore score = NonconformityScore.Lac, ConformalConditioning conditioning = ConformalConditioning.Marginal,
        string labelColumnName = "Label", string scoreColumnName = "Score", string outputColumnName = "PredictionSet") =>
        ConformalClassifier(catalog, new ConformalClassifierOptions
        {
            Alpha = alpha, Score = score, Conditioning = conditioning,
            LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName, OutputColumnName = outputColumnName,
        });

    /// <summary>Split conformal prediction sets, with full control over the options.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static ConformalClassifier ConformalClassifier(this MulticlassClassificationCatalog catalog, ConformalClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConformalClassifier(GetContext(catalog), options);
    }

    /// <summary>Conformal risk control: sets whose expected loss (by default the false-negative rate) is at most alpha.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="alpha">The risk level.</param>
    /// <param name="loss">The monotone loss to bound.</param>
    /// <param name="score">The non-conformity score defining the nested sets.</param>
    /// <param name="labelColumnName">The label column: a key, or a multi-hot vector of the score's length.</param>
    /// <param name="scoreColumnName">The score vector column.</param>
    /// <param name="outputColumnName">The prediction set column to add.</param>
    /// <param name="weightColumnName">Optional calibration row weights (non-exchangeable risk control); <see langword="null"/> for none.</param>
    /// <returns>The estimator.</returns>
    public static ConformalRiskControl ConformalRiskControl(this MulticlassClassificationCatalog catalog, double alpha = 0.1,
        ConformalLoss loss = ConformalLoss.FalseNegativeRate, NonconformityScore score = NonconformityScore.Lac,
        string labelColumnName = "Label", string scoreColumnName = "Score", string outputColumnName = "PredictionSet",
        string? weightColumnName = null) =>
        ConformalRiskControl(catalog, new ConformalRiskControlOptions
        {
            Alpha = alpha, Loss = loss, Score = score, LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName,
            OutputColumnName = outputColumnName, WeightColumnName = weightColumnName,
        });

    /// <summary>Conformal risk control, with full control over the options (custom loss, time decay...).</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static ConformalRiskControl ConformalRiskControl(this MulticlassClassificationCatalog catalog, ConformalRiskControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConformalRiskControl(GetContext(catalog), options);
    }

    /// <summary>Split conformal prediction intervals.</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="alpha">The miscoverage level: intervals cover the label with probability at least 1 - alpha.</param>
    /// <param name="score">Absolute residuals, normalised residuals (needs <see cref="ConformalRegressorOptions.DifficultyColumnName"/>)
    /// or conformalised quantile regression (needs the lower/upper columns).</param>
    /// <param name="labelColumnName">The <see cref="float"/> label column of the calibration data.</param>
    /// <param name="scoreColumnName">The <see cref="float"/> prediction column.</param>
    /// <param name="outputColumnName">The interval column to add: <c>Vector&lt;Single, 2&gt;</c> [lower, upper].</param>
    /// <returns>The estimator.</returns>
    public static ConformalRegressor ConformalRegressor(this RegressionCatalog catalog, double alpha = 0.1,
        ConformalRegressionScore score = ConformalRegressionScore.AbsoluteResidual, string labelColumnName = "Label",
        string scoreColumnName = "Score", string outputColumnName = "PredictionInterval") =>
        ConformalRegressor(catalog, new ConformalRegressorOptions
        {
            Alpha = alpha, Score = score, LabelColumnName = labelColumnName, ScoreColumnName = scoreColumnName,
            OutputColumnName = outputColumnName,
        });

    /// <summary>Group-conditional (Mondrian) split conformal prediction intervals: one threshold per group of a key column, so
    /// that the intervals cover the label with probability at least 1 - alpha within every group.</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="groupColumnName">The group column: a key (<see cref="ConformalRegressorOptions.GroupColumnName"/>), read at
    /// prediction time too.</param>
    /// <param name="alpha">The miscoverage level.</param>
    /// <param name="score">The non-conformity score.</param>
    /// <param name="fallback">What a group with too few calibration rows for its own threshold gets
    /// (<see cref="ConformalRegressorOptions.Fallback"/>); <see cref="ConformalFallback.FullSet"/> is an infinite interval.</param>
    /// <param name="labelColumnName">The <see cref="float"/> label column of the calibration data.</param>
    /// <param name="scoreColumnName">The <see cref="float"/> prediction column.</param>
    /// <param name="outputColumnName">The interval column to add: <c>Vector&lt;Single, 2&gt;</c> [lower, upper].</param>
    /// <returns>The estimator.</returns>
    public static ConformalRegressor ConformalRegressor(this RegressionCatalog catalog, string groupColumnName, double alpha = 0.1,
        ConformalRegressionScore score = ConformalRegressionScore.AbsoluteResidual, ConformalFallback fallback = ConformalFallback.FullSet,
        string labelColumnName = "Label", string scoreColumnName = "Score", string outputColumnName = "PredictionInterval")
    {
        ArgumentException.ThrowIfNullOrEmpty(groupColumnName);
        return ConformalRegressor(catalog, new ConformalRegressorOptions
        {
            GroupColumnName = groupColumnName, Alpha = alpha, Score = score, Fallback = fallback, LabelColumnName = labelColumnName,
            ScoreColumnName = scoreColumnName, OutputColumnName = outputColumnName,
        });
    }

    /// <summary>Split conformal prediction intervals, with full control over the options.</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static ConformalRegressor ConformalRegressor(this RegressionCatalog catalog, ConformalRegressorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConformalRegressor(GetContext(catalog), options);
    }

    // A catalog keeps its MLContext in a non-public property (TrainCatalogBase.Environment). The compiled chain only needs
    // some context to create stock estimators from, so a fresh one is an equivalent stand-in if that property ever changes.
    private static MLContext GetContext(object catalog) =>
        catalog.GetType().GetProperty("Environment",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
            ?.GetValue(catalog) as MLContext ?? new MLContext();
}
