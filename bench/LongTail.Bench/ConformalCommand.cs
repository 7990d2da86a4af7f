using System.Diagnostics;
using System.Globalization;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.LongTail.Conformal;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Evaluation;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Bench;

/// <summary>
/// <c>conformal --method lac|aps|raps|pas|topk|mondrian|clustered|crc --data FILE.csv --label COL [--alpha 0.1] [--splits 100]
/// [--seed 1] [--score lac|aps|raps|pas|topk] [--few 20]</c>: conformal prediction sets on a real data set.
/// </summary>
/// <remarks>
/// <para>Protocol: the rows are split once, stratified by class (<c>AddStratifiedFoldColumn</c> with 2 folds, seed
/// <c>--seed</c>): fold 0 (half of every class, rounded) trains one LightGBM multiclass model
/// (features as in <c>cv</c>: numeric columns, one-hot text columns, mean imputation, standardisation) and the other fold
/// is scored once. Then <c>--splits</c> times, the scored rows are shuffled (seed <c>--seed</c> + split) and cut into a
/// calibration half and a test half (random, not stratified: exchangeable, as the guarantee assumes). The method is fitted on
/// the calibration half (<c>Fit</c>: read the view, compute thresholds, compile the ONNX chain) and applied to the test half
/// through the compiled chain (ML.NET's OnnxTransformer).</para>
/// <para>Methods: <c>lac, aps, raps, pas, topk</c> are marginal conformal with that score; <c>mondrian</c>, <c>clustered</c> and
/// <c>crc</c> (risk control of the miscoverage/FNR) use <c>--score</c> (default lac). APS and RAPS are not randomised.</para>
/// <para>Output (one JSON line), averaged over splits: <c>coverage</c>, <c>set_size</c>, <c>worst_class_coverage</c> (over the
/// classes present in the test half), <c>class_coverage_gap</c> (mean |class coverage - (1 - alpha)|), <c>few_shot_coverage</c> and
/// <c>few_shot_set_size</c> (mean over classes with fewer than <c>--few</c> training rows; null when there are none),
/// <c>calibrate_seconds</c> (Fit) and <c>predict_seconds</c> (computing the test half's set column), plus <c>train_seconds</c>.</para>
/// </remarks>
public static class ConformalCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "method", "data", "label", "alpha", "splits", "seed", "score", "few");
        string method = a.Require("method"), path = a.Require("data"), label = a.Require("label");
        double alpha = a.Get("alpha") is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new BenchArgumentException($"Option '--alpha' expects a number, got '{text}'.")
            : 0.1;
        int splits = a.GetInt("splits", 100), seed = a.GetInt("seed", 1), few = a.GetInt("few", 20);
        var score = ParseScore(a.Get("score") ?? (method is "mondrian" or "clustered" or "crc" ? "lac" : method));
        if (splits < 1)
            throw new BenchArgumentException("--splits must be at least 1.");
        if (!File.Exists(path))
            throw new BenchArgumentException($"The data file '{path}' does not exist.");

        var ml = new MLContext(seed);
        var schema = CsvSchema.Infer(path, label);
        var raw = schema.Load(ml);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", label).Fit(raw).Transform(raw);
        var data = ml.Data.AddStratifiedFoldColumn(ml.Data.Cache(keyed), "Label", 2, seed, "Fold");
        var train = ml.Data.FilterRowsByKeyColumnFraction(data, "Fold", 0, 0.5);
        var rest = ml.Data.FilterRowsByKeyColumnFraction(data, "Fold", 0.5, 1);

        IEstimator<ITransformer> pipeline = schema.Featurize(ml)
            .Append(ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                Seed = seed, Silent = true, Verbose = false, NumberOfThreads = 1, Deterministic = true,
            }));
        var sw = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double trainSeconds = sw.Elapsed.TotalSeconds;
        var scoredTrain = LabeledFeatures.Read(model.Transform(train), "Label", "Score");
        var trainCounts = scoredTrain.ClassCounts;
        // The scored rest, once: Label (key) and Score (probability vector) in arrays.
        var scored = LabeledFeatures.Read(model.Transform(rest), "Label", "Score");
        int n = scored.RowCount, k = scored.ClassCount;
        if (n < 4)
            throw new BenchArgumentException($"Only {n} rows are left to calibrate and test on.");
        BenchOutput.Log($"conformal: {Path.GetFileName(path)}, {k} classes, {trainCounts.Sum()} training rows, {n} scored rows, method {method}");

        var fewShot = Enumerable.Range(0, k).Where(c => trainCounts[c] < few).ToArray();
        double coverage = 0, size = 0, worst = 0, gap = 0, calibrate = 0, predict = 0;
        double fewCoverage = 0, fewSize = 0;
        int fewSplits = 0;
        var order = Enumerable.Range(0, n).ToArray();
        for (int s = 0; s < splits; s++)
        {
            new Random(seed + s).Shuffle(order);
            int half = n / 2;
            var calibration = Subset(scored, order[..half]);
            var test = Subset(scored, order[half..]);
            var estimator = CreateEstimator(ml, method, score, alpha, seed + s);
            sw.Restart();
            var conformal = estimator.Fit(calibration);
            calibrate += sw.Elapsed.TotalSeconds;
            sw.Restart();
            // Materialise the set column through the compiled chain (OnnxTransformer), then evaluate the sets.
            var transformed = ml.Data.Cache(conformal.Transform(test), "Label", "PredictionSet");
            using (var cursor = transformed.GetRowCursor(transformed.Schema))
                while (cursor.MoveNext()) { }
            predict += sw.Elapsed.TotalSeconds;
            var metrics = ml.MulticlassClassification.EvaluateConformal(transformed, alpha);
            coverage += metrics.Coverage;
            size += metrics.MeanSetSize;
            worst += metrics.WorstClassCoverage;
            gap += metrics.ClassCoverageGap;
            var present = fewShot.Where(c => metrics.PerClassRowCount[c] > 0).ToArray();
            if (present.Length > 0)
            {
                fewCoverage += present.Average(c => metrics.PerClassCoverage[c]);
                fewSize += present.Average(c => metrics.PerClassMeanSetSize[c]);
                fewSplits++;
            }
        }
        BenchOutput.Emit(new
        {
            command = "conformal",
            data = Path.GetFileName(path),
            method,
            score = score.ToString().ToLowerInvariant(),
            alpha,
            splits,
            seed,
            classes = k,
            train_rows = trainCounts.Sum(),
            calibration_rows = n / 2,
            test_rows = n - n / 2,
            coverage = coverage / splits,
            set_size = size / splits,
            worst_class_coverage = worst / splits,
            class_coverage_gap = gap / splits,
            few_shot_classes = fewShot.Length,
            few_shot_coverage = fewSplits == 0 ? (double?)null : fewCoverage / fewSplits,
            few_shot_set_size = fewSplits == 0 ? (double?)null : fewSize / fewSplits,
            calibrate_seconds = calibrate / splits,
            predict_seconds = predict / splits,
            train_seconds = trainSeconds,
        });
        return 0;
    }

    internal static NonconformityScore ParseScore(string name) => name switch
    {
        "lac" => NonconformityScore.Lac,
        "aps" => NonconformityScore.Aps,
        "raps" => NonconformityScore.Raps,
        "pas" => NonconformityScore.Pas,
        "topk" => NonconformityScore.TopK,
        _ => throw new BenchArgumentException($"Unknown score or method '{name}'. Known: lac, aps, raps, pas, topk, mondrian, clustered, crc."),
    };

    internal static IEstimator<ITransformer> CreateEstimator(MLContext ml, string method, NonconformityScore score, double alpha, int seed) => method switch
    {
        "lac" or "aps" or "raps" or "pas" or "topk" => ml.MulticlassClassification.ConformalClassifier(alpha, score),
        "mondrian" => ml.MulticlassClassification.ConformalClassifier(alpha, score, ConformalConditioning.Mondrian),
        "clustered" => ml.MulticlassClassification.ConformalClassifier(new ConformalClassifierOptions
        {
            Alpha = alpha, Score = score, Conditioning = ConformalConditioning.Clustered, Seed = seed,
        }),
        "crc" => ml.MulticlassClassification.ConformalRiskControl(alpha, ConformalLoss.FalseNegativeRate, score),
        _ => throw new BenchArgumentException($"Unknown method '{method}'. Known: lac, aps, raps, pas, topk, mondrian, clustered, crc."),
    };

    /// <summary>The rows <paramref name="rows"/> of the scored set as a view with the key Label and the Score vector.</summary>
    private static IDataView Subset(LabeledFeatures scored, int[] rows)
    {
        int k = scored.FeatureCount;
        var features = new float[rows.Length * k];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            scored.GetRow(rows[i]).CopyTo(features.AsSpan(i * k, k));
            labels[i] = scored.Labels[rows[i]];
        }
        return scored.WithRows(features, labels, rows).ToDataView();
    }
}
