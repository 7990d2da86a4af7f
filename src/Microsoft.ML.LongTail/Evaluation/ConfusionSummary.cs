namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Everything that follows from the confusion matrix alone. Formulas mirror scikit-learn 1.2 and
/// imbalanced-learn 0.10 so that figures can be checked against them to round-off.
/// </summary>
internal sealed class ConfusionSummary
{
    private ConfusionSummary(long[][] confusion, PerClassMetrics[] perClass, bool[] present, double accuracy,
        double balancedAccuracy, double macroF1, double weightedF1, double geometricMean, double mcc, double kappa,
        double worstClassRecall, long rowCount)
    {
        Confusion = confusion;
        PerClass = perClass;
        Present = present;
        Accuracy = accuracy;
        BalancedAccuracy = balancedAccuracy;
        MacroF1 = macroF1;
        WeightedF1 = weightedF1;
        GeometricMean = geometricMean;
        MatthewsCorrelation = mcc;
        CohenKappa = kappa;
        WorstClassRecall = worstClassRecall;
        RowCount = rowCount;
    }

    public long[][] Confusion { get; }
    public PerClassMetrics[] PerClass { get; }
    /// <summary>Whether each class occurs among the evaluation labels.</summary>
    public bool[] Present { get; }
    public double Accuracy { get; }
    public double BalancedAccuracy { get; }
    public double MacroF1 { get; }
    public double WeightedF1 { get; }
    public double GeometricMean { get; }
    public double MatthewsCorrelation { get; }
    public double CohenKappa { get; }
    public double WorstClassRecall { get; }
    public long RowCount { get; }

    /// <summary>Derives every confusion-matrix metric.</summary>
    /// <param name="counts">Row-major K x K counts, rows = true class, columns = predicted class.</param>
    /// <param name="k">Number of classes K.</param>
    /// <param name="classNames">K display names.</param>
    /// <param name="ibaAlpha">Dominance weight of the index of balanced accuracy.</param>
    public static ConfusionSummary Compute(long[] counts, int k, string[] classNames, double ibaAlpha)
    {
        var trueSum = new long[k];
        var predSum = new long[k];
        var confusion = new long[k][];
        long n = 0, correct = 0;
        for (int i = 0; i < k; i++)
        {
            confusion[i] = new long[k];
            for (int j = 0; j < k; j++)
            {
                long c = counts[i * k + j];
                confusion[i][j] = c;
                trueSum[i] += c;
                predSum[j] += c;
                n += c;
            }
            correct += counts[i * k + i];
        }

        var perClass = new PerClassMetrics[k];
        var present = new bool[k];
        double recallSum = 0, f1Sum = 0, weightedF1Sum = 0, worst = double.PositiveInfinity;
        int presentCount = 0;
        for (int i = 0; i < k; i++)
        {
            long tp = counts[i * k + i];
            long fp = predSum[i] - tp;
            long fn = trueSum[i] - tp;
            long tn = n - tp - fp - fn;
            // zero_division = 0, as sklearn's precision/recall/f1 with zero_division=0 and imblearn's specificity.
            double precision = predSum[i] > 0 ? (double)tp / predSum[i] : 0;
            double recall = trueSum[i] > 0 ? (double)tp / trueSum[i] : 0;
            double specificity = tn + fp > 0 ? (double)tn / (tn + fp) : 0;
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            double gmean = Math.Sqrt(recall * specificity);
            double iba = (1 + ibaAlpha * (recall - specificity)) * (gmean * gmean);
            perClass[i] = new PerClassMetrics(i, classNames[i], precision, recall, specificity, f1, gmean, iba, trueSum[i]);

            f1Sum += f1;
            weightedF1Sum += f1 * trueSum[i];
            if (trueSum[i] > 0)
            {
                present[i] = true;
                presentCount++;
                recallSum += recall;
                worst = Math.Min(worst, recall);
            }
        }

        double accuracy = (double)correct / n;
        double balancedAccuracy = recallSum / presentCount;
        double macroF1 = f1Sum / k;
        double weightedF1 = weightedF1Sum / n;

        // imblearn geometric_mean_score(average="multiclass"): over labels seen in y_true or y_pred;
        // a label only ever predicted has recall 0, which zeroes the whole mean.
        double logSum = 0;
        int gmeanLabels = 0;
        bool anyZero = false;
        for (int i = 0; i < k; i++)
        {
            if (trueSum[i] == 0 && predSum[i] == 0)
                continue;
            gmeanLabels++;
            double recall = perClass[i].Recall;
            if (recall == 0)
                anyZero = true;
            else
                logSum += Math.Log(recall);
        }
        double geometricMean = anyZero ? 0 : Math.Exp(logSum / gmeanLabels);

        // sklearn matthews_corrcoef, multiclass form (float64 throughout).
        double tDotP = 0, pDotP = 0, tDotT = 0;
        for (int i = 0; i < k; i++)
        {
            tDotP += (double)trueSum[i] * predSum[i];
            pDotP += (double)predSum[i] * predSum[i];
            tDotT += (double)trueSum[i] * trueSum[i];
        }
        double nd = n;
        double covYtYp = correct * nd - tDotP;
        double covYpYp = nd * nd - pDotP;
        double covYtYt = nd * nd - tDotT;
        double mcc = covYpYp * covYtYt == 0 ? 0 : covYtYp / Math.Sqrt(covYtYt * covYpYp);

        // sklearn cohen_kappa_score (unweighted): 1 - observed disagreement / expected disagreement.
        // Expected off-diagonal mass = (n^2 - sum_i p_i t_i) / n.
        double expectedOffDiagonal = (nd * nd - tDotP) / nd;
        double kappa = 1 - (n - correct) / expectedOffDiagonal;

        return new ConfusionSummary(confusion, perClass, present, accuracy, balancedAccuracy, macroF1, weightedF1,
            geometricMean, mcc, kappa, worst, n);
    }
}
