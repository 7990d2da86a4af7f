using System.Globalization;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Which classes a sampler resamples and to how many rows, as imbalanced-learn's <c>sampling_strategy</c>.
/// A <see cref="Sampler"/> turns it into one target count per class with <see cref="GetTargetCounts"/>.
/// </summary>
/// <remarks>
/// <para>Over-sampling brings each selected class up to the majority class's count; under-sampling brings each
/// selected class down to the minority class's count (imbalanced-learn 0.10 semantics). Classes with no rows
/// (an unused key value) are ignored: they are neither the majority nor the minority and are never resampled.
/// Ties for the majority or minority go to the lower class index, as imbalanced-learn's sorted class order.</para>
/// </remarks>
public sealed class SamplingStrategy
{
    private enum Form { Auto, Minority, Majority, NotMinority, NotMajority, All, Ratio, ByName, ByIndex, LongTail, Classes }

    private readonly Form _form;
    private readonly double _value;
    private readonly KeyValuePair<string, int>[]? _byName;
    private readonly KeyValuePair<int, int>[]? _byIndex;
    private readonly string[]? _classes;

    private SamplingStrategy(Form form, double value = 0, KeyValuePair<string, int>[]? byName = null,
        KeyValuePair<int, int>[]? byIndex = null, string[]? classes = null)
    {
        _form = form;
        _value = value;
        _byName = byName;
        _byIndex = byIndex;
        _classes = classes;
    }

    /// <summary>Over-sampling: every class but the majority (<see cref="NotMajority"/>); under-sampling: every class but the minority (<see cref="NotMinority"/>).</summary>
    public static SamplingStrategy Auto { get; } = new(Form.Auto);

    /// <summary>Only the minority class (over-sampling only).</summary>
    public static SamplingStrategy Minority { get; } = new(Form.Minority);

    /// <summary>Only the majority class (under-sampling only).</summary>
    public static SamplingStrategy Majority { get; } = new(Form.Majority);

    /// <summary>Every class but the minority.</summary>
    public static SamplingStrategy NotMinority { get; } = new(Form.NotMinority);

    /// <summary>Every class but the majority.</summary>
    public static SamplingStrategy NotMajority { get; } = new(Form.NotMajority);

    /// <summary>Every class.</summary>
    public static SamplingStrategy All { get; } = new(Form.All);

    /// <summary>
    /// Binary data only: the ratio minority / majority after resampling, in (0, 1]. Over-sampling grows the minority
    /// to <c>floor(ratio * n_majority)</c>; under-sampling shrinks the majority to <c>floor(n_minority / ratio)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ratio"/> is outside (0, 1].</exception>
    public static SamplingStrategy Ratio(double ratio)
    {
        if (!(ratio > 0 && ratio <= 1))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The ratio minority / majority after resampling must be in (0, 1].");
        return new(Form.Ratio, ratio);
    }

    /// <summary>
    /// Explicit row counts after resampling, by class name (<see cref="Data.LabelEncoding.ClassNames"/>: the key value's
    /// name, the number or text value). Classes not named are left as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public static SamplingStrategy Targets(IReadOnlyDictionary<string, int> countsByClassName)
    {
        ArgumentNullException.ThrowIfNull(countsByClassName);
        var pairs = countsByClassName.ToArray();
        foreach (var (name, count) in pairs)
            ThrowIfNegative(name, count, nameof(countsByClassName));
        return new(Form.ByName, byName: pairs);
    }

    /// <summary>Explicit row counts after resampling, by 0-based class index. Classes not listed are left as they are.</summary>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public static SamplingStrategy Targets(IReadOnlyDictionary<int, int> countsByClassIndex)
    {
        ArgumentNullException.ThrowIfNull(countsByClassIndex);
        var pairs = countsByClassIndex.ToArray();
        foreach (var (index, count) in pairs)
            ThrowIfNegative(index.ToString(CultureInfo.InvariantCulture), count, nameof(countsByClassIndex));
        return new(Form.ByIndex, byIndex: pairs);
    }

