using Microsoft.ML.Quantize;

namespace Microsoft.ML.RobustLoss;

/// <summary>The non-linearity after each hidden layer.</summary>
public enum NeuralNetworkActivation
{
    /// <summary><c>max(0, x)</c>.</summary>
    Relu,

    /// <summary>GELU, exact (erf) form.</summary>
    Gelu,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Leaky ReLU with negative slope 0.01.</summary>
    LeakyRelu,
}

/// <summary>The normalisation after each hidden linear layer (before the activation).</summary>
public enum NeuralNetworkNormalization
{
    /// <summary>No normalisation.</summary>
    None,

    /// <summary>Batch normalisation; at scoring its running statistics are folded into the linear layer.</summary>
    BatchNorm,

    /// <summary>Layer normalisation (ONNX <c>LayerNormalization</c> at scoring).</summary>
    LayerNorm,
}

/// <summary>The optimiser.</summary>
public enum NeuralNetworkOptimizer
{
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with momentum (optionally Nesterov) and L2 weight decay.</summary>
    Sgd,
}

/// <summary>The learning-rate schedule after the warm-up.</summary>
public enum LearningRateSchedule
{
    /// <summary>The base learning rate throughout.</summary>
    Constant,

    /// <summary>Cosine decay from the base rate to 0 at the last step, updated every mini-batch.</summary>
    Cosine,

    /// <summary>The base rate times <c>StepGamma^floor((epoch - 1) / StepSize)</c>.</summary>
    Step,
}

/// <summary>How rows are drawn into mini-batches (classification).</summary>
public enum BatchSampling
{
    /// <summary>Every row once per epoch, shuffled.</summary>
    Uniform,

    /// <summary>Each draw picks a class uniformly, then a row of that class (with replacement); an epoch draws as many rows as the data has.</summary>
    ClassBalanced,

    /// <summary>As class-balanced, with class probabilities proportional to <c>sqrt(n_c)</c>.</summary>
    SquareRoot,
}

/// <summary>Where the network trains.</summary>
public enum TrainingDevice
{
    /// <summary>CUDA when TorchSharp reports it available, else the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>The first CUDA device; training throws when TorchSharp reports none.</summary>
    Cuda,
}

/// <summary>Mixed-precision training: the reduced floating-point type of the matrix products.</summary>
/// <remarks>As PyTorch's automatic mixed precision does: the linear layers' products (forward and backward) run in the reduced
/// type; the master weights, the optimiser state, normalisation layers and the loss stay in float32, so the trained model, its
/// ONNX export and scoring are float32 as always.</remarks>
public enum MixedPrecision
{
    /// <summary>Everything in float32.</summary>
    None,

    /// <summary>IEEE half precision, with dynamic loss scaling (as PyTorch's <c>GradScaler</c>): the loss is multiplied by a scale
    /// (initially 2^16) before the backward pass so that small gradients do not flush to zero; a step whose gradients overflow
    /// is skipped and the scale halved; after 2,000 steps without overflow the scale doubles. Fast on CUDA tensor cores; on
    /// the CPU it runs but is usually slower than float32.</summary>
    Float16,

    /// <summary>bfloat16 (float32's range, 8 significant bits): no loss scaling needed. Fast on CUDA (Ampere and later); on a
    /// CPU with AVX512-BF16 it ran at about float32's speed (bench/RESULTS.md), elsewhere slower.</summary>
    BFloat16,
}

/// <summary>The validation metric that picks the best epoch and drives early stopping (classification).</summary>
public enum ClassificationValidationMetric
{
    /// <summary>The mean per-class recall over the classes present in the validation data.</summary>
    BalancedAccuracy,

    /// <summary>The fraction of validation rows predicted correctly.</summary>
    Accuracy,
}

