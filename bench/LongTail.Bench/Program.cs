using LongTail.Bench;

// One console app for every benchmark and peer comparison. Each subcommand prints exactly one JSON line on
// stdout (logs go to stderr), so scripts can compare runs.
var commands = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["plumbing"] = PlumbingCommand.Run,
    ["evaluate"] = EvaluateCommand.Run,
    ["resample"] = ResampleCommand.Run,
    ["knn"] = KnnCommand.Run,
    ["cv"] = CvCommand.Run,
    ["posthoc"] = PosthocCommand.Run,
    ["labelshift"] = LabelShiftCommand.Run,
    ["conformal"] = ConformalCommand.Run,
    ["conformal-speed"] = ConformalSpeedCommand.Run,
    ["conformal-interval-speed"] = ConformalIntervalSpeedCommand.Run,
    ["quantize"] = QuantizeCommand.Run,
    ["onnx-bytes"] = OnnxBytesCommand.Run,
    ["train"] = TrainCommand.Run,
    ["sweep"] = SweepCommand.Run,
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine(args.Length == 0 ? "No subcommand given." : $"Unknown subcommand '{args[0]}'.");
    Console.Error.WriteLine($"Usage: LongTail.Bench <{string.Join("|", commands.Keys)}> [options]");
    return 2;
}
try
{
    return command(args[1..]);
}
catch (BenchArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException or InvalidDataException or FileNotFoundException)
{
    // Data the component refuses (a class too small for k, say): one line a script can record.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
