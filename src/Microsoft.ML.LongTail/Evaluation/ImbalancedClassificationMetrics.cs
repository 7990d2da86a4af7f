using System.Globalization;
using System.Text;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Imbalance-aware classification metrics shared by <see cref="ImbalancedMulticlassMetrics"/> and
/// <see cref="ImbalancedBinaryMetrics"/>. Overall figures follow scikit-learn (and imbalanced-learn for the
/// G-mean); the defined values for degenerate classes are listed on each member.
/// </summary>
public abstract class ImbalancedClassificationMetrics
{
    private protected ImbalancedClassificationMetrics(ConfusionSummary summary, double? expectedCalibrationError,
        CalibrationBin[] calibrationBins)
    {
        PerClass = Array.AsReadOnly(summary.PerClass);
        var rows = new IReadOnlyList<long>[summary.Confusion.Length];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = Array.AsReadOnly(summary.Confusion[i]);
        ConfusionMatrix = Array.AsReadOnly(rows);
        RowCount = summary.RowCount;
        Accuracy = summary.Accuracy;
        BalancedAccuracy = summary.BalancedAccuracy;
        MacroF1Score = summary.MacroF1;
        WeightedF1Score = summary.WeightedF1;
        GeometricMean = summary.GeometricMean;
        MatthewsCorrelation = summary.MatthewsCorrelation;
        CohenKappa = summary.CohenKappa;
        WorstClassRecall = summary.WorstClassRecall;
        ExpectedCalibrationError = expectedCalibrationError;
        CalibrationBins = Array.AsReadOnly(calibrationBins);
    }

    /// <summary>One entry per class, in class-index order (all classes, present or not).</summary>
    public IReadOnlyList<PerClassMetrics> PerClass { get; }

    /// <summary>Counts indexed [true class][predicted class].</summary>
    public IReadOnlyList<IReadOnlyList<long>> ConfusionMatrix { get; }

    /// <summary>Number of rows evaluated.</summary>
    public long RowCount { get; }

    /// <summary>Fraction of rows predicted correctly (ML.NET's micro-accuracy).</summary>
    public double Accuracy { get; }

    /// <summary>
    /// Mean recall over the classes present in the labels (scikit-learn <c>balanced_accuracy_score</c>);
    /// classes absent from the labels are left out rather than counted as 0.
    /// </summary>
    public double BalancedAccuracy { get; }

    /// <summary>Unweighted mean of the per-class F1 over all classes, absent ones included (as 0).</summary>
    public double MacroF1Score { get; }

    /// <summary>Per-class F1 averaged with the class supports as weights.</summary>
    public double WeightedF1Score { get; }

    /// <summary>
    /// Geometric mean of the recalls of the classes seen in the labels or the predictions
    /// (imbalanced-learn <c>geometric_mean_score(average="multiclass")</c>); 0 when any of them is 0.
    /// </summary>
    public double GeometricMean { get; }

    /// <summary>Matthews correlation coefficient (multiclass R_K); 0 when labels or predictions are constant.</summary>
    public double MatthewsCorrelation { get; }

    /// <summary>Cohen's kappa between labels and predictions; NaN when both hold a single identical class.</summary>
    public double CohenKappa { get; }

    /// <summary>Smallest recall among the classes present in the labels (absent classes are left out).</summary>
    public double WorstClassRecall { get; }

    /// <summary>
    /// Expected calibration error of the top-class confidence over <see cref="CalibrationBins"/>:
    /// sum over bins of |accuracy - mean confidence| * (bin rows / rows). <see langword="null"/> when no
    /// probabilities are available or some score lies outside [0, 1] (the scores are then not probabilities).
    /// </summary>
    public double? ExpectedCalibrationError { get; }

    /// <summary>Reliability-diagram bins; empty when <see cref="ExpectedCalibrationError"/> is <see langword="null"/>.</summary>
    public IReadOnlyList<CalibrationBin> CalibrationBins { get; }

    /// <summary>
    /// A fixed-width text report: a per-class table like imbalanced-learn's
    /// <c>classification_report_imbalanced</c>, then the overall figures.
    /// </summary>
    public string ToReport()
    {
        var sb = new StringBuilder();
        int nameWidth = "avg / total".Length;
        foreach (var c in PerClass)
            nameWidth = Math.Max(nameWidth, c.ClassName.Length);
        string header = string.Format(CultureInfo.InvariantCulture, "{0}  {1,9}{2,9}{3,9}{4,9}{5,9}{6,9}{7,10}",
            new string(' ', nameWidth), "pre", "rec", "spe", "f1", "geo", "iba", "sup");
        sb.AppendLine(header).AppendLine();
        double wp = 0, wr = 0, ws = 0, wf = 0, wg = 0, wi = 0;
        long total = 0;
        foreach (var c in PerClass)
        {
            AppendRow(sb, nameWidth, c.ClassName, c.Precision, c.Recall, c.Specificity, c.F1Score, c.GeometricMean,
                c.IndexBalancedAccuracy, c.Support);
            wp += c.Precision * c.Support;
            wr += c.Recall * c.Support;
            ws += c.Specificity * c.Support;
            wf += c.F1Score * c.Support;
            wg += c.GeometricMean * c.Support;
            wi += c.IndexBalancedAccuracy * c.Support;
            total += c.Support;
        }
        sb.AppendLine();
        // Like imbalanced-learn, the summary row averages with the supports as weights.
        AppendRow(sb, nameWidth, "avg / total", wp / total, wr / total, ws / total, wf / total, wg / total,
            wi / total, total);
        sb.AppendLine();
        AppendLine(sb, "Accuracy", Accuracy);
        AppendLine(sb, "Balanced accuracy", BalancedAccuracy);
        AppendLine(sb, "Macro F1", MacroF1Score);
        AppendLine(sb, "Weighted F1", WeightedF1Score);
        AppendLine(sb, "G-mean (multiclass)", GeometricMean);
        AppendLine(sb, "Matthews corr. coef.", MatthewsCorrelation);
        AppendLine(sb, "Cohen's kappa", CohenKappa);
        AppendLine(sb, "Worst-class recall", WorstClassRecall);
        AppendTaskLines(sb);
        AppendLine(sb, CalibrationBins.Count == 0 ? "ECE" : "ECE (" + CalibrationBins.Count.ToString(CultureInfo.InvariantCulture) + " bins)",
            ExpectedCalibrationError);
        sb.Append("Rows".PadRight(LabelWidth)).AppendLine(RowCount.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>Returns <see cref="ToReport"/>.</summary>
    public override string ToString() => ToReport();

    private protected const int LabelWidth = 30;

    /// <summary>Lets the task-specific subclasses add their overall lines to the report.</summary>
    private protected abstract void AppendTaskLines(StringBuilder sb);

    private protected static void AppendLine(StringBuilder sb, string label, double? value)
    {
        sb.Append(label.PadRight(LabelWidth));
        sb.AppendLine(value.HasValue ? value.Value.ToString("F4", CultureInfo.InvariantCulture) : "n/a");
    }

    private static void AppendRow(StringBuilder sb, int nameWidth, string name, double pre, double rec, double spe,
        double f1, double geo, double iba, long sup)
    {
        sb.AppendLine(string.Format(CultureInfo.InvariantCulture,
            "{0}  {1,9:F4}{2,9:F4}{3,9:F4}{4,9:F4}{5,9:F4}{6,9:F4}{7,10}",
            name.PadLeft(nameWidth), pre, rec, spe, f1, geo, iba, sup));
    }
}