/// <summary>One finished epoch, reported through <see cref="NeuralNetworkOptionsBase.Progress"/> and the ML.NET log.</summary>
/// <param name="Stage">1 for the main training; 2 for classifier re-training (see
/// <see cref="ClassificationNeuralNetworkOptionsBase.ClassifierRetrainingEpochs"/>).</param>
/// <param name="Epoch">The epoch number within the stage, from 1.</param>
/// <param name="TrainingLoss">The mean training loss over the epoch's mini-batches.</param>
/// <param name="ValidationMetric">The validation metric after the epoch (classification: see
/// <see cref="ClassificationNeuralNetworkOptionsBase.ValidationMetric"/>; regression: the mean validation loss), or
/// <see langword="null"/> without validation data.</param>
/// <param name="LearningRate">The learning rate at the epoch's last step.</param>
/// <param name="Seconds">The epoch's wall-clock time, validation excluded.</param>
public sealed record NeuralNetworkEpoch(int Stage, int Epoch, double TrainingLoss, double? ValidationMetric, double LearningRate, double Seconds);

/// <summary>Options shared by the neural-network trainers: the network, the optimiser, the schedule and the run.</summary>
public abstract class NeuralNetworkOptionsBase
{
    /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>"Features"</c>. Scale features first
    /// (for example <c>NormalizeMinMax</c>): the network sees them as they are.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The label column. Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Widths of the hidden layers; empty for a linear model. Default <c>[128]</c>.</summary>
    public int[] HiddenLayers { get; set; } = [128];

    /// <summary>The activation after each hidden layer. Default <see cref="NeuralNetworkActivation.Relu"/>.</summary>
    public NeuralNetworkActivation Activation { get; set; } = NeuralNetworkActivation.Relu;

    /// <summary>Dropout probability after each hidden activation, in [0, 1). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>Normalisation of each hidden layer. Default <see cref="NeuralNetworkNormalization.None"/>.</summary>
    public NeuralNetworkNormalization Normalization { get; set; } = NeuralNetworkNormalization.None;

    /// <summary>Training epochs (passes over the data), at least 1. Default 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary>Rows per mini-batch. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The optimiser. Default <see cref="NeuralNetworkOptimizer.AdamW"/>.</summary>
    public NeuralNetworkOptimizer Optimizer { get; set; } = NeuralNetworkOptimizer.AdamW;

    /// <summary>The base learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Weight decay (decoupled for AdamW, L2 for SGD). Default 1e-4.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Nesterov momentum for SGD. Default <see langword="false"/>.</summary>
    public bool Nesterov { get; set; }

    /// <summary>Epochs of linear learning-rate warm-up from 0, counted in mini-batch steps. Default 0.</summary>
    public int WarmupEpochs { get; set; }

    /// <summary>The schedule after warm-up. Default <see cref="LearningRateSchedule.Cosine"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Cosine;

    /// <summary>Epochs between decays of the step schedule. Default 10.</summary>
    public int StepSize { get; set; } = 10;

    /// <summary>The factor of each step decay. Default 0.1.</summary>
    public double StepGamma { get; set; } = 0.1;

    /// <summary>Global L2-norm gradient clipping threshold, or <see langword="null"/> for none (default).</summary>
    public double? GradientClipNorm { get; set; }

    /// <summary>Per-element gradient clipping to [-v, v], or <see langword="null"/> for none (default).</summary>
    public double? GradientClipValue { get; set; }

    /// <summary>Sharpness-aware minimisation radius rho; 0 (default) trains without SAM. SAM doubles the cost of a step.</summary>
    public double SamRho { get; set; }

    /// <summary>Validation rows (same columns) for best-epoch selection and early stopping, or <see langword="null"/>.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Without <see cref="ValidationData"/>: the fraction of training rows held out for validation (stratified by
    /// class for classification), in [0, 1). Default 0 (no validation).</summary>
    public double ValidationFraction { get; set; }

    /// <summary>Stop after this many epochs without a better validation metric; <see langword="null"/> (default) trains
    /// every epoch. With validation data the model is always the best epoch's.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>The random seed for weights, dropout, shuffling and the validation split; <see langword="null"/> means 0,
    /// independent of the <see cref="MLContext"/>'s seed. Runs on the CPU with the same seed and threads are reproducible;
    /// the seed sets TorchSharp's process-wide generator, so trainings running concurrently in one process are not.</summary>
    public int? Seed { get; set; }

