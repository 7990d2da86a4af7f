namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="SmoteNc"/>.</summary>
public sealed class SmoteNcOptions : SamplerOptions
{
    /// <summary>The feature vector's slots (0-based indices) that hold categories rather than numbers: their values are
    /// category codes, only compared for equality. At least one slot must be categorical and one numeric. Either this or
    /// <see cref="CategoricalSlotNames"/>, or both (the union is used).</summary>
    public IReadOnlyList<int>? CategoricalSlots { get; set; }

    /// <summary>The categorical slots by name, for a feature column with slot names (such as the output of
    /// <c>Concatenate</c> of scalar columns). Optional; see <see cref="CategoricalSlots"/>.</summary>
    public IReadOnlyList<string>? CategoricalSlotNames { get; set; }

    /// <summary>The number of nearest neighbours (within the class) a synthetic row may be interpolated towards, and whose
    /// most frequent category each categorical slot takes. Default 5; every over-sampled class needs more rows than this.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
