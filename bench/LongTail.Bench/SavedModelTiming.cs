using System.Diagnostics;
using Microsoft.ML;

namespace LongTail.Bench;

/// <summary>The user's case for the speed commands: the fitted model saved, loaded in a fresh context, warmed up on a small
/// slice, then timed over the whole view (wall clock and process CPU time) and a second time.</summary>
internal static class SavedModelTiming
{
    /// <summary>What a pass through the loaded model gave: the drain's total, and the timings.</summary>
    public readonly record struct Result(long Total, double Seconds, double CpuSeconds, double SecondsAgain);

    /// <summary>Saves <paramref name="model"/>, loads it with a fresh <see cref="MLContext"/> and times
    /// <paramref name="drain"/> over <paramref name="view"/>, after warming up for at least <paramref name="warmSeconds"/> on
    /// <paramref name="warm"/>.</summary>
    public static Result Measure(ITransformer model, IDataView view, IDataView warm, int seed, Func<IDataView, long> drain, double warmSeconds = 0)
    {
        var saved = new MemoryStream();
        new MLContext(seed).Model.Save(model, view.Schema, saved);
        saved.Position = 0;
        var loaded = new MLContext(seed).Model.Load(saved, out _);
        var warmClock = Stopwatch.StartNew();
        do
            drain(loaded.Transform(warm));
        while (warmClock.Elapsed.TotalSeconds < warmSeconds);
        // CPU time as well: on the shared machine the wall clock also counts the time other jobs hold the cores.
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long total = drain(loaded.Transform(view));
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        // A second pass: the first full pass through a new transformer instance costs more (JIT tiering of its per-row code).
        clock.Restart();
        drain(loaded.Transform(view));
        return new Result(total, seconds, cpu, clock.Elapsed.TotalSeconds);
    }
}
