using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace LongTail.Cli;

/// <summary>ML.NET transforms from the inferred column kinds to one normalised float vector <c>Features</c>.</summary>
internal static class Featurizer
{
    /// <summary>Numeric columns (missing values replaced by the mean), categorical columns one-hot encoded (hashed when
    /// they have more than <see cref="CsvSchema.OneHotLimit"/> values), free text as words and character n-grams;
    /// then every slot normalised to zero mean and unit variance. Id-like and constant columns are left out.</summary>
    public static IEstimator<ITransformer> Create(MLContext ml, CsvSchema schema)
    {
        var parts = new List<string>();
        IEstimator<ITransformer>? pipeline = null;
        void Add(IEstimator<ITransformer> e) => pipeline = pipeline is null ? e : pipeline.Append(e);

        var numeric = schema.NumericFeatures.ToArray();
        if (numeric.Length > 0)
        {
            Add(ml.Transforms.Concatenate("__Numeric", numeric));
            Add(ml.Transforms.ReplaceMissingValues("__Numeric", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean));
            parts.Add("__Numeric");
        }
        foreach (string c in schema.CategoricalFeatures)
        {
            string output = "__Cat_" + c;
            int distinct = schema.DistinctCounts[Array.IndexOf(schema.Names, c)];
            Add(distinct <= CsvSchema.OneHotLimit
                ? ml.Transforms.Categorical.OneHotEncoding(output, c)
                : ml.Transforms.Categorical.OneHotHashEncoding(output, c, numberOfBits: 10));
            parts.Add(output);
        }
        foreach (string c in schema.TextFeatures)
        {
            string output = "__Text_" + c;
            Add(ml.Transforms.Text.FeaturizeText(output, c));
            parts.Add(output);
        }
        if (parts.Count == 0)
            throw new InvalidDataException($"{schema.Path}: no feature column is left besides the label '{schema.LabelColumnName}' " +
                $"(ignored as id-like or constant: {string.Join(", ", schema.IgnoredColumns)}).");
        Add(ml.Transforms.Concatenate("Features", parts.ToArray()));
        Add(ml.Transforms.NormalizeMeanVariance("Features"));
        return pipeline!;
    }

    /// <summary>One line per column: its name and what it is used as.</summary>
    public static string Describe(CsvSchema schema) => string.Join(Environment.NewLine, schema.Names.Select((n, i) =>
        $"  {n,-24} {schema.Kinds[i] switch
        {
            ColumnKind.Label => "label",
            ColumnKind.Numeric => "numeric",
            ColumnKind.Categorical => schema.DistinctCounts[i] <= CsvSchema.OneHotLimit ? $"categorical, one-hot ({schema.DistinctCounts[i]} values)" : $"categorical, hashed ({schema.DistinctCounts[i]}+ values)",
            ColumnKind.Text => "free text (words and character n-grams)",
            _ => schema.DistinctCounts[i] <= 1 ? "ignored (constant)" : "ignored (id-like: a different value on every row)",
        }}"));
}
