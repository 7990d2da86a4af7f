using Microsoft.ML.Quantize;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Trains a multilayer perceptron with a robust regression loss (<see cref="RegressionLoss"/>) through TorchSharp and compiles
/// it into stock ML.NET transformers. Create it with <c>mlContext.Regression.Trainers.NeuralNetwork(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input: a known-size <see cref="float"/> vector feature column and a <see cref="float"/> label (the target). Output:
/// <c>Score</c>, a scalar <see cref="float"/> as ML.NET's own regression trainers give it (so <c>Regression.Evaluate</c>
/// accepts the output), except for <see cref="RegressionLoss.Quantile"/> with several quantiles, where it is a
/// <c>Vector&lt;Single, Q&gt;</c> with one slot per quantile, in the order given.</para>
/// <para>Loss parameters (Huber delta, Tukey c) are in target units: scale heavy-tailed targets with care.</para>
/// </remarks>
public sealed class RegressionNeuralNetworkTrainer : IEstimator<ITransformer>
{
    private const string Name = "RegressionNeuralNetwork";
    private readonly MLContext _mlContext;
    private readonly RegressionNeuralNetworkOptions _options;

    internal RegressionNeuralNetworkTrainer(Microsoft.ML.Runtime.IHostEnvironment? environment, RegressionNeuralNetworkOptions options)
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
    /// <param name="input">Training data with a <see cref="float"/> label and the feature column.</param>
    /// <exception cref="ArgumentException">A column is missing or mistyped, or an option is out of range or does not fit the loss.</exception>
    /// <exception cref="InvalidOperationException">A feature or target is not finite, CUDA was requested without CUDA, or the
    /// loss became non-finite (the message names the epoch).</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        NetworkTrainer.Validate(o);
        double[] quantiles = ValidateLossOptions(o);
        var data = Read(input, o);
        var random = NetworkTrainer.Seed(o);
        var (train, validation) = NetworkTrainer.SplitValidation(o, data, random, v => Read(v, o));
        int outputs = quantiles.Length;
        // Created outside any dispose scope: it lives as long as the loss.
        using var q = torch.tensor(quantiles.Select(v => (float)v).ToArray()).to(NetworkTrainer.ResolveDevice(o.Device));
        var loss = CreateLoss(o, q);
        var objective = new Objective
        {
            Loss = loss,
            HigherIsBetter = false,
            Validate = (predictions, v) =>
            {
                using var scope = NewDisposeScope();
                var p = torch.tensor(predictions, [v.Rows, outputs]);
                var y = torch.tensor(v.Targets!);
                return loss(p, y, o.Epochs).item<float>();
            },
        };
        using var net = new Mlp(data.Width, o.HiddenLayers, outputs, o.Activation, o.Normalization, o.Dropout);
        NetworkTrainer.CheckQuantization(Name, o, net.Inputs, net.Outputs, input);
        NetworkTrainer.Train(_environment, Name, o, net, train, validation, objective, BatchSampling.Uniform, 0, random);

