using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Exact k-nearest-neighbour search under the Euclidean distance (squared, which orders the same), shared by every
/// neighbour-based sampler.
/// </summary>
/// <remarks>
/// Brute force, blocked: the query and reference rows are first packed into contiguous arrays padded to a whole
/// number of <see cref="Vector{T}"/> lanes (so the distance loop has no scalar tail), then each worker takes a block
/// of queries and sweeps the references block by block, keeping a sorted top-k buffer per query. Memory is
/// O((queries + references) x features + queries x k): no distance matrix. Ties go to the lower row index, so the
/// result does not depend on the number of threads.
/// </remarks>
internal static class NearestNeighbors
{
    private const int QueryBlock = 32;
    private const int ReferenceBlock = 256;

    /// <summary>
    /// For each row of <paramref name="queryRows"/>, finds its <paramref name="k"/> nearest rows among
    /// <paramref name="referenceRows"/>, a query row never being its own neighbour.
    /// </summary>
    /// <param name="features">Row-major features of all rows.</param>
    /// <param name="featureCount">Features per row.</param>
    /// <param name="queryRows">The rows to find neighbours for (indices into <paramref name="features"/>).</param>
    /// <param name="referenceRows">The rows neighbours are taken from; no duplicates.</param>
    /// <param name="k">Neighbours per query.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; -1 for all.</param>
    /// <returns>Row-major <c>queryRows.Length x k</c> neighbour rows (indices into <paramref name="features"/>),
    /// nearest first, and their squared distances in the same layout.</returns>
    public static (int[] Neighbors, float[] SquaredDistances) Search(float[] features, int featureCount,
        int[] queryRows, int[] referenceRows, int k, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(queryRows);
        ArgumentNullException.ThrowIfNull(referenceRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        int available = referenceRows.Length - (queryRows.Length > 0 && Overlaps(queryRows, referenceRows) ? 1 : 0);
        if (k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"Asked for {k} neighbours among {referenceRows.Length} reference rows" +
                (available < referenceRows.Length ? " (one of them the query itself)" : "") + ".");

        int lanes = Vector<float>.Count;
        int stride = (featureCount + lanes - 1) / lanes * lanes;
        var queries = Pack(features, featureCount, queryRows, stride);
        var references = Pack(features, featureCount, referenceRows, stride);
        var neighbors = new int[queryRows.Length * k];
        var distances = new float[queryRows.Length * k];
        int blocks = (queryRows.Length + QueryBlock - 1) / QueryBlock;

        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, block =>
        {
            int q0 = block * QueryBlock, q1 = Math.Min(q0 + QueryBlock, queryRows.Length);
            var bestDist = distances.AsSpan(q0 * k, (q1 - q0) * k);
            var bestRow = neighbors.AsSpan(q0 * k, (q1 - q0) * k);
            bestDist.Fill(float.PositiveInfinity);
            bestRow.Fill(int.MaxValue);
            for (int r0 = 0; r0 < referenceRows.Length; r0 += ReferenceBlock)
            {
                int r1 = Math.Min(r0 + ReferenceBlock, referenceRows.Length);
                for (int q = q0; q < q1; q++)
                {
                    var query = MemoryMarshal.Cast<float, Vector<float>>(queries.AsSpan(q * stride, stride));
                    var dist = bestDist.Slice((q - q0) * k, k);
                    var rows = bestRow.Slice((q - q0) * k, k);
                    int self = queryRows[q];
                    for (int r = r0; r < r1; r++)
                    {
                        int row = referenceRows[r];
                        var reference = MemoryMarshal.Cast<float, Vector<float>>(references.AsSpan(r * stride, stride));
                        float d = SquaredDistance(query, reference);
                        // Cheap reject first; the full (distance, row) order decides ties.
                        if (d > dist[k - 1] || row == self || (d == dist[k - 1] && row > rows[k - 1]))
                            continue;
                        Insert(dist, rows, d, row);
                    }
                }
            }
        });
        return (neighbors, distances);
    }

    private static bool Overlaps(int[] queryRows, int[] referenceRows)
    {
        var set = new HashSet<int>(referenceRows);
        foreach (int q in queryRows)
        {
            if (set.Contains(q))
                return true;
        }
        return false;
    }

    private static float[] Pack(float[] features, int featureCount, int[] rows, int stride)
    {
        var packed = new float[(long)rows.Length * stride];
        for (int i = 0; i < rows.Length; i++)
            features.AsSpan(rows[i] * featureCount, featureCount).CopyTo(packed.AsSpan(i * stride, featureCount));
        return packed;
    }

    private static float SquaredDistance(ReadOnlySpan<Vector<float>> a, ReadOnlySpan<Vector<float>> b)
    {
        var acc = Vector<float>.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            var diff = a[i] - b[i];
            acc += diff * diff;
        }
        return Vector.Sum(acc);
    }

    /// <summary>Inserts into a buffer sorted by (distance, row), dropping the last entry.</summary>
    private static void Insert(Span<float> dist, Span<int> rows, float d, int row)
    {
        int i = dist.Length - 1;
        while (i > 0 && (dist[i - 1] > d || (dist[i - 1] == d && rows[i - 1] > row)))
        {
            dist[i] = dist[i - 1];
            rows[i] = rows[i - 1];
            i--;
        }
        dist[i] = d;
        rows[i] = row;
    }
}
