using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace LongTail.Bench;

/// <summary>
/// <c>resample --sampler NAME --input FILE.csv --label COL [--seed 1] [--k K] [--kind borderline-1|borderline-2]
/// [--categorical 0,3,5] [--out OUT.csv] [--repeats 1]</c>: resamples a CSV of
/// numeric features plus a numeric label column with one sampler (imbalanced-learn's class name, lower-cased), the
/// counterpart of <c>peer_imblearn.py</c>. <c>seconds</c> is the resampling alone (arrays in, arrays out), not the CSV
/// I/O nor the read of the data view into arrays (<c>read_seconds</c>).
/// </summary>
public static class ResampleCommand
{
    // --k is k_neighbors / n_neighbors, imbalanced-learn's default where not given (5 for the SMOTE family and ADASYN, 1
    // for CNN and one-sided selection, 2 for KMeansSMOTE, 3 for the others). Deterministic samplers ignore --seed, except the SMOTE combinations. --categorical (smotenc only) lists
    // the categorical features by index among the feature columns (the label column not counted).
    private static readonly Dictionary<string, Func<int, int?, BorderlineSmoteKind, int[]?, Sampler>> Samplers = new(StringComparer.Ordinal)
    {
        ["smote"] = (seed, k, _, _) => new Smote(new SmoteOptions { Seed = seed, NumberOfNeighbors = k ?? 5 }),
        ["borderlinesmote"] = (seed, k, kind, _) => new BorderlineSmote(new BorderlineSmoteOptions { Seed = seed, NumberOfNeighbors = k ?? 5, Kind = kind }),
        ["adasyn"] = (seed, k, _, _) => new Adasyn(new AdasynOptions { Seed = seed, NumberOfNeighbors = k ?? 5 }),
        ["randomoversampler"] = (seed, _, _, _) => new RandomOverSampler(new RandomOverSamplerOptions { Seed = seed }),
        ["randomundersampler"] = (seed, _, _, _) => new RandomUnderSampler(new RandomUnderSamplerOptions { Seed = seed }),
        ["tomeklinks"] = (_, _, _, _) => new TomekLinks(new TomekLinksOptions()),
        ["editednearestneighbours"] = (_, k, _, _) => new EditedNearestNeighbours(new EditedNearestNeighboursOptions { NumberOfNeighbors = k ?? 3 }),
        ["repeatededitednearestneighbours"] = (_, k, _, _) => new RepeatedEditedNearestNeighbours(new RepeatedEditedNearestNeighboursOptions { NumberOfNeighbors = k ?? 3 }),
        ["allknn"] = (_, k, _, _) => new AllKnn(new AllKnnOptions { NumberOfNeighbors = k ?? 3 }),
        ["nearmiss"] = (_, k, _, _) => new NearMiss(new NearMissOptions { NumberOfNeighbors = k ?? 3 }),
        ["condensednearestneighbour"] = (seed, k, _, _) => new CondensedNearestNeighbour(new CondensedNearestNeighbourOptions { Seed = seed, NumberOfNeighbors = k ?? 1 }),
        ["onesidedselection"] = (seed, k, _, _) => new OneSidedSelection(new OneSidedSelectionOptions { Seed = seed, NumberOfNeighbors = k ?? 1 }),
        ["neighbourhoodcleaningrule"] = (_, k, _, _) => new NeighbourhoodCleaningRule(new NeighbourhoodCleaningRuleOptions { NumberOfNeighbors = k ?? 3 }),
        ["smotetomek"] = (seed, k, _, _) => new SmoteTomek(new SmoteTomekOptions { Seed = seed, NumberOfNeighbors = k ?? 5 }),
        ["smoteenn"] = (seed, k, _, _) => new SmoteEnn(new SmoteEnnOptions { Seed = seed, NumberOfNeighbors = k ?? 5 }),
        ["instancehardnessthreshold"] = (seed, _, _, _) => new InstanceHardnessThreshold(new InstanceHardnessThresholdOptions { Seed = seed }),
        ["clustercentroids"] = (seed, _, _, _) => new ClusterCentroids(new ClusterCentroidsOptions { Seed = seed }),
        ["kmeanssmote"] = (seed, k, _, _) => new KMeansSmote(new KMeansSmoteOptions { Seed = seed, NumberOfNeighbors = k ?? 2 }),
        ["smotenc"] = (seed, k, _, categorical) => new SmoteNc(new SmoteNcOptions { Seed = seed, NumberOfNeighbors = k ?? 5, CategoricalSlots = categorical }),
        ["smoten"] = (seed, k, _, _) => new SmoteN(new SmoteNOptions { Seed = seed, NumberOfNeighbors = k ?? 5 }),
    };

