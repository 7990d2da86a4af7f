using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// The base of every sampler: reads and validates the data once, turns the <see cref="SamplingStrategy"/> into a target
/// row count per class, and leaves only the resampling itself to the derived class.
/// </summary>
/// <remarks>
/// The input data view is never modified. The result has the input's columns in its order; columns other than the label
/// and features are carried through from the source row of each output row, and a synthetic row gets missing values in
/// them (see <see cref="LabeledFeatures.ToDataView"/>).
/// </remarks>
public abstract class Sampler
{
    /// <summary>Creates a sampler with validated options.</summary>
    /// <param name="options">The options; kept by reference.</param>
    protected Sampler(SamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckOptions(options);
        Options = options;
    }

    /// <summary>The options are kept by reference, so they are checked again before each run.</summary>
    private static void CheckOptions(SamplerOptions options)
    {
        if (options.Strategy is null)
            throw new ArgumentException("The sampling strategy must not be null (use SamplingStrategy.Auto).", nameof(options));
        if (string.IsNullOrEmpty(options.LabelColumnName))
            throw new ArgumentException("The label column name must not be empty.", nameof(options));
        if (string.IsNullOrEmpty(options.FeatureColumnName))
            throw new ArgumentException("The feature column name must not be empty.", nameof(options));
    }

    /// <summary>The options this sampler was created with.</summary>
    public SamplerOptions Options { get; }

    /// <summary>Whether this sampler adds rows or removes them.</summary>
    public abstract SamplingKind Kind { get; }

    /// <summary>Resamples a data view.</summary>
    /// <param name="data">The data; read once, not modified.</param>
    /// <returns>A new data view with the input's schema and the resampled rows.</returns>
    /// <exception cref="ArgumentException">A column is missing or has an unsupported type, or the strategy does not fit the data.</exception>
    /// <exception cref="InvalidOperationException">The data is empty, has one class only, a missing label or a non-finite feature.</exception>
    public IDataView Resample(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckOptions(Options);
        var set = LabeledFeatures.Read(data, Options.LabelColumnName, Options.FeatureColumnName);
        return Resample(set).ToDataView(data);
    }

    /// <summary>Resamples rows already in arrays.</summary>
    /// <param name="set">The rows; not modified. It may itself be a resampled set: source rows refer to the original data.</param>
    /// <returns>The resampled rows; <see cref="LabeledFeatures.SourceRows"/> says where each comes from.</returns>
    public LabeledFeatures Resample(LabeledFeatures set)
    {
        CheckOptions(Options);
        var targets = GetTargetCounts(set);
        Validate(set, targets);
        var rng = new Random(Options.Seed ?? 0);
        var result = ResampleCore(set, targets, rng);
        CheckResult(set, targets, result);
        return result;
    }

    /// <summary>
    /// Whether the result always has exactly the rows of <see cref="GetTargetCounts"/> (the default). A sampler that, like
    /// its imbalanced-learn counterpart, can end a little off the targets of the classes it resamples (ADASYN's rounding,
    /// Borderline-SMOTE's classes without rows in danger) returns <see langword="false"/>; the classes the strategy leaves
    /// alone must still keep their count.
    /// </summary>
    protected virtual bool ReachesTargetCounts => true;

