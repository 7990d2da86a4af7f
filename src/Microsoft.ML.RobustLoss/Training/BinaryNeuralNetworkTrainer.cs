using Microsoft.ML.Quantize;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Onnx;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Trains a multilayer perceptron with one output logit and a binary loss (<see cref="BinaryLoss"/>) through TorchSharp and
/// compiles it into stock ML.NET transformers. Create it with <c>mlContext.BinaryClassification.Trainers.NeuralNetwork(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input: a known-size <see cref="float"/> vector feature column and a <see cref="bool"/> label. Output columns, as
/// ML.NET's own binary trainers give them, so <c>BinaryClassification.Evaluate</c> accepts the output: <c>Score</c>, the
/// logit, and <c>Probability</c>, its sigmoid, each a scalar <see cref="float"/>; <c>PredictedLabel</c>, a
/// <see cref="bool"/>, true when the logit is above 0 (probability above one half). Move the threshold with the pack's
/// <c>BinaryClassification.ThresholdMoving</c>.</para>
/// <para>The fitted model holds only stock transformers (ONNX graph, a linear model with weight 1 over the logit, a
/// fixed Platt calibrator, column copies); scoring,
/// saving and loading need no libtorch.</para>
/// </remarks>
public sealed class BinaryNeuralNetworkTrainer : IEstimator<ITransformer>
{
    private const string Name = "BinaryNeuralNetwork";
    private readonly MLContext _mlContext;
    private readonly BinaryNeuralNetworkOptions _options;

    internal BinaryNeuralNetworkTrainer(Microsoft.ML.Runtime.IHostEnvironment? environment, BinaryNeuralNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Stock estimators are created with a private context (a fitted transformer does not depend on it); messages go
        // to the catalog's environment, i.e. the caller's MLContext.Log.
        _mlContext = new MLContext(seed: 0);
        _environment = environment ?? _mlContext;
        _options = options;
    }

    private readonly Microsoft.ML.Runtime.IHostEnvironment _environment;

    /// <summary>What the quantization of the last fitted network did (<see cref="NeuralNetworkOptionsBase.Quantization"/>), or
    /// <see langword="null"/> when it was not quantized.</summary>
    public QuantizationReport? LastQuantizationReport { get; private set; }

    /// <summary>Trains the network on <paramref name="input"/> and returns its stock scoring chain.</summary>
    /// <param name="input">Training data with a Boolean label and the feature column.</param>
    /// <exception cref="ArgumentException">A column is missing or mistyped, or an option is out of range or does not fit the loss.</exception>
    /// <exception cref="InvalidOperationException">A feature is not finite, CUDA was requested without CUDA, or the loss became
    /// non-finite (the message names the epoch).</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        NetworkTrainer.Validate(o);
        ValidateLossOptions(o);
        var data = Read(input, o);
        NetworkTrainer.ResolveDevice(o.Device); // a CUDA request without CUDA fails before any work
        var random = NetworkTrainer.Seed(o);
        var (train, validation) = NetworkTrainer.SplitValidation(o, data, random, v => Read(v, o));

        var objective = new Objective
        {
            Loss = o.Loss switch
            {
                BinaryLoss.Focal => (z, y, _) => LossFunctions.BinaryFocal(z.squeeze(1), y, o.FocalGamma, o.FocalAlpha),
                BinaryLoss.Asymmetric => (z, y, _) => LossFunctions.Asymmetric(z.squeeze(1), y, o.AslGammaPositive, o.AslGammaNegative, o.AslClip),
                _ => (z, y, _) => LossFunctions.BinaryCrossEntropy(z.squeeze(1), y),
            },
            RetrainingLoss = (z, y, _) => LossFunctions.BinaryCrossEntropy(z.squeeze(1), y),
            Validate = (outputs, v) => ClassificationMetrics.Score(outputs, v, 2, o.ValidationMetric),
        };
        using var net = new Mlp(data.Width, o.HiddenLayers, 1, o.Activation, o.Normalization, o.Dropout);
        NetworkTrainer.CheckQuantization(Name, o, net.Inputs, net.Outputs, input);
        NetworkTrainer.Train(_environment, Name, o, net, train, validation, objective, o.Sampling, o.ClassifierRetrainingEpochs, random);

