using Microsoft.ML.Quantize;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Trains a multilayer perceptron with a tail-aware loss (<see cref="TailLoss"/>) through TorchSharp and compiles it into
/// stock ML.NET transformers. Create it with <c>mlContext.MulticlassClassification.Trainers.NeuralNetwork(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input: a known-size <see cref="float"/> vector feature column and a label column (a key, as for ML.NET's multiclass
/// trainers; Boolean, numeric and text labels are also read, classes in sorted order). Output columns:
/// <c>Score</c>, a <c>Vector&lt;Single, K&gt;</c> of class probabilities (<c>softmax</c> of the logits, slot <c>c</c> = class
/// <c>c</c> = raw key <c>c + 1</c>), and <c>PredictedLabel</c>, a key over the K classes equal to the arg-max of
/// <c>Score</c>; when the label has key values (class names) so does <c>PredictedLabel</c>, as text.</para>
/// <para>The fitted model holds only stock transformers: the network as an ONNX graph run by <c>OnnxTransformer</c>
/// (libtorch is not needed to score, save or load), a k-means transformer that yields the arg-max as a key (see the
/// remarks of the pack's architecture notes), column copies and, with class names, a value mapping. It saves with
/// <c>mlContext.Model.Save</c> and loads in any process with <c>Microsoft.ML.OnnxTransformer</c> and ONNX Runtime.</para>
/// </remarks>
public sealed class MulticlassNeuralNetworkTrainer : IEstimator<ITransformer>
{
    private const string Name = "MulticlassNeuralNetwork";
    private readonly MLContext _mlContext;
    private readonly MulticlassNeuralNetworkOptions _options;

    internal MulticlassNeuralNetworkTrainer(Microsoft.ML.Runtime.IHostEnvironment? environment, MulticlassNeuralNetworkOptions options)
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
    /// <param name="input">Training data with the label and feature columns.</param>
    /// <exception cref="ArgumentException">A column is missing or mistyped, or an option is out of range or does not fit the loss.</exception>
    /// <exception cref="InvalidOperationException">A label is missing or outside the key range, a feature is not finite, CUDA
    /// was requested without CUDA, or the loss became non-finite (the message names the epoch).</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        NetworkTrainer.Validate(o);
        var data = LabeledFeatures.Read(input, o.LabelColumnName, o.FeatureColumnName);
        int k = data.ClassCount;
        if (k < 2)
            throw new ArgumentException($"The label column '{o.LabelColumnName}' has {k} class; a classifier needs at least 2.", nameof(input));
        ValidateLossOptions(o, k);
        var device = NetworkTrainer.ResolveDevice(o.Device);
        var random = NetworkTrainer.Seed(o);

        var all = new TrainingSet(data.Features, data.RowCount, data.FeatureCount, data.Labels.Select(l => (long)l).ToArray(), null);
        var (train, validation) = NetworkTrainer.SplitValidation(o, all, random, v =>
        {
            var read = LabeledFeatures.Read(v, o.LabelColumnName, o.FeatureColumnName);
            if (read.ClassCount != k || read.FeatureCount != data.FeatureCount || !read.Label.ClassNames.SequenceEqual(data.Label.ClassNames))
                throw new ArgumentException($"ValidationData must have the training data's {k} classes and {data.FeatureCount} features; it has {read.ClassCount} classes ({string.Join(", ", read.Label.ClassNames)}) and {read.FeatureCount} features.", nameof(o.ValidationData));
            return new TrainingSet(read.Features, read.RowCount, read.FeatureCount, read.Labels.Select(l => (long)l).ToArray(), null);
        });
        int[] counts = NetworkTrainer.CountClasses(train.Classes!, k);

        using var objective = CreateObjective(o, counts, device);
        using var net = new Mlp(data.FeatureCount, o.HiddenLayers, k, o.Activation, o.Normalization, o.Dropout);
        NetworkTrainer.CheckQuantization(Name, o, net.Inputs, net.Outputs, input);
        NetworkTrainer.Train(_environment, Name, o, net, train, validation, objective, o.Sampling, o.ClassifierRetrainingEpochs, random);