    /// <summary>
    /// Checks the result of <see cref="ResampleCore"/> against the targets; a failure is a bug of the sampler. By default,
    /// an over- or under-sampler must return exactly the target row count (or, where <see cref="ReachesTargetCounts"/> is
    /// false, leave the classes it does not resample as they are); a cleaning sampler
    /// (<see cref="SamplingKind.Cleaning"/>) must not grow any class and must leave the classes the strategy does not
    /// select as they are.
    /// </summary>
    /// <param name="set">The input rows.</param>
    /// <param name="targetCounts">The target counts (for a cleaning sampler, the input's counts).</param>
    /// <param name="result">What <see cref="ResampleCore"/> returned.</param>
    /// <exception cref="InvalidOperationException">The result does not fit the targets.</exception>
    protected virtual void CheckResult(LabeledFeatures set, int[] targetCounts, LabeledFeatures result)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(targetCounts);
        ArgumentNullException.ThrowIfNull(result);
        if (Kind != SamplingKind.Cleaning)
        {
            if (ReachesTargetCounts)
            {
                if (result.RowCount != targetCounts.Sum())
                    throw new InvalidOperationException($"{GetType().Name} returned {result.RowCount} rows instead of {targetCounts.Sum()}.");
                return;
            }
            // The sampler may miss the targets of the classes it resamples, but must leave the others alone.
            for (int c = 0; c < targetCounts.Length; c++)
            {
                if (targetCounts[c] == set.ClassCounts[c] && result.ClassCounts[c] != targetCounts[c])
                    throw new InvalidOperationException(
                        $"{GetType().Name} changed the row count of class '{set.Label.GetClassName(c)}', which the strategy leaves alone.");
            }
            return;
        }
        var selected = SelectedClasses(set);
        for (int c = 0; c < targetCounts.Length; c++)
        {
            int n = result.ClassCounts[c];
            if (n > set.ClassCounts[c] || (!selected[c] && n != set.ClassCounts[c]))
                throw new InvalidOperationException(
                    $"{GetType().Name} returned {n} rows of class '{set.Label.GetClassName(c)}', which had {set.ClassCounts[c]} and was " +
                    (selected[c] ? "selected: a cleaning sampler cannot add rows." : "not selected: it must be left as it is."));
        }
    }

    /// <summary>
    /// For a cleaning sampler: which classes of <paramref name="set"/> the strategy lets it remove rows from (see
    /// <see cref="SamplingStrategy.GetSelectedClasses"/>), computed from <paramref name="set"/>'s own class counts.
    /// </summary>
    /// <exception cref="ArgumentException">The strategy does not suit a cleaning sampler, or names a class the data does not have.</exception>
    protected bool[] SelectedClasses(LabeledFeatures set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Options.Strategy.GetSelectedClasses(set.ClassCounts, set.Label.ClassNames);
    }

    /// <summary>The rows <paramref name="rows"/> of <paramref name="set"/>, in that order, as a new set whose source rows
    /// refer to the original data.</summary>
    protected static LabeledFeatures KeepRows(LabeledFeatures set, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rows);
        int d = set.FeatureCount;
        var features = GC.AllocateUninitializedArray<float>(checked(rows.Count * d));
        var labels = new int[rows.Count];
        var sources = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            int row = rows[i];
            set.GetRow(row).CopyTo(features.AsSpan(i * d, d));
            labels[i] = set.Labels[row];
            sources[i] = SourceRowOf(set, row);
        }
        return set.WithRows(features, labels, sources);
    }

    /// <summary>The number of rows each class will have after resampling <paramref name="set"/>: exact for most samplers;
    /// the target that ADASYN and Borderline-SMOTE aim at (see their remarks for how far off they can end).</summary>
    /// <exception cref="InvalidOperationException">The set has fewer than two classes with rows.</exception>
    public int[] GetTargetCounts(LabeledFeatures set)
    {
        ArgumentNullException.ThrowIfNull(set);
        int present = set.ClassCounts.Count(n => n > 0);
        if (present < 2)
        {
            int only = Array.FindIndex(set.ClassCounts, n => n > 0);
            throw new InvalidOperationException(
                $"The label column '{set.LabelColumnName}' has a single class ('{set.Label.GetClassName(only)}', {set.RowCount} rows): there is nothing to balance.");
        }
        return Options.Strategy.GetTargetCounts(set.ClassCounts, set.Label.ClassNames, Kind);
    }

    /// <summary>
    /// The check every neighbour-based over-sampler shares: each class it grows needs more rows than
    /// <paramref name="k"/> (a row is never its own neighbour). The message names the class and says what to do.
    /// </summary>
    /// <exception cref="InvalidOperationException">A class to grow has <paramref name="k"/> rows or fewer.</exception>
    protected static void RequireNeighborsInGrownClasses(LabeledFeatures set, int[] targetCounts, int k, string samplerName)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(targetCounts);
        for (int c = 0; c < targetCounts.Length; c++)
        {
            int n = set.ClassCounts[c];
            if (targetCounts[c] > n && n <= k)
                throw new InvalidOperationException(
                    $"{samplerName} with {k} neighbours needs more than {k} rows in each over-sampled class, but class '{set.Label.GetClassName(c)}' has {n} " +
                    $"row{(n == 1 ? "" : "s")}. Use NumberOfNeighbors <= {Math.Max(1, n - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}" +
                    (n == 1 ? " (a single row has no neighbour: use RandomOverSampler, or leave the class out of the strategy)." : "."));
        }
    }

    /// <summary>Checks the derived options and that the sampler can reach <paramref name="targetCounts"/> on
    /// <paramref name="set"/> (for example, enough rows per class for a neighbour search); throws a clear error if not.
    /// Called before any work.</summary>
    protected virtual void Validate(LabeledFeatures set, int[] targetCounts)
    {
    }

    /// <summary>Resamples <paramref name="set"/> so that class <c>c</c> has <c>targetCounts[c]</c> rows (for a cleaning
    /// sampler, at most that many, the selected classes being those of <see cref="SelectedClasses"/>).</summary>
    /// <param name="set">The rows.</param>
    /// <param name="targetCounts">The row count of each class after resampling; a class not selected by the strategy keeps its count.</param>
    /// <param name="rng">The seeded random source; the only one to use, so results are reproducible.</param>
    /// <returns>The result, built with <see cref="LabeledFeatures.WithRows"/>; use <see cref="SourceRowOf"/> for source rows.</returns>
    protected abstract LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng);

    /// <summary>The original data's row that row <paramref name="row"/> of <paramref name="set"/> comes from (-1 for synthetic).</summary>
    protected static int SourceRowOf(LabeledFeatures set, int row) => set.SourceRows is { } s ? s[row] : row;

    /// <summary>The rows of each class, in input order.</summary>
    protected static int[][] RowsByClass(LabeledFeatures set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var rows = new int[set.ClassCount][];
        var fill = new int[set.ClassCount];
        for (int c = 0; c < rows.Length; c++)
            rows[c] = new int[set.ClassCounts[c]];
        var labels = set.Labels;
        for (int i = 0; i < labels.Length; i++)
            rows[labels[i]][fill[labels[i]]++] = i;
        return rows;
    }

    /// <summary>
    /// The over-sampling layout shared by imbalanced-learn's over-samplers: all input rows in order, then room for the new
    /// rows class by class in class order. Returns the arrays with the input copied in, and the first new row of each class.
    /// </summary>
    protected static (float[] Features, int[] Labels, int[] SourceRows, int[] FirstNewRow) AppendLayout(LabeledFeatures set, int[] targetCounts)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(targetCounts);
        int total = targetCounts.Sum();
        int d = set.FeatureCount;
        // Every element is written below: skip the zeroing of a possibly large array.
        var features = LargeArrays.AllocateUninitialized<float>(checked(total * d));
        var labels = LargeArrays.AllocateUninitialized<int>(total);
        var sources = LargeArrays.AllocateUninitialized<int>(total);
        ParallelCopy(set.Features, features);
        set.Labels.AsSpan().CopyTo(labels);
        for (int i = 0; i < set.RowCount; i++)
            sources[i] = SourceRowOf(set, i);
        var first = new int[set.ClassCount];
        int next = set.RowCount;
        for (int c = 0; c < first.Length; c++)
        {
            first[c] = next;
            int add = targetCounts[c] - set.ClassCounts[c];
            labels.AsSpan(next, add).Fill(c);
            next += add;
        }
        return (features, labels, sources, first);
    }

    /// <summary>
    /// Copies a large array in parallel chunks. Not for the memory bandwidth: the first write to fresh memory costs a page
    /// fault per page, and on some virtual machines those faults, not the copy, are most of the time of an over-sampler's
    /// first call; in parallel they are taken on every core.
    /// </summary>
    private protected static void ParallelCopy(float[] source, float[] destination)
    {
        const int Chunk = 1 << 20;
        int chunks = (source.Length + Chunk - 1) / Chunk;
        if (chunks <= 1)
        {
            source.AsSpan().CopyTo(destination);
            return;
        }
        Parallel.For(0, chunks, i =>
        {
            int start = i * Chunk, length = Math.Min(Chunk, source.Length - start);
            source.AsSpan(start, length).CopyTo(destination.AsSpan(start, length));
        });
    }
}
