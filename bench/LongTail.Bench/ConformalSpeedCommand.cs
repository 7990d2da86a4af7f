using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.LongTail.Data;

namespace LongTail.Bench;

/// <summary>
/// <c>conformal-speed [--rows 1000000] [--classes 10] [--method lac|aps|raps|pas|topk|mondrian|mondrian-group|clustered|crc] [--seed 1]</c>:
/// times conformal calibration and set prediction on synthetic scored rows (softmax of Gaussian logits with a signal on the
/// label, long-tailed labels), the same rows for calibrating and predicting. <c>mondrian-group</c> is LAC Mondrian on a group
/// column, here a copy of the label key (for timing only: the chain looks the group's threshold up on every row).
/// </summary>
/// <remarks>
/// Prints <c>calibrate_seconds</c> (<c>Fit</c> on an in-memory view: one cursor pass reading Score and Label, the thresholds,
/// and compiling/creating the stock chain), <c>calibrate_managed_seconds</c> (<c>Calibrate</c>: the same without the chain),
/// <c>read_view_seconds</c> (just the cursor pass over the view, <c>LabeledFeatures.Read</c>),
/// <c>predict_seconds</c> (reading the set column of every row through the fitted transformer: the stock normalizer and
/// expression transforms for LAC / PAS, the managed sets of the transformer that wraps the ONNX chain for APS / RAPS / top-k),
/// <c>predict_loaded_seconds</c> (the same through the model saved with <c>mlContext.Model.Save</c> and loaded in a fresh
/// <c>MLContext</c>, as a user's saved model runs: for APS / RAPS / top-k ML.NET's OnnxTransformer, one ONNX Runtime call per row; <c>predict_loaded_cpu_seconds</c> the process CPU time of that pass, all
/// threads; <c>predict_loaded_again_seconds</c> a second pass through it) and
/// <c>predict_managed_seconds</c> (<c>ConformalSetPredictor.PredictBatch</c>
/// on arrays).
/// </remarks>
public static class ConformalSpeedCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "rows", "classes", "method", "seed");
        int rows = a.GetInt("rows", 1_000_000), k = a.GetInt("classes", 10), seed = a.GetInt("seed", 1);
        string method = a.Get("method") ?? "lac";
        if (rows < 10 || k < 2)
            throw new BenchArgumentException("--rows must be at least 10 and --classes at least 2.");
        var score = ConformalCommand.ParseScore(method is "mondrian" or "mondrian-group" or "clustered" or "crc" ? "lac" : method);
        var ml = new MLContext(seed);
        bool grouped = method == "mondrian-group";
        IEstimator<ITransformer> Estimator() => grouped
            ? ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
            {
                Alpha = 0.1, Score = score, Conditioning = ConformalConditioning.Mondrian, GroupColumnName = "Group",
            })
            : ConformalCommand.CreateEstimator(ml, method, score, 0.1, seed);
        IDataView WithGroup(IDataView v) => grouped ? ml.Transforms.CopyColumns("Group", "Label").Fit(v).Transform(v) : v;

        var sw = Stopwatch.StartNew();
        var (scores, labels) = Generate(rows, k, seed);
        var view = WithGroup(ToView(ml, scores, labels, k));
        BenchOutput.Log($"conformal-speed: generated {rows} x {k} scores in {sw.Elapsed.TotalSeconds:0.00} s");

        // Warm-up on a small slice so JIT and ONNX Runtime start-up are not timed. Repeated for half a second: tiered JIT
        // only promotes the per-row code after its start-up delay (one 1000-row pass took ~1 ms and left it at tier 0).
        var warm = WithGroup(ToView(ml, scores[..(1000 * k)], labels[..1000], k));
        var warmModel = Estimator().Fit(warm);
        var warmClock = Stopwatch.StartNew();
        do
            Drain(warmModel.Transform(warm));
        while (warmClock.Elapsed.TotalSeconds < 0.5);

        // The cost of the data view alone: one cursor pass copying Label and Score into arrays.
        sw.Restart();
        LabeledFeatures.Read(view, "Label", "Score");
        double read = sw.Elapsed.TotalSeconds;

        var estimator = Estimator();
        sw.Restart();
        var model = estimator.Fit(view);
        double calibrate = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var predictor = estimator switch
        {
            ConformalClassifier c => c.Calibrate(view),
            ConformalRiskControl r => r.Calibrate(view),
            _ => throw new InvalidOperationException(),
        };
        double calibrateManaged = sw.Elapsed.TotalSeconds;

        var sets = new bool[scores.Length];
        // The group column is a copy of the label: the groups are the labels.
        ReadOnlyMemory<int> groups = grouped ? labels : default;
        predictor.PredictBatch(scores.AsMemory(0, 1000 * k), sets.AsMemory(0, 1000 * k), grouped ? groups[..1000] : default); // warm-up
        sw.Restart();
        long total = predictor.PredictBatch(scores, sets, groups);
        double predictManaged = sw.Elapsed.TotalSeconds;

        sw.Restart();
        long chainTotal = Drain(model.Transform(view));
        double predict = sw.Elapsed.TotalSeconds;
        if (chainTotal != total)
            BenchOutput.Log($"warning: the fitted chain's sets hold {chainTotal} classes in all, managed sets {total}");

        // The user's case: the model saved and loaded in a fresh context (warmed up on the small slice, as above).
        var loaded = SavedModelTiming.Measure(model, view, warm, seed, Drain);
        if (loaded.Total != total)
            BenchOutput.Log($"warning: the loaded model's sets hold {loaded.Total} classes in all, managed sets {total}");

        BenchOutput.Emit(new
        {
            command = "conformal-speed",
            method,
            rows,
            classes = k,
            threads = Environment.ProcessorCount,
            mean_set_size = (double)total / rows,
            calibrate_seconds = calibrate,
            calibrate_managed_seconds = calibrateManaged,
            read_view_seconds = read,
            predict_seconds = predict,
            predict_loaded_seconds = loaded.Seconds,
            predict_loaded_again_seconds = loaded.SecondsAgain,
            predict_loaded_cpu_seconds = loaded.CpuSeconds,
            predict_managed_seconds = predictManaged,
        });
        return 0;
    }

    /// <summary>Reads every row's set column; returns the total set size.</summary>
    private static long Drain(IDataView scored)
    {
        var column = scored.Schema["PredictionSet"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        long total = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            foreach (float v in buffer.GetValues())
                if (v > 0.5f) total++;
        }
        return total;
    }

    private static (float[] Scores, int[] Labels) Generate(int rows, int k, int seed)
    {
        var scores = new float[(long)rows * k];
        var labels = new int[rows];
        var logPrior = Enumerable.Range(0, k).Select(c => -Math.Log(10) * c / (k - 1)).ToArray();
        var cumulative = new double[k];
        double sum = logPrior.Sum(Math.Exp), acc = 0;
        for (int c = 0; c < k; c++) { acc += Math.Exp(logPrior[c]) / sum; cumulative[c] = acc; }
        Parallel.For(0, (rows + 65535) / 65536, chunk =>
        {
            var rng = new Random(seed * 7919 + chunk);
            var z = new double[k];
            for (int i = chunk * 65536; i < Math.Min(rows, (chunk + 1) * 65536); i++)
            {
                double u = rng.NextDouble();
                int y = 0;
                while (y < k - 1 && u > cumulative[y]) y++;
                labels[i] = y;
                double max = double.NegativeInfinity;
                for (int j = 0; j < k; j++)
                {
                    z[j] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) + 0.5 * logPrior[j] + (j == y ? 1.5 : 0);
                    max = Math.Max(max, z[j]);
                }
                double total = 0;
                for (int j = 0; j < k; j++) { z[j] = Math.Exp(z[j] - max); total += z[j]; }
                for (int j = 0; j < k; j++) scores[(long)i * k + j] = (float)(z[j] / total);
            }
        });
        return (scores, labels);
    }

    /// <summary>An in-memory view with Label (key of k values) and Score (Vector of k Single), through LabeledFeatures.</summary>
    private static IDataView ToView(MLContext ml, float[] scores, int[] labels, int k)
    {
        // A one-row seed view fixes the schema (key cardinality k); WithRows then holds all rows as synthetic ones.
        var definition = SchemaDefinition.Create(typeof(SeedRow));
        definition[nameof(SeedRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), k);
        definition[nameof(SeedRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        var seedView = ml.Data.LoadFromEnumerable([new SeedRow { Label = 0, Score = new float[k] }], definition);
        var template = LabeledFeatures.Read(seedView, "Label", "Score");
        var sources = new int[labels.Length];
        Array.Fill(sources, -1);
        return template.WithRows(scores, labels, sources).ToDataView();
    }

    private sealed class SeedRow
    {
        public uint Label { get; set; }
        public float[] Score { get; set; } = [];
    }
}
