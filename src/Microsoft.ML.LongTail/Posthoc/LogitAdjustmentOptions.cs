using Microsoft.ML.LongTail.Evaluation;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>Options of <see cref="LogitAdjustmentEstimator"/>.</summary>
public sealed class LogitAdjustmentOptions
{
    /// <summary>The default <see cref="TauCandidates"/>: 0 to 3 in steps of 0.25.</summary>
    public static IReadOnlyList<double> DefaultTauCandidates { get; } = Enumerable.Range(0, 13).Select(i => i * 0.25).ToArray();

    /// <summary>The key label column the trainer was trained on (its class counts give the priors). Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The multiclass score column to adjust, in place: a known-size vector of <see cref="float"/>, slot i for key i + 1.
    /// Default <c>"Score"</c>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The key column that receives the adjusted prediction (arg-max of the adjusted scores). Default
    /// <c>"PredictedLabel"</c>, which replaces the trainer's.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Whether the score column holds probabilities or raw scores. Default <see cref="MulticlassScoreKind.Probabilities"/>.</summary>
    public MulticlassScoreKind ScoreKind { get; set; } = MulticlassScoreKind.Probabilities;

    /// <summary>The adjustment strength <c>tau</c> (non-negative; 0 leaves the arg-max unchanged, 1 is the Bayes-optimal
    /// correction for balanced error when the scores are calibrated). Used when <see cref="ValidationData"/> is
    /// <see langword="null"/>. Default 1.</summary>
    public double Tau { get; set; } = 1.0;

    /// <summary>Class priors, one per class in key order (positive; they are scaled to sum to 1). Default
    /// <see langword="null"/>: the class frequencies of the label column of the data the estimator is fitted on.</summary>
    public IReadOnlyList<double>? Priors { get; set; }

    /// <summary>A pseudo-count added to every class's count when the priors are fitted from labels. Default 0: a class with no
    /// rows is then an error (its prior would be 0); set it (e.g. to 1) to allow such classes.</summary>
    public double PriorSmoothing { get; set; }

    /// <summary>Scored, labelled validation data (the output of the same trained model on rows it was not trained on) on
    /// which <c>tau</c> is tuned among <see cref="TauCandidates"/>; <see langword="null"/> (the default) uses
    /// <see cref="Tau"/>. Classes absent from the validation labels do not count in balanced accuracy and have recall 0 in the
    /// macro averages, as in <c>EvaluateImbalanced</c>.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>The <c>tau</c> values tried when tuning, each non-negative; the first best one wins. Default
    /// <see cref="DefaultTauCandidates"/>.</summary>
    public IReadOnlyList<double> TauCandidates { get; set; } = DefaultTauCandidates;

    /// <summary>The metric to maximise when tuning, computed from the validation confusion matrix (the calibration, top-k and
    /// shot-group members of the metrics are not filled). Default <see langword="null"/>: balanced accuracy.</summary>
    public Func<ImbalancedMulticlassMetrics, double>? TuningMetric { get; set; }
}
