namespace Microsoft.ML.LongTail.Conformal;

/// <summary>What the coverage guarantee is conditional on: one threshold, one per class or group, or one per cluster of classes.</summary>
public enum ConformalConditioning
{
    /// <summary>One threshold for all rows: <c>P(y in C(x)) &gt;= 1 - alpha</c> on average over rows. Rare classes may be
    /// covered far less often than 1 - alpha.</summary>
    Marginal,

    /// <summary>Mondrian (class-conditional) conformal: one threshold per class, from that class's calibration rows, so
    /// coverage holds for every class (Vovk 2003); or, with a group column, one threshold per group, coverage holding per group.
    /// Needs about 1/alpha calibration rows per class (group); see <see cref="ConformalFallback"/> for the others.</summary>
    Mondrian,

    /// <summary>Clustered conformal (Ding et al. 2023): each class is embedded by quantiles of its calibration scores, classes
    /// are clustered with k-means on part of the calibration rows, and one threshold is computed per cluster on the rest.
    /// Classes with too few rows form the null cluster (see <see cref="ConformalFallback"/>). Near class-conditional
    /// coverage for few-shot classes with smaller sets than Mondrian.</summary>
    Clustered,
}
