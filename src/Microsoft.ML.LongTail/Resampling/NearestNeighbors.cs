using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Exact k-nearest-neighbour search under the Euclidean distance (squared, which orders the same), shared by every
/// neighbour-based sampler.
/// </summary>
/// <remarks>
/// <para>Brute force, vectorised across references: the reference rows are packed in groups of
/// <see cref="Vector{T}.Count"/>, feature-major within a group, so one query is compared with a whole group at once,
/// <c>acc += (q_j - r_j)^2</c> lane by lane. Each pair's distance is thus the plain sequential float sum over features
/// (no <c>|x|^2 + |y|^2 - 2xy</c> cancellation, nothing to re-check), and no horizontal sum is needed.</para>
/// <para>Workers take blocks of queries and sweep the references in cache-sized chunks, keeping a sorted top-k buffer per
/// query. Memory is O(references x features + queries x k): no distance matrix. Ties go to the lower row index, so the
/// result does not depend on the number of threads.</para>
/// </remarks>
internal static class NearestNeighbors
{
    private const int QueryBlock = 32;
    /// <summary>Lane groups per reference chunk: 32 x 8 rows x 20 features x 4 bytes = 20 KiB, inside L1/L2.</summary>
    private const int GroupChunk = 32;

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
        bool overlap = queryRows.Length > 0 && (ReferenceEquals(queryRows, referenceRows) || Overlaps(queryRows, referenceRows));
        int available = referenceRows.Length - (overlap ? 1 : 0);
        if (k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"Asked for {k} neighbours among {referenceRows.Length} reference rows" +
                (overlap ? " (one of them the query itself)" : "") + ".");

        int d = featureCount, lanes = Vector<float>.Count;
        int groups = (referenceRows.Length + lanes - 1) / lanes;
        var packed = PackTransposed(features, d, referenceRows, groups);
        // The row of each packed lane; padding lanes get int.MaxValue and NaN features, which never pass the filter.
        var laneRows = new int[groups * lanes];
        laneRows.AsSpan().Fill(int.MaxValue);
        referenceRows.CopyTo(laneRows, 0);
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
            var groupVectors = MemoryMarshal.Cast<float, Vector<float>>(packed.AsSpan());
            for (int g0 = 0; g0 < groups; g0 += GroupChunk)
            {
                int g1 = Math.Min(g0 + GroupChunk, groups);
                for (int q = q0; q < q1; q++)
                {
                    var query = features.AsSpan(queryRows[q] * d, d);
                    var dist = bestDist.Slice((q - q0) * k, k);
                    var rows = bestRow.Slice((q - q0) * k, k);
                    SweepGroups(query, groupVectors, laneRows, g0, g1, d, queryRows[q], dist, rows);
                }
            }
        });
        return (neighbors, distances);
    }

    private static void SweepGroups(ReadOnlySpan<float> query, ReadOnlySpan<Vector<float>> groupVectors, int[] laneRows,
        int g0, int g1, int d, int self, Span<float> dist, Span<int> rows)
    {
        int lanes = Vector<float>.Count, k = dist.Length;
        for (int g = g0; g < g1; g++)
        {
            var group = groupVectors.Slice(g * d, d);
            var acc = Vector<float>.Zero;
            for (int j = 0; j < d; j++)
            {
                var diff = new Vector<float>(query[j]) - group[j];
                acc += diff * diff;
            }
            // Lanes no farther than the current k-th: usually none once the buffer has filled.
            var pass = Vector.LessThanOrEqual(acc, new Vector<float>(dist[k - 1]));
            if (pass == Vector<int>.Zero)
                continue;
            for (int lane = 0; lane < lanes; lane++)
            {
                if (pass[lane] == 0)
                    continue;
                float dl = acc[lane];
                int row = laneRows[g * lanes + lane];
                // The full (distance, row) order decides ties; the buffer's worst may have changed within this group.
                if (row == self || dl > dist[k - 1] || (dl == dist[k - 1] && row > rows[k - 1]))
                    continue;
                Insert(dist, rows, dl, row);
            }
        }
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

    /// <summary>Packs the reference rows as groups of <see cref="Vector{T}.Count"/> rows, feature-major within a group.</summary>
    private static float[] PackTransposed(float[] features, int d, int[] rows, int groups)
    {
        int lanes = Vector<float>.Count;
        var packed = new float[(long)groups * d * lanes];
        packed.AsSpan(((groups - 1) * d) * lanes).Fill(float.NaN); // padding lanes of the last group
        for (int i = 0; i < rows.Length; i++)
        {
            int g = i / lanes, lane = i % lanes;
            var x = features.AsSpan(rows[i] * d, d);
            int baseIndex = g * d * lanes + lane;
            for (int j = 0; j < d; j++)
                packed[baseIndex + j * lanes] = x[j];
        }
        return packed;
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
