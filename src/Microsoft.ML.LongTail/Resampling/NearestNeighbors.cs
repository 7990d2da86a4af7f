using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Exact k-nearest-neighbour search under the Euclidean distance (squared, which orders the same), shared by every
/// neighbour-based sampler.
/// </summary>
/// <remarks>
/// <para>Brute force in two passes per pair. A fast filter computes <c>|r|^2 - 2 q.r</c> with fused multiply-adds, four
/// queries against a group of <see cref="Vector{T}.Count"/> references at a time (the references packed feature-major
/// per group, centred on their mean so the norms stay small), and lets through only the pairs that could beat the
/// query's current k-th neighbour, with a margin that bounds the float rounding of that formula. The few pairs that
/// pass get the exact distance, the plain sequential float sum of <c>(q_j - r_j)^2</c>, and only that distance decides
/// the result: the filter can only waste work, never change the answer.</para>
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

        var neighbors = new int[queryRows.Length * k];
        var distances = new float[queryRows.Length * k];
        if (queryRows.Length == 0)
            return (neighbors, distances);
        int d = featureCount, lanes = Vector<float>.Count;
        int groups = (referenceRows.Length + lanes - 1) / lanes;
        var mean = Mean(features, d, referenceRows);
        var (packed, adjustedNorms) = Pack(features, d, referenceRows, groups, mean);
        // The row of each packed lane; padding lanes get int.MaxValue and an infinite norm, which never passes the filter.
        var laneRows = new int[groups * lanes];
        laneRows.AsSpan().Fill(int.MaxValue);
        referenceRows.CopyTo(laneRows, 0);
        var reference = new PackedReferences(features, d, packed, adjustedNorms, laneRows, mean, groups);
        int blocks = (queryRows.Length + QueryBlock - 1) / QueryBlock;

        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, block =>
        {
            int q0 = block * QueryBlock, q1 = Math.Min(q0 + QueryBlock, queryRows.Length);
            SearchBlock(reference, queryRows, q0, q1, k, distances.AsSpan(q0 * k, (q1 - q0) * k), neighbors.AsSpan(q0 * k, (q1 - q0) * k));
        });
        return (neighbors, distances);
    }

    /// <summary>
    /// The relative bound used by the filter on the rounding error of <c>|q|^2 + |r|^2 - 2 q.r</c> and of the exact sum,
    /// both in float: a few units in the last place per feature, doubled for safety.
    /// </summary>
    private static float FilterMargin(int d) => (4f * d + 16f) * MathF.Pow(2f, -24);

    private sealed record PackedReferences(float[] Features, int D, float[] Packed, float[] AdjustedNorms, int[] LaneRows,
        float[] Mean, int Groups)
    {
        public float Margin { get; } = FilterMargin(D);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SearchBlock(PackedReferences reference, int[] queryRows, int q0, int q1, int k,
        Span<float> bestDist, Span<int> bestRow)
    {
        int d = reference.D, count = q1 - q0;
        bestDist.Fill(float.PositiveInfinity);
        bestRow.Fill(int.MaxValue);
        // The centred queries of the block, and per query the threshold the filter compares against.
        var centred = new float[count * d];
        var queryNorm = new float[count];
        var threshold = new float[count];
        for (int q = 0; q < count; q++)
        {
            var x = reference.Features.AsSpan(queryRows[q0 + q] * d, d);
            var c = centred.AsSpan(q * d, d);
            float norm = 0;
            for (int j = 0; j < d; j++)
            {
                c[j] = x[j] - reference.Mean[j];
                norm += c[j] * c[j];
            }
            queryNorm[q] = norm;
            threshold[q] = float.PositiveInfinity;
        }
        var context = new BlockContext(reference, queryRows, q0, k, centred, queryNorm, threshold, bestDist, bestRow);
        for (int g0 = 0; g0 < reference.Groups; g0 += GroupChunk)
        {
            int g1 = Math.Min(g0 + GroupChunk, reference.Groups);
            int q = 0;
            for (; q + 4 <= count; q += 4)
                SweepFour(ref context, q, g0, g1);
            for (; q < count; q++)
                SweepOne(ref context, q, g0, g1);
        }
    }

    private ref struct BlockContext(PackedReferences reference, int[] queryRows, int q0, int k, float[] centred,
        float[] queryNorm, float[] threshold, Span<float> bestDist, Span<int> bestRow)
    {
        public readonly PackedReferences Reference = reference;
        public readonly int[] QueryRows = queryRows;
        public readonly int Q0 = q0;
        public readonly int K = k;
        public readonly float[] Centred = centred;
        public readonly float[] QueryNorm = queryNorm;
        public readonly float[] Threshold = threshold;
        public Span<float> BestDist = bestDist;
        public Span<int> BestRow = bestRow;
    }

    /// <summary>Four queries against two groups at a time: each reference vector load serves four accumulators, each
    /// query broadcast two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SweepFour(ref BlockContext c, int q, int g0, int g1)
    {
        int d = c.Reference.D;
        var groupVectors = MemoryMarshal.Cast<float, Vector<float>>(c.Reference.Packed.AsSpan());
        var norms = MemoryMarshal.Cast<float, Vector<float>>(c.Reference.AdjustedNorms.AsSpan());
        var a = c.Centred.AsSpan(q * d, d);
        var b = c.Centred.AsSpan((q + 1) * d, d);
        var e = c.Centred.AsSpan((q + 2) * d, d);
        var f = c.Centred.AsSpan((q + 3) * d, d);
        int g = g0;
        for (; g + 2 <= g1; g += 2)
        {
            var group = groupVectors.Slice(g * d, d);
            var next = groupVectors.Slice((g + 1) * d, d);
            Vector<float> a0 = Vector<float>.Zero, b0 = Vector<float>.Zero, e0 = Vector<float>.Zero, f0 = Vector<float>.Zero;
            Vector<float> a1 = Vector<float>.Zero, b1 = Vector<float>.Zero, e1 = Vector<float>.Zero, f1 = Vector<float>.Zero;
            for (int j = 0; j < group.Length; j++)
            {
                var r0 = group[j];
                var r1 = next[j];
                var qa = new Vector<float>(a[j]);
                a0 = Vector.FusedMultiplyAdd(qa, r0, a0);
                a1 = Vector.FusedMultiplyAdd(qa, r1, a1);
                var qb = new Vector<float>(b[j]);
                b0 = Vector.FusedMultiplyAdd(qb, r0, b0);
                b1 = Vector.FusedMultiplyAdd(qb, r1, b1);
                var qe = new Vector<float>(e[j]);
                e0 = Vector.FusedMultiplyAdd(qe, r0, e0);
                e1 = Vector.FusedMultiplyAdd(qe, r1, e1);
                var qf = new Vector<float>(f[j]);
                f0 = Vector.FusedMultiplyAdd(qf, r0, f0);
                f1 = Vector.FusedMultiplyAdd(qf, r1, f1);
            }
            FilterFour(ref c, q, g, norms[g], a0, b0, e0, f0);
            FilterFour(ref c, q, g + 1, norms[g + 1], a1, b1, e1, f1);
        }
        for (; g < g1; g++)
        {
            var group = groupVectors.Slice(g * d, d);
            Vector<float> a0 = Vector<float>.Zero, b0 = Vector<float>.Zero, e0 = Vector<float>.Zero, f0 = Vector<float>.Zero;
            for (int j = 0; j < group.Length; j++)
            {
                var r0 = group[j];
                a0 = Vector.FusedMultiplyAdd(new Vector<float>(a[j]), r0, a0);
                b0 = Vector.FusedMultiplyAdd(new Vector<float>(b[j]), r0, b0);
                e0 = Vector.FusedMultiplyAdd(new Vector<float>(e[j]), r0, e0);
                f0 = Vector.FusedMultiplyAdd(new Vector<float>(f[j]), r0, f0);
            }
            FilterFour(ref c, q, g, norms[g], a0, b0, e0, f0);
        }
    }

    /// <summary>The filter value <c>|r|^2 (1 - margin) - 2 q.r</c> of four queries' dot products with one group, compared
    /// with each query's threshold; the lanes that pass go to the exact check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FilterFour(ref BlockContext c, int q, int g, Vector<float> norm,
        Vector<float> dot0, Vector<float> dot1, Vector<float> dot2, Vector<float> dot3)
    {
        var minusTwo = new Vector<float>(-2f);
        var pass0 = Vector.LessThanOrEqual(Vector.FusedMultiplyAdd(dot0, minusTwo, norm), new Vector<float>(c.Threshold[q]));
        var pass1 = Vector.LessThanOrEqual(Vector.FusedMultiplyAdd(dot1, minusTwo, norm), new Vector<float>(c.Threshold[q + 1]));
        var pass2 = Vector.LessThanOrEqual(Vector.FusedMultiplyAdd(dot2, minusTwo, norm), new Vector<float>(c.Threshold[q + 2]));
        var pass3 = Vector.LessThanOrEqual(Vector.FusedMultiplyAdd(dot3, minusTwo, norm), new Vector<float>(c.Threshold[q + 3]));
        if (((pass0 | pass1) | (pass2 | pass3)) == Vector<int>.Zero)
            return;
        if (pass0 != Vector<int>.Zero)
            Candidates(ref c, q, g, pass0);
        if (pass1 != Vector<int>.Zero)
            Candidates(ref c, q + 1, g, pass1);
        if (pass2 != Vector<int>.Zero)
            Candidates(ref c, q + 2, g, pass2);
        if (pass3 != Vector<int>.Zero)
            Candidates(ref c, q + 3, g, pass3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SweepOne(ref BlockContext c, int q, int g0, int g1)
    {
        int d = c.Reference.D;
        var groupVectors = MemoryMarshal.Cast<float, Vector<float>>(c.Reference.Packed.AsSpan());
        var norms = MemoryMarshal.Cast<float, Vector<float>>(c.Reference.AdjustedNorms.AsSpan());
        var a = c.Centred.AsSpan(q * d, d);
        var minusTwo = new Vector<float>(-2f);
        for (int g = g0; g < g1; g++)
        {
            var group = groupVectors.Slice(g * d, d);
            var acc = Vector<float>.Zero;
            for (int j = 0; j < group.Length; j++)
                acc = Vector.FusedMultiplyAdd(new Vector<float>(a[j]), group[j], acc);
            var pass = Vector.LessThanOrEqual(Vector.FusedMultiplyAdd(acc, minusTwo, norms[g]), new Vector<float>(c.Threshold[q]));
            if (pass != Vector<int>.Zero)
                Candidates(ref c, q, g, pass);
        }
    }

    /// <summary>The exact check of the lanes that passed the filter, and the insertion of those that are nearer.</summary>
    private static void Candidates(ref BlockContext c, int q, int g, Vector<int> pass)
    {
        int lanes = Vector<float>.Count, d = c.Reference.D, k = c.K;
        int self = c.QueryRows[c.Q0 + q];
        var query = c.Reference.Features.AsSpan(self * d, d);
        var dist = c.BestDist.Slice(q * k, k);
        var rows = c.BestRow.Slice(q * k, k);
        bool changed = false;
        for (int lane = 0; lane < lanes; lane++)
        {
            if (pass[lane] == 0)
                continue;
            int row = c.Reference.LaneRows[g * lanes + lane];
            if (row == self || row == int.MaxValue)
                continue;
            float exact = ExactSquaredDistance(query, c.Reference.Features.AsSpan(row * d, d));
            // The full (distance, row) order decides ties.
            if (exact > dist[k - 1] || (exact == dist[k - 1] && row > rows[k - 1]))
                continue;
            Insert(dist, rows, exact, row);
            changed = true;
        }
        if (changed && !float.IsPositiveInfinity(dist[k - 1]))
        {
            // Pass when |r|^2 (1 - m) - 2 q.r <= kth + m (kth + |q|^2) - |q|^2 (1 - m): with m bounding the relative
            // rounding of both formulas against |q|^2 + |r|^2 + kth, no pair nearer than the k-th is filtered out.
            float m = c.Reference.Margin, kth = dist[k - 1], qn = c.QueryNorm[q];
            c.Threshold[q] = kth + m * (kth + qn) - qn * (1 - m);
        }
    }

    /// <summary>The sequential float sum of squared differences: the distance every result is decided by.</summary>
    private static float ExactSquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0;
        for (int j = 0; j < x.Length; j++)
        {
            float diff = x[j] - y[j];
            sum += diff * diff;
        }
        return sum;
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

    private static float[] Mean(float[] features, int d, int[] rows)
    {
        var sum = new double[d];
        foreach (int row in rows)
        {
            var x = features.AsSpan(row * d, d);
            for (int j = 0; j < d; j++)
                sum[j] += x[j];
        }
        var mean = new float[d];
        for (int j = 0; j < d; j++)
            mean[j] = rows.Length == 0 ? 0 : (float)(sum[j] / rows.Length);
        return mean;
    }

    /// <summary>
    /// Packs the centred reference rows as groups of <see cref="Vector{T}.Count"/> rows, feature-major within a group,
    /// with each lane's <c>|r|^2 (1 - margin)</c>.
    /// </summary>
    private static (float[] Packed, float[] AdjustedNorms) Pack(float[] features, int d, int[] rows, int groups, float[] mean)
    {
        int lanes = Vector<float>.Count;
        float keep = 1 - FilterMargin(d);
        var packed = new float[(long)groups * d * lanes];
        var norms = new float[groups * lanes];
        norms.AsSpan(rows.Length).Fill(float.PositiveInfinity); // padding lanes never pass
        for (int i = 0; i < rows.Length; i++)
        {
            int g = i / lanes, lane = i % lanes;
            var x = features.AsSpan(rows[i] * d, d);
            int baseIndex = g * d * lanes + lane;
            float norm = 0;
            for (int j = 0; j < d; j++)
            {
                float v = x[j] - mean[j];
                packed[baseIndex + j * lanes] = v;
                norm += v * v;
            }
            norms[i] = norm * keep;
        }
        return (packed, norms);
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
