using Microsoft.ML.Transforms;

namespace Microsoft.ML.LongTail;

/// <summary>
/// Compiles a per-class table (weights, thresholds, priors) into ML.NET's stock <c>ValueMapping</c> transformer
/// (<c>Transforms.Conversion.MapValue</c>) keyed by a key-typed label column, so the table saves with the model.
/// </summary>
/// <remarks>
/// <para>ValueMapping looks a key column up by its <em>raw</em> <see cref="uint"/> value: class index <c>c</c> (0-based, in the key's
/// value order) is raw key <c>c + 1</c>, and raw 0 is the missing key. Tables are therefore written with keys <c>1..K</c>; a missing
/// or out-of-table key maps to <c>default</c> (0). Keying the table by the key's text values (its <c>KeyValues</c> annotation)
/// does not work: ValueMapping then fails at run time asking for a <c>ReadOnlyMemory&lt;char&gt;</c> getter on a key column.</para>
/// </remarks>
public static class PerClassLookup
{
    /// <summary>Maps each row's class to <paramref name="valueByClass"/>[class index] as a <c>Single</c> column.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="outputColumnName">Column to create.</param>
    /// <param name="keyColumnName">Key-typed column (e.g. the label after <c>MapValueToKey</c>).</param>
    /// <param name="valueByClass">Value per class, indexed by 0-based class index.</param>
    public static ValueMappingEstimator<uint, float> CreateEstimator(MLContext mlContext, string outputColumnName,
        string keyColumnName, IReadOnlyList<float> valueByClass)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(valueByClass);
        var pairs = valueByClass.Select((v, c) => new KeyValuePair<uint, float>(RawKey(c), v));
        return mlContext.Transforms.Conversion.MapValue(outputColumnName, pairs, keyColumnName);
    }

    /// <summary>Maps each row's class to a per-class vector (e.g. a cost row), producing a <c>Vector&lt;Single&gt;</c> column.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="outputColumnName">Column to create.</param>
    /// <param name="keyColumnName">Key-typed column.</param>
    /// <param name="vectorByClass">Vector per class, indexed by 0-based class index; all the same length.</param>
    public static ValueMappingEstimator<uint, float> CreateEstimator(MLContext mlContext, string outputColumnName,
        string keyColumnName, IReadOnlyList<float[]> vectorByClass)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(vectorByClass);
        if (vectorByClass.Select(v => v.Length).Distinct().Count() > 1)
            throw new ArgumentException("All per-class vectors must have the same length.", nameof(vectorByClass));
        var pairs = vectorByClass.Select((v, c) => new KeyValuePair<uint, float[]>(RawKey(c), v));
        return mlContext.Transforms.Conversion.MapValue(outputColumnName, pairs, keyColumnName);
    }

    /// <summary>The raw key value ML.NET stores for 0-based class index <paramref name="classIndex"/> (index + 1).</summary>
    /// <param name="classIndex">0-based class index.</param>
    public static uint RawKey(int classIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        return checked((uint)classIndex + 1);
    }
}
