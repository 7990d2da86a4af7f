namespace Microsoft.ML.LongTail.Conformal;

/// <summary>What a class (or group) with too few calibration rows for its own threshold gets (<see cref="ConformalClassifier"/>
/// and the group-conditional <see cref="ConformalRegressor"/>).</summary>
/// <remarks>With <c>n</c> rows a class's own threshold is finite only when <c>ceil((n + 1)(1 - alpha)) &lt;= n</c>, that is
/// <c>n &gt;= ConformalQuantile.MinimumCalibrationSize(alpha)</c> (9 rows at alpha = 0.1). A class absent from the
/// calibration data has 0 rows. Neither rule ever lowers a class's coverage silently: the full set always covers, and the
/// marginal quantile is chosen explicitly.</remarks>
public enum ConformalFallback
{
    /// <summary>An infinite threshold: every prediction set contains the class (every row of the group gets the full set;
    /// in regression, an infinite interval), so its coverage is 1. The conservative rule.</summary>
    FullSet,

    /// <summary>The marginal threshold over all calibration rows (clustered conformal's null cluster in Ding et al. 2023):
    /// small sets, but no guarantee for those classes, and the head classes set the threshold, so on long-tailed data the
    /// rare classes are under-covered and marginal coverage can fall below <c>1 - alpha</c> (measured in bench/RESULTS.md).</summary>
    MarginalQuantile,

    /// <summary>One threshold over the calibration rows of all the classes (groups) that get the fallback, pooled: together
    /// they keep a <c>1 - alpha</c> guarantee as a group, and so does the whole. When even the pool is too small for a finite
    /// threshold, the full set (<see cref="FullSet"/>). The default of clustered conformal.</summary>
    PooledQuantile,
}
