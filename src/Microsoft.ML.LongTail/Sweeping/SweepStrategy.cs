using Microsoft.ML.LongTail.Posthoc;
using Microsoft.ML.LongTail.Resampling;
using Microsoft.ML.LongTail.Weighting;

namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>What a <see cref="SweepStrategy"/> is given to build one trial's training step.</summary>
/// <param name="Context">The ML context.</param>
/// <param name="LabelColumnName">The key-typed label column.</param>
/// <param name="FeatureColumnName">The float-vector feature column.</param>
/// <param name="Parameters">The strategy's parameters chosen for this trial.</param>
/// <param name="Seed">The sweep's seed.</param>
/// <param name="CreateTrainer">Builds the trial's trainer, given the example-weight column (null for none).</param>
/// <param name="SmallestClassCount">The fewest rows any class has in any training fold (neighbour-based samplers cap
/// their number of neighbours below it).</param>
public sealed record SweepStrategyContext(MLContext Context, string LabelColumnName, string FeatureColumnName,
    SweepParameters Parameters, int Seed, Func<string?, IEstimator<ITransformer>> CreateTrainer, int SmallestClassCount)
{
    /// <summary>The parameter <paramref name="name"/> (default <paramref name="fallback"/>) capped at
    /// <see cref="SmallestClassCount"/> - 1 and at least 1: a neighbour count every class can give.</summary>
    public int Neighbors(string name = "k", int fallback = 5) => Math.Max(1, Math.Min(Parameters.Get(name, fallback), SmallestClassCount - 1));

    /// <summary>Builds the trial's trainer training with the named loss (one of the trainer's
    /// <see cref="SweepTrainer.Losses"/>), without example weights. Set by the sweep.</summary>
    public Func<string, IEstimator<ITransformer>>? CreateTrainerWithLoss { get; init; }
}

/// <summary>
/// How the class imbalance is handled in one trial: a name, a builder that wraps the trial's trainer into the estimator
/// fitted on the (featurised) training rows, and a small parameter space. Built-ins: <see cref="None"/>,
/// <see cref="ClassBalancedWeights"/>, <see cref="Resampling"/> (one per sampler), <see cref="LogitAdjustment"/>.
/// A new strategy (a tail-aware loss, a conformal step...) is one more instance of this class.
/// </summary>
public sealed class SweepStrategy
{
    /// <summary>The name of the internal example-weight column written by <see cref="ClassBalancedWeights"/>.</summary>
    public const string WeightColumnName = "__SweepWeight";

    /// <summary>Creates a strategy entry.</summary>
    /// <param name="name">A short unique name shown in the leaderboard.</param>
    /// <param name="build">Builds the training step from the context (call <see cref="SweepStrategyContext.CreateTrainer"/>).</param>
    /// <param name="parameters">Its parameters (each value list's first value is the default).</param>
    public SweepStrategy(string name, Func<SweepStrategyContext, IEstimator<ITransformer>> build, params SweepParameter[] parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(build);
        Name = name;
        Build = build;
        Parameters = parameters ?? [];
    }

    /// <summary>The strategy's name.</summary>
    public string Name { get; }

    /// <summary>Builds the training step.</summary>
    public Func<SweepStrategyContext, IEstimator<ITransformer>> Build { get; }

    /// <summary>The parameter space.</summary>
    public IReadOnlyList<SweepParameter> Parameters { get; }

    /// <summary>Whether the strategy acts on the class imbalance (weights, resampling, adjusted logits or losses). On classes
    /// that are balanced (<see cref="ImbalanceSweepOptions.BalancedImbalanceRatio"/>) the sweep searches only the strategies
    /// where this is <see langword="false"/>. Default <see langword="true"/>; <see langword="false"/> for <see cref="None"/>.</summary>
    public bool AddressesImbalance { get; init; } = true;

    /// <summary>Whether the trial's trainer must honour example weights.</summary>
    public bool RequiresExampleWeights { get; init; }

    /// <summary>Whether the trial's trainer must produce probabilities.</summary>
    public bool RequiresProbabilities { get; init; }

    /// <summary>The training losses the trial's trainer must offer (see <see cref="SweepTrainer.Losses"/>); empty for
    /// strategies that leave the loss alone.</summary>
    public IReadOnlyList<string> RequiresLosses { get; init; } = [];

    /// <summary>Whether the strategy can be combined with <paramref name="trainer"/>.</summary>
    public bool Supports(SweepTrainer trainer) =>
        (!RequiresExampleWeights || trainer.SupportsExampleWeights) && (!RequiresProbabilities || trainer.ProducesProbabilities)
        && RequiresLosses.All(l => trainer.Losses.Contains(l, StringComparer.Ordinal));

    /// <summary>The trainer as it is.</summary>
    public static SweepStrategy None() => new("none", c => c.CreateTrainer(null)) { AddressesImbalance = false };

    /// <summary>Class-balanced example weights (<c>scheme</c>: inverse frequency, square root, effective number) computed
    /// from the training rows while fitting only: the saved model is the featuriser and the trainer, with no weight
    /// column to supply at prediction time.</summary>
    public static SweepStrategy ClassBalancedWeights() => new("weights",
        c => new TrainingOnlyEstimator(
            c.Context.Transforms.ClassBalancedWeights(WeightColumnName, c.LabelColumnName,
                c.Parameters.Get("scheme", ClassWeightingScheme.InverseFrequency)),
            c.CreateTrainer(WeightColumnName)),
        SweepParameter.Choice("scheme", ClassWeightingScheme.InverseFrequency, ClassWeightingScheme.SquareRootInverseFrequency,
            ClassWeightingScheme.EffectiveNumber))
    { RequiresExampleWeights = true };

