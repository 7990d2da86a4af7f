namespace Microsoft.ML.LongTail.Resampling;

/// <summary>The variant of <see cref="BorderlineSmote"/> (imbalanced-learn's <c>kind</c>).</summary>
public enum BorderlineSmoteKind
{
    /// <summary><c>"borderline-1"</c>: interpolate only towards neighbours of the same class.</summary>
    Borderline1,

    /// <summary><c>"borderline-2"</c>: interpolate towards neighbours of the same class, and also at most half-way
    /// towards neighbours of the other classes.</summary>
    Borderline2,
}

/// <summary>Options of <see cref="BorderlineSmote"/>.</summary>
public sealed class BorderlineSmoteOptions : SamplerOptions
{
    /// <summary>The number of nearest neighbours (within the class, and for <see cref="BorderlineSmoteKind.Borderline2"/>
    /// also among the other classes) a synthetic row may be interpolated towards (imbalanced-learn's <c>k_neighbors</c>).
    /// Default 5; every over-sampled class needs more rows than this.</summary>
    public int NumberOfNeighbors { get; set; } = 5;

    /// <summary>The number of nearest neighbours among all rows that decide whether a row is in danger (imbalanced-learn's
    /// <c>m_neighbors</c>): a row is in danger when <c>m / 2 &lt;= n &lt; m</c> of them belong to other classes. Default 10;
    /// the data needs more rows than this.</summary>
    public int NumberOfDangerNeighbors { get; set; } = 10;

    /// <summary>The variant. Default <see cref="BorderlineSmoteKind.Borderline1"/>.</summary>
    public BorderlineSmoteKind Kind { get; set; } = BorderlineSmoteKind.Borderline1;

    /// <summary>Threads for the neighbour searches; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
