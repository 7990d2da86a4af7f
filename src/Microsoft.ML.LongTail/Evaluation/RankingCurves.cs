namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>ROC-AUC, average precision and recall at a precision target from one sort of the scores.</summary>
internal static class RankingCurves
{
    public readonly record struct Result(double? RocAuc, double? AveragePrecision, double? RecallAtPrecision);

    /// <summary>Sorts <paramref name="scores"/> and <paramref name="positive"/> in place (first <paramref name="count"/> items).</summary>
    public static Result Compute(double[] scores, bool[] positive, int count, double targetPrecision)
    {
        long totalPositive = 0;
        for (int i = 0; i < count; i++)
        {
            if (positive[i])
                totalPositive++;
        }
        long totalNegative = count - totalPositive;
        if (totalPositive == 0)
            return new Result(null, null, null);

        Array.Sort(scores, positive, 0, count);

        // Walk thresholds from the highest score down; rows with equal scores form one threshold, as in
        // sklearn's _binary_clf_curve, so ties are handled identically.
        long tp = 0, fp = 0, prevTp = 0, prevFp = 0;
        double twiceArea = 0, averagePrecision = 0, previousRecall = 0, bestRecall = 0;
        int i2 = count - 1;
        while (i2 >= 0)
        {
            double threshold = scores[i2];
            while (i2 >= 0 && scores[i2] == threshold)
            {
                if (positive[i2])
                    tp++;
                else
                    fp++;
                i2--;
            }
            twiceArea += (double)(fp - prevFp) * (tp + prevTp);
            double precision = (double)tp / (tp + fp);
            double recall = (double)tp / totalPositive;
            averagePrecision += (recall - previousRecall) * precision;
            if (precision >= targetPrecision && recall > bestRecall)
                bestRecall = recall;
            previousRecall = recall;
            prevTp = tp;
            prevFp = fp;
        }

        double? rocAuc = totalNegative == 0 ? null : twiceArea / 2 / ((double)totalPositive * totalNegative);
        return new Result(rocAuc, averagePrecision, bestRecall);
    }
}
