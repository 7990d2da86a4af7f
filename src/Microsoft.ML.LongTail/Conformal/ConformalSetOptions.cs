namespace Microsoft.ML.LongTail.Conformal;

/// <summary>The options shared by the classification conformal estimators (<see cref="ConformalClassifier"/>,
/// <see cref="ConformalRiskControl"/>).</summary>
public abstract class ConformalSetOptions
{
    /// <summary>The label column of the calibration data: a key whose cardinality is the score vector's length (slot i scores
    /// raw key i + 1). Default <c>"Label"</c>. Only read while calibrating.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The score column: a known-size vector of <see cref="float"/>, one slot per class, as produced by any ML.NET
    /// multiclass trainer. Default <c>"Score"</c>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The column to add: the prediction set, a <c>Vector&lt;Single&gt;</c> of the score's length with 1 for each class
    /// in the set and 0 otherwise. Default <c>"PredictionSet"</c>.</summary>
    public string OutputColumnName { get; set; } = "PredictionSet";

    /// <summary>The miscoverage level (target risk): the sets cover the label with probability at least 1 - alpha.
    /// Default 0.1. Must lie strictly between 0 and 1.</summary>
    public double Alpha { get; set; } = 0.1;

    /// <summary>The non-conformity score. Default <see cref="NonconformityScore.Lac"/>.</summary>
    public NonconformityScore Score { get; set; } = NonconformityScore.Lac;

    /// <summary>APS and RAPS only: randomise the score of the label (<c>u * p_y</c> with <c>u</c> uniform), which makes coverage
    /// exactly 1 - alpha on average and the sets smaller. Default <see langword="false"/>. The draw <c>u</c> is a deterministic
    /// hash of the row's score vector (computed identically in the ONNX graph and in managed code), so predictions are
    /// reproducible across runs, save/load and <c>PredictionEngine</c>.</summary>
    public bool Randomized { get; set; }

    /// <summary>RAPS only: the penalty per rank beyond <see cref="RapsRegularizationRank"/>. Default 0.01.</summary>
    public double RapsLambda { get; set; } = 0.01;

    /// <summary>RAPS only: <c>k_reg</c>, the number of top ranks without penalty. Default 5.</summary>
    public int RapsRegularizationRank { get; set; } = 5;

    /// <summary>PAS only: the class priors (positive, one per class). Default <see langword="null"/>: the calibration class
    /// frequencies with add-one smoothing, <c>(n_c + 1) / (n + K)</c>.</summary>
    public IReadOnlyList<double>? ClassPriors { get; set; }
}