    /// <summary>Where to train. Default <see cref="TrainingDevice.Auto"/>. Scoring always runs through ONNX Runtime on the CPU.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

    /// <summary>Mixed-precision training (see <see cref="RobustLoss.MixedPrecision"/>). Default <see cref="MixedPrecision.None"/>.
    /// Validation and the trained model are float32 either way.</summary>
    public MixedPrecision MixedPrecision { get; set; } = MixedPrecision.None;

    /// <summary>Post-training quantization of the exported network with <c>Microsoft.ML.Quantize</c> (int8 static QDQ or dynamic,
    /// weight-only int4), or <see langword="null"/> (default) to score it in float32. Static mode calibrates on the training
    /// data given to <c>Fit</c> (its feature column, up to <see cref="OnnxQuantizationOptions.MaxCalibrationRows"/> rows; set
    /// <see cref="OnnxQuantizationOptions.RowsPerClass"/> and <see cref="OnnxQuantizationOptions.LabelColumnName"/> for
    /// class-balanced calibration). The fitted model then scores the quantized graph; the trainer's
    /// <c>LastQuantizationReport</c> says what was done.</summary>
    public OnnxQuantizationOptions? Quantization { get; set; }

    /// <summary>TorchSharp's intra-op CPU threads (process-wide, <c>torch.set_num_threads</c>), or <see langword="null"/>
    /// (default) to leave it as it is.</summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Receives each finished epoch; also written to the <see cref="MLContext.Log"/> channel. Default <see langword="null"/>.</summary>
    public IProgress<NeuralNetworkEpoch>? Progress { get; set; }

    /// <summary>Stops training early: the trainer returns a usable model with the best weights so far (the best validated
    /// epoch, else the last weights), rather than throwing.</summary>
    public CancellationToken CancellationToken { get; set; }
}

/// <summary>Options shared by the classification trainers.</summary>
public abstract class ClassificationNeuralNetworkOptionsBase : NeuralNetworkOptionsBase
{
    /// <summary>How rows are drawn into mini-batches. Default <see cref="BatchSampling.Uniform"/>.</summary>
    public BatchSampling Sampling { get; set; } = BatchSampling.Uniform;

    /// <summary>Two-stage training (classifier re-training, Kang et al. 2020): after the main epochs, re-initialise the
    /// output layer and train only it for this many epochs with class-balanced sampling and plain cross-entropy, the
    /// hidden layers frozen (in evaluation mode). 0 (default) skips the second stage.</summary>
    public int ClassifierRetrainingEpochs { get; set; }

    /// <summary>The validation metric. Default <see cref="ClassificationValidationMetric.BalancedAccuracy"/>.</summary>
    public ClassificationValidationMetric ValidationMetric { get; set; } = ClassificationValidationMetric.BalancedAccuracy;
}

/// <summary>Options of <see cref="MulticlassNeuralNetworkTrainer"/>.</summary>
public sealed class MulticlassNeuralNetworkOptions : ClassificationNeuralNetworkOptionsBase
{
    /// <summary>The loss. Default <see cref="TailLoss.CrossEntropy"/>.</summary>
    public TailLoss Loss { get; set; } = TailLoss.CrossEntropy;

    /// <summary>Label smoothing epsilon in [0, 1) for the cross-entropy losses. Default 0.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>The weighting of <see cref="TailLoss.WeightedCrossEntropy"/>. Default <see cref="ClassWeighting.EffectiveNumber"/>.</summary>
    public ClassWeighting ClassWeighting { get; set; } = ClassWeighting.EffectiveNumber;

    /// <summary>Beta of the effective number <c>(1 - beta^n) / (1 - beta)</c>, in [0, 1). Default 0.9999.</summary>
    public double Beta { get; set; } = 0.9999;

    /// <summary>Focusing parameter gamma of the focal losses, at least 0. Default 2.</summary>
    public double FocalGamma { get; set; } = 2;

    /// <summary>Per-class alpha of <see cref="TailLoss.Focal"/> (one per class), or <see langword="null"/> (default) for none.</summary>
    public float[]? FocalAlpha { get; set; }

