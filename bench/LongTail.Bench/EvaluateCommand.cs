using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Evaluation;

namespace LongTail.Bench;

/// <summary>
/// <c>evaluate --predictions FILE.csv [--train-counts 500,120,15] [--bins 15] [--many 100] [--few 20]</c>:
/// computes the imbalance metrics of a predictions CSV (y_true, y_pred, p0..p{K-1}, as read by
/// /work/shared/peers/peer_metrics.py) with <c>EvaluateImbalanced</c> and prints one JSON line on stdout with
/// peer_metrics.py's keys plus <c>seconds</c> (evaluation time). Logs go to stderr.
/// Exit codes: 0 ok, 1 evaluation failed, 2 bad command line.
/// </summary>
public static class EvaluateCommand
{
    private const string Usage =
        "usage: evaluate --predictions FILE.csv [--train-counts 500,120,15] [--bins 15] [--many 100] [--few 20]";

    /// <summary>Runs the command; <paramref name="args"/> may start with the verb <c>evaluate</c> or not.</summary>
    public static int Run(string[] args)
    {
        string? path = null;
        long[]? trainCounts = null;
        int bins = 15, many = 100, few = 20;
        int start = args.Length > 0 && args[0] == "evaluate" ? 1 : 0;
        try
        {
            for (int i = start; i < args.Length; i++)
            {
                string option = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"option '{option}' needs a value");
                switch (option)
                {
                    case "--predictions": path = Value(); break;
                    case "--train-counts":
                        trainCounts = Value().Split(',').Select(s => ParseLong(option, s)).ToArray();
                        break;
                    case "--bins": bins = ParseInt(option, Value()); break;
                    case "--many": many = ParseInt(option, Value()); break;
                    case "--few": few = ParseInt(option, Value()); break;
                    case "-h":
                    case "--help":
                        Console.Error.WriteLine(Usage);
                        return 0;
                    default:
                        throw new UsageException($"unknown option '{option}'");
                }
            }
            if (path is null)
                throw new UsageException("missing --predictions FILE.csv");
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"evaluate: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        try
        {
            var csv = PredictionTable.Load(path);
            Console.Error.WriteLine($"evaluate: {csv.Rows} rows, {csv.ClassCount} classes, probabilities: {csv.HasProbabilities}");
            var ml = new MLContext(seed: 0);
            var multiclassView = csv.ToMulticlassView(ml);
            var binaryView = csv.ClassCount == 2 && csv.HasProbabilities ? csv.ToBinaryView(ml) : null;

            var options = new ImbalancedEvaluationOptions
            {
                TrainingClassCounts = trainCounts,
                ManyShotThreshold = many,
                FewShotThreshold = few,
                CalibrationBins = bins,
                TopK = csv.ClassCount > 2 ? new[] { 2 } : Array.Empty<int>(),
            };
            var watch = Stopwatch.StartNew();
            var metrics = ml.MulticlassClassification.EvaluateImbalanced(multiclassView, options);
            var binary = binaryView is null ? null : ml.BinaryClassification.EvaluateImbalanced(binaryView, options);
            double seconds = watch.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"evaluate: evaluated in {seconds:F3} s");

            Console.Out.WriteLine(ToJson(metrics, binary, csv, trainCounts is not null, seconds));
            return 0;
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"evaluate: {e.Message}");
            return 1;
        }
    }

    private static string ToJson(ImbalancedMulticlassMetrics m, ImbalancedBinaryMetrics? binary, PredictionTable csv,
        bool withShots, double seconds)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            Number(w, "accuracy", m.Accuracy);
            Number(w, "balanced_accuracy", m.BalancedAccuracy);
            Number(w, "macro_f1", m.MacroF1Score);
            Number(w, "weighted_f1", m.WeightedF1Score);
            Number(w, "mcc", m.MatthewsCorrelation);
            Number(w, "cohen_kappa", m.CohenKappa);
            Number(w, "geometric_mean_multiclass", m.GeometricMean);
            w.WriteStartObject("per_class");
            NumberArray(w, "precision", m.PerClass.Select(c => c.Precision));
            NumberArray(w, "recall", m.PerClass.Select(c => c.Recall));
            NumberArray(w, "f1", m.PerClass.Select(c => c.F1Score));
            NumberArray(w, "specificity", m.PerClass.Select(c => c.Specificity));
            NumberArray(w, "geometric_mean", m.PerClass.Select(c => c.GeometricMean));
            NumberArray(w, "iba", m.PerClass.Select(c => c.IndexBalancedAccuracy));
            w.WriteStartArray("support");
            foreach (var c in m.PerClass)
                w.WriteNumberValue(c.Support);
            w.WriteEndArray();
            w.WriteEndObject();
            Number(w, "worst_class_recall", m.WorstClassRecall);
            if (withShots)
            {
                Number(w, "many_shot_accuracy", m.ManyShotAccuracy);
                Number(w, "medium_shot_accuracy", m.MediumShotAccuracy);
                Number(w, "few_shot_accuracy", m.FewShotAccuracy);
            }
            if (csv.HasProbabilities)
            {
                Number(w, "ece", m.ExpectedCalibrationError);
                Number(w, "top2_accuracy", m.TopKAccuracy.TryGetValue(2, out var top2) ? top2 : null);
                if (binary is not null)
                {
                    Number(w, "roc_auc", binary.AreaUnderRocCurve);
                    Number(w, "pr_auc", binary.AreaUnderPrecisionRecallCurve);
                }
            }
            Number(w, "seconds", seconds);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    // JSON has no NaN/Infinity; undefined figures (e.g. kappa of a constant table) become null.
    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            w.WriteNumber(name, v);
        else
            w.WriteNull(name);
    }

    private static void NumberArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (double.IsFinite(v))
                w.WriteNumberValue(v);
            else
                w.WriteNullValue();
        }
        w.WriteEndArray();
    }

    private static int ParseInt(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new UsageException($"option '{option}' needs an integer, got '{text}'");

    private static long ParseLong(string option, string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)
            ? v : throw new UsageException($"option '{option}' needs comma-separated integers, got '{text}'");

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>The predictions CSV, columns found by name like peer_metrics.py (p columns in index order).</summary>
    private sealed class PredictionTable
    {
        public int Rows { get; private init; }
        public int ClassCount { get; private init; }
        public bool HasProbabilities { get; private init; }
        private uint[] _labels = Array.Empty<uint>();
        private uint[] _predicted = Array.Empty<uint>();
        private float[][] _scores = Array.Empty<float[]>();

        public static PredictionTable Load(string path)
        {
            using var reader = new StreamReader(path);
            var header = (reader.ReadLine() ?? throw new FormatException($"'{path}' is empty")).Split(',');
            int yCol = Array.IndexOf(header, "y_true");
            int pCol = Array.IndexOf(header, "y_pred");
            if (yCol < 0 || pCol < 0)
                throw new FormatException($"'{path}' needs columns y_true and y_pred; it has: {string.Join(", ", header)}");
            var probColumns = new SortedDictionary<int, int>();
            for (int c = 0; c < header.Length; c++)
            {
                var h = header[c];
                if (h.Length > 1 && h[0] == 'p' && h.Skip(1).All(char.IsAsciiDigit))
                    probColumns[int.Parse(h.AsSpan(1), CultureInfo.InvariantCulture)] = c;
            }
            if (probColumns.Count > 0 && probColumns.Keys.Last() != probColumns.Count - 1)
                throw new FormatException($"'{path}': probability columns must be p0..p{{K-1}} without gaps");
            int pCount = probColumns.Count;
            var probIndex = probColumns.Values.ToArray();

            var labels = new List<uint>();
            var predicted = new List<uint>();
            var probs = new List<float[]>();
            string? line;
            int lineNo = 1;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                if (line.Length == 0)
                    continue;
                var cells = line.Split(',');
                labels.Add(ParseClass(cells[yCol], path, lineNo));
                predicted.Add(ParseClass(cells[pCol], path, lineNo));
                var p = new float[pCount];
                for (int j = 0; j < pCount; j++)
                    p[j] = (float)double.Parse(cells[probIndex[j]], CultureInfo.InvariantCulture);
                probs.Add(p);
            }
            if (labels.Count == 0)
                throw new FormatException($"'{path}' has no data rows");

            // K as peer_metrics.py: max(y_true, y_pred, number of p columns - 1) + 1.
            int k = (int)Math.Max(Math.Max(labels.Max(), predicted.Max()), pCount > 0 ? pCount - 1 : 0) + 1;
            if (pCount > 0 && pCount != k)
                throw new FormatException($"'{path}': classes go up to {k - 1} but there are only {pCount} probability columns");
            if (pCount == 0)
            {
                // No probabilities: one-hot scores of the prediction keep the evaluator's contract;
                // calibration and top-k are then not reported, as peer_metrics.py does.
                for (int i = 0; i < probs.Count; i++)
                {
                    probs[i] = new float[k];
                    probs[i][predicted[i]] = 1;
                }
            }
            return new PredictionTable
            {
                Rows = labels.Count,
                ClassCount = k,
                HasProbabilities = pCount > 0,
                _labels = labels.ToArray(),
                _predicted = predicted.ToArray(),
                _scores = probs.ToArray(),
            };
        }

        private static uint ParseClass(string text, string path, int line)
        {
            // genfromtxt reads "3.0" as well as "3".
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0 || v != Math.Floor(v))
                throw new FormatException($"'{path}' line {line}: '{text}' is not a class index");
            return (uint)v;
        }

        public IDataView ToMulticlassView(MLContext ml)
        {
            var schema = SchemaDefinition.Create(typeof(MulticlassRow));
            schema[nameof(MulticlassRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), ClassCount);
            schema[nameof(MulticlassRow.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), ClassCount);
            schema[nameof(MulticlassRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ClassCount);
            var rows = new MulticlassRow[Rows];
            // LoadFromEnumerable takes key values 0-based (it stores raw key i + 1), so class i is written as i.
            for (int i = 0; i < Rows; i++)
                rows[i] = new MulticlassRow { Label = _labels[i], PredictedLabel = _predicted[i], Score = _scores[i] };
            return ml.Data.LoadFromEnumerable(rows, schema);
        }

        public IDataView ToBinaryView(MLContext ml)
        {
            var rows = new BinaryRow[Rows];
            for (int i = 0; i < Rows; i++)
            {
                float p1 = _scores[i][1];
                rows[i] = new BinaryRow { Label = _labels[i] == 1, PredictedLabel = _predicted[i] == 1, Score = p1, Probability = p1 };
            }
            return ml.Data.LoadFromEnumerable(rows);
        }
    }

    private sealed class MulticlassRow
    {
        public uint Label { get; set; }
        public uint PredictedLabel { get; set; }
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }
        public bool PredictedLabel { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
    }
}
