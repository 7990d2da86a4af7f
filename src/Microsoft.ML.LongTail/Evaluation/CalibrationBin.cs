namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// One bar of a reliability diagram: the rows whose top-class confidence falls in (<see cref="LowerBound"/>,
/// <see cref="UpperBound"/>] (the first bin also holds a confidence of exactly 0).
/// </summary>
public sealed class CalibrationBin
{
    internal CalibrationBin(double lowerBound, double upperBound, long count, double? meanConfidence, double? accuracy)
    {
        LowerBound = lowerBound;
        UpperBound = upperBound;
        Count = count;
        MeanConfidence = meanConfidence;
        Accuracy = accuracy;
    }

    /// <summary>Exclusive lower edge of the bin (inclusive for the first bin).</summary>
    public double LowerBound { get; }

    /// <summary>Inclusive upper edge of the bin.</summary>
    public double UpperBound { get; }

    /// <summary>Number of rows in the bin.</summary>
    public long Count { get; }

    /// <summary>Mean top-class confidence of the rows in the bin; <see langword="null"/> when the bin is empty.</summary>
    public double? MeanConfidence { get; }

    /// <summary>
    /// Fraction of the bin's rows whose arg-max class equals the label; <see langword="null"/> when the bin is empty.
    /// </summary>
    public double? Accuracy { get; }
}
