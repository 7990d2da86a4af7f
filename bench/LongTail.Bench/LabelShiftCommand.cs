using System.Diagnostics;
using System.Globalization;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Posthoc;

namespace LongTail.Bench;

/// <summary>
/// <c>labelshift --data FILE.csv --label COL [--ir 20] [--sizes 250,1000,4000,16000] [--repeats 20] [--seed 1]</c>: a synthetic
/// prior-shift experiment on a real dataset. Do the estimated target priors converge to the true ones as the unlabelled
/// target set grows, and does correcting the scores raise accuracy on the shifted set?
/// </summary>
/// <remarks>
/// <para>Protocol. The rows are split by class (seed <c>--seed</c>): 50 % trains LightGBM (features as in <c>cv</c>), 20 % is
/// the labelled source validation set (BBSE's confusion matrix), and 30 % is the target pool. The source priors are the
/// training set's class frequencies. The target priors follow a long tail of imbalance ratio <c>--ir</c> over the classes in a
/// random order: <c>pi_t(c) ∝ ir^(-r/(K-1))</c> for the class of rank r. Each target set of size n draws
/// <c>round(n pi_t(c))</c> rows of class c from the pool, with replacement; <c>--repeats</c> sets per size.</para>
/// <para>EM needs calibrated posteriors and boosted trees' are over-confident, so a temperature is fitted on the validation
/// rows (negative log-likelihood) and applied to the target posteriors first (Alexandari et al. 2020); EM on the raw
/// posteriors is reported too (<c>_uncalibrated</c>).</para>
/// <para>For each set: the priors estimated by EM (Saerens et al.) and BBSE (Lipton et al.), their L1 distance to the set's
/// true class frequencies, and the accuracy of the model's arg-max before and after re-weighting the posteriors by
/// <c>pi_t / pi_s</c> with each estimate (and with the true priors, the oracle). The first set of every size also runs
/// through the ML.NET component (<c>mlContext.MulticlassClassification.LabelShiftCorrection</c>, fitted on a view of the
/// scores) and the command fails if the component's priors or predicted labels differ from the direct computation.</para>
/// </remarks>
public static class LabelShiftCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "data", "label", "ir", "sizes", "repeats", "seed");
        string path = a.Require("data"), label = a.Require("label");
        int seed = a.GetInt("seed", 1), repeats = a.GetInt("repeats", 20);
        double ir = double.TryParse(a.Get("ir") ?? "20", NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && r >= 1 ? r
            : throw new BenchArgumentException("--ir must be a number of at least 1.");
        int[] sizes = (a.Get("sizes") ?? "250,1000,4000,16000").Split(',').Select(t =>
            int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                : throw new BenchArgumentException($"--sizes '{t}' is not a positive integer.")).ToArray();
        if (repeats < 1)
            throw new BenchArgumentException("--repeats must be at least 1.");
        if (!File.Exists(path))
            throw new BenchArgumentException($"The data file '{path}' does not exist.");

        var sw = Stopwatch.StartNew();
        var ml = new MLContext(seed);
        var schema = CsvSchema.Infer(path, label);
        var raw = ml.Data.Cache(schema.Load(ml));
        var keyed = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label", label).Fit(raw).Transform(raw));
        var (train, rest) = PosthocCommand.StratifiedSplit(ml, keyed, 0.5, seed);
        var (pool, validation) = PosthocCommand.StratifiedSplit(ml, rest, 0.4, seed + 1);
        var model = PosthocCommand.Pipeline(ml, schema, "lightgbm", weights: false, seed).Fit(train);
        var trainCounts = PosthocCommand.LabelCounts(train);
        int k = trainCounts.Length;
        var sourcePriors = trainCounts.Select(c => (double)c / trainCounts.Sum()).ToArray();
        var scoredValidation = model.Transform(validation);
        var source = LabeledFeatures.Read(scoredValidation, "Label", "Score");
        var target = LabeledFeatures.Read(model.Transform(pool), "Label", "Score");
        var sourcePredictions = ArgMax(source.Features, k);
        // EM needs calibrated posteriors (Alexandari et al. 2020): boosted trees' are over-confident. A temperature fitted
        // on the labelled validation rows (negative log-likelihood) is applied to the target rows for the calibrated EM.
        double temperature = FitTemperature(source.Features, source.Labels, k);
        BenchOutput.Log($"labelshift: trained on {trainCounts.Sum()} rows in {sw.Elapsed.TotalSeconds:F1} s; validation {source.RowCount}, pool {target.RowCount}");

        // The long-tailed target profile over the classes in a random order.
        var random = new Random(seed);
        var order = Enumerable.Range(0, k).ToArray();
        random.Shuffle(order);
        var targetPriors = new double[k];
        for (int rank = 0; rank < k; rank++)
            targetPriors[order[rank]] = Math.Pow(ir, -rank / (double)Math.Max(1, k - 1));
        double total = targetPriors.Sum();
        for (int c = 0; c < k; c++)
            targetPriors[c] /= total;
        var poolRowsOfClass = Enumerable.Range(0, k).Select(c => Enumerable.Range(0, target.RowCount).Where(i => target.Labels[i] == c).ToArray()).ToArray();

        var results = new List<object>();
        foreach (int n in sizes)
        {
            var emErrors = new List<double>();
            var emRawErrors = new List<double>();
            var emRaw = new List<double>();
            var bbseErrors = new List<double>();
            var plain = new List<double>();
            var em = new List<double>();
            var bbse = new List<double>();
            var oracle = new List<double>();
            int componentMismatches = 0;
            for (int rep = 0; rep < repeats; rep++)
            {
                var rows = new List<int>(n);
                for (int c = 0; c < k; c++)
                {
                    int m = (int)Math.Round(n * targetPriors[c]);
                    if (m > 0 && poolRowsOfClass[c].Length == 0)
                        throw new InvalidOperationException($"The target pool has no row of class '{target.Label.GetClassName(c)}'.");
                    for (int j = 0; j < m; j++)
                        rows.Add(poolRowsOfClass[c][random.Next(poolRowsOfClass[c].Length)]);
                }
                var probabilities = new float[rows.Count * k];
                var labels = new int[rows.Count];
                for (int i = 0; i < rows.Count; i++)
                {
                    target.GetRow(rows[i]).CopyTo(probabilities.AsSpan(i * k, k));
                    labels[i] = target.Labels[rows[i]];
                }
                var truth = new double[k];
                foreach (int y in labels)
                    truth[y] += 1.0 / labels.Length;
                var emRawPriors = EmPriorEstimator.Estimate(probabilities, k, sourcePriors, out _);
                var calibrated = Tempered(probabilities, k, temperature);
                var emPriors = EmPriorEstimator.Estimate(calibrated, k, sourcePriors, out _);
                var bbsePriors = BlackBoxShiftEstimator.EstimateTargetPriors(source.Labels, sourcePredictions, ArgMax(probabilities, k), k);
                emErrors.Add(L1(emPriors, truth));
                emRawErrors.Add(L1(emRawPriors, truth));
                emRaw.Add(Accuracy(Reweighted(probabilities, k, emRawPriors, sourcePriors), labels));
                bbseErrors.Add(L1(bbsePriors, truth));
                plain.Add(Accuracy(ArgMax(probabilities, k), labels));
                var emPredictions = Reweighted(calibrated, k, emPriors, sourcePriors);
                em.Add(Accuracy(emPredictions, labels));
                bbse.Add(Accuracy(Reweighted(probabilities, k, bbsePriors, SourceFrequencies(source.Labels, k)), labels));
                oracle.Add(Accuracy(Reweighted(probabilities, k, truth, sourcePriors), labels));
                if (rep == 0)
                    componentMismatches = CheckComponent(ml, scoredValidation, calibrated, k, sourcePriors, emPriors, emPredictions);
            }
            results.Add(new
            {
                target_rows = n,
                em_l1_error = emErrors.Average(),
                em_uncalibrated_l1_error = emRawErrors.Average(),
                bbse_l1_error = bbseErrors.Average(),
                accuracy_plain = plain.Average(),
                accuracy_em = em.Average(),
                accuracy_em_uncalibrated = emRaw.Average(),
                accuracy_bbse = bbse.Average(),
                accuracy_true_priors = oracle.Average(),
                component_label_mismatches = componentMismatches,
            });
            BenchOutput.Log($"labelshift: n = {n}: EM L1 {emErrors.Average():F4}, BBSE L1 {bbseErrors.Average():F4}, accuracy {plain.Average():F4} -> EM {em.Average():F4}");
        }

        BenchOutput.Emit(new
        {
            command = "labelshift",
            data = Path.GetFileName(path),
            classes = k,
            ir,
            seed,
            repeats,
            train_rows = trainCounts.Sum(),
            validation_rows = source.RowCount,
            pool_rows = target.RowCount,
            temperature,
            source_priors = sourcePriors,
            target_priors = targetPriors,
            sizes = results,
            seconds = sw.Elapsed.TotalSeconds,
        });
        return 0;
    }

    /// <summary>The ML.NET component on the same scores must find the same priors and labels as the direct computation.</summary>
    private static int CheckComponent(MLContext ml, IDataView scoredValidation, float[] probabilities, int k, double[] sourcePriors,
        double[] emPriors, int[] emPredictions)
    {
        var schema = SchemaDefinition.Create(typeof(ScoreRow));
        schema["Score"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        var rows = Enumerable.Range(0, probabilities.Length / k).Select(i => new ScoreRow { Score = probabilities.AsSpan(i * k, k).ToArray() }).ToArray();
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        var estimator = ml.MulticlassClassification.LabelShiftCorrection(new LabelShiftCorrectionOptions
        {
            SourceData = scoredValidation, SourcePriors = sourcePriors,
        });
        var corrected = estimator.Fit(view).Transform(view);
        var priors = estimator.FittedTargetPriors!;
        for (int c = 0; c < k; c++)
        {
            if (Math.Abs(priors[c] - emPriors[c]) > 1e-6)
                throw new InvalidOperationException($"The component's EM prior of class {c} is {priors[c]}, the direct computation's {emPriors[c]}.");
        }
        var labels = corrected.GetColumn<uint>("PredictedLabel").Select(key => (int)key - 1).ToArray();
        // The graph computes in float, the direct path in double: only near-ties may differ.
        int differ = labels.Where((y, i) => y != emPredictions[i]).Count();
        if (differ > labels.Length / 1000)
            throw new InvalidOperationException($"The component's corrected PredictedLabel differs from the direct computation on {differ} of {labels.Length} rows.");
        return differ;
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>The temperature T minimising the validation rows' negative log-likelihood of softmax(log p / T) (golden-section
    /// search on log T in [-3, 3]).</summary>
    private static double FitTemperature(float[] probabilities, int[] labels, int k)
    {
        double Nll(double logT)
        {
            var tempered = Tempered(probabilities, k, Math.Exp(logT));
            double sum = 0;
            for (int i = 0; i < labels.Length; i++)
                sum -= Math.Log(Math.Max(tempered[i * k + labels[i]], 1e-12));
            return sum;
        }
        double lo = -3, hi = 3, g = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = Nll(x1), f2 = Nll(x2);
        for (int it = 0; it < 60; it++)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = Nll(x1); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = Nll(x2); }
        }
        return Math.Exp((lo + hi) / 2);
    }

    /// <summary>softmax(log p / T) per row.</summary>
    private static float[] Tempered(float[] probabilities, int k, double temperature)
    {
        var result = new float[probabilities.Length];
        var logits = new double[k];
        for (int i = 0; i < probabilities.Length / k; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                logits[c] = Math.Log(Math.Max(probabilities[i * k + c], 1e-12)) / temperature;
                max = Math.Max(max, logits[c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++)
                sum += logits[c] = Math.Exp(logits[c] - max);
            for (int c = 0; c < k; c++)
                result[i * k + c] = (float)(logits[c] / sum);
        }
        return result;
    }

    private static int[] ArgMax(float[] probabilities, int k)
    {
        var result = new int[probabilities.Length / k];
        for (int i = 0; i < result.Length; i++)
        {
            var row = probabilities.AsSpan(i * k, k);
            int best = 0;
            for (int c = 1; c < k; c++)
                if (row[c] > row[best]) best = c;
            result[i] = best;
        }
        return result;
    }

    private static int[] Reweighted(float[] probabilities, int k, IReadOnlyList<double> targetPriors, IReadOnlyList<double> sourcePriors)
    {
        var result = new int[probabilities.Length / k];
        for (int i = 0; i < result.Length; i++)
        {
            int best = 0;
            double bestValue = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                double v = probabilities[i * k + c] * targetPriors[c] / sourcePriors[c];
                if (v > bestValue) { bestValue = v; best = c; }
            }
            result[i] = best;
        }
        return result;
    }

    private static double[] SourceFrequencies(int[] labels, int k)
    {
        var f = new double[k];
        foreach (int y in labels)
            f[y] += 1.0 / labels.Length;
        return f;
    }

    private static double Accuracy(int[] predictions, int[] labels) =>
        predictions.Where((p, i) => p == labels[i]).Count() / (double)labels.Length;

    private static double L1(IReadOnlyList<double> a, IReadOnlyList<double> b) => Enumerable.Range(0, a.Count).Sum(c => Math.Abs(a[c] - b[c]));
}
