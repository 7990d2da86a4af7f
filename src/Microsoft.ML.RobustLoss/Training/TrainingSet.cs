namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Rows held once in managed arrays (row-major features); mini-batches are gathered from them into one reused buffer per
/// batch size, so the data set is copied once (when read) and each batch once more on its way into a tensor.
/// </summary>
internal sealed class TrainingSet
{
    public TrainingSet(float[] features, int rows, int width, long[]? classes, float[]? targets)
    {
        Features = features;
        Rows = rows;
        Width = width;
        Classes = classes;
        Targets = targets;
    }

    public float[] Features { get; }

    public int Rows { get; }

    public int Width { get; }

    /// <summary>Class index per row (classification).</summary>
    public long[]? Classes { get; }

    /// <summary>Target per row (regression).</summary>
    public float[]? Targets { get; }

    /// <summary>Rows <paramref name="rows"/> as a new set (a validation split).</summary>
    public TrainingSet Subset(IReadOnlyList<int> rows)
    {
        var features = new float[(long)rows.Count * Width];
        for (int i = 0; i < rows.Count; i++)
            Features.AsSpan(rows[i] * Width, Width).CopyTo(features.AsSpan(i * Width, Width));
        return new TrainingSet(features, rows.Count, Width,
            Classes is null ? null : rows.Select(r => Classes[r]).ToArray(),
            Targets is null ? null : rows.Select(r => Targets[r]).ToArray());
    }

    /// <summary>Splits off a validation set: <paramref name="fraction"/> of each class (classification) or of all rows.</summary>
    public (TrainingSet Train, TrainingSet Validation) Split(double fraction, Random random)
    {
        var groups = Classes is null
            ? [Enumerable.Range(0, Rows).ToList()]
            : Enumerable.Range(0, Rows).GroupBy(r => Classes[r]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var train = new List<int>();
        var validation = new List<int>();
        foreach (var group in groups)
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            int take = (int)Math.Round(rows.Length * fraction);
            if (take >= rows.Length)
                take = rows.Length - 1;
            validation.AddRange(rows.Take(take));
            train.AddRange(rows.Skip(take));
        }
        if (validation.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(fraction), $"ValidationFraction = {fraction} holds out no row of the {Rows} training rows.");
        train.Sort();
        validation.Sort();
        return (Subset(train), Subset(validation));
    }
}
