using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.Quantize;
using Microsoft.ML.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss;

/// <summary>What a trainer plugs into the shared loop: the loss, the target tensor and the validation metric.</summary>
internal sealed class Objective : IDisposable
{
    /// <summary>Tensors the losses close over (class weights, margins, offsets), freed with the objective.</summary>
    public IReadOnlyList<Tensor> OwnedTensors { get; init; } = [];

    /// <summary>Frees <see cref="OwnedTensors"/> (native or device memory, not reclaimed by the GC in time).</summary>
    public void Dispose()
    {
        foreach (var t in OwnedTensors)
            t.Dispose();
    }

    /// <summary>Loss of a batch: (network output [B, outputs], targets, epoch from 1) -> scalar.</summary>
    public required Func<Tensor, Tensor, int, Tensor> Loss { get; init; }

    /// <summary>The loss of the classifier re-training stage (plain cross-entropy), or <see langword="null"/>.</summary>
    public Func<Tensor, Tensor, int, Tensor>? RetrainingLoss { get; init; }

    /// <summary>Validation metric from the network's outputs on the validation rows (row-major), and whether higher is better.</summary>
    public required Func<float[], TrainingSet, double> Validate { get; init; }

    public bool HigherIsBetter { get; init; } = true;

    /// <summary>Class targets as int64 (multiclass) rather than float.</summary>
    public bool Int64Targets { get; init; }
}

/// <summary>The training loop shared by the three trainers (CPU or CUDA through TorchSharp).</summary>
internal static class NetworkTrainer
{
    public static Device ResolveDevice(TrainingDevice device)
    {
        bool cuda = torch.cuda.is_available();
        return device switch
        {
            TrainingDevice.Cpu => torch.CPU,
            TrainingDevice.Cuda when !cuda => throw new InvalidOperationException(
                "Device = Cuda was requested, but TorchSharp reports no CUDA device (torch.cuda.is_available() is false): reference a " +
                "CUDA build of libtorch (e.g. the libtorch-cuda-12.8-linux-x64 package) on a machine with an NVIDIA GPU, or use Device = Auto or Cpu."),
            TrainingDevice.Cuda => torch.CUDA,
            _ => cuda ? torch.CUDA : torch.CPU,
        };
    }