        var g = new OnnxGraphBuilder("robustloss_binary");
        g.AddFloatInput(o.FeatureColumnName, data.Width);
        string logits = net.Export(g, o.FeatureColumnName);
        g.AddNode("Identity", [logits], ScoringChain.ScoreName);
        g.AddFloatOutput(ScoringChain.ScoreName, 1);
        g.AddMetadata("trainer", Name).AddMetadata("loss", o.Loss.ToString());

        var onnx = OnnxScoring.CreateEstimator(_mlContext, NetworkTrainer.ScoringGraph(Name, o, g.ToBytes(), input, out var quantization), [ScoringChain.ScoreName], [o.FeatureColumnName]);

        LastQuantizationReport = quantization;
        return ScoringChain.Fit(input, onnx, ScalarScore.Input(_mlContext),
            (Func<DataViewSchema, ITransformer>)(schema => ScalarScore.Binary(_mlContext, schema)),
            ScalarScore.Probability(_mlContext), ScalarScore.DropTemporaries(_mlContext));
    }

    /// <summary>The output schema: <c>Score</c> (the logit) and <c>Probability</c>, scalar <see cref="float"/>s, and
    /// <c>PredictedLabel</c> (<see cref="bool"/>), as ML.NET's own binary trainers give.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        MulticlassNeuralNetworkTrainer.Find(inputSchema, o.FeatureColumnName, "feature");
        MulticlassNeuralNetworkTrainer.Find(inputSchema, o.LabelColumnName, "label");
        var onnx = OnnxScoring.CreateEstimator(_mlContext, ScoringChain.Placeholder(o.FeatureColumnName, ScoringChain.ScoreName),
            [ScoringChain.ScoreName], [o.FeatureColumnName]);
        return ScoringChain.Schema(inputSchema, onnx, ScalarScore.Input(_mlContext), ScalarScore.BinarySchema(_mlContext, o.LabelColumnName), ScalarScore.DropTemporaries(_mlContext));
    }

    private static TrainingSet Read(IDataView data, BinaryNeuralNetworkOptions o)
    {
        var column = data.Schema.GetColumnOrNull(o.LabelColumnName);
        if (column is { } c && c.Type != BooleanDataViewType.Instance)
            throw new ArgumentException($"The label column '{o.LabelColumnName}' has type {c.Type}; the binary trainer needs a Boolean label.", nameof(data));
        var read = LabeledFeatures.Read(data, o.LabelColumnName, o.FeatureColumnName);
        return new TrainingSet(read.Features, read.RowCount, read.FeatureCount, read.Labels.Select(l => (long)l).ToArray(), null);
    }

    internal static void ValidateLossOptions(BinaryNeuralNetworkOptions o)
    {
        if (o.FocalGamma < 0 || o.AslGammaPositive < 0 || o.AslGammaNegative < 0)
            throw new ArgumentOutOfRangeException(nameof(o.FocalGamma), "FocalGamma, AslGammaPositive and AslGammaNegative must be at least 0.");
        if (double.IsNaN(o.FocalAlpha) || o.FocalAlpha > 1)
            throw new ArgumentOutOfRangeException(nameof(o.FocalAlpha), $"FocalAlpha must be in [0, 1], or negative for none; got {o.FocalAlpha}.");
        if (o.FocalAlpha >= 0 && o.Loss != BinaryLoss.Focal)
            throw new ArgumentException($"FocalAlpha applies to the Focal loss, not to {o.Loss}.", nameof(o.FocalAlpha));
        if (!(o.AslClip >= 0 && o.AslClip < 1))
            throw new ArgumentOutOfRangeException(nameof(o.AslClip), $"AslClip must be in [0, 1); got {o.AslClip}.");
    }
}