        var g = new OnnxGraphBuilder("robustloss_regression");
        g.AddFloatInput(o.FeatureColumnName, data.Width);
        string logits = net.Export(g, o.FeatureColumnName);
        g.AddNode("Identity", [logits], ScoringChain.ScoreName);
        g.AddFloatOutput(ScoringChain.ScoreName, outputs);
        g.AddMetadata("trainer", Name).AddMetadata("loss", o.Loss.ToString());
        var onnx = OnnxScoring.CreateEstimator(_mlContext, NetworkTrainer.ScoringGraph(Name, o, g.ToBytes(), input, out var quantization), [ScoringChain.ScoreName], [o.FeatureColumnName]);
        LastQuantizationReport = quantization;
        if (outputs > 1)
            return onnx.Append(ScoringChain.Publish(_mlContext, false, ("Score", ScoringChain.ScoreName))).Fit(input);
        return ScoringChain.Fit(input, onnx, ScalarScore.Input(_mlContext),
            (Func<DataViewSchema, ITransformer>)(schema => ScalarScore.Regression(_mlContext, schema)), ScalarScore.DropTemporaries(_mlContext));
    }

    /// <summary>The output schema: <c>Score</c>, a scalar <see cref="float"/>, or a vector of one per quantile for
    /// <see cref="RegressionLoss.Quantile"/> with several quantiles.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        MulticlassNeuralNetworkTrainer.Find(inputSchema, _options.FeatureColumnName, "feature");
        MulticlassNeuralNetworkTrainer.Find(inputSchema, _options.LabelColumnName, "label");
        var onnx = OnnxScoring.CreateEstimator(_mlContext, ScoringChain.Placeholder(_options.FeatureColumnName, ScoringChain.ScoreName),
            [ScoringChain.ScoreName], [_options.FeatureColumnName]);
        // Quantiles is checked in Fit; here it only decides between a scalar and a vector Score.
        if (_options.Loss == RegressionLoss.Quantile && (_options.Quantiles?.Length ?? 3) > 1)
            return onnx.Append(ScoringChain.Publish(_mlContext, false, ("Score", ScoringChain.ScoreName))).GetOutputSchema(inputSchema);
        return ScoringChain.Schema(inputSchema, onnx, ScalarScore.Input(_mlContext), ScalarScore.RegressionSchema(_mlContext, _options.LabelColumnName), ScalarScore.DropTemporaries(_mlContext));
    }

    private static Func<Tensor, Tensor, int, Tensor> CreateLoss(RegressionNeuralNetworkOptions o, Tensor quantiles)
    {
        switch (o.Loss)
        {
            case RegressionLoss.Squared:
                return (p, y, _) => LossFunctions.Squared(p.squeeze(1), y);
            case RegressionLoss.Huber:
                return (p, y, _) => LossFunctions.Huber(p.squeeze(1), y, o.HuberDelta);
            case RegressionLoss.PseudoHuber:
                double start = o.PseudoHuberDelta, end = o.PseudoHuberFinalDelta ?? o.PseudoHuberDelta;
                return (p, y, epoch) => LossFunctions.PseudoHuber(p.squeeze(1), y,
                    o.Epochs == 1 ? start : start + (end - start) * Math.Min(epoch - 1, o.Epochs - 1) / (o.Epochs - 1));
            case RegressionLoss.TukeyBiweight:
                return (p, y, _) => LossFunctions.TukeyBiweight(p.squeeze(1), y, o.TukeyC);
            case RegressionLoss.LogCosh:
                return (p, y, _) => LossFunctions.LogCosh(p.squeeze(1), y);
            case RegressionLoss.Quantile:
                return (p, y, _) => LossFunctions.Pinball(p, y, quantiles.device == p.device ? quantiles : quantiles.to(p.device));
            default:
                throw new ArgumentOutOfRangeException(nameof(o.Loss), $"Unknown loss {o.Loss}.");
        }
    }

    /// <summary>Checks the loss options; returns the quantiles (one per output; a single 0.5 placeholder for point losses).</summary>
    internal static double[] ValidateLossOptions(RegressionNeuralNetworkOptions o)
    {
        if (o.Quantiles is not null && o.Loss != RegressionLoss.Quantile)
            throw new ArgumentException($"Quantiles applies to the Quantile loss, not to {o.Loss}.", nameof(o.Quantiles));
        if (o.PseudoHuberFinalDelta is not null && o.Loss != RegressionLoss.PseudoHuber)
            throw new ArgumentException($"PseudoHuberFinalDelta applies to the PseudoHuber loss, not to {o.Loss}.", nameof(o.PseudoHuberFinalDelta));
        if (!(o.HuberDelta > 0) || !(o.PseudoHuberDelta > 0) || o.PseudoHuberFinalDelta is <= 0 || !(o.TukeyC > 0))
            throw new ArgumentOutOfRangeException(nameof(o.HuberDelta), "HuberDelta, PseudoHuberDelta, PseudoHuberFinalDelta and TukeyC must be positive.");
        if (o.Loss != RegressionLoss.Quantile)
            return [0.5];
        var quantiles = o.Quantiles ?? [0.1, 0.5, 0.9];
        if (quantiles.Length == 0 || quantiles.Any(v => !(v > 0 && v < 1)))
            throw new ArgumentOutOfRangeException(nameof(o.Quantiles), $"Quantiles must be a non-empty list of values in (0, 1); got [{string.Join(", ", quantiles)}].");
        return quantiles;
    }

    /// <summary>Reads the float target and the feature vector of every row into arrays, validating both.</summary>
    internal static TrainingSet Read(IDataView data, RegressionNeuralNetworkOptions o)
    {
        var label = data.Schema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentException($"The data has no label column '{o.LabelColumnName}'.", nameof(data));
        var features = data.Schema.GetColumnOrNull(o.FeatureColumnName)
            ?? throw new ArgumentException($"The data has no feature column '{o.FeatureColumnName}'.", nameof(data));
        if (label.Type != NumberDataViewType.Single)
            throw new ArgumentException($"The label column '{o.LabelColumnName}' has type {label.Type}; the regression trainer needs Single (convert it with Transforms.Conversion.ConvertType).", nameof(data));
        if (features.Type is not VectorDataViewType { ItemType: var item } vector || item != NumberDataViewType.Single)
            throw new ArgumentException($"The feature column '{o.FeatureColumnName}' has type {features.Type}; expected a vector of Single.", nameof(data));
        if (vector.Size == 0)
            throw new ArgumentException($"The feature column '{o.FeatureColumnName}' is a vector of unknown (variable) size; a known size is required.", nameof(data));
        int width = vector.Size;
        var x = new List<float>();
        var y = new List<float>();
        using (var cursor = data.GetRowCursor([label, features]))
        {
            var getLabel = cursor.GetGetter<float>(label);
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            float target = 0;
            var buffer = default(VBuffer<float>);
            int row = 0;
            while (cursor.MoveNext())
            {
                getLabel(ref target);
                if (!float.IsFinite(target))
                    throw new InvalidOperationException($"The label column '{o.LabelColumnName}' has the non-finite target {target} at row {row}.");
                getFeatures(ref buffer);
                int slot = 0;
                foreach (float v in buffer.DenseValues())
                {
                    if (!float.IsFinite(v))
                        throw new InvalidOperationException($"The feature column '{o.FeatureColumnName}' has the non-finite value {v} at row {row}, slot {slot}.");
                    x.Add(v);
                    slot++;
                }
                y.Add(target);
                row++;
            }
        }
        if (y.Count == 0)
            throw new InvalidOperationException($"The data has no rows: nothing to read from columns '{o.LabelColumnName}' and '{o.FeatureColumnName}'.");
        return new TrainingSet(x.ToArray(), y.Count, width, null, y.ToArray());
    }
}
