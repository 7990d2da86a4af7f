using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LongTail.Cli;

/// <summary>What a column of the file is used as, inferred from its values.</summary>
internal enum ColumnKind
{
    /// <summary>The label.</summary>
    Label,

    /// <summary>Every value parses as a number (empty values are missing).</summary>
    Numeric,

    /// <summary>Short text with repeated values: one-hot (or hashed, for many values) encoded.</summary>
    Categorical,

    /// <summary>Long free text: featurised as words and character n-grams.</summary>
    Text,

    /// <summary>Not a feature: an identifier (a different value on every row) or a constant.</summary>
    Ignored,
}

/// <summary>
/// Column types of a CSV (or TSV) file, inferred from its values: numeric where every value parses; otherwise
/// categorical, free text or an ignored id-like column. Reads <c>.gz</c> files through a decompressed copy.
/// </summary>
internal sealed class CsvSchema
{
    /// <summary>More distinct values than this makes a categorical column hashed rather than one-hot encoded.</summary>
    public const int OneHotLimit = 50;

    private CsvSchema(string path, char separator, string[] names, bool[] numeric, ColumnKind[] kinds, int[] distinct,
        string label, int rows, Dictionary<string, int> labelCounts, bool labelNumeric, bool labelIntegral, int? firstMissingLabelLine, string[] firstRow)
    {
        Path = path;
        Separator = separator;
        Names = names;
        Numeric = numeric;
        Kinds = kinds;
        DistinctCounts = distinct;
        LabelColumnName = label;
        RowCount = rows;
        LabelCounts = labelCounts;
        LabelIsNumeric = labelNumeric;
        LabelIsIntegral = labelIntegral;
        FirstMissingLabelLine = firstMissingLabelLine;
        FirstRow = firstRow;
    }

    public string Path { get; }

    public char Separator { get; }

    public string[] Names { get; }

    /// <summary>Whether each column is read as a number (the label never is: it is read as text).</summary>
    public bool[] Numeric { get; }

    public ColumnKind[] Kinds { get; }

    /// <summary>Distinct non-empty values of each column (counted up to 10,000).</summary>
    public int[] DistinctCounts { get; }

    public string LabelColumnName { get; }

    public int RowCount { get; }

    /// <summary>Rows per label value (empty labels not counted).</summary>
    public Dictionary<string, int> LabelCounts { get; }

    /// <summary>Whether every non-empty label parses as a number.</summary>
    public bool LabelIsNumeric { get; }

    /// <summary>Whether every non-empty label is a whole number.</summary>
    public bool LabelIsIntegral { get; }

    /// <summary>The first line (1-based, header = 1) whose label is empty or NaN, if any.</summary>
    public int? FirstMissingLabelLine { get; }

    /// <summary>The first data row's fields.</summary>
    public string[] FirstRow { get; }

    public IEnumerable<string> NumericFeatures => Names.Where((n, i) => Kinds[i] == ColumnKind.Numeric);

    public IEnumerable<string> CategoricalFeatures => Names.Where((n, i) => Kinds[i] == ColumnKind.Categorical);

    public IEnumerable<string> TextFeatures => Names.Where((n, i) => Kinds[i] == ColumnKind.Text);

    public IEnumerable<string> IgnoredColumns => Names.Where((n, i) => Kinds[i] == ColumnKind.Ignored);

