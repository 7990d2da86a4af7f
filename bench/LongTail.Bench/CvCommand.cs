using System.Diagnostics;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace LongTail.Bench;

/// <summary>
/// <c>cv --data FILE.csv --label COL [--trainer lightgbm|sdca] [--sampler none|smote|...] [--folds 5] [--seed 1] [--k K]</c>:
/// stratified k-fold cross-validation of one trainer with or without a sampler, the sampler inside the folds
/// (<c>trainer.WithResampling(sampler)</c>), as imbalanced-learn's Pipeline. Prints the mean over folds of macro-F1,
/// balanced accuracy and few-shot accuracy (classes with fewer than 20 training rows in the fold), and each fold's figures.
/// </summary>
/// <remarks>Features: numeric columns as they are, text columns one-hot encoded, then missing values replaced by the
/// mean and every feature standardised (fitted on the training folds only, as part of the pipeline).</remarks>
public static class CvCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "data", "label", "trainer", "sampler", "folds", "seed", "k");
        string path = a.Require("data"), label = a.Require("label");
        string trainerName = a.Get("trainer") ?? "lightgbm", samplerName = a.Get("sampler") ?? "none";
        int folds = a.GetInt("folds", 5), seed = a.GetInt("seed", 1);
        int? k = a.Get("k") is null ? null : a.GetInt("k", 0);
        if (folds < 2)
            throw new BenchArgumentException("--folds must be at least 2.");
        if (!File.Exists(path))
            throw new BenchArgumentException($"The data file '{path}' does not exist.");

        var ml = new MLContext(seed);
        var schema = CsvSchema.Infer(path, label);
        var raw = schema.Load(ml);
        // The key mapping sees all labels (no feature leaks through it); the fold column needs the key.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", label).Fit(raw).Transform(raw);
        var data = ml.Data.AddStratifiedFoldColumn(ml.Data.Cache(keyed), "Label", folds, seed, "Fold");

        IEstimator<ITransformer> pipeline = schema.Featurize(ml);
        var sampler = samplerName == "none" ? null : ResampleCommand.CreateSampler(samplerName, seed, k);
        IEstimator<ITransformer> trainer = trainerName switch
        {
            "lightgbm" => WithSampler(ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                Seed = seed, Silent = true, Verbose = false, NumberOfThreads = 1, Deterministic = true,
            }), sampler),
            "sdca" => WithSampler(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 100), sampler),
            _ => throw new BenchArgumentException($"Unknown trainer '{trainerName}'. Known trainers: lightgbm, sdca."),
        };
        pipeline = pipeline.Append(trainer);

        var sw = Stopwatch.StartNew();
        var results = ml.MulticlassClassification.CrossValidate(data, pipeline, folds, samplingKeyColumnName: "Fold", seed: seed);
        double seconds = sw.Elapsed.TotalSeconds;

        // Each row is held out exactly once, so the test folds' counts add up to the data's counts.
        var testCounts = results.Select(r => LabeledFeatures.Read(r.ScoredHoldOutSet, "Label", "Features").ClassCounts).ToArray();
        var total = Enumerable.Range(0, testCounts[0].Length).Select(c => testCounts.Sum(t => t[c])).ToArray();
        var perFold = results.Select((r, f) => ml.MulticlassClassification.EvaluateImbalanced(r.ScoredHoldOutSet,
            trainingClassCounts: total.Select((n, c) => (long)(n - testCounts[f][c])).ToArray())).ToArray();
        var few = perFold.Where(m => m.FewShotAccuracy.HasValue).Select(m => m.FewShotAccuracy!.Value).ToArray();
        BenchOutput.Emit(new
        {
            command = "cv",
            data = Path.GetFileName(path),
            trainer = trainerName,
            sampler = samplerName,
            folds,
            seed,
            rows = total.Sum(),
            classes = total.Length,
            macro_f1 = perFold.Average(m => m.MacroF1Score),
            balanced_accuracy = perFold.Average(m => m.BalancedAccuracy),
            // Null where no fold has a class with fewer than 20 training rows.
            few_shot_accuracy = few.Length == 0 ? (double?)null : few.Average(),
            fold_macro_f1 = perFold.Select(m => m.MacroF1Score).ToArray(),
            fold_balanced_accuracy = perFold.Select(m => m.BalancedAccuracy).ToArray(),
            seconds,
        });
        return 0;
    }

    private static IEstimator<ITransformer> WithSampler<TModel>(IEstimator<TModel> trainer, Microsoft.ML.LongTail.Resampling.Sampler? sampler)
        where TModel : class, ITransformer =>
        sampler is null ? trainer : trainer.WithResampling(sampler);
}