    /// <summary>A sampler inside the pipeline (<c>trainer.WithResampling(sampler)</c>): while fitting only, and in the
    /// sweep's cross-validation on the training folds only.</summary>
    /// <param name="name">The strategy's name (for example <c>smote</c>).</param>
    /// <param name="createSampler">Builds the sampler from the context (label / feature columns, seed, parameters).</param>
    /// <param name="parameters">The sampler's parameter space.</param>
    public static SweepStrategy Resampling(string name, Func<SweepStrategyContext, Sampler> createSampler, params SweepParameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(createSampler);
        return new(name, c => c.CreateTrainer(null).WithResampling(createSampler(c)), parameters);
    }

    /// <summary>Post-hoc logit adjustment (Menon et al. 2021) with temperature <c>tau</c>, priors from the training rows.</summary>
    public static SweepStrategy LogitAdjustment() => new("logit-adjust",
        c => c.CreateTrainer(null).Append(c.Context.MulticlassClassification.LogitAdjustment(new LogitAdjustmentOptions
        {
            LabelColumnName = c.LabelColumnName,
            Tau = c.Parameters.Get("tau", 1.0),
            ScoreKind = MulticlassScoreKind.Probabilities,
        })),
        SweepParameter.Choice("tau", 1.0, 0.5, 1.5))
    { RequiresProbabilities = true };

    /// <summary>
    /// A tail-aware training loss (<c>loss</c>: one of <paramref name="losses"/>, the first the default), for trainers
    /// that train with a loss they are told (<see cref="SweepTrainer.Losses"/>, for example Microsoft.ML.RobustLoss's
    /// network: <c>balanced-softmax</c>, <c>ldam-drw</c>, <c>logit-adjusted</c>, <c>cb-focal</c>, <c>focal</c>,
    /// <c>weighted-ce</c>). The imbalance is handled inside training: no weights, no resampling, no post-hoc step.
    /// </summary>
    /// <param name="losses">The losses to search over (default: balanced softmax, LDAM-DRW, class-balanced focal).</param>
    public static SweepStrategy TailLoss(params string[] losses)
    {
        if (losses is null || losses.Length == 0)
            losses = ["balanced-softmax", "ldam-drw", "cb-focal"];
        return new("tail-loss", c => (c.CreateTrainerWithLoss ?? throw new InvalidOperationException(
                "The tail-loss strategy needs SweepStrategyContext.CreateTrainerWithLoss (set by ImbalanceSweep)."))(c.Parameters.Get("loss", losses[0])),
            SweepParameter.Choice("loss", losses))
        { RequiresLosses = losses };
    }

    /// <summary>SMOTE (<c>k</c> neighbours; <c>q</c>: <see cref="SamplingStrategy.LongTail"/> exponent, 0 = balance fully).</summary>
    public static SweepStrategy Smote() => Resampling("smote", c => new Smote(new SmoteOptions
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, Seed = c.Seed,
        NumberOfNeighbors = c.Neighbors(), Strategy = Target(c), MaxDegreeOfParallelism = 1,
    }), SweepParameter.Choice("k", 5, 3), SweepParameter.Choice("q", 0.0, 0.5));

    /// <summary>Random over-sampling (<c>q</c> as for <see cref="Smote"/>).</summary>
    public static SweepStrategy RandomOverSampling() => Resampling("random-over", c => new RandomOverSampler(new RandomOverSamplerOptions
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, Seed = c.Seed, Strategy = Target(c),
    }), SweepParameter.Choice("q", 0.0, 0.5));

    /// <summary>Random under-sampling of every class but the smallest.</summary>
    public static SweepStrategy RandomUnderSampling() => Resampling("random-under", c => new RandomUnderSampler(new RandomUnderSamplerOptions
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, Seed = c.Seed,
    }));

    /// <summary>Borderline-SMOTE (<c>k</c> neighbours).</summary>
    public static SweepStrategy BorderlineSmote() => Resampling("borderline-smote", c => new BorderlineSmote(new BorderlineSmoteOptions
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, Seed = c.Seed,
        NumberOfNeighbors = c.Neighbors(), MaxDegreeOfParallelism = 1,
    }), SweepParameter.Choice("k", 5, 3));

    /// <summary>ADASYN (<c>k</c> neighbours).</summary>
    public static SweepStrategy Adasyn() => Resampling("adasyn", c => new Adasyn(new AdasynOptions
    {
        LabelColumnName = c.LabelColumnName, FeatureColumnName = c.FeatureColumnName, Seed = c.Seed,
        NumberOfNeighbors = c.Neighbors(), MaxDegreeOfParallelism = 1,
    }), SweepParameter.Choice("k", 5, 3));

    /// <summary>The default strategies: none, class-balanced weights, random over / under-sampling, SMOTE,
    /// Borderline-SMOTE, ADASYN, logit adjustment, and the tail-aware losses (<see cref="TailLoss"/>, only with trainers
    /// that offer them).</summary>
    public static IReadOnlyList<SweepStrategy> Defaults() =>
        [None(), ClassBalancedWeights(), Smote(), RandomOverSampling(), RandomUnderSampling(), BorderlineSmote(), Adasyn(), LogitAdjustment(), TailLoss()];

    private static SamplingStrategy Target(SweepStrategyContext c)
    {
        double q = c.Parameters.Get("q", 0.0);
        return q <= 0 ? SamplingStrategy.Auto : SamplingStrategy.LongTail(q);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