    /// <summary>LDAM's largest margin (the rarest class's). Default 0.5.</summary>
    public double LdamMaxMargin { get; set; } = 0.5;

    /// <summary>LDAM's logit scale s. Default 30.</summary>
    public double LdamScale { get; set; } = 30;

    /// <summary>The epoch (from 1) from which LDAM-DRW weights classes by effective number; <see langword="null"/> (default)
    /// means after 80% of the epochs (epoch 160 of 200 in Cao et al.).</summary>
    public int? DeferredReweightingEpoch { get; set; }

    /// <summary>Tau of <see cref="TailLoss.LogitAdjusted"/>. Default 1.</summary>
    public double LogitAdjustmentTau { get; set; } = 1;

    /// <summary>Lambda of <see cref="TailLoss.Equalization"/>: classes with training frequency <c>n_c / N</c> below it are
    /// tail classes; <see langword="null"/> (default) means <c>1 / (2K)</c> for K classes.</summary>
    public double? EqualizationThreshold { get; set; }

    /// <summary>Gamma of <see cref="TailLoss.Equalization"/>: the probability that a tail negative's logit is left out of a
    /// row's softmax. Default 0.9.</summary>
    public double EqualizationGamma { get; set; } = 0.9;
}

/// <summary>Options of <see cref="BinaryNeuralNetworkTrainer"/>.</summary>
public sealed class BinaryNeuralNetworkOptions : ClassificationNeuralNetworkOptionsBase
{
    /// <summary>The loss. Default <see cref="BinaryLoss.CrossEntropy"/>.</summary>
    public BinaryLoss Loss { get; set; } = BinaryLoss.CrossEntropy;

    /// <summary>Gamma of <see cref="BinaryLoss.Focal"/>. Default 2.</summary>
    public double FocalGamma { get; set; } = 2;

    /// <summary>Alpha of <see cref="BinaryLoss.Focal"/> for the positive class (negatives get <c>1 - alpha</c>); negative
    /// (default -1) for no alpha weighting.</summary>
    public double FocalAlpha { get; set; } = -1;

    /// <summary>ASL's gamma for positives. Default 0.</summary>
    public double AslGammaPositive { get; set; }

    /// <summary>ASL's gamma for negatives. Default 4.</summary>
    public double AslGammaNegative { get; set; } = 4;

    /// <summary>ASL's probability margin (clip) for negatives, in [0, 1). Default 0.05.</summary>
    public double AslClip { get; set; } = 0.05;
}

/// <summary>Options of <see cref="RegressionNeuralNetworkTrainer"/>.</summary>
public sealed class RegressionNeuralNetworkOptions : NeuralNetworkOptionsBase
{
    /// <summary>The loss. Default <see cref="RegressionLoss.Huber"/>.</summary>
    public RegressionLoss Loss { get; set; } = RegressionLoss.Huber;

    /// <summary>Delta of <see cref="RegressionLoss.Huber"/>, in target units. Default 1.</summary>
    public double HuberDelta { get; set; } = 1;

    /// <summary>Delta of <see cref="RegressionLoss.PseudoHuber"/> at the first epoch. Default 1.</summary>
    public double PseudoHuberDelta { get; set; } = 1;

    /// <summary>Delta of <see cref="RegressionLoss.PseudoHuber"/> at the last epoch (linear in between), or
    /// <see langword="null"/> (default) for a constant delta.</summary>
    public double? PseudoHuberFinalDelta { get; set; }

    /// <summary>Tukey's c, in target units. Default 4.685 (95% efficiency for unit-variance Gaussian noise).</summary>
    public double TukeyC { get; set; } = 4.685;

    /// <summary>Quantiles of <see cref="RegressionLoss.Quantile"/>, each in (0, 1); <c>Score</c> then has one slot per
    /// quantile, in this order. Default <see langword="null"/>, meaning <c>[0.1, 0.5, 0.9]</c> for the quantile loss.</summary>
    public double[]? Quantiles { get; set; }
}
