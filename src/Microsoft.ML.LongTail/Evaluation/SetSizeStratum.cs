namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>The coverage of the rows whose prediction set size lies in [<see cref="MinimumSize"/>, <see cref="MaximumSize"/>].</summary>
/// <param name="MinimumSize">Smallest set size of the stratum.</param>
/// <param name="MaximumSize">Largest set size of the stratum.</param>
/// <param name="RowCount">Rows whose set size falls in the stratum.</param>
/// <param name="Coverage">The fraction of those rows whose label is in the set.</param>
public sealed record SetSizeStratum(int MinimumSize, int MaximumSize, long RowCount, double Coverage);
