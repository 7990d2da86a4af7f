using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>Precision-recall curves and average precision from a multiclass score vector, one class against the rest.</summary>
public static class PrecisionRecall
{
    /// <summary>The precision-recall curve of class <paramref name="classIndex"/> (0-based key index) scored by its
    /// slot of <paramref name="scoreColumnName"/>: one point per distinct score threshold, recall ascending.</summary>
    public static IReadOnlyList<(double Recall, double Precision)> Curve(IDataView scored, string labelColumnName, string scoreColumnName, int classIndex)
    {
        var (scores, positive) = Read(scored, labelColumnName, scoreColumnName, classIndex);
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        int totalPositive = positive.Count(p => p);
        var points = new List<(double, double)>();
        if (totalPositive == 0)
            return points;
        int tp = 0, fp = 0;
        for (int i = 0; i < order.Length; i++)
        {
            if (positive[order[i]]) tp++; else fp++;
            if (i + 1 < order.Length && scores[order[i + 1]] == scores[order[i]])
                continue;
            points.Add(((double)tp / totalPositive, (double)tp / (tp + fp)));
        }
        return points;
    }

    /// <summary>Average precision (the step-wise area under the precision-recall curve, as scikit-learn's
    /// <c>average_precision_score</c>) of <paramref name="classIndex"/>, or for <paramref name="classCount"/> above two
    /// the mean over the classes present of the one-vs-rest average precision. NaN where no positive row is present.</summary>
    public static double AreaUnderCurve(IDataView scored, string labelColumnName, string scoreColumnName, int classIndex, int classCount)
    {
        if (classCount <= 2)
            return AveragePrecision(Curve(scored, labelColumnName, scoreColumnName, classIndex));
        var values = Enumerable.Range(0, classCount).Select(c => AveragePrecision(Curve(scored, labelColumnName, scoreColumnName, c)))
            .Where(v => !double.IsNaN(v)).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }

    private static double AveragePrecision(IReadOnlyList<(double Recall, double Precision)> curve)
    {
        if (curve.Count == 0)
            return double.NaN;
        double area = 0, previousRecall = 0;
        foreach (var (r, p) in curve)
        {
            area += (r - previousRecall) * p;
            previousRecall = r;
        }
        return area;
    }

    private static (float[] Scores, bool[] Positive) Read(IDataView scored, string labelColumnName, string scoreColumnName, int classIndex)
    {
        var labelColumn = scored.Schema[labelColumnName];
        var scoreColumn = scored.Schema[scoreColumnName];
        var scores = new List<float>();
        var positive = new List<bool>();
        using var cursor = scored.GetRowCursor([labelColumn, scoreColumn]);
        var labelGetter = cursor.GetGetter<uint>(labelColumn);
        var scoreGetter = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        uint key = 0;
        VBuffer<float> score = default;
        while (cursor.MoveNext())
        {
            labelGetter(ref key);
            scoreGetter(ref score);
            if (key == 0)
                continue;
            float s = classIndex < score.Length ? score.GetItemOrDefault(classIndex) : float.NaN;
            scores.Add(float.IsNaN(s) ? float.NegativeInfinity : s);
            positive.Add(key - 1 == classIndex);
        }
        return (scores.ToArray(), positive.ToArray());
    }
}
