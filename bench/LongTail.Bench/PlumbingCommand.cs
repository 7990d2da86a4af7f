using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace LongTail.Bench;

/// <summary>
/// <c>plumbing</c>: how fast <see cref="LabeledFeatures"/> reads a label and a float vector column into arrays and
/// builds a data view back, on an in-memory (cached) ML.NET view of N rows x D features with a long-tailed key label.
/// The baseline is what a user would otherwise write: <c>CreateEnumerable</c> into row objects.
/// </summary>
public static class PlumbingCommand
{
    private sealed class Row
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "rows", "features", "classes", "seed", "repeats");
        int rows = a.GetInt("rows", 1_000_000), d = a.GetInt("features", 20), classes = a.GetInt("classes", 10);
        int seed = a.GetInt("seed", 1), repeats = a.GetInt("repeats", 3);
        if (rows < 1 || d < 1 || classes < 2 || repeats < 1)
            throw new BenchArgumentException("--rows, --features, --repeats must be positive and --classes at least 2.");

        var ml = new MLContext(seed);
        var rnd = new Random(seed);
        // Long-tailed profile: class c has weight 100^(-c/(C-1)).
        var weights = Enumerable.Range(0, classes).Select(c => Math.Pow(100, -(double)c / (classes - 1))).ToArray();
        double total = weights.Sum();
        var cumulative = weights.Select((w, i) => weights.Take(i + 1).Sum() / total).ToArray();
        var data = new Row[rows];
        for (int i = 0; i < rows; i++)
        {
            double u = rnd.NextDouble();
            int c = Array.FindIndex(cumulative, p => u <= p);
            var f = new float[d];
            for (int j = 0; j < d; j++)
                f[j] = (float)(rnd.NextDouble() * 2 - 1 + c);
            data[i] = new Row { Label = (uint)(c < 0 ? classes - 1 : c), Features = f };
        }
        var schema = SchemaDefinition.Create(typeof(Row));
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), classes);
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        var source = ml.Data.Cache(ml.Data.LoadFromEnumerable(data, schema));
        data = null;
        LabeledFeatures.Read(source); // fills the cache and warms up the JIT
        BenchOutput.Log($"plumbing: {rows} rows x {d} features, {classes} classes, cache filled");

        double readSeconds = double.MaxValue;
        long allocated = 0;
        LabeledFeatures? set = null;
        for (int r = 0; r < repeats; r++)
        {
            GC.Collect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            set = LabeledFeatures.Read(source);
            sw.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            readSeconds = Math.Min(readSeconds, sw.Elapsed.TotalSeconds);
        }

        double baselineSeconds = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            var labels = new int[rows];
            var features = new float[(long)rows * d];
            int i = 0;
            foreach (var row in ml.Data.CreateEnumerable<Row>(source, reuseRowObject: false, schemaDefinition: schema))
            {
                labels[i] = (int)row.Label - 1;
                row.Features.CopyTo(features, (long)i * d);
                i++;
            }
            sw.Stop();
            baselineSeconds = Math.Min(baselineSeconds, sw.Elapsed.TotalSeconds);
        }

        double buildSeconds = double.MaxValue;
        double checksum = 0;
        for (int r = 0; r < repeats; r++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            var view = set!.ToDataView();
            checksum = Scan(view);
            sw.Stop();
            buildSeconds = Math.Min(buildSeconds, sw.Elapsed.TotalSeconds);
        }

        BenchOutput.Emit(new
        {
            command = "plumbing",
            rows,
            features = d,
            classes,
            read_seconds = readSeconds,
            read_rows_per_second = rows / readSeconds,
            read_allocated_bytes = allocated,
            array_bytes = (long)rows * (d + 1) * 4,
            baseline_create_enumerable_seconds = baselineSeconds,
            build_and_scan_seconds = buildSeconds,
            counts = set!.ClassCounts,
            checksum,
            repeats,
        });
        return 0;
    }

    /// <summary>Reads every label and feature of the view through getters, as a downstream trainer would.</summary>
    private static double Scan(IDataView view)
    {
        double sum = 0;
        using var cursor = view.GetRowCursor(view.Schema);
        var label = cursor.GetGetter<uint>(view.Schema["Label"]);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        uint l = 0;
        var f = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            label(ref l);
            features(ref f);
            sum += l + f.GetValues()[0];
        }
        return sum;
    }
}
