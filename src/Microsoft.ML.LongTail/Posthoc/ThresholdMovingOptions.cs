namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>Options of <see cref="ThresholdMovingEstimator"/>.</summary>
public sealed class ThresholdMovingOptions
{
    /// <summary>The <see cref="bool"/> label column (of the validation data). Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The <see cref="float"/> column thresholded: <c>"Probability"</c> (the default) of a calibrated binary trainer, or
    /// <c>"Score"</c>.</summary>
    public string ScoreColumnName { get; set; } = "Probability";

    /// <summary>The <see cref="bool"/> column written: <c>score &gt;= threshold</c>. Default <c>"PredictedLabel"</c>, which replaces
    /// the trainer's.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The metric to maximise. Default <see cref="ThresholdMetric.F1"/>.</summary>
    public ThresholdMetric Metric { get; set; } = ThresholdMetric.F1;

    /// <summary>The precision floor of <see cref="ThresholdMetric.RecallAtPrecision"/>, in (0, 1]. Default 0.5.</summary>
    public double MinimumPrecision { get; set; } = 0.5;

    /// <summary>A fixed threshold: no search, and no label needed. Default <see langword="null"/> (search).</summary>
    public float? Threshold { get; set; }

    /// <summary>Scored, labelled validation data to search on (the output of the same model on rows it was not trained on).
    /// Default <see langword="null"/>: the data the estimator is fitted on, which for a trainer's own training rows gives an
    /// optimistic threshold.</summary>
    public IDataView? ValidationData { get; set; }
}
