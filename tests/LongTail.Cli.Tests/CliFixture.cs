using System.Globalization;
using System.Text;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SkiaSharp;

namespace LongTail.Cli.Tests;

/// <summary>Tiny CSV files and helpers to run the command line in-process.</summary>
internal static class CliFixture
{
    /// <summary>90 rows, classes a / b / c with 60 / 20 / 10 rows: an id column, two numbers (one with gaps), a
    /// categorical colour, a free-text note and a constant column.</summary>
    public static string Multiclass(string directory, string name = "tiny.csv", Func<int, string, string>? label = null)
    {
        var random = new Random(7);
        var sb = new StringBuilder("id,x1,x2,colour,note,constant,kind\n");
        int row = 0;
        foreach (var (kind, count, centre) in new[] { ("a", 60, 0.0), ("b", 20, 2.0), ("c", 10, 4.0) })
        {
            for (int i = 0; i < count; i++, row++)
            {
                double x1 = centre + random.NextDouble() * 2 - 1, x2 = random.NextDouble();
                string colour = new[] { "red", "green", "blue" }[(row + (kind == "c" ? 1 : 0)) % 3];
                string note = $"\"sample {kind} note with several words, number {row % 7}\"";
                string x2Text = row % 11 == 5 ? "" : x2.ToString("0.###", CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture, $"{1000 + row},{x1:0.###},{x2Text},{colour},{note},same,{(label is null ? kind : label(row, kind))}\n");
            }
        }
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>80 rows, a numeric target y = 3 x1 - 2 x2 + noise.</summary>
    public static string Regression(string directory, bool withNaN = false)
    {
        var random = new Random(5);
        var sb = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 80; i++)
        {
            double x1 = random.NextDouble(), x2 = random.NextDouble();
            string y = withNaN && i == 6 ? "NaN" : (3 * x1 - 2 * x2 + random.NextDouble() * 0.1).ToString("0.####", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"{x1:0.####},{x2:0.####},{y}\n");
        }
        string path = Path.Combine(directory, withNaN ? "nan.csv" : "regression.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public static (int Exit, string Output) Run(params string[] args) => Run(CancellationToken.None, args);

    public static (int Exit, string Output) Run(CancellationToken token, params string[] args)
    {
        var writer = new StringWriter();
        var synchronized = TextWriter.Synchronized(writer);
        int exit = CliApp.Run(args, synchronized, synchronized, token);
        return (exit, writer.ToString());
    }

    /// <summary>
    /// Compiles the generated <c>Predict.cs</c> as a console app would (the SDK's implicit usings, nullable on,
    /// warnings as errors), with its <c>model.zip</c> pointed at <paramref name="modelPath"/>, runs it and returns what
    /// it printed. Compilation errors fail with the diagnostics.
    /// </summary>
    public static string CompileAndRunSnippet(string snippetPath, string modelPath)
    {
        string source = File.ReadAllText(snippetPath);
        Assert.Contains("\"model.zip\"", source);
        source = source.Replace("\"model.zip\"", "@\"" + modelPath.Replace("\"", "\"\"") + "\"");
        const string implicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        // The framework's assemblies plus what the test process has loaded (Microsoft.ML and its dependencies).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location))
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.ML*.dll"))
            .DistinctBy(Path.GetFileName);
        var compilation = CSharpCompilation.Create("Predict",
            [CSharpSyntaxTree.ParseText(implicitUsings, parse), CSharpSyntaxTree.ParseText(source, parse, path: snippetPath)],
            paths.Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, "Predict.cs does not compile:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)));

        image.Position = 0;
        var context = new AssemblyLoadContext("predict-snippet", isCollectible: true);
        try
        {
            var entry = context.LoadFromStream(image).EntryPoint!;
            var printed = new StringWriter();
            var console = Console.Out;
            Console.SetOut(printed);
            try
            {
                entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new InvalidOperationException("Predict.cs failed when run: " + e.InnerException.Message, e.InnerException);
            }
            finally
            {
                Console.SetOut(console);
            }
            return printed.ToString();
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Asserts the PNG decodes, is larger than a few kilobytes and is not one colour.</summary>
    public static void AssertNonTrivialPng(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing");
        Assert.True(new FileInfo(path).Length > 8_000, $"{path} has only {new FileInfo(path).Length} bytes");
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.True(bitmap.Width >= 400 && bitmap.Height >= 300, $"{path} is {bitmap.Width}x{bitmap.Height}");
        var colours = new HashSet<uint>();
        double sum = 0, sumSquares = 0;
        int n = 0;
        for (int y = 0; y < bitmap.Height; y += 3)
        {
            for (int x = 0; x < bitmap.Width; x += 3)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add((uint)c);
                double luminance = 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
                sum += luminance;
                sumSquares += luminance * luminance;
                n++;
            }
        }
        double variance = sumSquares / n - (sum / n) * (sum / n);
        Assert.True(colours.Count >= 8, $"{path} has {colours.Count} colours");
        Assert.True(variance > 50, $"{path} luminance variance {variance:0.0}");
    }
}
