using System.Globalization;

namespace Microsoft.ML.LongTail.Sweeping;

/// <summary>
/// One hyper-parameter of a <see cref="SweepTrainer"/> or a <see cref="SweepStrategy"/>: a name and the values the
/// sweep may give it. The first value is the default, tried first. Maps onto AutoML's <c>ChoiceOption</c> /
/// <c>[Choice]</c> in a <c>SearchSpace</c> (docs/sweep.md).
/// </summary>
public sealed class SweepParameter
{
    private SweepParameter(string name, object[] values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (values.Length == 0)
            throw new ArgumentException($"The parameter '{name}' needs at least one value.", nameof(values));
        Name = name;
        Values = values;
    }

    /// <summary>The parameter's name, as the factory reads it from <see cref="SweepParameters"/>.</summary>
    public string Name { get; }

    /// <summary>The values to try; the first is the default.</summary>
    public IReadOnlyList<object> Values { get; }

    /// <summary>A parameter taking one of <paramref name="values"/> (numbers, strings, enum values...).</summary>
    public static SweepParameter Choice<T>(string name, params T[] values) where T : notnull =>
        new(name, values.Cast<object>().ToArray());

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} in {{{string.Join(", ", Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))}}}";
}

/// <summary>The values chosen for one trial's parameters, by name.</summary>
public sealed class SweepParameters
{
    private readonly IReadOnlyDictionary<string, object> _values;

    /// <summary>Wraps the chosen values.</summary>
    public SweepParameters(IReadOnlyDictionary<string, object> values) => _values = values;

    /// <summary>No parameters.</summary>
    public static SweepParameters Empty { get; } = new(new Dictionary<string, object>());

    /// <summary>The chosen values by name.</summary>
    public IReadOnlyDictionary<string, object> Values => _values;

    /// <summary>The value of <paramref name="name"/> converted to <typeparamref name="T"/>, or
    /// <paramref name="fallback"/> where the trial has no such parameter.</summary>
    public T Get<T>(string name, T fallback)
    {
        if (!_values.TryGetValue(name, out var value))
            return fallback;
        if (value is T t)
            return t;
        return (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>The values as <c>name=value</c> pairs, comma separated (empty for none).</summary>
    public override string ToString() =>
        string.Join(", ", _values.Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}"));
}
