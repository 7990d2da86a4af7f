namespace Microsoft.ML.LongTail.Resampling;

/// <summary>A distance between two rows of a set, given by row index: what <see cref="MetricNearestNeighbors"/> searches
/// under. Any monotone transform of the distance (a squared distance, say) orders the neighbours the same.</summary>
internal interface IRowDistance
{
    /// <summary>The distance between rows <paramref name="a"/> and <paramref name="b"/>.</summary>
    double Distance(int a, int b);
}

/// <summary>
/// Exact k-nearest-neighbour search under a distance other than the Euclidean (SMOTE-NC's, the Value Difference
/// Metric), with the contract of <see cref="NearestNeighbors.Search(float[], int, int[], int[], int, int)"/>: exact, a query row never its own neighbour, ties
/// to the lower row index (so the result does not depend on the number of threads), no distance matrix (memory
/// O(queries x k)), parallel over blocks of queries.
/// </summary>
/// <remarks>Brute force: every query against every reference, with a sorted top-k buffer per query.</remarks>
internal static class MetricNearestNeighbors
{
    private const int QueryBlock = 32;

    /// <summary>
    /// For each row of <paramref name="queryRows"/>, finds its <paramref name="k"/> nearest rows among
    /// <paramref name="referenceRows"/> under <paramref name="distance"/>, a query row never being its own neighbour.
    /// </summary>
    /// <param name="distance">The distance; called from several threads at once, so it must not change state.</param>
    /// <param name="queryRows">The rows to find neighbours for.</param>
    /// <param name="referenceRows">The rows neighbours are taken from; no duplicates.</param>
    /// <param name="k">Neighbours per query.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; -1 for all.</param>
    /// <returns>Row-major <c>queryRows.Length x k</c> neighbour rows, nearest first, and their distances in the same layout.</returns>
    public static (int[] Neighbors, double[] Distances) Search<TDistance>(TDistance distance, int[] queryRows, int[] referenceRows,
        int k, int maxDegreeOfParallelism = -1)
        where TDistance : struct, IRowDistance
    {
        ArgumentNullException.ThrowIfNull(queryRows);
        ArgumentNullException.ThrowIfNull(referenceRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        bool overlap = false;
        if (queryRows.Length > 0)
        {
            var references = new HashSet<int>(referenceRows);
            overlap = queryRows.Any(references.Contains);
        }
        int available = referenceRows.Length - (overlap ? 1 : 0);
        if (k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"Asked for {k} neighbours among {referenceRows.Length} reference rows" +
                (overlap ? " (one of them the query itself)" : "") + ".");

        var neighbors = new int[queryRows.Length * k];
        var distances = new double[queryRows.Length * k];
        int blocks = (queryRows.Length + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, block =>
        {
            int q1 = Math.Min((block + 1) * QueryBlock, queryRows.Length);
            for (int q = block * QueryBlock; q < q1; q++)
                SearchOne(distance, queryRows[q], referenceRows, k, neighbors.AsSpan(q * k, k), distances.AsSpan(q * k, k));
        });
        return (neighbors, distances);
    }

    private static void SearchOne<TDistance>(TDistance distance, int query, int[] referenceRows, int k, Span<int> rows, Span<double> dist)
        where TDistance : struct, IRowDistance
    {
        int count = 0;
        foreach (int r in referenceRows)
        {
            if (r == query)
                continue;
            double v = distance.Distance(query, r);
            // Full buffer: the candidate must beat the current k-th, by distance and then by the lower row index.
            if (count == k && (v > dist[k - 1] || (v == dist[k - 1] && r > rows[k - 1])))
                continue;
            int i = count == k ? k - 1 : count++;
            while (i > 0 && (dist[i - 1] > v || (dist[i - 1] == v && rows[i - 1] > r)))
            {
                dist[i] = dist[i - 1];
                rows[i] = rows[i - 1];
                i--;
            }
            dist[i] = v;
            rows[i] = r;
        }
    }
}
