using System.Globalization;
using LongTail.Cli;
using Microsoft.ML;
using Microsoft.ML.LongTail.Data;

// mlnet-longtail: the imbalance report for a CSV file. With no arguments it runs on the embedded Glass
// Identification data (Data/README.md): diagnosis of the class profile, a LightGBM model trained on a stratified
// 80 % split, and the imbalance-aware evaluation of the held-out 20 %.
return CliApp.Run(args);

internal static class CliApp
{
    private const string Usage =
        "Usage: mlnet-longtail [report] [--data FILE.csv] [--label COLUMN] [--seed N] [--test-fraction F]\n" +
        "  With no --data, runs on the embedded Glass Identification dataset (label column 'Label').";

    public static int Run(string[] args)
    {
        try
        {
            var options = ParseArgs(args);
            if (options is null)
            {
                Console.WriteLine(Usage);
                return 0;
            }
            Report(options);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private sealed record Options(string? Data, string Label, int Seed, double TestFraction);

    private static Options? ParseArgs(string[] args)
    {
        string? data = null;
        string label = "Label";
        int seed = 1;
        double testFraction = 0.2;
        int i = 0;
        if (args.Length > 0 && args[0] == "report")
            i = 1;
        for (; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
                return null;
            if (i + 1 >= args.Length)
                throw new ArgumentException($"Option '{name}' needs a value.\n{Usage}");
            string value = args[++i];
            switch (name)
            {
                case "--data": data = value; break;
                case "--label": label = value; break;
                case "--seed":
                    seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s
                        : throw new ArgumentException($"Option '--seed' expects an integer, got '{value}'.");
                    break;
                case "--test-fraction":
                    testFraction = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f > 0 && f < 1 ? f
                        : throw new ArgumentException($"Option '--test-fraction' expects a number in (0, 1), got '{value}'.");
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{name}'.\n{Usage}");
            }
        }
        return new Options(data, label, seed, testFraction);
    }

    private static void Report(Options options)
    {
        string path = options.Data ?? EmbeddedData.ExtractGlass();
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        var schema = CsvSchema.Infer(path, options.Label);
        var ml = new MLContext(options.Seed);
        var raw = schema.Load(ml);

        IEstimator<ITransformer> featurize = ml.Transforms.Conversion.MapValueToKey("Label", options.Label);
        var categorical = schema.CategoricalFeatures.Select(c => new InputOutputColumnPair(c)).ToArray();
        if (categorical.Length > 0)
            featurize = featurize.Append(ml.Transforms.Categorical.OneHotEncoding(categorical));
        featurize = featurize.Append(ml.Transforms.Concatenate("Features", schema.NumericFeatures.Concat(schema.CategoricalFeatures).ToArray()));
        var prepared = featurize.Fit(raw).Transform(raw);

        // Stratified split: every class keeps its share in both parts, which a random split does not promise for rare classes.
        int folds = (int)Math.Round(1 / options.TestFraction);
        // The fold column is a key: TrainTestSplit then holds out whole folds (key range [0, 1/folds)), not hashed rows.
        var withFolds = ml.Data.AddStratifiedFoldColumn(prepared, "Label", folds, options.Seed, "Fold");
        var split = ml.Data.TrainTestSplit(withFolds, testFraction: 1.0 / folds, samplingKeyColumnName: "Fold");
        var (train, test) = (split.TrainSet, split.TestSet);

        var trainSet = LabeledFeatures.Read(train);
        Console.WriteLine($"Data: {(options.Data is null ? "embedded Glass Identification (UCI)" : path)}");
        Console.WriteLine($"Label: '{options.Label}', {trainSet.ClassCount} classes; features: {trainSet.FeatureCount}");
        Console.WriteLine();
        Console.WriteLine(Diagnosis.Describe(trainSet));

        var trainer = ml.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options
        {
            NumberOfIterations = 100,
            MinimumExampleCountPerLeaf = 2,
            Seed = options.Seed,
            Verbose = false,
            Silent = true,
        });
        var model = trainer.Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.EvaluateImbalanced(scored, trainingClassCounts: trainSet.ClassCounts.Select(c => (long)c).ToArray());
        Console.WriteLine($"LightGBM on the held-out {options.TestFraction:P0} (stratified):");
        Console.WriteLine(metrics.ToReport());
    }
}
