using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Conformal;

namespace LongTail.Bench;

/// <summary>
/// <c>conformal-interval-speed [--rows 1000000] [--score absolute|normalized|cqr] [--groups 0] [--seed 1]</c>: times conformal
/// regression calibration and interval prediction on synthetic scored rows (heteroscedastic: y = x + sigma e, the model
/// predicts x, the difficulty is sigma, the quantile pair x -/+ 1.2 sigma), the same rows for calibrating and predicting.
/// <c>--groups G</c> (G &gt; 0) adds a key column <c>Group</c> (row i in group i mod G, sigma scaled by 1 + group) and
/// calibrates one threshold per group (Mondrian, <c>ConformalRegressorOptions.GroupColumnName</c>).
/// </summary>
/// <remarks>
/// Prints <c>calibrate_seconds</c> (<c>Fit</c> on an in-memory view: one cursor pass, the threshold and the stock chain),
/// <c>calibrate_managed_seconds</c> (<c>Calibrate</c> alone), <c>read_view_seconds</c> (a cursor pass reading the input columns
/// alone), <c>predict_seconds</c> (reading <c>PredictionInterval</c> of every row through the fitted chain),
/// <c>predict_loaded_seconds</c> / <c>predict_loaded_again_seconds</c> (the same through the model saved with
/// <c>mlContext.Model.Save</c> and loaded in a fresh <c>MLContext</c>, first and second pass; <c>predict_loaded_cpu_seconds</c>
/// the process CPU time of the first) and <c>predict_managed_seconds</c> (<c>ConformalIntervalPredictor.PredictInGroup</c> in a
/// loop).
/// Every pass counts the rows whose label lies in the interval; a count that differs from the managed one is logged.
/// </remarks>
public static class ConformalIntervalSpeedCommand
{
    private const string Output = "PredictionInterval";

    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "rows", "score", "groups", "seed");
        int rows = a.GetInt("rows", 1_000_000), seed = a.GetInt("seed", 1), groups = a.GetInt("groups", 0);
        string scoreName = a.Get("score") ?? "absolute";
        var score = scoreName switch
        {
            "absolute" => ConformalRegressionScore.AbsoluteResidual,
            "normalized" => ConformalRegressionScore.NormalizedResidual,
            "cqr" => ConformalRegressionScore.QuantileRegression,
            _ => throw new BenchArgumentException($"--score must be absolute, normalized or cqr; got '{scoreName}'."),
        };
        if (rows < 10 || groups < 0)
            throw new BenchArgumentException("--rows must be at least 10 and --groups at least 0.");
        var ml = new MLContext(seed);
        var options = new ConformalRegressorOptions { Alpha = 0.1, Score = score, GroupColumnName = groups > 0 ? "Group" : null };
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Group)].ColumnType = new KeyDataViewType(typeof(uint), Math.Max(groups, 1));

        var sw = Stopwatch.StartNew();
        var data = Generate(rows, seed, groups);
        var view = ml.Data.LoadFromEnumerable(data, definition);
        BenchOutput.Log($"conformal-interval-speed: generated {rows} rows in {sw.Elapsed.TotalSeconds:0.00} s");

        // Warm-up on a small slice so that JIT (and ONNX Runtime start-up) are not timed; repeated for half a second so
        // that tiered JIT promotes the per-row code.
        var warm = ml.Data.LoadFromEnumerable(data[..1000], definition);
        var warmModel = ml.Regression.ConformalRegressor(options).Fit(warm);
        var warmClock = Stopwatch.StartNew();
        do
            Drain(warmModel.Transform(warm));
        while (warmClock.Elapsed.TotalSeconds < 0.5);

        sw.Restart();
        ReadInputs(view);
        double read = sw.Elapsed.TotalSeconds;

        var estimator = ml.Regression.ConformalRegressor(options);
        sw.Restart();
        var model = estimator.Fit(view);
        double calibrate = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var predictor = estimator.Calibrate(view);
        double calibrateManaged = sw.Elapsed.TotalSeconds;

        long Managed()
        {
            long covered = 0;
            foreach (var r in data)
            {
                var (lo, hi) = score == ConformalRegressionScore.QuantileRegression ? predictor.PredictInGroup((int)r.Group, r.Score, r.Lower, r.Upper)
                    : predictor.PredictInGroup((int)r.Group, r.Score, r.Difficulty);
                if (r.Label >= lo && r.Label <= hi) covered++;
            }
            return covered;
        }
        Managed(); // warm-up
        sw.Restart();
        long total = Managed();
        double predictManaged = sw.Elapsed.TotalSeconds;

        sw.Restart();
        long chainTotal = Drain(model.Transform(view));
        double predict = sw.Elapsed.TotalSeconds;
        if (chainTotal != total)
            BenchOutput.Log($"warning: the fitted chain covers {chainTotal} rows, the managed intervals {total}");

        var loaded = SavedModelTiming.Measure(model, view, warm, seed, Drain, warmSeconds: 0.5);
        if (loaded.Total != total)
            BenchOutput.Log($"warning: the loaded model covers {loaded.Total} rows, the managed intervals {total}");

        BenchOutput.Emit(new
        {
            command = "conformal-interval-speed",
            score = scoreName,
            groups,
            rows,
            threads = Environment.ProcessorCount,
            coverage = (double)total / rows,
            threshold = predictor.Threshold,
            group_thresholds = predictor.GroupThresholds,
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

    /// <summary>Reads the label and every row's interval; returns how many rows the interval covers.</summary>
    private static long Drain(IDataView scored)
    {
        var interval = scored.Schema[Output];
        var label = scored.Schema["Label"];
        using var cursor = scored.GetRowCursor([interval, label]);
        var getInterval = cursor.GetGetter<VBuffer<float>>(interval);
        var getLabel = cursor.GetGetter<float>(label);
        VBuffer<float> buffer = default;
        float y = 0;
        long covered = 0;
        while (cursor.MoveNext())
        {
            getInterval(ref buffer);
            getLabel(ref y);
            var values = buffer.GetValues();
            if (y >= values[0] && y <= values[1]) covered++;
        }
        return covered;
    }

    /// <summary>The cost of the view alone: one cursor pass reading every input column.</summary>
    private static void ReadInputs(IDataView view)
    {
        var columns = view.Schema.Where(c => c.Type == NumberDataViewType.Single).ToArray();
        using var cursor = view.GetRowCursor(columns);
        var getters = columns.Select(c => cursor.GetGetter<float>(c)).ToArray();
        float value = 0;
        while (cursor.MoveNext())
            foreach (var getter in getters)
                getter(ref value);
    }

    private static Row[] Generate(int rows, int seed, int groups)
    {
        var data = new Row[rows];
        Parallel.For(0, (rows + 65535) / 65536, chunk =>
        {
            var rng = new Random(seed * 7919 + chunk);
            for (int i = chunk * 65536; i < Math.Min(rows, (chunk + 1) * 65536); i++)
            {
                int group = groups > 0 ? i % groups : 0;
                double x = rng.NextDouble() * 4 - 2, sigma = (0.2 + Math.Abs(x)) * (1 + group);
                double e = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                data[i] = new Row
                {
                    Label = (float)(x + sigma * e),
                    Score = (float)x,
                    Difficulty = (float)sigma,
                    Lower = (float)(x - 1.2 * sigma),
                    Upper = (float)(x + 1.2 * sigma),
                    Group = (uint)group,
                };
            }
        });
        return data;
    }

    private sealed class Row
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public float Difficulty { get; set; }
        public float Lower { get; set; }
        public float Upper { get; set; }
        public uint Group { get; set; }
    }
}
