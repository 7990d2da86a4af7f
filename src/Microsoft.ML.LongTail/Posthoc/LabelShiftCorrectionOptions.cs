namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>Options of <see cref="LabelShiftCorrectionEstimator"/>.</summary>
public sealed class LabelShiftCorrectionOptions
{
    /// <summary>Scored, labelled source data: the model's output on rows from the training distribution it was not trained on
    /// (a validation split). Gives the key label type and, unless <see cref="SourcePriors"/> is set, the source priors; black-box
    /// shift estimation takes its confusion matrix from it. Required.</summary>
    public IDataView? SourceData { get; set; }

    /// <summary>The estimation method. Default <see cref="LabelShiftMethod.ExpectationMaximization"/>.</summary>
    public LabelShiftMethod Method { get; set; } = LabelShiftMethod.ExpectationMaximization;

    /// <summary>The key label column of <see cref="SourceData"/> (the trainer's label). Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The multiclass score column, replaced by the corrected probabilities. Default <c>"Score"</c>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The key column that receives the corrected prediction. Default <c>"PredictedLabel"</c>, which replaces the trainer's.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Whether the score column holds probabilities or raw scores (whose softmax is taken). Default
    /// <see cref="MulticlassScoreKind.Probabilities"/>.</summary>
    public MulticlassScoreKind ScoreKind { get; set; } = MulticlassScoreKind.Probabilities;

    /// <summary>The class priors the model was trained under, in key order (positive). Default <see langword="null"/>: the
    /// label frequencies of <see cref="SourceData"/>.</summary>
    public IReadOnlyList<double>? SourcePriors { get; set; }

    /// <summary>The most EM steps. Default 1000.</summary>
    public int MaximumIterations { get; set; } = 1000;

    /// <summary>EM stops when no prior changes by more than this. Default 1e-8.</summary>
    public double Tolerance { get; set; } = 1e-8;
}
