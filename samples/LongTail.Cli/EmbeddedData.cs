namespace LongTail.Cli;

/// <summary>The default dataset shipped inside the executable.</summary>
internal static class EmbeddedData
{
    /// <summary>Writes the embedded Glass Identification CSV to a temporary file (ML.NET's text loader reads files) and returns its path.</summary>
    public static string ExtractGlass()
    {
        using var stream = typeof(EmbeddedData).Assembly.GetManifestResourceStream("LongTail.Cli.Data.glass.csv")
            ?? throw new InvalidOperationException("The embedded dataset 'glass.csv' is missing from the executable.");
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-longtail-glass-{Environment.ProcessId}.csv");
        using (var file = File.Create(path))
            stream.CopyTo(file);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
