using System.Globalization;
using System.Text;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Metrics of conformal prediction sets: empirical coverage, set size, class-conditional coverage (per class, worst class and
/// the class-coverage gap) and size-stratified coverage. From
/// <see cref="ImbalancedEvaluationCatalog.EvaluateConformal(MulticlassClassificationCatalog, IDataView, double, string, string)"/>
/// or <see cref="Compute"/>.
/// </summary>
public sealed class ConformalClassificationMetrics
{
    /// <summary>The set-size strata of Angelopoulos et al. (2021): 0, 1, 2-3, 4-6, 7-10, 11-100, 101-1000, more.</summary>
    private static readonly (int Min, int Max)[] Strata = [(0, 0), (1, 1), (2, 3), (4, 6), (7, 10), (11, 100), (101, 1000), (1001, int.MaxValue)];

    private ConformalClassificationMetrics(double alpha, long rows, long covered, long totalSize, long empty, long[] classRows,
        long[] classCovered, long[] classSize, long[] strataRows, long[] strataCovered)
    {
        Alpha = alpha;
        RowCount = rows;
        Coverage = (double)covered / rows;
        MeanSetSize = (double)totalSize / rows;
        EmptySetRate = (double)empty / rows;
        int k = classRows.Length;
        var coverage = new double[k];
        var size = new double[k];
        double worst = double.NaN, gap = 0;
        int present = 0;
        for (int c = 0; c < k; c++)
        {
            coverage[c] = classRows[c] == 0 ? double.NaN : (double)classCovered[c] / classRows[c];
            size[c] = classRows[c] == 0 ? double.NaN : (double)classSize[c] / classRows[c];
            if (classRows[c] == 0) continue;
            present++;
            worst = double.IsNaN(worst) ? coverage[c] : Math.Min(worst, coverage[c]);
            gap += Math.Abs(coverage[c] - (1 - alpha));
        }
        PerClassCoverage = coverage;
        PerClassMeanSetSize = size;
        PerClassRowCount = classRows;
        WorstClassCoverage = worst;
        ClassCoverageGap = gap / present;
        var strata = new List<SetSizeStratum>();
        double violation = 0;
        for (int s = 0; s < Strata.Length; s++)
        {
            if (strataRows[s] == 0) continue;
            double cov = (double)strataCovered[s] / strataRows[s];
            strata.Add(new SetSizeStratum(Strata[s].Min, Strata[s].Max, strataRows[s], cov));
            violation = Math.Max(violation, Math.Abs(cov - (1 - alpha)));
        }
        SizeStratifiedCoverage = strata;
        SizeStratifiedCoverageViolation = violation;
    }

    /// <summary>The target miscoverage level the gap and violation are measured against.</summary>
    public double Alpha { get; }

    /// <summary>Rows evaluated.</summary>
    public long RowCount { get; }

    /// <summary>Empirical coverage: the fraction of rows whose label is in the set.</summary>
    public double Coverage { get; }

    /// <summary>Mean prediction set size.</summary>
    public double MeanSetSize { get; }

    /// <summary>The fraction of rows with an empty set.</summary>
    public double EmptySetRate { get; }

    /// <summary>Coverage among the rows of each class (index = class, raw key - 1); NaN for a class without rows.</summary>
    public IReadOnlyList<double> PerClassCoverage { get; }

    /// <summary>Mean set size among the rows of each class; NaN for a class without rows.</summary>
    public IReadOnlyList<double> PerClassMeanSetSize { get; }

    /// <summary>Rows per class.</summary>
    public IReadOnlyList<long> PerClassRowCount { get; }

    /// <summary>The smallest class coverage over the classes with rows.</summary>
    public double WorstClassCoverage { get; }

    /// <summary>The class-coverage gap of Ding et al. (2023): the mean over classes with rows of |class coverage - (1 - alpha)|.</summary>
    public double ClassCoverageGap { get; }

    /// <summary>Coverage by set size (strata 0, 1, 2-3, 4-6, 7-10, 11-100, 101-1000, more; strata without rows are left out).</summary>
    public IReadOnlyList<SetSizeStratum> SizeStratifiedCoverage { get; }

    /// <summary>The size-stratified coverage violation (Angelopoulos et al. 2021): the largest |stratum coverage - (1 - alpha)|.</summary>
    public double SizeStratifiedCoverageViolation { get; }

    /// <summary>Computes the metrics from prediction sets held in arrays.</summary>
    /// <param name="sets">Row-major set flags, <paramref name="classCount"/> per row.</param>
    /// <param name="labels">The 0-based class of each row.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <param name="alpha">The target miscoverage level, in (0, 1).</param>
    public static ConformalClassificationMetrics Compute(ReadOnlySpan<bool> sets, ReadOnlySpan<int> labels, int classCount, double alpha)
    {
        if (sets.Length != (long)labels.Length * classCount)
            throw new ArgumentException($"Expected {labels.Length} x {classCount} set flags, got {sets.Length}.", nameof(sets));
        var acc = new Accumulator(classCount, alpha);
        for (int i = 0; i < labels.Length; i++)
        {
            var set = sets.Slice(i * classCount, classCount);
            int size = 0;
            foreach (bool b in set) if (b) size++;
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {labels[i]} at row {i} is outside 0..{classCount - 1}.");
            acc.Add(labels[i], size, set[labels[i]]);
        }
        return acc.Build();
    }

    /// <summary>A multi-line, human-readable report.</summary>
    public string ToReport()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"Conformal sets at alpha = {Alpha} (target coverage {1 - Alpha:0.###}), {RowCount} rows");
        sb.AppendLine(inv, $"  Coverage                  {Coverage:0.0000}");
        sb.AppendLine(inv, $"  Mean set size             {MeanSetSize:0.000}");
        sb.AppendLine(inv, $"  Empty sets                {EmptySetRate:0.0000}");
        sb.AppendLine(inv, $"  Worst-class coverage      {WorstClassCoverage:0.0000}");
        sb.AppendLine(inv, $"  Class-coverage gap        {ClassCoverageGap:0.0000}");
        sb.AppendLine(inv, $"  Size-stratified violation {SizeStratifiedCoverageViolation:0.0000}");
        foreach (var s in SizeStratifiedCoverage)
        {
            string range = s.MinimumSize == s.MaximumSize ? s.MinimumSize.ToString(inv)
                : s.MaximumSize == int.MaxValue ? $"{s.MinimumSize}+" : $"{s.MinimumSize}-{s.MaximumSize}";
            sb.AppendLine(inv, $"    size {range,-9} rows {s.RowCount,8}  coverage {s.Coverage:0.0000}");
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToReport();

    internal sealed class Accumulator(int classCount, double alpha)
    {
        private readonly long[] _classRows = new long[classCount], _classCovered = new long[classCount], _classSize = new long[classCount];
        private readonly long[] _strataRows = new long[Strata.Length], _strataCovered = new long[Strata.Length];
        private long _rows, _covered, _size, _empty;

        public void Add(int label, int size, bool covered)
        {
            _rows++;
            _size += size;
            if (size == 0) _empty++;
            _classRows[label]++;
            _classSize[label] += size;
            int s = 0;
            while (size > Strata[s].Max) s++;
            _strataRows[s]++;
            if (covered)
            {
                _covered++;
                _classCovered[label]++;
                _strataCovered[s]++;
            }
        }

        public ConformalClassificationMetrics Build()
        {
            if (_rows == 0)
                throw new InvalidOperationException("There are no rows to evaluate.");
            return new(alpha, _rows, _covered, _size, _empty, _classRows, _classCovered, _classSize, _strataRows, _strataCovered);
        }
    }
}