    public static void Validate(NeuralNetworkOptionsBase o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(o.Epochs), $"Epochs must be at least 1; got {o.Epochs}.");
        if (o.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(o.BatchSize), $"BatchSize must be at least 1; got {o.BatchSize}.");
        if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(o.LearningRate), $"LearningRate must be positive and finite; got {o.LearningRate}.");
        if (o.HiddenLayers is null || o.HiddenLayers.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(o.HiddenLayers), "HiddenLayers must be a (possibly empty) list of positive widths.");
        if (!(o.Dropout >= 0 && o.Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(o.Dropout), $"Dropout must be in [0, 1); got {o.Dropout}.");
        if (o.WeightDecay < 0 || o.Momentum < 0 || o.SamRho < 0 || o.WarmupEpochs < 0 || o.StepSize < 1 || o.StepGamma <= 0)
            throw new ArgumentOutOfRangeException(nameof(o), "WeightDecay, Momentum, SamRho and WarmupEpochs must be at least 0; StepSize at least 1; StepGamma positive.");
        if (o.GradientClipNorm is <= 0 || o.GradientClipValue is <= 0)
            throw new ArgumentOutOfRangeException(nameof(o.GradientClipNorm), "GradientClipNorm and GradientClipValue must be positive when set.");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), $"ValidationFraction must be in [0, 1); got {o.ValidationFraction}.");
        if (o.EarlyStoppingPatience is < 1)
            throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), "EarlyStoppingPatience must be at least 1 when set.");
        if (o.NumberOfThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(o.NumberOfThreads), "NumberOfThreads must be at least 1 when set.");
        if (!Enum.IsDefined(o.MixedPrecision))
            throw new ArgumentOutOfRangeException(nameof(o.MixedPrecision), o.MixedPrecision, "MixedPrecision must be None, Float16 or BFloat16.");
        if (o.EarlyStoppingPatience is not null && o.ValidationData is null && o.ValidationFraction == 0)
            throw new ArgumentException("EarlyStoppingPatience needs validation rows: set ValidationData or ValidationFraction.", nameof(o.EarlyStoppingPatience));
    }

    /// <summary>Seeds TorchSharp (weights, dropout) and returns the managed generator for shuffling and splitting; sets the threads.</summary>
    public static Random Seed(NeuralNetworkOptionsBase o)
    {
        if (o.NumberOfThreads is int threads)
            torch.set_num_threads(threads);
        int seed = o.Seed ?? 0;
        torch.random.manual_seed(seed);
        return new Random(seed);
    }

    /// <summary>The training rows and the validation rows: <see cref="NeuralNetworkOptionsBase.ValidationData"/> read by
    /// <paramref name="read"/>, else a split of <paramref name="all"/>, else none.</summary>
    public static (TrainingSet Train, TrainingSet? Validation) SplitValidation(NeuralNetworkOptionsBase o, TrainingSet all, Random random,
        Func<IDataView, TrainingSet> read)
    {
        if (o.ValidationData is not null)
            return (all, read(o.ValidationData));
        if (o.ValidationFraction > 0)
            return all.Split(o.ValidationFraction, random);
        return (all, null);
    }

    public static int[] CountClasses(long[] classes, int k)
    {
        var counts = new int[k];
        foreach (long c in classes)
            counts[c]++;
        return counts;
    }

    /// <summary>Trains <paramref name="net"/> in place and returns it on the CPU, in evaluation mode, with the best weights.</summary>
    public static void Train(IHostEnvironment environment, string name, NeuralNetworkOptionsBase o, Mlp net, TrainingSet train,
        TrainingSet? validation, Objective objective, BatchSampling sampling, int retrainingEpochs, Random random)
    {
        var device = ResolveDevice(o.Device);
        using var channel = environment.Start(name);
        net.to(device);
        net.TrainingComputeType = o.MixedPrecision switch
        {
            MixedPrecision.Float16 => ScalarType.Float16,
            MixedPrecision.BFloat16 => ScalarType.BFloat16,
            _ => null,
        };
        if (o.MixedPrecision != MixedPrecision.None && device.type == DeviceType.CPU)
            channel.Warning(MessageSensitivity.None, $"{name}: {o.MixedPrecision} mixed precision on the CPU runs, but is meant for CUDA: on most CPUs it is slower than float32.");

        var run = new Run(o, net, train, validation, objective, device, channel, name);
        run.Stage(1, o.Epochs, net.parameters(), new BatchSampler(train, sampling), objective.Loss, random, bodyFrozen: false);
        if (retrainingEpochs > 0 && !run.Cancelled)
        {
            net.ResetHead();
            foreach (var p in net.BodyParameters())
                p.requires_grad = false;
            run.Stage(2, retrainingEpochs, net.Head.parameters(), new BatchSampler(train, BatchSampling.ClassBalanced),
                objective.RetrainingLoss ?? objective.Loss, random, bodyFrozen: true);
            foreach (var p in net.BodyParameters())
                p.requires_grad = true;
        }
        net.TrainingComputeType = null;
        net.to(torch.CPU);
        net.eval();
        foreach (var (key, tensor) in net.state_dict())
        {
            if (tensor.is_floating_point() && !torch.isfinite(tensor).all().item<bool>())
                throw new InvalidOperationException($"{name}: the trained network's '{key}' holds non-finite values; lower LearningRate or set GradientClipNorm.");
        }
    }

    /// <summary>The scoring graph, quantized when <see cref="NeuralNetworkOptionsBase.Quantization"/> asks for it (static mode
    /// calibrates on <paramref name="trainingData"/>).</summary>
    public static byte[] ScoringGraph(string name, NeuralNetworkOptionsBase o, byte[] graph, IDataView trainingData, out QuantizationReport? report)
    {
        report = null;
        if (o.Quantization is not { } q)
            return graph;
        try
        {
            return OnnxQuantizer.Quantize(graph, q.Mode == QuantizationMode.Static ? trainingData : null, q, out report);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException($"{name}: quantizing the network with these Quantization options ({q.Mode}) failed: {e.Message}", e);
        }
    }

    /// <summary>Fails before training, not after it, when <see cref="NeuralNetworkOptionsBase.Quantization"/> cannot be applied
    /// (an option out of range, a calibration or label column the training data lacks): quantizes a fixed linear layer of the
    /// network's input and output widths with those options. Uses no random numbers, so the network's seeded initialisation is
    /// the same with and without quantization.</summary>
    public static void CheckQuantization(string name, NeuralNetworkOptionsBase o, int inputs, int outputs, IDataView trainingData)
    {
        if (o.Quantization is null)
            return;
        var g = new OnnxGraphBuilder("robustloss_quantization_check");
        g.AddFloatInput(o.FeatureColumnName, inputs);
        var w = new float[outputs * inputs];
        for (int i = 0; i < w.Length; i++)
            w[i] = 0.01f * (i % 7 - 3);
        string weight = g.AddInitializer("W", w, outputs, inputs);
        string bias = g.AddInitializer("B", new float[outputs], outputs);
        g.AddNode("Gemm", [o.FeatureColumnName, weight, bias], "check_output", OnnxAttribute.Int("transB", 1));
        g.AddFloatOutput("check_output", outputs);
        ScoringGraph(name, o, g.ToBytes(), trainingData, out _);
    }

    /// <summary>The network's outputs on every row of <paramref name="data"/>, row-major, in evaluation mode.</summary>
    public static float[] Predict(Mlp net, TrainingSet data, Device device, int batchSize = 4096)
    {
        net.eval();
        var result = new float[(long)data.Rows * net.Outputs];
        using var _ = torch.no_grad();
        for (int start = 0; start < data.Rows; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(batchSize, data.Rows - start);
            var x = torch.tensor(data.Features.AsSpan(start * data.Width, b * data.Width).ToArray(), [b, data.Width]).to(device);
            net.forward(x).cpu().data<float>().CopyTo(result.AsSpan(start * net.Outputs, b * net.Outputs));
        }
        return result;
    }

    private sealed class Run(NeuralNetworkOptionsBase o, Mlp net, TrainingSet train, TrainingSet? validation, Objective objective,
        Device device, IChannel channel, string name)
    {
        public bool Cancelled { get; private set; }

        public void Stage(int stage, int epochs, IEnumerable<Parameter> parameters, BatchSampler sampler,
            Func<Tensor, Tensor, int, Tensor> loss, Random random, bool bodyFrozen)
        {
            var trainable = parameters.ToList();
            optim.Optimizer optimizer = o.Optimizer == NeuralNetworkOptimizer.Sgd
                ? optim.SGD(trainable, o.LearningRate, o.Momentum, 0, o.WeightDecay, o.Nesterov && o.Momentum > 0)
                : optim.AdamW(trainable, o.LearningRate, weight_decay: o.WeightDecay);
            int stepsPerEpoch = (train.Rows + o.BatchSize - 1) / o.BatchSize;
            long totalSteps = (long)stepsPerEpoch * epochs, warmupSteps = (long)stepsPerEpoch * Math.Min(o.WarmupEpochs, epochs);
            // One CPU tensor per batch slot, written in place (a span over its storage): creating a tensor from a managed
            // array per batch cost ~10 ms for 256 x 784 floats, a sizeable part of an epoch.
            using var xBatch = torch.empty(o.BatchSize, train.Width, dtype: ScalarType.Float32);
            using var yBatch = torch.empty(o.BatchSize, dtype: objective.Int64Targets ? ScalarType.Int64 : ScalarType.Float32);
            Dictionary<string, Tensor>? best = null;
            double bestMetric = double.NaN;
            int sinceBest = 0;
            long step = 0;
            double lr = o.LearningRate;
            var scaler = o.MixedPrecision == MixedPrecision.Float16 ? new DynamicLossScaler() : null;

            for (int epoch = 1; epoch <= epochs && !Cancelled; epoch++)
            {
                var clock = Stopwatch.StartNew();
                int[] order = sampler.NextEpoch(random);
                net.train();
                if (bodyFrozen)
                    SetBodyEval();
                double lossSum = 0;
                int seen = 0;
                for (int start = 0; start < order.Length; start += o.BatchSize, step++)
                {
                    if (o.CancellationToken.IsCancellationRequested)
                    {
                        Cancelled = true;
                        break;
                    }
                    using var scope = NewDisposeScope();
                    int b = Math.Min(o.BatchSize, order.Length - start);
                    if (b < 2 && o.Normalization == NeuralNetworkNormalization.BatchNorm && !bodyFrozen)
                        continue; // one row has no batch variance (its running variance would become NaN): drop it, as drop_last would
                    var xs = MemoryMarshal.Cast<byte, float>(xBatch.bytes);
                    for (int i = 0; i < b; i++)
                        train.Features.AsSpan(order[start + i] * train.Width, train.Width).CopyTo(xs.Slice(i * train.Width, train.Width));
                    if (objective.Int64Targets)
                    {
                        var ys = MemoryMarshal.Cast<byte, long>(yBatch.bytes);
                        for (int i = 0; i < b; i++)
                            ys[i] = train.Classes![order[start + i]];
                    }
                    else
                    {
                        var ys = MemoryMarshal.Cast<byte, float>(yBatch.bytes);
                        for (int i = 0; i < b; i++)
                            ys[i] = train.Classes is not null ? train.Classes[order[start + i]] : train.Targets![order[start + i]];
                    }
                    Tensor x = (b == o.BatchSize ? xBatch : xBatch.narrow(0, 0, b)).to(device);
                    Tensor y = (b == o.BatchSize ? yBatch : yBatch.narrow(0, 0, b)).to(device);

                    lr = LearningRateAt(step, epoch, totalSteps, warmupSteps);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = lr;

                    optimizer.zero_grad();
                    Tensor batchLoss = loss(Forward(x, bodyFrozen), y, epoch);
                    double value = batchLoss.item<float>();
                    if (!double.IsFinite(value))
                        throw new InvalidOperationException(
                            $"{name}: the training loss became {value} in epoch {epoch}{(stage == 2 ? " of the classifier re-training stage" : "")} " +
                            $"(mini-batch {start / o.BatchSize + 1}, learning rate {lr:G4}). Lower LearningRate, set GradientClipNorm, or check the features' scale" +
                            (o.MixedPrecision == MixedPrecision.Float16 ? "; float16 overflows above 65504, so BFloat16 or None may train where Float16 cannot." : "."));
                    Backward(batchLoss, scaler);
                    // SAM's ascent direction is scale-invariant, so it can use the scaled gradients, but not overflowed ones.
                    if (o.SamRho > 0 && (scaler is null || DynamicLossScaler.GradientsAreFinite(trainable)))
                        SamSecondStep(trainable, x, y, epoch, loss, bodyFrozen, scaler);
                    // Float16: unscale the gradients before clipping, or skip a step whose gradients overflowed.
                    if (scaler is null || scaler.UnscaleOrSkip(trainable))
                    {
                        if (o.GradientClipValue is double clipValue)
                            nn.utils.clip_grad_value_(trainable, clipValue);
                        if (o.GradientClipNorm is double clipNorm)
                            nn.utils.clip_grad_norm_(trainable, clipNorm);
                        optimizer.step();
                    }
                    lossSum += value * b;
                    seen += b;
                }
                double seconds = clock.Elapsed.TotalSeconds;
                if (seen == 0)
                    break;

                double? metric = null;
                if (validation is not null)
                {
                    metric = objective.Validate(Predict(net, validation, device), validation);
                    bool better = double.IsNaN(bestMetric) || (objective.HigherIsBetter ? metric > bestMetric : metric < bestMetric);
                    if (better)
                    {
                        bestMetric = metric.Value;
                        sinceBest = 0;
                        foreach (var t in best?.Values ?? Enumerable.Empty<Tensor>())
                            t.Dispose();
                        best = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
                    }
                    else
                    {
                        sinceBest++;
                    }
                }
                var report = new NeuralNetworkEpoch(stage, epoch, lossSum / seen, metric, lr, seconds);
                Log($"{name}: stage {stage} epoch {epoch}/{epochs} loss {report.TrainingLoss:G6}" +
                    (metric is double m ? $" validation {m:G6}" : "") + $" lr {lr:G4} {seconds:F2}s");
                o.Progress?.Report(report);
                if (o.EarlyStoppingPatience is int patience && sinceBest >= patience)
                {
                    Log($"{name}: early stop after epoch {epoch}: no better validation metric for {patience} epochs.");
                    break;
                }
            }
            if (best is not null)
            {
                net.load_state_dict(best);
                foreach (var t in best.Values)
                    t.Dispose();
            }
            if (scaler is { SkippedSteps: > 0 })
                Log($"{name}: float16 loss scaling skipped {scaler.SkippedSteps} steps whose gradients overflowed; final scale {scaler.Scale:G}.");
            if (Cancelled)
                Log($"{name}: cancelled; keeping the {(best is null ? "last" : "best validated")} weights.");
        }

        private void Log(string message) =>
            channel.Info(MessageSensitivity.None, message);

        private Tensor Forward(Tensor x, bool bodyFrozen)
        {
            if (!bodyFrozen)
                return net.forward(x);
            Tensor h;
            using (torch.no_grad())
                h = net.Body(x);
            return net.HeadForward(h);
        }

        private static void Backward(Tensor loss, DynamicLossScaler? scaler)
        {
            if (scaler is null)
            {
                loss.backward();
                return;
            }
            using var scaled = loss * scaler.Scale;
            scaled.backward();
        }

        private void SetBodyEval()
        {
            foreach (var (_, module) in net.named_children())
            {
                if (!ReferenceEquals(module, net.Head))
                    module.eval();
            }
        }

        /// <summary>SAM (Foret et al. 2021): move to w + rho g / |g|, take the gradient there, come back; the optimiser then steps with it.</summary>
        private void SamSecondStep(List<Parameter> trainable, Tensor x, Tensor y, int epoch, Func<Tensor, Tensor, int, Tensor> loss, bool bodyFrozen,
            DynamicLossScaler? scaler)
        {
            var withGrad = trainable.Where(p => p.grad is not null).ToList();
            var perturbations = new List<Tensor>(withGrad.Count);
            using (torch.no_grad())
            {
                Tensor norm = torch.stack(withGrad.Select(p => p.grad!.norm()).ToArray()).norm();
                Tensor scale = o.SamRho / (norm + 1e-12);
                foreach (var p in withGrad)
                {
                    Tensor e = p.grad! * scale;
                    p.add_(e);
                    perturbations.Add(e);
                }
            }
            foreach (var p in withGrad)
                p.grad!.zero_();
            Backward(loss(Forward(x, bodyFrozen), y, epoch), scaler);
            using (torch.no_grad())
            {
                for (int i = 0; i < withGrad.Count; i++)
                    withGrad[i].sub_(perturbations[i]);
            }
        }

        private double LearningRateAt(long step, int epoch, long totalSteps, long warmupSteps)
        {
            if (step < warmupSteps)
                return o.LearningRate * (step + 1) / warmupSteps;
            return o.Schedule switch
            {
                LearningRateSchedule.Cosine => o.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps))),
                LearningRateSchedule.Step => o.LearningRate * Math.Pow(o.StepGamma, (epoch - 1) / o.StepSize),
                _ => o.LearningRate,
            };
        }
    }
}
