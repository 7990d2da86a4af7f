using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>The SMOTE family's synthesis: <c>x + u (n - x)</c> on the segment between a row and one of its neighbours.</summary>
internal static class Interpolation
{
    /// <summary>
    /// Writes <paramref name="count"/> synthetic rows from <paramref name="firstRow"/> on: each from one draw over all
    /// (base row, neighbour) pairs, as imbalanced-learn's <c>_make_samples</c>, and a step <c>u ~ stepSize x U[0, 1)</c>.
    /// </summary>
    /// <param name="set">The rows the base rows and neighbours index.</param>
    /// <param name="bases">The base rows.</param>
    /// <param name="neighbors">Row-major <c>bases.Length x k</c> neighbour rows of the base rows.</param>
    /// <param name="k">Neighbours per base row.</param>
    /// <param name="count">Rows to write.</param>
    /// <param name="stepSize">The largest step (exclusive): 1 for a segment, 0.5 for its first half.</param>
    /// <param name="rng">The random source.</param>
    /// <param name="features">The output features.</param>
    /// <param name="sources">The output source rows; set to -1.</param>
    /// <param name="firstRow">The first output row to write.</param>
    public static void FromPairs(LabeledFeatures set, int[] bases, int[] neighbors, int k, int count, double stepSize, Random rng,
        float[] features, int[] sources, int firstRow)
    {
        int d = set.FeatureCount;
        for (int i = 0; i < count; i++)
        {
            int pair = rng.Next(bases.Length * k);
            float u = (float)(stepSize * rng.NextDouble());
            Write(set.GetRow(bases[pair / k]), set.GetRow(neighbors[pair]), u, features.AsSpan((firstRow + i) * d, d));
            sources[firstRow + i] = -1;
        }
    }

    /// <summary>Writes <c>x + u (n - x)</c> into <paramref name="dest"/>.</summary>
    public static void Write(ReadOnlySpan<float> x, ReadOnlySpan<float> n, float u, Span<float> dest)
    {
        for (int j = 0; j < dest.Length; j++)
            dest[j] = x[j] + u * (n[j] - x[j]);
    }

    /// <summary>
    /// SMOTE's draws for <paramref name="count"/> new rows of one class, as imbalanced-learn's <c>_make_samples</c>: one
    /// draw over all (row, neighbour) pairs, then the step, for each row in turn. All draws come first, so that only the
    /// rows actually drawn need a neighbour search: a class that grows a little needs few.
    /// </summary>
    /// <param name="rows">The class's rows.</param>
    /// <param name="k">Neighbours per row.</param>
    /// <param name="count">New rows to draw for.</param>
    /// <param name="rng">The random source.</param>
    /// <returns>Per new row its pair (<c>position * k + neighbour</c>, position in <paramref name="rows"/>) and step; per
    /// position its index among the queries (-1 if never drawn); and the queries, the drawn rows in class order.</returns>
    public static (int[] Pairs, float[] Steps, int[] QueryIndex, int[] Queries) DrawPairs(int[] rows, int k, int count, Random rng)
    {
        var pairs = new int[count];
        var steps = new float[count];
        for (int i = 0; i < count; i++)
        {
            pairs[i] = rng.Next(rows.Length * k);
            steps[i] = (float)rng.NextDouble();
        }
        var queryIndex = new int[rows.Length];
        foreach (int pair in pairs)
            queryIndex[pair / k] = 1;
        int drawn = 0;
        for (int p = 0; p < queryIndex.Length; p++)
            queryIndex[p] = queryIndex[p] == 0 ? -1 : drawn++;
        var queries = new int[drawn];
        for (int p = 0; p < queryIndex.Length; p++)
        {
            if (queryIndex[p] >= 0)
                queries[queryIndex[p]] = rows[p];
        }
        return (pairs, steps, queryIndex, queries);
    }
}
