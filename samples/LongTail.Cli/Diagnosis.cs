using System.Text;
using Microsoft.ML.LongTail.Data;

namespace LongTail.Cli;

/// <summary>A short description of a training set's class profile: counts, imbalance ratio, head / medium / tail.</summary>
internal static class Diagnosis
{
    public static string Describe(LabeledFeatures train, int manyShot = 100, int fewShot = 20)
    {
        var counts = train.ClassCounts;
        var order = Enumerable.Range(0, counts.Length).OrderByDescending(c => counts[c]).ToArray();
        int max = counts.Max(), min = counts.Where(c => c > 0).DefaultIfEmpty(0).Min();
        var sb = new StringBuilder();
        sb.AppendLine($"Training rows: {train.RowCount}; imbalance ratio (largest / smallest class): {(min == 0 ? double.PositiveInfinity : (double)max / min):0.##}");
        sb.AppendLine($"{"class",-24} {"rows",6} {"share",7}  group");
        foreach (int c in order)
        {
            string group = counts[c] > manyShot ? "many-shot (head)" : counts[c] >= fewShot ? "medium-shot" : "few-shot (tail)";
            sb.AppendLine($"{train.Label.GetClassName(c),-24} {counts[c],6} {(double)counts[c] / train.RowCount,7:P1}  {group}");
        }
        return sb.ToString();
    }
}
