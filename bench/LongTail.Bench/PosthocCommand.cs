using System.Diagnostics;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Posthoc;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Bench;

/// <summary>
/// <c>posthoc --train TRAIN.csv (--test TEST.csv | --test-fraction 0.3) --label COL [--trainer lightgbm|sdca]
/// [--method none|weights|logit-adjust|both] [--seed 1] [--validation-fraction 0.2]</c>: one trainer plain, with
/// class-balanced example weights (inverse frequency), with post-hoc logit adjustment, or both; prints the test file's balanced
/// accuracy, macro-F1 and many/medium/few-shot accuracy (groups from the training class counts: more than 100, 20 to 100,
/// fewer than 20 rows), and the seconds taken.
/// </summary>
/// <remarks>
/// <para>Features as in <c>cv</c>: numeric columns as they are, text columns one-hot encoded, missing values replaced by the
/// mean, every feature standardised (fitted on training rows only). Labels are keyed on the training file; test rows of a
/// class the training file lacks are dropped (counted on stderr). Without <c>--test</c>, a stratified <c>--test-fraction</c>
/// of the training file is held out (each class with 2 or more rows keeps at least one training row).</para>
/// <para>Logit adjustment tunes <c>tau</c> over 0, 0.25, ..., 3 for balanced accuracy on a stratified validation split
/// (<c>--validation-fraction</c>, default 0.2) carved from the training rows: the trainer is fitted on the rest, scores the
/// validation rows, and the best <c>tau</c> is kept; then the trainer is refitted on all training rows and the adjustment
/// applied with that <c>tau</c> and the priors of all training rows. With <c>both</c>, the weighted trainer is tuned the same way.</para>
/// </remarks>
public static class PosthocCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "train", "test", "test-fraction", "label", "trainer", "method", "seed", "validation-fraction");
        string trainPath = a.Require("train"), label = a.Require("label");
        string? testPath = a.Get("test");
        string trainerName = a.Get("trainer") ?? "lightgbm", method = a.Get("method") ?? "none";
        int seed = a.GetInt("seed", 1);
        double testFraction = ParseFraction(a.Get("test-fraction"), "test-fraction", 0);
        double validationFraction = ParseFraction(a.Get("validation-fraction"), "validation-fraction", 0.2);
        if (method is not ("none" or "weights" or "logit-adjust" or "both"))
            throw new BenchArgumentException($"Unknown method '{method}'. Known methods: none, weights, logit-adjust, both.");
        if (trainerName is not ("lightgbm" or "sdca"))
            throw new BenchArgumentException($"Unknown trainer '{trainerName}'. Known trainers: lightgbm, sdca.");
        if (testPath is null == (testFraction == 0))
            throw new BenchArgumentException("Give either --test FILE or --test-fraction F (0 < F < 1).");
        foreach (var path in new[] { trainPath, testPath })
        {
            if (path is not null && !File.Exists(path))
                throw new BenchArgumentException($"The data file '{path}' does not exist.");
        }

        var sw = Stopwatch.StartNew();
        var ml = new MLContext(seed);
        var schema = CsvSchema.Infer(trainPath, label);
        var rawTrain = ml.Data.Cache(schema.Load(ml));
        var keyer = ml.Transforms.Conversion.MapValueToKey("Label", label).Fit(rawTrain);
        var train = ml.Data.Cache(keyer.Transform(rawTrain));
        IDataView test;
        if (testPath is not null)
        {
            var loader = ml.Data.CreateTextLoader(new TextLoader.Options
            {
                Columns = schema.Names.Select((n, i) => new TextLoader.Column(n, schema.Numeric[i] ? DataKind.Single : DataKind.String, i)).ToArray(),
                HasHeader = true,
                Separators = [','],
                AllowQuoting = true,
            });
            var keyedTest = keyer.Transform(loader.Load(CsvSchema.Decompressed(testPath)));
            test = ml.Data.Cache(ml.Data.FilterRowsByMissingValues(keyedTest, "Label"));
            long dropped = keyedTest.GetColumn<uint>("Label").LongCount() - test.GetColumn<uint>("Label").LongCount();
            if (dropped > 0)
                BenchOutput.Log($"Dropped {dropped} test rows of classes the training file lacks.");
        }
        else
        {
            (train, test) = StratifiedSplit(ml, train, testFraction, seed);
        }

        var classCounts = LabelCounts(train);
        bool weights = method is "weights" or "both", adjust = method is "logit-adjust" or "both";
        var pipeline = Pipeline(ml, schema, trainerName, weights, seed);
        double? tau = null;
        if (adjust)
        {
            var (fit, validation) = StratifiedSplit(ml, train, validationFraction, seed + 1);
            var model = pipeline.Fit(fit);
            var tuner = new LogitAdjustmentEstimator(ml, new LogitAdjustmentOptions { ValidationData = model.Transform(validation) });
            tuner.Fit(model.Transform(fit));
            tau = tuner.FittedTau;
            BenchOutput.Log($"tau = {tau} (validation balanced accuracy {string.Join(", ", tuner.TuningScores!.Select(s => s.ToString("F4")))})");
        }
        var trained = pipeline.Fit(train);
        ITransformer final = trained;
        if (tau is double t)
            final = trained.Append(ml.MulticlassClassification.LogitAdjustment(tau: t).Fit(trained.Transform(train)));
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(final.Transform(test), trainingClassCounts: classCounts);
        double seconds = sw.Elapsed.TotalSeconds;

        BenchOutput.Emit(new
        {
            command = "posthoc",
            train = Path.GetFileName(trainPath),
            test = testPath is null ? null : Path.GetFileName(testPath),
            test_fraction = testPath is null ? testFraction : (double?)null,
            trainer = trainerName,
            method,
            seed,
            tau,
            train_rows = classCounts.Sum(),
            classes = classCounts.Length,
            balanced_accuracy = metrics.BalancedAccuracy,
            macro_f1 = metrics.MacroF1Score,
            many_shot_accuracy = metrics.ManyShotAccuracy,
            medium_shot_accuracy = metrics.MediumShotAccuracy,
            few_shot_accuracy = metrics.FewShotAccuracy,
            seconds,
        });
        return 0;
    }

    internal static IEstimator<ITransformer> Pipeline(MLContext ml, CsvSchema schema, string trainerName, bool weights, int seed)
    {
        IEstimator<ITransformer> pipeline = schema.Featurize(ml);
        string? weight = weights ? "Weight" : null;
        if (weights)
            pipeline = pipeline.Append(new Microsoft.ML.LongTail.Weighting.ClassBalancedWeightsEstimator(ml, new() { OutputColumnName = "Weight" }));
        IEstimator<ITransformer> trainer = trainerName == "lightgbm"
            ? ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                Seed = seed, Silent = true, Verbose = false, NumberOfThreads = 1, Deterministic = true, ExampleWeightColumnName = weight,
            })
            : ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                MaximumNumberOfIterations = 100, ExampleWeightColumnName = weight, NumberOfThreads = 1,
            });
        return pipeline.Append(trainer);
    }

    internal static long[] LabelCounts(IDataView data)
    {
        int k = (int)((KeyDataViewType)data.Schema["Label"].Type).Count;
        var counts = new long[k];
        foreach (uint key in data.GetColumn<uint>("Label"))
            counts[key - 1]++;
        return counts;
    }

    /// <summary>Holds out round(n_c * fraction) rows of each class (keeping at least one of a class with 2 or more rows).</summary>
    internal static (IDataView Kept, IDataView HeldOut) StratifiedSplit(MLContext ml, IDataView data, double fraction, int seed)
    {
        int[] groups = StratifiedFolds.ReadGroups(data, "Label");
        var random = new Random(seed);
        var rawKeys = new uint[groups.Length];
        foreach (var members in Enumerable.Range(0, groups.Length).GroupBy(i => groups[i]))
        {
            var rows = members.OrderBy(_ => random.Next()).ToArray();
            int held = (int)Math.Round(rows.Length * fraction);
            if (held >= rows.Length && rows.Length >= 2)
                held = rows.Length - 1;
            for (int i = 0; i < rows.Length; i++)
                rawKeys[rows[i]] = i < held ? 2u : 1u;
        }
        var split = new FoldColumnDataView(data, "__split", rawKeys, 2);
        // A key column is range-filtered on (key - 1) / count: key 1 -> 0, key 2 -> 0.5.
        var rest = ml.Data.Cache(ml.Transforms.DropColumns("__split").Fit(split).Transform(ml.Data.FilterRowsByKeyColumnFraction(split, "__split", 0, 0.5)));
        var part = ml.Data.Cache(ml.Transforms.DropColumns("__split").Fit(split).Transform(ml.Data.FilterRowsByKeyColumnFraction(split, "__split", 0.5, 1)));
        return (rest, part);
    }

    private static double ParseFraction(string? text, string name, double fallback)
    {
        if (text is null)
            return fallback;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) || !(value > 0 && value < 1))
            throw new BenchArgumentException($"--{name} must be a number strictly between 0 and 1.");
        return value;
    }
}
