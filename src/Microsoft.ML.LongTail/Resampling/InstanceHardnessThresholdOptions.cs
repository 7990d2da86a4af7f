namespace Microsoft.ML.LongTail.Resampling;

/// <summary>What kind of trainer <see cref="InstanceHardnessThresholdOptions.Trainer"/> makes, and so which label it
/// is given and which output column gives the probabilities.</summary>
public enum HardnessTrainerKind
{
    /// <summary>A multiclass trainer: it reads a key label <c>"Label"</c> (one key value per class, in class order) and
    /// must output a <c>"Score"</c> vector with one probability per class (as <c>SdcaMaximumEntropy</c>, LightGBM's
    /// multiclass trainer or a calibrated one-versus-all).</summary>
    Multiclass,
    /// <summary>A binary trainer, for data with two classes: it reads a Boolean label <c>"Label"</c> (true for the
    /// second class) and must output a calibrated <c>"Probability"</c> column (the probability of the second class).</summary>
    Binary,
}

/// <summary>Options of <see cref="InstanceHardnessThreshold"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>,
/// under-samples every class but the minority towards the minority's size.</summary>
public sealed class InstanceHardnessThresholdOptions : SamplerOptions
{
    /// <summary>
    /// Makes the estimator (a trainer, possibly after transforms such as a normaliser) whose cross-validated
    /// probabilities measure how hard each row is: it is called once per fold, with that fold's own <see cref="MLContext"/>
    /// (seeded from <see cref="SamplerOptions.Seed"/> and the fold's number), possibly from several threads at once (see
    /// <see cref="MaxDegreeOfParallelism"/>), and is fitted on a data view with just a <c>"Label"</c> column (see
    /// <see cref="TrainerKind"/>) and a <c>"Features"</c> float vector column, whatever the input's column names. Default
    /// <see langword="null"/>: min-max normalisation then <c>SdcaMaximumEntropy</c> on one thread (reproducible), 20
    /// passes at most (imbalanced-learn's default is a random forest).
    /// </summary>
    public Func<MLContext, IEstimator<ITransformer>>? Trainer { get; set; }

    /// <summary>Whether <see cref="Trainer"/> is multiclass (the default) or binary.</summary>
    public HardnessTrainerKind TrainerKind { get; set; } = HardnessTrainerKind.Multiclass;

    /// <summary>The number of stratified cross-validation folds (imbalanced-learn's <c>cv</c>). Default 5; at least 2.</summary>
    public int NumberOfFolds { get; set; } = 5;

    /// <summary>How many folds are trained at once; -1 (the default) for as many as there are processors. The result
    /// does not depend on it. Set 1 when <see cref="Trainer"/> is not safe to call from several threads.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