    /// <summary>imbalanced-learn's <c>kind</c> values of <c>BorderlineSMOTE</c>.</summary>
    private static readonly Dictionary<string, BorderlineSmoteKind> Kinds = new(StringComparer.Ordinal)
    {
        ["borderline-1"] = BorderlineSmoteKind.Borderline1,
        ["borderline-2"] = BorderlineSmoteKind.Borderline2,
    };

    private sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "sampler", "input", "label", "seed", "out", "k", "kind", "repeats", "categorical");
        int repeats = a.GetInt("repeats", 1);
        if (repeats < 1)
            throw new BenchArgumentException("--repeats must be at least 1.");
        string name = a.Require("sampler");
        if (!Samplers.TryGetValue(name, out var make))
            throw new BenchArgumentException($"Unknown sampler '{name}'. Known samplers: {string.Join(", ", Samplers.Keys)}.");
        string? kindName = a.Get("kind");
        if (kindName is not null && name != "borderlinesmote")
            throw new BenchArgumentException($"--kind applies to borderlinesmote only, not to '{name}'.");
        var kind = BorderlineSmoteKind.Borderline1;
        if (kindName is not null && !Kinds.TryGetValue(kindName, out kind))
            throw new BenchArgumentException($"Unknown --kind '{kindName}'. Known kinds: {string.Join(", ", Kinds.Keys)}.");
        string? categoricalText = a.Get("categorical");
        if (categoricalText is not null && name != "smotenc")
            throw new BenchArgumentException($"--categorical applies to smotenc only, not to '{name}'.");
        if (categoricalText is null && name == "smotenc")
            throw new BenchArgumentException("smotenc needs --categorical: the feature indices (0-based, label column excluded) that hold categories, such as 0,3,5.");
        int[]? categorical = categoricalText?.Split(',').Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new BenchArgumentException($"--categorical '{categoricalText}' is not a comma-separated list of feature indices.")).ToArray();
        var sampler = make(a.GetInt("seed", 1), a.Get("k") is null ? null : a.GetInt("k", 0), kind, categorical);

        var sw = Stopwatch.StartNew();
        var (header, labelIndex, features, labels) = ReadCsv(a.Require("input"), a.Require("label"));
        int d = header.Length - 1, rows = labels.Length;
        BenchOutput.Log($"resample: read {rows} rows x {d} features in {sw.Elapsed.TotalSeconds:F2} s");

        var (set, readSeconds) = ToLabeledFeatures(features, labels, d);
        features = [];

        // The first run includes JIT compilation; with --repeats N, seconds is the best of N.
        LabeledFeatures result = null!;
        double seconds = double.MaxValue, firstSeconds = 0;
        long allocatedBytes = 0;
        for (int r = 0; r < repeats; r++)
        {
            result = null!;
            GC.Collect();
            long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
            sw.Restart();
            result = sampler.Resample(set);
            allocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
            double elapsed = sw.Elapsed.TotalSeconds;
            if (r == 0)
                firstSeconds = elapsed;
            seconds = Math.Min(seconds, elapsed);
        }

        if (a.Get("out") is { } output)
        {
            sw.Restart();
            WriteCsv(output, header, labelIndex, result);
            BenchOutput.Log($"resample: wrote {result.RowCount} rows in {sw.Elapsed.TotalSeconds:F2} s");
        }
        BenchOutput.Emit(new
        {
            command = "resample",
            sampler = name,
            rows_in = rows,
            rows_out = result.RowCount,
            features = d,
            seconds,
            first_seconds = firstSeconds,
            repeats,
            read_seconds = readSeconds,
            counts = Enumerable.Range(0, result.ClassCount).ToDictionary(c => result.Label.GetClassName(c), c => result.ClassCounts[c]),
            threads = Environment.ProcessorCount,
            // Managed bytes the last run allocated (the output included), and the process's peak resident memory, which
            // also counts this harness's CSV parsing and ML.NET view; the peer script reports the same peak.
            resample_allocated_bytes = allocatedBytes,
            peak_rss_mb = Math.Round(PeakRssMegabytes(), 1),
        });
        return 0;
    }

    /// <summary>
    /// Goes through an ML.NET data view as a user would, and times <see cref="LabeledFeatures.Read"/>. A method of its own so
    /// that the row objects and the view are garbage once it returns: kept alive, their millions of objects slow every
    /// later full GC and would be charged to the sampler.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (LabeledFeatures Set, double Seconds) ToLabeledFeatures(float[] features, float[] labels, int d)
    {
        var data = new Row[labels.Length];
        for (int i = 0; i < data.Length; i++)
            data[i] = new Row { Label = labels[i], Features = features.AsSpan(i * d, d).ToArray() };
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        var view = new MLContext(0).Data.LoadFromEnumerable(data, schema);
        var sw = Stopwatch.StartNew();
        var set = LabeledFeatures.Read(view);
        return (set, sw.Elapsed.TotalSeconds);
    }

    /// <summary>A minimal CSV reader for numbers only (no quoting): much faster than a general loader on 1M x 20.</summary>
    private static (string[] Header, int LabelIndex, float[] Features, float[] Labels) ReadCsv(string path, string labelName)
    {
        using var reader = new StreamReader(LongTail.Cli.CsvSchema.Decompressed(path), System.Text.Encoding.UTF8, false, 1 << 20);
        var header = (reader.ReadLine() ?? throw new BenchArgumentException($"'{path}' is empty.")).Split(',');
        int labelIndex = Array.IndexOf(header, labelName);
        if (labelIndex < 0)
            throw new BenchArgumentException($"'{path}' has no column '{labelName}'. Columns: {string.Join(", ", header)}.");
        int d = header.Length - 1;
        var features = new List<float>(1 << 20);
        var labels = new List<float>(1 << 16);
        Span<float> row = stackalloc float[d];
        string? line;
        int lineNumber = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var rest = line.AsSpan();
            int f = 0;
            for (int col = 0; col < header.Length; col++)
            {
                int comma = rest.IndexOf(',');
                var cell = comma < 0 ? rest : rest[..comma];
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw new BenchArgumentException($"'{path}' line {lineNumber}, column '{header[col]}': '{cell}' is not a number.");
                if (col == labelIndex)
                    labels.Add(value);
                else
                    row[f++] = value;
                rest = comma < 0 ? [] : rest[(comma + 1)..];
            }
            features.AddRange(row);
        }
        return (header, labelIndex, features.ToArray(), labels.ToArray());
    }

    private static void WriteCsv(string path, string[] header, int labelIndex, LabeledFeatures set)
    {
        using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20);
        writer.Write(string.Join(',', header));
        writer.Write('\n');
        Span<char> buffer = stackalloc char[64];
        for (int i = 0; i < set.RowCount; i++)
        {
            var x = set.GetRow(i);
            int f = 0;
            for (int col = 0; col < header.Length; col++)
            {
                if (col > 0)
                    writer.Write(',');
                if (col == labelIndex)
                {
                    writer.Write(set.Label.GetClassName(set.Labels[i]));
                    continue;
                }
                x[f++].TryFormat(buffer, out int written, "R", CultureInfo.InvariantCulture);
                writer.Write(buffer[..written]);
            }
            writer.Write('\n');
        }
    }

    /// <summary>A sampler by its bench name (imbalanced-learn's class name, lower-cased), for the other subcommands.</summary>
    internal static Sampler CreateSampler(string name, int seed, int? k) =>
        name == "smotenc" ? throw new BenchArgumentException("smotenc needs categorical features: use it with the resample subcommand and --categorical.")
        : Samplers.TryGetValue(name, out var make) ? make(seed, k, BorderlineSmoteKind.Borderline1, null)
            : throw new BenchArgumentException($"Unknown sampler '{name}'. Known samplers: none, {string.Join(", ", Samplers.Keys)}.");

    /// <summary>The process's peak resident set (VmHWM), as the peer's <c>ru_maxrss</c>.</summary>
    private static double PeakRssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        return Environment.WorkingSet / 1048576.0;
    }
}
