using System.Globalization;
using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Weighting;

/// <summary>
/// Builds the stock <c>ValueMapping</c> that maps a label column's value (of any kind <see cref="LabelEncoding"/> reads) to a
/// per-class <see cref="float"/>. A value that is not in the table (a label unseen in training) maps to 0.
/// </summary>
internal static class LabelLookup
{
    private static readonly MethodInfo NumberMethod =
        typeof(LabelLookup).GetMethod(nameof(CreateNumber), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The lookup from the fitted encoding.</summary>
    public static IEstimator<ITransformer> Create(MLContext mlContext, string outputColumnName, string labelColumnName,
        LabelEncoding encoding, IReadOnlyList<float> valueByClass)
    {
        var conversion = mlContext.Transforms.Conversion;
        switch (encoding.Kind)
        {
            case LabelKind.Key:
                if (encoding.ColumnType.RawType != typeof(uint))
                    throw new ArgumentException($"The label column '{labelColumnName}' is a key of raw type {encoding.ColumnType.RawType.Name}; " +
                        "class weights need a UInt32 key (as mlContext.Transforms.Conversion.MapValueToKey makes).", nameof(labelColumnName));
                return PerClassLookup.CreateEstimator(mlContext, outputColumnName, labelColumnName, valueByClass);
            case LabelKind.Boolean:
                return conversion.MapValue(outputColumnName,
                    valueByClass.Select((v, c) => new KeyValuePair<bool, float>(c == 1, v)), labelColumnName);
            case LabelKind.Text:
                return conversion.MapValue(outputColumnName,
                    valueByClass.Select((v, c) => new KeyValuePair<string, float>(encoding.ClassNames[c], v)), labelColumnName);
            default:
                var values = encoding.ClassNames.Select(n => double.Parse(n, CultureInfo.InvariantCulture)).ToArray();
                return (IEstimator<ITransformer>)NumberMethod.MakeGenericMethod(encoding.ColumnType.RawType)
                    .Invoke(null, [mlContext, outputColumnName, labelColumnName, values, valueByClass])!;
        }
    }

    /// <summary>A one-entry lookup of the same shape, for schema propagation.</summary>
    public static IEstimator<ITransformer> CreatePlaceholder(MLContext mlContext, string outputColumnName, SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(label), $"The label column '{label.Name}' must be a scalar, not a vector.");
        var conversion = mlContext.Transforms.Conversion;
        var type = label.ItemType;
        if (label.IsKey)
            return PerClassLookup.CreateEstimator(mlContext, outputColumnName, label.Name, [1f]);
        if (type is BooleanDataViewType)
            return conversion.MapValue(outputColumnName, [new KeyValuePair<bool, float>(true, 1f)], label.Name);
        if (type is TextDataViewType)
            return conversion.MapValue(outputColumnName, [new KeyValuePair<string, float>("", 1f)], label.Name);
        if (type is NumberDataViewType)
        {
            return (IEstimator<ITransformer>)NumberMethod.MakeGenericMethod(type.RawType)
                .Invoke(null, [mlContext, outputColumnName, label.Name, new[] { 0.0 }, new[] { 1f }])!;
        }
        throw new ArgumentOutOfRangeException(nameof(label),
            $"The label column '{label.Name}' has type {type}, which cannot be a class label; use a key, Boolean, numeric or text column.");
    }

    private static IEstimator<ITransformer> CreateNumber<T>(MLContext mlContext, string outputColumnName, string labelColumnName,
        double[] values, IReadOnlyList<float> valueByClass)
    {
        var pairs = values.Select((v, c) => new KeyValuePair<T, float>((T)Convert.ChangeType(v, typeof(T), CultureInfo.InvariantCulture), valueByClass[c]));
        return mlContext.Transforms.Conversion.MapValue(outputColumnName, pairs, labelColumnName);
    }
}
