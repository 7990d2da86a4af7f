using System.Diagnostics;
using Microsoft.ML.LongTail.Resampling;

namespace LongTail.Bench;

/// <summary>
/// <c>knn [--rows 50000] [--features 20] [--k 5] [--threads -1] [--seed 1] [--repeats 1] [--symmetric auto|on|off] [--bits 0|128|256|512]</c>: times the shared exact
/// neighbour engine alone, every row against every row of standard normal data, as SMOTE searches within a class.
/// <c>cpu_seconds</c> is the process's processor time during the search, steadier than wall time on a busy machine.
/// </summary>
public static class KnnCommand
{
    public static int Run(string[] args)
    {
        var a = new BenchArgs(args, "rows", "features", "k", "threads", "seed", "repeats", "symmetric", "bits");
        int n = a.GetInt("rows", 50_000), d = a.GetInt("features", 20), k = a.GetInt("k", 5);
        int threads = a.GetInt("threads", -1), repeats = a.GetInt("repeats", 1);
        if (n < 2 || d < 1 || k < 1 || k >= n || repeats < 1 || threads == 0 || threads < -1)
            throw new BenchArgumentException("Need --rows >= 2, --features >= 1, 1 <= --k < --rows, --repeats >= 1, --threads -1 or >= 1.");
        bool? symmetric = (a.Get("symmetric") ?? "auto") switch
        {
            "auto" => null,
            "on" => true,
            "off" => false,
            var v => throw new BenchArgumentException($"--symmetric expects auto, on or off, got '{v}'."),
        };
        int bits = a.GetInt("bits", 0);
        if (bits is not (0 or 128 or 256 or 512))
            throw new BenchArgumentException($"--bits expects 0 (the widest accelerated), 128, 256 or 512, got {bits}.");
        var rnd = new Random(a.GetInt("seed", 1));
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble()));
        var rows = Enumerable.Range(0, n).ToArray();

        double best = double.MaxValue, bestCpu = double.MaxValue, first = 0;
        long checksum = 0;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var (neighbors, _) = NearestNeighbors.Search(x, d, rows, rows, k, threads, symmetric, bits);
            double seconds = sw.Elapsed.TotalSeconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            if (r == 0)
                first = seconds;
            best = Math.Min(best, seconds);
            bestCpu = Math.Min(bestCpu, cpu);
            checksum = neighbors.Aggregate(0L, (s, v) => s * 31 + v);
        }
        BenchOutput.Emit(new
        {
            command = "knn",
            rows = n,
            features = d,
            k,
            threads = threads < 0 ? Environment.ProcessorCount : threads,
            seconds = best,
            first_seconds = first,
            cpu_seconds = bestCpu,
            pairs_per_cpu_second = (double)n * n / bestCpu,
            repeats,
            symmetric = a.Get("symmetric") ?? "auto",
            bits,
            checksum,
        });
        return 0;
    }
}
