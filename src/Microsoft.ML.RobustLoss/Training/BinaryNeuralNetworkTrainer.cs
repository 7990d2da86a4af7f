using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Onnx;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Trains a multilayer perceptron with one output logit and a binary loss (<see cref="BinaryLoss"/>) through TorchSharp and
/// compiles it into stock ML.NET transformers. Create it with <c>mlContext.BinaryClassification.Trainers.NeuralNetwork(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input: a known-size <see cref="float"/> vector feature column and a <see cref="bool"/> label. Output columns:
/// <c>Score</c>, the logit, and <c>Probability</c>, its sigmoid, each a <c>Vector&lt;Single, 1&gt;</c> (an ONNX output is
/// always a vector in ML.NET and no stock transform makes a scalar of it); <c>PredictedLabel</c>, a scalar
/// <see cref="bool"/>, true when the probability exceeds 0.5 (obtained as a key by the arg-max k-means described in the
/// pack's architecture notes, then mapped to <see cref="bool"/>). Because <c>Score</c> is not a scalar, ML.NET's
/// <c>BinaryClassification.Evaluate</c> does not accept this output; read <c>Probability[0]</c> instead.</para>
/// <para>The fitted model holds only stock transformers (ONNX graph, k-means, value mapping, column copies); scoring,
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
        NetworkTrainer.Train(_environment, Name, o, net, train, validation, objective, o.Sampling, o.ClassifierRetrainingEpochs, random);

        var (kmeans, gather) = ScoringChain.FitArgMax(_mlContext, 2);
        var g = new OnnxGraphBuilder("robustloss_binary");
        g.AddFloatInput(o.FeatureColumnName, data.Width);
        string logits = net.Export(g, o.FeatureColumnName);
        g.AddNode("Identity", [logits], ScoringChain.ScoreName);
        g.AddFloatOutput(ScoringChain.ScoreName, 1);
        g.AddNode("Sigmoid", [logits], ScoringChain.ProbabilityName);
        g.AddFloatOutput(ScoringChain.ProbabilityName, 1);
        string one = g.AddInitializer("one", [1f]);
        string negative = g.AddNode("Sub", [one, ScoringChain.ProbabilityName], "p_negative");
        string both = g.AddNode("Concat", [negative, ScoringChain.ProbabilityName], "p_both", OnnxAttribute.Int("axis", 1));
        ScoringChain.AddArgMaxInput(g, both, gather);
        g.AddMetadata("trainer", Name).AddMetadata("loss", o.Loss.ToString());

        string[] outputs = [ScoringChain.ScoreName, ScoringChain.ProbabilityName, ScoringChain.ArgMaxInputName];
        var onnx = OnnxScoring.CreateEstimator(_mlContext, g.ToBytes(), outputs, [o.FeatureColumnName]);
        return ScoringChain.Fit(input, onnx, kmeans, Publish(), ToBoolean());
    }

    /// <summary>The output schema: <c>Score</c> and <c>Probability</c> (vectors of one <see cref="float"/>), <c>PredictedLabel</c> (<see cref="bool"/>).</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        MulticlassNeuralNetworkTrainer.Find(inputSchema, o.FeatureColumnName, "feature");
        MulticlassNeuralNetworkTrainer.Find(inputSchema, o.LabelColumnName, "label");
        string[] outputs = [ScoringChain.ScoreName, ScoringChain.ProbabilityName, ScoringChain.ArgMaxInputName];
        var onnx = OnnxScoring.CreateEstimator(_mlContext, ScoringChain.Placeholder(o.FeatureColumnName, outputs), outputs, [o.FeatureColumnName]);
        return ScoringChain.Schema(inputSchema, onnx, ScoringChain.KMeans(_mlContext), Publish(), ToBoolean());
    }

    private IEstimator<ITransformer> Publish() =>
        ScoringChain.Publish(_mlContext, true, ("Score", ScoringChain.ScoreName), ("Probability", ScoringChain.ProbabilityName));

    private IEstimator<ITransformer> ToBoolean() =>
        _mlContext.Transforms.Conversion.MapValue("PredictedLabel",
            [new KeyValuePair<uint, bool>(1, false), new KeyValuePair<uint, bool>(2, true)], "PredictedLabel");

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
