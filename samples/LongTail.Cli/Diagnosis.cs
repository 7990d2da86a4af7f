using System.Text;

namespace LongTail.Cli;

/// <summary>The class profile of a data set (counts, imbalance ratio, head / medium / tail) and what the pack
/// recommends for it, with the reasons.</summary>
internal sealed class Diagnosis
{
    public const int ManyShot = 100, FewShot = 20;

    private Diagnosis(IReadOnlyList<(string Name, int Count)> classes, IReadOnlyList<string> recommendations)
    {
        Classes = classes;
        Recommendations = recommendations;
    }

    /// <summary>Classes, largest first.</summary>
    public IReadOnlyList<(string Name, int Count)> Classes { get; }

    public int Rows => Classes.Sum(c => c.Count);

    public double ImbalanceRatio => (double)Classes[0].Count / Classes[^1].Count;

    /// <summary>What to try, each with its reason.</summary>
    public IReadOnlyList<string> Recommendations { get; }

    public static string Group(int count) => count > ManyShot ? "many-shot (head)" : count >= FewShot ? "medium-shot" : "few-shot (tail)";

    public static Diagnosis Of(IReadOnlyDictionary<string, int> counts)
    {
        var classes = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToArray();
        double ratio = (double)classes[0].Value / classes[^1].Value;
        int smallest = classes[^1].Value, rows = classes.Sum(c => c.Value);
        var tail = classes.Where(c => c.Value < FewShot).Select(c => c.Key).ToArray();
        var r = new List<string>();
        if (ratio < 1.5)
            r.Add($"The classes are balanced (ratio {ratio:0.##}): a plain trainer is enough; the sweep leaves the imbalance strategies out when its training part is balanced too (ratio below 1.5) and spends its budget on the trainers.");
        else
        {
            r.Add(ratio >= 10
                ? $"Strong imbalance (ratio {ratio:0.#}): optimise macro-F1 or balanced accuracy, not accuracy, which a model ignoring the small classes already scores well on."
                : $"Moderate imbalance (ratio {ratio:0.#}): macro-F1 shows whether the small classes are learnt.");
            r.Add("Class-balanced weights: cheap (no extra rows), work with every trainer here; try first.");
            if (smallest <= 6)
                r.Add($"The smallest class has {smallest} rows: SMOTE-family samplers interpolate between a row and its neighbours in the same class, so they need several rows per class; their neighbour count is capped, and random over-sampling or weights are safer.");
            else if (rows <= 100_000)
                r.Add("SMOTE / Borderline-SMOTE: synthetic rows for the small classes, often best for tree ensembles on small tabular data.");
            if (rows > 100_000)
                r.Add($"{rows:N0} rows: random under-sampling of the large classes trains fastest; SMOTE's neighbour search costs more.");
            r.Add("Logit adjustment: shifts the scores of a trained model by the class priors, which raises recall of the tail classes at no training cost.");
            if (tail.Length > 0)
                r.Add($"Few-shot classes (< {FewShot} rows: {string.Join(", ", tail.Take(8))}{(tail.Length > 8 ? ", ..." : "")}): expect a large spread between folds; the leaderboard shows mean ± sd.");
        }
        return new Diagnosis(classes, r);
    }

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Rows: {Rows}; classes: {Classes.Count}; imbalance ratio (largest / smallest class): {ImbalanceRatio:0.##}");
        sb.AppendLine($"  {"class",-24} {"rows",7} {"share",7}  group");
        foreach (var (name, count) in Classes)
            sb.AppendLine($"  {Truncate(name, 24),-24} {count,7} {(double)count / Rows,7:P1}  {Group(count)}");
        sb.AppendLine("Recommendation:");
        foreach (string line in Recommendations)
            sb.AppendLine($"  - {line}");
        return sb.ToString();
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
