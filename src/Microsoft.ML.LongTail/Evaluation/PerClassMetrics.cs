namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// One-vs-rest metrics of a single class, as in imbalanced-learn's <c>classification_report_imbalanced</c>.
/// </summary>
/// <remarks>
/// Defined values for degenerate classes: a class that is never predicted has precision 0; a class absent from
/// the evaluation labels has recall (sensitivity) 0; F1 is 0 when precision + recall is 0; specificity is 0 when
/// every row belongs to the class.
/// </remarks>
public sealed class PerClassMetrics
{
    internal PerClassMetrics(int classIndex, string className, double precision, double recall, double specificity,
        double f1Score, double geometricMean, double indexBalancedAccuracy, long support)
    {
        ClassIndex = classIndex;
        ClassName = className;
        Precision = precision;
        Recall = recall;
        Specificity = specificity;
        F1Score = f1Score;
        GeometricMean = geometricMean;
        IndexBalancedAccuracy = indexBalancedAccuracy;
        Support = support;
    }

    /// <summary>Zero-based class index: the raw key value minus one (multiclass), 0 = false / 1 = true (binary).</summary>
    public int ClassIndex { get; }

    /// <summary>Class name from the label's key-value annotations, or the class index when there are none.</summary>
    public string ClassName { get; }

    /// <summary>TP / (TP + FP); 0 when the class is never predicted.</summary>
    public double Precision { get; }

    /// <summary>Recall (sensitivity), TP / (TP + FN); 0 when the class is absent from the labels.</summary>
    public double Recall { get; }

    /// <summary>TN / (TN + FP); 0 when there are no rows of other classes.</summary>
    public double Specificity { get; }

    /// <summary>Harmonic mean of precision and recall; 0 when both are 0.</summary>
    public double F1Score { get; }

    /// <summary>sqrt(recall * specificity).</summary>
    public double GeometricMean { get; }

    /// <summary>
    /// Index of balanced accuracy (imbalanced-learn, squared): (1 + alpha * (recall - specificity)) * G-mean².
    /// </summary>
    public double IndexBalancedAccuracy { get; }

    /// <summary>Number of evaluation rows whose label is this class.</summary>
    public long Support { get; }
}
