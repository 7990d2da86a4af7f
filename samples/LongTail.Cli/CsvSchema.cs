using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LongTail.Cli;

/// <summary>Column types of a CSV file, inferred from its values: numeric where every value parses, text otherwise.</summary>
internal sealed class CsvSchema
{
    private CsvSchema(string path, string[] names, bool[] numeric, string label)
    {
        Path = path;
        Names = names;
        Numeric = numeric;
        LabelColumnName = label;
    }

    public string Path { get; }

    public string[] Names { get; }

    public bool[] Numeric { get; }

    public string LabelColumnName { get; }

    public IEnumerable<string> NumericFeatures => Names.Where((n, i) => Numeric[i] && n != LabelColumnName);

    public IEnumerable<string> CategoricalFeatures => Names.Where((n, i) => !Numeric[i] && n != LabelColumnName);

    public static CsvSchema Infer(string path, string labelColumnName)
    {
        path = Decompressed(path);
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"The file '{path}' is empty: expected a header row.");
        var names = SplitLine(header, path, 1);
        if (Array.IndexOf(names, labelColumnName) < 0)
            throw new InvalidDataException($"The file '{path}' has no column '{labelColumnName}'. Columns: {string.Join(", ", names)}.");
        var numeric = Enumerable.Repeat(true, names.Length).ToArray();
        int lineNumber = 1;
        int rows = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var fields = SplitLine(line, path, lineNumber);
            if (fields.Length != names.Length)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected {names.Length} fields, found {fields.Length}.");
            for (int i = 0; i < fields.Length; i++)
            {
                if (numeric[i] && fields[i].Length > 0 && !float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    numeric[i] = false;
            }
            rows++;
        }
        if (rows == 0)
            throw new InvalidDataException($"The file '{path}' has a header but no data rows.");
        // The label is a class: always read it as text and map it to a key.
        numeric[Array.IndexOf(names, labelColumnName)] = false;
        return new CsvSchema(path, names, numeric, labelColumnName);
    }

    public IDataView Load(MLContext ml)
    {
        var columns = Names.Select((n, i) => new TextLoader.Column(n, Numeric[i] ? DataKind.Single : DataKind.String, i)).ToArray();
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = columns,
            HasHeader = true,
            Separators = [','],
            AllowQuoting = true,
        });
        return loader.Load(Path);
    }

    /// <summary>
    /// The features of every model the bench and the command line train: numeric columns as they are, text columns one-hot
    /// encoded, concatenated into <paramref name="outputColumnName"/>, missing values replaced by the mean and every feature
    /// standardised (fitted on the training rows only, as part of the pipeline).
    /// </summary>
    public IEstimator<ITransformer> Featurize(MLContext ml, string outputColumnName = "Features")
    {
        var categorical = CategoricalFeatures.Select(c => new InputOutputColumnPair(c)).ToArray();
        IEstimator<ITransformer> pipeline = ml.Transforms.Concatenate(outputColumnName, NumericFeatures.Concat(CategoricalFeatures).ToArray());
        if (categorical.Length > 0)
            pipeline = ml.Transforms.Categorical.OneHotEncoding(categorical).Append(pipeline);
        return pipeline
            .Append(ml.Transforms.ReplaceMissingValues(outputColumnName))
            .Append(ml.Transforms.NormalizeMeanVariance(outputColumnName));
    }

    /// <summary>
    /// The path of a plain-text copy of a gzipped file (<c>.gz</c>), made once per process in the temp folder and
    /// deleted at exit, because ML.NET's text loader reads only plain files; other paths are returned as they are.
    /// </summary>
    public static string Decompressed(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            return path;
        lock (Copies)
        {
            var full = System.IO.Path.GetFullPath(path);
            if (Copies.TryGetValue(full, out var copy))
                return copy;
            copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"longtail-{Environment.ProcessId}-{Copies.Count}-{System.IO.Path.GetFileNameWithoutExtension(path)}");
            try
            {
                using (var input = new System.IO.Compression.GZipStream(File.OpenRead(full), System.IO.Compression.CompressionMode.Decompress))
                using (var output = File.Create(copy))
                    input.CopyTo(output);
            }
            catch (InvalidDataException e)
            {
                File.Delete(copy);
                throw new InvalidDataException($"The file '{path}' ends in .gz but is not a valid gzip file: {e.Message}", e);
            }
            Copies[full] = copy;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(copy);
            return copy;
        }
    }

    private static readonly Dictionary<string, string> Copies = new(StringComparer.Ordinal);

    /// <summary>Splits one RFC-4180 line (quotes only around fields holding a comma or a quote).</summary>
    private static string[] SplitLine(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        if (quoted)
            throw new InvalidDataException($"{path}, line {lineNumber}: a quoted field is not closed.");
        fields.Add(current.ToString());
        return fields.ToArray();
    }
}