        var (kmeans, gather) = ScoringChain.FitArgMax(_mlContext, k);
        var g = new OnnxGraphBuilder("robustloss_multiclass");
        g.AddFloatInput(o.FeatureColumnName, data.FeatureCount);
        string logits = net.Export(g, o.FeatureColumnName);
        g.AddNode("Softmax", [logits], ScoringChain.ScoreName, OnnxAttribute.Int("axis", 1));
        g.AddFloatOutput(ScoringChain.ScoreName, k);
        ScoringChain.AddArgMaxInput(g, ScoringChain.ScoreName, gather);
        g.AddMetadata("trainer", Name).AddMetadata("loss", o.Loss.ToString());

        var onnx = OnnxScoring.CreateEstimator(_mlContext, NetworkTrainer.ScoringGraph(Name, o, g.ToBytes(), input, out var quantization), [ScoringChain.ScoreName, ScoringChain.ArgMaxInputName], [o.FeatureColumnName]);

        LastQuantizationReport = quantization;
        var parts = new List<object> { onnx, kmeans, ScoringChain.Publish(_mlContext, true, ("Score", ScoringChain.ScoreName)) };
        if (KeyNames(input.Schema[data.LabelColumnName], data.Label) is { } names)
            parts.Add(NameKeys(names));
        return ScoringChain.Fit(input, parts.ToArray());
    }

    /// <summary>The output schema: <c>Score</c> (vector of <see cref="float"/>) and <c>PredictedLabel</c> (key).</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        Find(inputSchema, o.FeatureColumnName, "feature");
        var label = Find(inputSchema, o.LabelColumnName, "label");
        var onnx = OnnxScoring.CreateEstimator(_mlContext, ScoringChain.Placeholder(o.FeatureColumnName, ScoringChain.ScoreName, ScoringChain.ArgMaxInputName),
            [ScoringChain.ScoreName, ScoringChain.ArgMaxInputName], [o.FeatureColumnName]);
        var parts = new List<IEstimator<ITransformer>> { onnx, ScoringChain.KMeans(_mlContext), ScoringChain.Publish(_mlContext, true, ("Score", ScoringChain.ScoreName)) };
        if (!label.IsKey || label.Annotations.Any(a => a.Name == "KeyValues"))
            parts.Add(NameKeys(["placeholder"]));
        return ScoringChain.Schema(inputSchema, parts.ToArray());
    }

    internal static SchemaShape.Column Find(SchemaShape schema, string name, string purpose)
    {
        foreach (var column in schema.Reverse())
        {
            if (column.Name == name)
                return column;
        }
        throw new ArgumentOutOfRangeException(nameof(schema), $"Input schema has no {purpose} column '{name}'.");
    }

    private static string[]? KeyNames(DataViewSchema.Column label, LabelEncoding encoding) =>
        encoding.Kind != LabelKind.Key || label.HasKeyValues() ? encoding.ClassNames.ToArray() : null;

    /// <summary>Raw key c + 1 -> class name text -> key with those names as key values (in class order).</summary>
    private IEstimator<ITransformer> NameKeys(string[] names)
    {
        const string text = "robustloss_predicted_name";
        var pairs = names.Select((n, c) => new KeyValuePair<uint, ReadOnlyMemory<char>>((uint)c + 1, n.AsMemory()));
        var keyData = _mlContext.Data.LoadFromEnumerable(names.Select(n => new NameRow { Name = n }));
        return _mlContext.Transforms.Conversion.MapValue(text, pairs, "PredictedLabel")
            .Append(_mlContext.Transforms.Conversion.MapValueToKey("PredictedLabel", text, keyData: keyData))
            .Append(_mlContext.Transforms.DropColumns(text));
    }

    private sealed class NameRow
    {
        public string Name { get; set; } = "";
    }

    internal static void ValidateLossOptions(MulticlassNeuralNetworkOptions o, int k)
    {
        if (!(o.LabelSmoothing >= 0 && o.LabelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(o.LabelSmoothing), $"LabelSmoothing must be in [0, 1); got {o.LabelSmoothing}.");
        if (o.LabelSmoothing > 0 && o.Loss is not (TailLoss.CrossEntropy or TailLoss.WeightedCrossEntropy))
            throw new ArgumentException($"LabelSmoothing applies to the CrossEntropy and WeightedCrossEntropy losses, not to {o.Loss}.", nameof(o.LabelSmoothing));
        if (o.FocalAlpha is not null && o.Loss != TailLoss.Focal)
            throw new ArgumentException($"FocalAlpha applies to the Focal loss, not to {o.Loss} (ClassBalancedFocal derives its alpha from Beta).", nameof(o.FocalAlpha));
        if (o.FocalAlpha is not null && o.FocalAlpha.Length != k)
            throw new ArgumentException($"FocalAlpha has {o.FocalAlpha.Length} values; the label has {k} classes.", nameof(o.FocalAlpha));
        if (o.FocalAlpha is not null && !o.FocalAlpha.All(a => a >= 0 && float.IsFinite(a)))
            throw new ArgumentOutOfRangeException(nameof(o.FocalAlpha), $"FocalAlpha values must be finite and at least 0; got {string.Join(", ", o.FocalAlpha)}.");
        if (!double.IsFinite(o.LogitAdjustmentTau))
            throw new ArgumentOutOfRangeException(nameof(o.LogitAdjustmentTau), $"LogitAdjustmentTau must be finite; got {o.LogitAdjustmentTau}.");
        if (!(o.Beta >= 0 && o.Beta < 1))
            throw new ArgumentOutOfRangeException(nameof(o.Beta), $"Beta must be in [0, 1); got {o.Beta}.");
        if (o.FocalGamma < 0)
            throw new ArgumentOutOfRangeException(nameof(o.FocalGamma), $"FocalGamma must be at least 0; got {o.FocalGamma}.");
        if (!(o.LdamMaxMargin > 0) || !(o.LdamScale > 0))
            throw new ArgumentOutOfRangeException(nameof(o.LdamMaxMargin), "LdamMaxMargin and LdamScale must be positive.");
        if (o.DeferredReweightingEpoch is < 1)
            throw new ArgumentOutOfRangeException(nameof(o.DeferredReweightingEpoch), "DeferredReweightingEpoch must be at least 1 when set.");
        if (o.DeferredReweightingEpoch is not null && o.Loss != TailLoss.LdamDrw)
            throw new ArgumentException($"DeferredReweightingEpoch applies to the LdamDrw loss, not to {o.Loss}.", nameof(o.DeferredReweightingEpoch));
        if (!(o.EqualizationGamma >= 0 && o.EqualizationGamma <= 1))
            throw new ArgumentOutOfRangeException(nameof(o.EqualizationGamma), $"EqualizationGamma must be in [0, 1]; got {o.EqualizationGamma}.");
        if (o.EqualizationThreshold is double t && !(t > 0 && t <= 1))
            throw new ArgumentOutOfRangeException(nameof(o.EqualizationThreshold), $"EqualizationThreshold must be in (0, 1]; got {t}.");
    }

    internal static Objective CreateObjective(MulticlassNeuralNetworkOptions o, int[] counts, Device device)
    {
        int k = counts.Length;
        var owned = new List<Tensor>();
        Tensor Vec(IEnumerable<double> v)
        {
            var t = torch.tensor(v.Select(x => (float)x).ToArray()).to(device);
            owned.Add(t);
            return t;
        }
        double total = counts.Sum();
        Func<Tensor, Tensor, int, Tensor> loss;
        switch (o.Loss)
        {
            case TailLoss.CrossEntropy:
                loss = (z, y, _) => LossFunctions.CrossEntropy(z, y, smoothing: o.LabelSmoothing);
                break;
            case TailLoss.WeightedCrossEntropy:
                var w = Vec(LossFunctions.ClassWeights(counts, o.ClassWeighting, o.Beta));
                loss = (z, y, _) => LossFunctions.CrossEntropy(z, y, w, o.LabelSmoothing);
                break;
            case TailLoss.Focal:
                var alpha = o.FocalAlpha is null ? null : Vec(o.FocalAlpha.Select(a => (double)a));
                loss = (z, y, _) => LossFunctions.Focal(z, y, o.FocalGamma, alpha);
                break;
            case TailLoss.ClassBalancedFocal:
                var cb = Vec(LossFunctions.ClassWeights(counts, ClassWeighting.EffectiveNumber, o.Beta));
                loss = (z, y, _) => LossFunctions.Focal(z, y, o.FocalGamma, cb);
                break;
            case TailLoss.LdamDrw:
                var margins = Vec(LossFunctions.LdamMargins(counts, o.LdamMaxMargin));
                var drw = Vec(LossFunctions.ClassWeights(counts, ClassWeighting.EffectiveNumber, o.Beta));
                int from = o.DeferredReweightingEpoch ?? (int)(0.8 * o.Epochs) + 1;
                loss = (z, y, epoch) => LossFunctions.Ldam(z, y, margins, o.LdamScale, epoch >= from ? drw : null);
                break;
            case TailLoss.BalancedSoftmax:
                var logCounts = Vec(counts.Select(n => Math.Log(Math.Max(n, 1))));
                loss = (z, y, _) => LossFunctions.OffsetCrossEntropy(z, y, logCounts);
                break;
            case TailLoss.LogitAdjusted:
                var logPrior = Vec(counts.Select(n => o.LogitAdjustmentTau * Math.Log(Math.Max(n, 1) / total)));
                loss = (z, y, _) => LossFunctions.OffsetCrossEntropy(z, y, logPrior);
                break;
            case TailLoss.Equalization:
                double lambda = o.EqualizationThreshold ?? 1.0 / (2 * k);
                var tail = Vec(counts.Select(n => n / total < lambda ? 1.0 : 0.0));
                double gamma = o.EqualizationGamma;
                loss = (z, y, _) => LossFunctions.Equalization(z, y, tail, (torch.rand(z.shape, device: z.device) < gamma).to(z.dtype));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(o.Loss), $"Unknown loss {o.Loss}.");
        }
        return new Objective
        {
            OwnedTensors = owned,
            Loss = loss,
            RetrainingLoss = (z, y, _) => LossFunctions.CrossEntropy(z, y),
            Int64Targets = true,
            Validate = (outputs, v) => ClassificationMetrics.Score(outputs, v, k, o.ValidationMetric),
        };
    }
}

/// <summary>Validation metrics of classifiers, from the network outputs.</summary>
internal static class ClassificationMetrics
{
    /// <summary>Balanced accuracy or accuracy of the arg-max of the logits (one output per class, or one binary logit).</summary>
    public static double Score(float[] outputs, TrainingSet data, int classes, ClassificationValidationMetric metric)
    {
        int width = outputs.Length / data.Rows;
        var correct = new int[classes];
        var total = new int[classes];
        for (int r = 0; r < data.Rows; r++)
        {
            int predicted;
            if (width == 1)
            {
                predicted = outputs[r] > 0 ? 1 : 0;
            }
            else
            {
                var row = outputs.AsSpan(r * width, width);
                predicted = 0;
                for (int c = 1; c < width; c++)
                {
                    if (row[c] > row[predicted])
                        predicted = c;
                }
            }
            int truth = (int)data.Classes![r];
            total[truth]++;
            if (predicted == truth)
                correct[truth]++;
        }
        if (metric == ClassificationValidationMetric.Accuracy)
            return (double)correct.Sum() / data.Rows;
        var present = Enumerable.Range(0, classes).Where(c => total[c] > 0).ToArray();
        return present.Average(c => (double)correct[c] / total[c]);
    }
}