    /// <summary>
    /// Cleaning samplers only (<see cref="SamplingKind.Cleaning"/>, imbalanced-learn's list form): the classes, by name
    /// (<see cref="Data.LabelEncoding.ClassNames"/>), that may lose rows. Other classes are left as they are.
    /// </summary>
    /// <exception cref="ArgumentException">No class is named, or a name is null.</exception>
    public static SamplingStrategy Classes(params string[] classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Length == 0)
            throw new ArgumentException("Name at least one class for a cleaning sampler to clean.", nameof(classNames));
        if (classNames.Any(n => n is null))
            throw new ArgumentException("A class name is null.", nameof(classNames));
        return new(Form.Classes, classes: (string[])classNames.Clone());
    }

    /// <summary>
    /// Softens the imbalance without removing it: over-sampling sets each class to
    /// <c>round(n_max * (n_c / n_max)^q)</c> (never below <c>n_c</c>); <c>q = 1</c> keeps the data as it is, <c>q = 0</c>
    /// balances it fully. Under-sampling mirrors it from below: <c>round(n_min * (n_c / n_min)^q)</c> (never above <c>n_c</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
    public static SamplingStrategy LongTail(double q)
    {
        if (!(q >= 0 && q <= 1))
            throw new ArgumentOutOfRangeException(nameof(q), q, "The long-tail exponent q must be in [0, 1] (1 keeps the data as it is, 0 balances it).");
        return new(Form.LongTail, q);
    }

    /// <inheritdoc/>
    public override string ToString() => _form switch
    {
        Form.Ratio => $"Ratio({_value.ToString(CultureInfo.InvariantCulture)})",
        Form.LongTail => $"LongTail({_value.ToString(CultureInfo.InvariantCulture)})",
        Form.ByName => "Targets{" + string.Join(", ", _byName!.Select(p => $"{p.Key}: {p.Value}")) + "}",
        Form.ByIndex => "Targets{" + string.Join(", ", _byIndex!.Select(p => $"#{p.Key}: {p.Value}")) + "}",
        Form.Classes => "Classes[" + string.Join(", ", _classes!) + "]",
        _ => _form.ToString(),
    };

    /// <summary>
    /// The number of rows each class has after resampling. A class the strategy does not select keeps its count.
    /// For <see cref="SamplingKind.Cleaning"/>, how many rows go depends on the data: the result is each class's
    /// current count (an upper bound), after checking that the strategy suits a cleaning sampler; use
    /// <see cref="GetSelectedClasses"/> for the classes that may lose rows.
    /// </summary>
    /// <param name="classCounts">The number of rows of each class before resampling.</param>
    /// <param name="classNames">The name of each class, for explicit targets by name and for error messages.</param>
    /// <param name="kind">Whether the sampler adds or removes rows.</param>
    /// <exception cref="ArgumentException">The strategy names a class the data does not have, asks an over-sampler to
    /// shrink a class or an under-sampler to grow one, is a ratio on data that is not binary, or does not suit the
    /// <paramref name="kind"/> (a class list for a sampler that is not a cleaning one, counts or a ratio for a cleaning one).</exception>
    public int[] GetTargetCounts(IReadOnlyList<int> classCounts, IReadOnlyList<string> classNames, SamplingKind kind)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != classCounts.Count)
            throw new ArgumentException($"Expected {classCounts.Count} class names, got {classNames.Count}.", nameof(classNames));
        if (kind == SamplingKind.Cleaning)
        {
            GetSelectedClasses(classCounts, classNames);
            return classCounts.ToArray();
        }
        if (_form == Form.Classes)
            throw new ArgumentException($"The strategy {this} (a list of classes) is only for cleaning samplers (TomekLinks, EditedNearestNeighbours...); " +
                "an over- or under-sampler needs target counts: use Targets(...), Auto, All, NotMinority, NotMajority, Minority or Majority.");
        var targets = classCounts.ToArray();
        int majority = -1, minority = -1, present = 0;
        for (int c = 0; c < targets.Length; c++)
        {
            if (targets[c] == 0)
                continue;
            present++;
            // Strict comparisons: the lower class index wins a tie, as Python's max/min over sorted classes.
            if (majority < 0 || targets[c] > targets[majority])
                majority = c;
            if (minority < 0 || targets[c] < targets[minority])
                minority = c;
        }
        if (present == 0)
            throw new ArgumentException("No class has any rows.", nameof(classCounts));
        int nMax = targets[majority], nMin = targets[minority];
        bool over = kind == SamplingKind.OverSampling;
        int selectedTarget = over ? nMax : nMin;

        switch (_form)
        {
            case Form.Auto:
                return Select(targets, over ? c => c != majority : c => c != minority, selectedTarget);
            case Form.All:
                return Select(targets, _ => true, selectedTarget);
            case Form.NotMajority:
                return Select(targets, c => c != majority, selectedTarget);
            case Form.NotMinority:
                return Select(targets, c => c != minority, selectedTarget);
            case Form.Minority:
                if (!over)
                    throw new ArgumentException("The strategy 'Minority' cannot be used with an under-sampler: it would shrink the minority class. Use 'Majority', 'NotMinority' or 'Auto'.");
                return Select(targets, c => c == minority, selectedTarget);
            case Form.Majority:
                if (over)
                    throw new ArgumentException("The strategy 'Majority' cannot be used with an over-sampler: the majority class cannot grow to its own size. Use 'Minority', 'NotMajority' or 'Auto'.");
                return Select(targets, c => c == majority, selectedTarget);
            case Form.Ratio:
                return ResolveRatio(targets, present, majority, minority, over);
            case Form.LongTail:
                for (int c = 0; c < targets.Length; c++)
                {
                    if (targets[c] == 0)
                        continue;
                    double reference = over ? nMax : nMin;
                    int t = (int)Math.Round(reference * Math.Pow(targets[c] / reference, _value), MidpointRounding.AwayFromZero);
                    targets[c] = over ? Math.Max(t, targets[c]) : Math.Min(t, targets[c]);
                }
                return targets;
            case Form.ByName:
                foreach (var (name, count) in _byName!)
                {
                    int c = IndexOfName(classNames, name);
                    if (c < 0 || classCounts[c] == 0)
                        throw new ArgumentException($"The strategy asks for class '{name}', which the data does not have. Classes present: {DescribePresent(classCounts, classNames)}.");
                    SetExplicit(targets, classCounts, classNames, c, count, over);
                }
                return targets;
            case Form.ByIndex:
                foreach (var (c, count) in _byIndex!)
                {
                    if ((uint)c >= (uint)targets.Length || classCounts[c] == 0)
                        throw new ArgumentException($"The strategy asks for class index {c}, which the data does not have. Classes present: {DescribePresent(classCounts, classNames)}.");
                    SetExplicit(targets, classCounts, classNames, c, count, over);
                }
                return targets;
            default:
                throw new InvalidOperationException($"Unknown strategy form {_form}.");
        }
    }

    /// <summary>
    /// The classes a cleaning sampler (<see cref="SamplingKind.Cleaning"/>) may remove rows from, as imbalanced-learn's
    /// <c>check_sampling_strategy</c> for "clean-sampling": <see cref="Auto"/> and <see cref="NotMinority"/> select every
    /// class but the minority, <see cref="NotMajority"/> every class but the majority, <see cref="Majority"/> the majority,
    /// <see cref="All"/> every class, <see cref="Classes"/> the named ones. Classes with no rows are never selected.
    /// </summary>
    /// <param name="classCounts">The number of rows of each class.</param>
    /// <param name="classNames">The name of each class.</param>
    /// <returns>For each class, whether it may lose rows.</returns>
    /// <exception cref="ArgumentException">The strategy is <see cref="Minority"/>, a ratio, target counts or a long tail
    /// (not allowed for cleaning), or names a class the data does not have.</exception>
    public bool[] GetSelectedClasses(IReadOnlyList<int> classCounts, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != classCounts.Count)
            throw new ArgumentException($"Expected {classCounts.Count} class names, got {classNames.Count}.", nameof(classNames));
        int majority = -1, minority = -1;
        for (int c = 0; c < classCounts.Count; c++)
        {
            if (classCounts[c] == 0)
                continue;
            if (majority < 0 || classCounts[c] > classCounts[majority])
                majority = c;
            if (minority < 0 || classCounts[c] < classCounts[minority])
                minority = c;
        }
        if (majority < 0)
            throw new ArgumentException("No class has any rows.", nameof(classCounts));
        var selected = new bool[classCounts.Count];
        Func<int, bool> rule;
        switch (_form)
        {
            case Form.Auto:
            case Form.NotMinority:
                rule = c => c != minority;
                break;
            case Form.NotMajority:
                rule = c => c != majority;
                break;
            case Form.Majority:
                rule = c => c == majority;
                break;
            case Form.All:
                rule = _ => true;
                break;
            case Form.Classes:
                foreach (var name in _classes!)
                {
                    int c = IndexOfName(classNames, name);
                    if (c < 0 || classCounts[c] == 0)
                        throw new ArgumentException($"The strategy {this} names class '{name}', which the data does not have. Classes present: {DescribePresent(classCounts, classNames)}.");
                    selected[c] = true;
                }
                return selected;
            case Form.Minority:
                throw new ArgumentException("The strategy 'Minority' cannot be used with a cleaning sampler (as imbalanced-learn). Use 'Auto', 'NotMinority', 'NotMajority', 'Majority', 'All' or Classes(...).");
            default:
                throw new ArgumentException($"The strategy {this} gives row counts, which a cleaning sampler cannot use: it removes as many rows as its rule flags. " +
                    "Use 'Auto', 'NotMinority', 'NotMajority', 'Majority', 'All' or Classes(...) to choose the classes it may clean.");
        }
        for (int c = 0; c < selected.Length; c++)
            selected[c] = classCounts[c] > 0 && rule(c);
        return selected;
    }

    /// <summary>
    /// For an under-sampler, the classes imbalanced-learn's <c>sampling_strategy_</c> would list (what NearMiss
    /// re-orders even when the target equals the class's count, as the minority under <see cref="All"/>).
    /// </summary>
    internal bool[] GetUnderSamplingSelection(IReadOnlyList<int> classCounts, IReadOnlyList<string> classNames, int[] targets)
    {
        var selected = new bool[classCounts.Count];
        switch (_form)
        {
            case Form.Ratio:
                int minority = -1;
                for (int c = 0; c < classCounts.Count; c++)
                {
                    if (classCounts[c] > 0 && (minority < 0 || classCounts[c] < classCounts[minority]))
                        minority = c;
                }
                for (int c = 0; c < selected.Length; c++)
                    selected[c] = classCounts[c] > 0 && c != minority;
                return selected;
            case Form.ByName:
                foreach (var (name, _) in _byName!)
                    selected[IndexOfName(classNames, name)] = true;
                return selected;
            case Form.ByIndex:
                foreach (var (c, _) in _byIndex!)
                    selected[c] = true;
                return selected;
            case Form.LongTail:
                for (int c = 0; c < selected.Length; c++)
                    selected[c] = targets[c] < classCounts[c];
                return selected;
            default:
                return GetSelectedClasses(classCounts, classNames);
        }
    }

    private static int[] Select(int[] targets, Func<int, bool> selected, int target)
    {
        for (int c = 0; c < targets.Length; c++)
        {
            if (targets[c] > 0 && selected(c))
                targets[c] = target;
        }
        return targets;
    }

    private int[] ResolveRatio(int[] targets, int present, int majority, int minority, bool over)
    {
        if (present != 2)
            throw new ArgumentException($"A ratio strategy needs binary data; this data has {present} classes. Use Targets(...) or LongTail(q) for more classes.");
        int nMax = targets[majority], nMin = targets[minority];
        if (over)
        {
            // imbalanced-learn: int(n_majority * ratio - n_minority) new rows, which must be positive.
            int add = (int)(nMax * _value - nMin);
            if (add <= 0)
                throw new ArgumentException($"The ratio {_value.ToString(CultureInfo.InvariantCulture)} asks for at most {(int)(nMax * _value)} minority rows, but the minority class already has {nMin}: an over-sampler cannot remove rows. Increase the ratio.");
            targets[minority] = nMin + add;
        }
        else
        {
            int keep = (int)(nMin / _value);
            if (keep > nMax)
                throw new ArgumentException($"The ratio {_value.ToString(CultureInfo.InvariantCulture)} asks for {keep} majority rows, but the majority class has only {nMax}: an under-sampler cannot add rows. Increase the ratio.");
            targets[majority] = keep;
        }
        return targets;
    }

    private static void SetExplicit(int[] targets, IReadOnlyList<int> counts, IReadOnlyList<string> names, int c, int count, bool over)
    {
        if (over && count < counts[c])
            throw new ArgumentException($"The strategy asks for {count} rows of class '{names[c]}', which has {counts[c]}: an over-sampler cannot remove rows. Ask for at least {counts[c]}, or use an under-sampler.");
        if (!over && count > counts[c])
            throw new ArgumentException($"The strategy asks for {count} rows of class '{names[c]}', which has {counts[c]}: an under-sampler cannot add rows. Ask for at most {counts[c]}, or use an over-sampler.");
        targets[c] = count;
    }

    private static int IndexOfName(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private static string DescribePresent(IReadOnlyList<int> counts, IReadOnlyList<string> names) =>
        string.Join(", ", Enumerable.Range(0, counts.Count).Where(c => counts[c] > 0)
            .Select(c => $"'{names[c]}' (#{c}, {counts[c]} rows)"));

    private static void ThrowIfNegative(string name, int count, string parameterName)
    {
        if (count < 0)
            throw new ArgumentException($"The target count of class '{name}' is {count}; counts cannot be negative.", parameterName);
    }
}