    public static CsvSchema Infer(string path, string labelColumnName)
    {
        string original = path;
        path = Decompressed(path);
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{original}: the file is empty: expected a header row.");
        char separator = original.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || original.EndsWith(".tsv.gz", StringComparison.OrdinalIgnoreCase)
            || (header.Contains('\t') && !header.Contains(',')) ? '\t' : ',';
        var names = SplitLine(header, separator, original, 1);
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0)
                throw new InvalidDataException($"{original}, line 1, column {ColumnOf(header, separator, i)}: header field {i + 1} is empty: every column needs a name.");
            if (Array.IndexOf(names, names[i]) < i)
                throw new InvalidDataException($"{original}, line 1, column {ColumnOf(header, separator, i)}: the column name '{names[i]}' appears twice.");
        }
        int labelIndex = Array.IndexOf(names, labelColumnName);
        if (labelIndex < 0)
            throw new InvalidDataException($"{original}: there is no column '{labelColumnName}'. Columns: {string.Join(", ", names)}.");
        var numeric = Enumerable.Repeat(true, names.Length).ToArray();
        var distinct = names.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var totalLength = new long[names.Length];
        var totalWords = new long[names.Length];
        var integral = Enumerable.Repeat(true, names.Length).ToArray();
        var labelCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        int? firstMissingLabel = null;
        string[]? firstRow = null;
        int lineNumber = 1;
        int rows = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var fields = SplitLine(line, separator, original, lineNumber);
            if (fields.Length != names.Length)
            {
                int column = fields.Length > names.Length ? ColumnOf(line, separator, names.Length) : line.Length + 1;
                throw new InvalidDataException($"{original}, line {lineNumber}, column {column}: expected {names.Length} fields, found {fields.Length}.");
            }
            firstRow ??= fields;
            for (int i = 0; i < fields.Length; i++)
            {
                string f = fields[i];
                if (f.Length == 0)
                    continue;
                if (numeric[i])
                {
                    if (!float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                        numeric[i] = false;
                    else if (value != MathF.Floor(value))
                        integral[i] = false;
                }
                if (distinct[i].Count < 10_000)
                    distinct[i].Add(f);
                totalLength[i] += f.Length;
                totalWords[i] += f.Count(c => c == ' ') + 1;
            }
            string labelValue = fields[labelIndex];
            if (labelValue.Length == 0 || labelValue.Equals("NaN", StringComparison.OrdinalIgnoreCase) || labelValue == "?")
                firstMissingLabel ??= lineNumber;
            else
                labelCounts[labelValue] = labelCounts.GetValueOrDefault(labelValue) + 1;
            rows++;
        }
        if (rows == 0)
            throw new InvalidDataException($"{original}: the file has a header but no data rows.");
        var kinds = new ColumnKind[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            int count = distinct[i].Count;
            double meanLength = (double)totalLength[i] / rows, meanWords = (double)totalWords[i] / rows;
            bool idName = names[i].Equals("id", StringComparison.OrdinalIgnoreCase) || names[i].EndsWith("_id", StringComparison.OrdinalIgnoreCase)
                || names[i].EndsWith("Id", StringComparison.Ordinal);
            kinds[i] = i == labelIndex ? ColumnKind.Label
                : count <= 1 ? ColumnKind.Ignored
                : numeric[i] && idName && integral[i] && count == rows ? ColumnKind.Ignored
                : numeric[i] ? ColumnKind.Numeric
                : meanWords >= 4 || meanLength >= 40 ? ColumnKind.Text
                : count == rows && rows > 20 ? ColumnKind.Ignored
                : ColumnKind.Categorical;
        }
        bool labelNumeric = numeric[labelIndex];
        bool labelIntegral = labelNumeric && integral[labelIndex];
        // The label is read as text (a class) here; a regression caller reloads it as a number.
        numeric[labelIndex] = false;
        for (int i = 0; i < names.Length; i++)
        {
            if (kinds[i] != ColumnKind.Numeric)
                numeric[i] = false;
        }
        return new CsvSchema(path, separator, names, numeric, kinds, distinct.Select(d => d.Count).ToArray(), labelColumnName, rows,
            labelCounts, labelNumeric, labelIntegral, firstMissingLabel, firstRow!);
    }

    /// <summary>A text loader for the file's columns: numeric columns as Single, the rest (the label too) as text,
    /// or the label as Single where <paramref name="numericLabel"/>.</summary>
    public TextLoader CreateLoader(MLContext ml, bool numericLabel = false)
    {
        var columns = Names.Select((n, i) => new TextLoader.Column(n,
            Numeric[i] || (numericLabel && n == LabelColumnName) ? DataKind.Single : DataKind.String, i)).ToArray();
        return ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = columns,
            HasHeader = true,
            Separators = [Separator],
            AllowQuoting = true,
        });
    }

    public IDataView Load(MLContext ml, bool numericLabel = false) => CreateLoader(ml, numericLabel).Load(Path);

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

    /// <summary>The 1-based character column where field <paramref name="field"/> (0-based) of a line starts.</summary>
    private static int ColumnOf(string line, char separator, int field)
    {
        bool quoted = false;
        int seen = 0;
        for (int i = 0; i < line.Length; i++)
        {
            if (seen == field)
                return i + 1;
            char c = line[i];
            if (c == '"') quoted = !quoted;
            else if (c == separator && !quoted) seen++;
        }
        return line.Length + 1;
    }

    /// <summary>Splits one RFC-4180 line (quotes only around fields holding a separator or a quote).</summary>
    private static string[] SplitLine(string line, char separator, string path, int lineNumber)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        int quoteStart = 0;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') { quoted = true; quoteStart = i; }
            else if (c == separator) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        if (quoted)
            throw new InvalidDataException($"{path}, line {lineNumber}, column {quoteStart + 1}: a quoted field is not closed.");
        fields.Add(current.ToString());
        return fields.ToArray();
    }
}
