using System.Diagnostics;
using System.Globalization;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.RobustLoss;
using TorchSharp;
using static TorchSharp.torch;

namespace LongTail.Bench;

/// <summary>
/// <c>train --loss ce|weighted-ce|focal|cb-focal|ldam-drw|balanced-softmax|logit-adjusted|equalization --train TRAIN.csv
/// --test TEST.csv --label Label --epochs N --seed 1 [--hidden 256,128] [--batch 256] [--lr 1e-3] [--threads 2]
/// [--scale 255] [--mode ours|bare|both] [--tau 1] [--drw-epoch N] [--sampling uniform|class-balanced|square-root]
/// [--retrain-epochs 0] [--precision fp32|fp16|bf16]
/// [--quantize none|static|dynamic|int4]</c>: trains the multiclass neural-network trainer (an MLP on the raw feature
/// columns) and evaluates it on the test file. Prints one JSON line: balanced accuracy, macro-F1, many/medium/few-shot
/// accuracy (training counts: more than 100 / 20 to 100 / fewer than 20 rows), the mean recall of the three rarest training
/// classes, every class's recall by class name, and <c>seconds_per_epoch</c> (median over epochs after the first, as the PyTorch peer measures it).
/// </summary>
/// <remarks>
/// <para>Features are every numeric column but the label, divided by <c>--scale</c> (default 1; pass 255 for Fashion-MNIST
/// pixels 0..255 so they become 0..1). The label is read as text and mapped to a key fitted on the training file.</para>
/// <para>Training: AdamW (weight decay 1e-4), cosine schedule, uniform batches, the loss's defaults (focal gamma 2,
/// effective-number beta 0.9999, LDAM max margin 0.5 and scale 30 with re-weighting from 80% of the epochs, tau 1).</para>
/// <para><c>--mode bare</c> times a bare TorchSharp loop instead: the same network, initialisation, AdamW, loss, batch size and
/// threads over tensors already in memory (<c>index_select</c> of a shuffled permutation), no ML.NET, no evaluation: the floor
/// for the trainer's own overhead. <c>--mode both</c> runs the bare loop and then the trainer in the same process and
/// reports both.</para>
/// </remarks>
public static class TrainCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "loss", "train", "test", "label", "epochs", "seed", "hidden", "batch", "lr", "threads", "scale", "mode", "tau", "drw-epoch", "sampling", "retrain-epochs", "precision", "quantize");
        string lossName = a.Require("loss"), trainPath = a.Require("train"), testPath = a.Require("test"), label = a.Get("label") ?? "Label";
        int epochs = a.GetInt("epochs", 10), seed = a.GetInt("seed", 1), batch = a.GetInt("batch", 256), threads = a.GetInt("threads", 2);
        double lr = GetDouble(a, "lr", 1e-3), scale = GetDouble(a, "scale", 1);
        string mode = a.Get("mode") ?? "ours";
        int[] hidden = (a.Get("hidden") ?? "256,128").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(h => int.TryParse(h, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new BenchArgumentException($"--hidden expects comma-separated positive widths, got '{a.Get("hidden")}'.")).ToArray();
        var loss = lossName switch
        {
            "ce" => TailLoss.CrossEntropy,
            "weighted-ce" => TailLoss.WeightedCrossEntropy,
            "focal" => TailLoss.Focal,
            "cb-focal" => TailLoss.ClassBalancedFocal,
            "ldam-drw" => TailLoss.LdamDrw,
            "balanced-softmax" => TailLoss.BalancedSoftmax,
            "logit-adjusted" => TailLoss.LogitAdjusted,
            "equalization" => TailLoss.Equalization,
            _ => throw new BenchArgumentException($"Unknown loss '{lossName}'. Known: ce, weighted-ce, focal, cb-focal, ldam-drw, balanced-softmax, logit-adjusted, equalization."),
        };
        if (mode is not ("ours" or "bare" or "both"))
            throw new BenchArgumentException($"--mode must be ours, bare or both; got '{mode}'.");
        if (!(scale > 0))
            throw new BenchArgumentException("--scale must be positive.");
        foreach (var path in new[] { trainPath, testPath })
        {
            if (!File.Exists(path))
                throw new BenchArgumentException($"The data file '{path}' does not exist.");
        }

        var ml = new MLContext(seed);
        var schema = CsvSchema.Infer(trainPath, label);
        var trainRaw = schema.Load(ml);
        var testRaw = CsvSchema.Infer(testPath, label).Load(ml);
        var features = schema.NumericFeatures.ToArray();
        IEstimator<ITransformer> prep = ml.Transforms.Conversion.MapValueToKey("Label", label)
            .Append(ml.Transforms.Concatenate("Features", features));
        if (scale != 1)
            prep = prep.Append(ml.Transforms.Expression("Features", $"(x) => x / {scale.ToString("R", CultureInfo.InvariantCulture)}", "Features"));
        var prepModel = prep.Fit(trainRaw);
        var train = ml.Data.Cache(prepModel.Transform(trainRaw));
        var test = prepModel.Transform(testRaw);

        var options = new MulticlassNeuralNetworkOptions
        {
            Loss = loss, HiddenLayers = hidden, Epochs = epochs, BatchSize = batch, LearningRate = lr, Seed = seed,
            NumberOfThreads = threads, Device = TrainingDevice.Cpu,
            LogitAdjustmentTau = GetDouble(a, "tau", 1),
            DeferredReweightingEpoch = a.Get("drw-epoch") is null ? null : a.GetInt("drw-epoch", 0),
            Sampling = (a.Get("sampling") ?? "uniform") switch
            {
                "uniform" => BatchSampling.Uniform,
                "class-balanced" => BatchSampling.ClassBalanced,
                "square-root" => BatchSampling.SquareRoot,
                var other => throw new BenchArgumentException($"--sampling must be uniform, class-balanced or square-root; got '{other}'."),
            },
            ClassifierRetrainingEpochs = a.GetInt("retrain-epochs", 0),
            MixedPrecision = (a.Get("precision") ?? "fp32") switch
            {
                "fp32" => MixedPrecision.None,
                "fp16" => MixedPrecision.Float16,
                "bf16" => MixedPrecision.BFloat16,
                var other => throw new BenchArgumentException($"--precision must be fp32, fp16 or bf16; got '{other}'."),
            },
            Quantization = (a.Get("quantize") ?? "none") switch
            {
                "none" => null,
                "static" => new Microsoft.ML.Quantize.OnnxQuantizationOptions { Mode = Microsoft.ML.Quantize.QuantizationMode.Static },
                "dynamic" => new Microsoft.ML.Quantize.OnnxQuantizationOptions { Mode = Microsoft.ML.Quantize.QuantizationMode.Dynamic },
                "int4" => new Microsoft.ML.Quantize.OnnxQuantizationOptions { Mode = Microsoft.ML.Quantize.QuantizationMode.Int4WeightOnly },
                var other => throw new BenchArgumentException($"--quantize must be none, static, dynamic or int4; got '{other}'."),
            },
        };
        var trainData = LabeledFeatures.Read(train, "Label", "Features");
        var bareTimes = new List<double>();
        var bareCpu = new List<double>();
        double? bare = mode == "ours" ? null : BareSecondsPerEpoch(options, trainData, bareTimes, bareCpu);
        if (mode == "bare")
        {
            BenchOutput.Emit(new
            {
                command = "train", mode, loss = lossName, rows = trainData.RowCount, features = trainData.FeatureCount, hidden, batch, threads, epochs,
                seconds_per_epoch = bare, min_seconds_per_epoch = bareTimes.Min(), cpu_seconds_per_epoch = Median(bareCpu),
            });
            return 0;
        }

        var epochTimes = new List<double>();
        var epochCpu = new List<double>();
        options.Progress = new EpochSink(epochTimes, epochCpu);
        var clock = Stopwatch.StartNew();
        var trainer = ml.MulticlassClassification.Trainers.NeuralNetwork(options);
        var model = trainer.Fit(train);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        var counts = trainData.ClassCounts;
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(model.Transform(test), trainingClassCounts: counts.Select(c => (long)c).ToArray());
        var rarest = Enumerable.Range(0, counts.Length).OrderBy(c => counts[c]).Take(3).ToArray();
        double ours = Median(epochTimes);
        BenchOutput.Emit(new
        {
            command = "train",
            mode,
            loss = lossName,
            train = Path.GetFileName(trainPath),
            test = Path.GetFileName(testPath),
            rows = trainData.RowCount,
            features = trainData.FeatureCount,
            classes = counts.Length,
            hidden,
            batch,
            lr,
            threads,
            epochs,
            seed,
            scale,
            tau = options.LogitAdjustmentTau,
            drw_epoch = options.DeferredReweightingEpoch,
            sampling = options.Sampling.ToString(),
            retrain_epochs = options.ClassifierRetrainingEpochs,
            precision = a.Get("precision") ?? "fp32",
            quantize = a.Get("quantize") ?? "none",
            quantized_size_ratio = trainer.LastQuantizationReport?.SizeRatio,
            accuracy = metrics.Accuracy,
            balanced_accuracy = metrics.BalancedAccuracy,
            macro_f1 = metrics.MacroF1Score,
            many_shot_accuracy = metrics.ManyShotAccuracy,
            medium_shot_accuracy = metrics.MediumShotAccuracy,
            few_shot_accuracy = metrics.FewShotAccuracy,
            rarest3_accuracy = rarest.Average(c => metrics.PerClass[c].Recall),
            rarest3_classes = rarest.Select(c => metrics.PerClass[c].ClassName).ToArray(),
            // Every class's recall, in class order: lets a run on a balanced training file (where "rarest" is undefined)
            // be compared class by class with a long-tailed one.
            per_class_recall = metrics.PerClass.ToDictionary(c => c.ClassName, c => c.Recall),
            seconds_per_epoch = ours,
            bare_seconds_per_epoch = bare,
            ours_over_bare = bare is double b ? ours / b : (double?)null,
            // The fastest epoch of each: on a shared machine contention only ever adds time.
            min_seconds_per_epoch = epochTimes.Min(),
            bare_min_seconds_per_epoch = bareTimes.Count > 0 ? bareTimes.Min() : (double?)null,
            // Process CPU time (all threads) per epoch, median after the first: far less sensitive to other processes.
            cpu_seconds_per_epoch = Median(epochCpu),
            bare_cpu_seconds_per_epoch = bareCpu.Count > 0 ? Median(bareCpu) : (double?)null,
            fit_seconds = fitSeconds,
        });
        return 0;
    }

    /// <summary>The bare loop: same network, initialisation, optimiser, loss, batch and threads; tensors already in memory.</summary>
    private static double BareSecondsPerEpoch(MulticlassNeuralNetworkOptions o, LabeledFeatures data, List<double> times, List<double> cpu)
    {
        torch.set_num_threads(o.NumberOfThreads!.Value);
        torch.random.manual_seed(o.Seed!.Value);
        using var net = new Mlp(data.FeatureCount, o.HiddenLayers, data.ClassCount, o.Activation, o.Normalization, o.Dropout);
        var objective = MulticlassNeuralNetworkTrainer.CreateObjective(o, data.ClassCounts, torch.CPU);
        var optimizer = optim.AdamW(net.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        using var x = torch.tensor(data.Features, [data.RowCount, data.FeatureCount]);
        using var y = torch.tensor(data.Labels.Select(l => (long)l).ToArray());
        net.train();
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            using var perm = torch.randperm(data.RowCount);
            var clock = Stopwatch.StartNew();
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            for (int start = 0; start < data.RowCount; start += o.BatchSize)
            {
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, start, Math.Min(o.BatchSize, data.RowCount - start));
                optimizer.zero_grad();
                var loss = objective.Loss(net.forward(x.index_select(0, idx)), y.index_select(0, idx), epoch);
                loss.backward();
                optimizer.step();
                _ = loss.item<float>();
            }
            times.Add(clock.Elapsed.TotalSeconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds);
            BenchOutput.Log($"bare epoch {epoch}: {times[^1]:F3}s");
        }
        return Median(times);
    }

    private static double Median(List<double> epochTimes)
    {
        var t = (epochTimes.Count > 1 ? epochTimes.Skip(1) : epochTimes).Order().ToArray();
        return t.Length % 2 == 1 ? t[t.Length / 2] : (t[t.Length / 2 - 1] + t[t.Length / 2]) / 2;
    }

    private static double GetDouble(BenchArgs a, string name, double fallback) => a.Get(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
            : throw new BenchArgumentException($"Option '--{name}' expects a number, got '{v}'.")
        : fallback;

    /// <summary>Epoch wall times from the trainer, and process CPU time between consecutive reports (from the second epoch;
    /// no validation runs here, so that is the epoch's training).</summary>
    private sealed class EpochSink(List<double> times, List<double> cpu) : IProgress<NeuralNetworkEpoch>
    {
        private TimeSpan? _last;

        public void Report(NeuralNetworkEpoch value)
        {
            var now = Process.GetCurrentProcess().TotalProcessorTime;
            if (_last is TimeSpan last)
                cpu.Add((now - last).TotalSeconds);
            _last = now;
            times.Add(value.Seconds);
            BenchOutput.Log($"epoch {value.Epoch}: loss {value.TrainingLoss:G5}, {value.Seconds:F3}s");
        }
    }
}
