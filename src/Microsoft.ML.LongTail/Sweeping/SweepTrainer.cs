namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>What a <see cref="SweepTrainer"/>'s factory is given to build one trial's trainer.</summary>
/// <param name="Context">The ML context.</param>
/// <param name="LabelColumnName">The key-typed label column.</param>
/// <param name="FeatureColumnName">The float-vector feature column.</param>
/// <param name="ExampleWeightColumnName">The example-weight column, or null where the strategy gives none.</param>
/// <param name="Parameters">The trainer's hyper-parameters chosen for this trial.</param>
/// <param name="Seed">The sweep's seed.</param>
/// <param name="Loss">The training loss a <see cref="SweepStrategy.TailLoss"/> trial asks for (one of
/// <see cref="SweepTrainer.Losses"/>), or null for the trainer's own default.</param>
public sealed record SweepTrainerContext(MLContext Context, string LabelColumnName, string FeatureColumnName,
    string? ExampleWeightColumnName, SweepParameters Parameters, int Seed, string? Loss = null);

/// <summary>
/// A trainer the sweep may pick: a name, a factory from a <see cref="SweepTrainerContext"/> to a multiclass trainer
/// (an estimator writing <c>Score</c> and a key <c>PredictedLabel</c>), and a small hyper-parameter space. The library
/// has no dependency on LightGBM or FastTree: callers pass them in as factories (see the command line's trainers).
/// A new trainer (for example a TorchSharp net) is one more instance of this class.
/// </summary>
public sealed class SweepTrainer
{
    /// <summary>Creates a trainer entry.</summary>
    /// <param name="name">A short unique name shown in the leaderboard.</param>
    /// <param name="create">Builds the trainer for one trial.</param>
    /// <param name="parameters">Its hyper-parameters (each value list's first value is the default).</param>
    public SweepTrainer(string name, Func<SweepTrainerContext, IEstimator<ITransformer>> create, params SweepParameter[] parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        Name = name;
        Create = create;
        Parameters = parameters ?? [];
    }

    /// <summary>The trainer's name.</summary>
    public string Name { get; }

    /// <summary>Builds the trainer for one trial.</summary>
    public Func<SweepTrainerContext, IEstimator<ITransformer>> Create { get; }

    /// <summary>The hyper-parameter space.</summary>
    public IReadOnlyList<SweepParameter> Parameters { get; }

    /// <summary>Whether the trainer honours <see cref="SweepTrainerContext.ExampleWeightColumnName"/> (default true);
    /// strategies that weight examples skip trainers that do not.</summary>
    public bool SupportsExampleWeights { get; init; } = true;

    /// <summary>Whether the trainer's <c>Score</c> is a probability vector summing to one (default true); post-hoc
    /// logit adjustment needs it.</summary>
    public bool ProducesProbabilities { get; init; } = true;

    /// <summary>The tail-aware losses the trainer can train with when a <see cref="SweepStrategy.TailLoss"/> trial asks
    /// (<see cref="SweepTrainerContext.Loss"/>); empty (the default) for trainers with a fixed loss.</summary>
    public IReadOnlyList<string> Losses { get; init; } = [];

    /// <summary>SDCA maximum entropy (in Microsoft.ML itself): <c>l2</c> regularisation and <c>iterations</c>.</summary>
    public static SweepTrainer SdcaMaximumEntropy() => new("SdcaMaxEnt",
        c => c.Context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new Trainers.SdcaMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = c.LabelColumnName,
            FeatureColumnName = c.FeatureColumnName,
            ExampleWeightColumnName = c.ExampleWeightColumnName,
            L2Regularization = c.Parameters.Get<float?>("l2", null),
            MaximumNumberOfIterations = c.Parameters.Get("iterations", 100),
            NumberOfThreads = 1,
        }),
        SweepParameter.Choice<object>("l2", 1e-4f, 1e-2f, 1f),
        SweepParameter.Choice("iterations", 100, 30));

    /// <summary>L-BFGS maximum entropy (in Microsoft.ML itself): <c>l2</c> regularisation.</summary>
    public static SweepTrainer LbfgsMaximumEntropy() => new("LbfgsMaxEnt",
        c => c.Context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = c.LabelColumnName,
            FeatureColumnName = c.FeatureColumnName,
            ExampleWeightColumnName = c.ExampleWeightColumnName,
            L2Regularization = c.Parameters.Get("l2", 1f),
            NumberOfThreads = 1,
        }),
        SweepParameter.Choice("l2", 1f, 0.1f, 0.01f));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
