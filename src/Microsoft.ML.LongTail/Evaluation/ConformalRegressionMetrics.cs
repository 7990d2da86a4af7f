namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Metrics of conformal prediction intervals: empirical coverage and width. From
/// <see cref="ImbalancedEvaluationCatalog.EvaluateConformal(RegressionCatalog, IDataView, string, string)"/>.</summary>
public sealed class ConformalRegressionMetrics
{
    internal ConformalRegressionMetrics(long rows, double coverage, double meanWidth, double medianWidth)
    {
        RowCount = rows;
        Coverage = coverage;
        MeanWidth = meanWidth;
        MedianWidth = medianWidth;
    }

    /// <summary>Rows evaluated.</summary>
    public long RowCount { get; }

    /// <summary>The fraction of rows whose label lies in [lower, upper].</summary>
    public double Coverage { get; }

    /// <summary>The mean interval width (+infinity when some interval is infinite).</summary>
    public double MeanWidth { get; }

    /// <summary>The median interval width.</summary>
    public double MedianWidth { get; }
}
