using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Exact k-nearest-neighbour search under the Euclidean distance (squared, which orders the same), shared by every
/// neighbour-based sampler.
/// </summary>
/// <remarks>
/// <para>Brute force in two passes per pair. A fast filter computes <c>r.r - 2 q.r</c> with fused multiply-adds, four
/// queries against two groups of references at a time. A group holds as many references as the widest vector the
/// processor accelerates (16, 8 or 4 floats); the references are packed feature-major per group and centred on their
/// mean, so the norms stay small. The filter lets through only the pairs that could beat the query's current k-th
/// neighbour, with a margin that bounds the float rounding of that formula. The few pairs that pass get the exact
/// distance, the plain sequential float sum of <c>(q_j - r_j)^2</c>, and only that distance decides the result: the
/// filter can only waste work, never change the answer.</para>
/// <para>Workers take blocks of queries and sweep the references in cache-sized chunks, keeping a sorted top-k buffer per
/// query. When many queries are themselves references (a class searched within itself), each pair of queries is
/// computed once and offered to both. Memory is O(references x features + queries x k): no distance matrix. Ties go to
/// the lower row index, so the result depends neither on the number of threads nor on the vector width.</para>
/// </remarks>
internal static class NearestNeighbors
{
    private const int QueryBlock = 32;
    /// <summary>References per chunk of the sweep: 256 rows x 20 features x 4 bytes = 20 KiB, inside L1/L2; also queries
    /// per tile of the symmetric search.</summary>
    private const int ChunkRows = 256;
    /// <summary>Queries from which the symmetric search pays off (measured with the bench's knn subcommand).</summary>
    private const int SymmetricMinimumQueries = 32_768;

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
        int[] queryRows, int[] referenceRows, int k, int maxDegreeOfParallelism = -1) =>
        Search(features, featureCount, queryRows, referenceRows, k, maxDegreeOfParallelism, symmetric: null);

    /// <summary>As the public overload; <paramref name="symmetric"/> forces the symmetric search on (where the queries are
    /// distinct reference rows) or off, <see langword="null"/> chooses by size; <paramref name="vectorBits"/> (512, 256 or
    /// 128) forces a vector width, 0 takes the widest the processor accelerates. The result is the same either way.</summary>
    internal static (int[] Neighbors, float[] SquaredDistances) Search(float[] features, int featureCount,
        int[] queryRows, int[] referenceRows, int k, int maxDegreeOfParallelism, bool? symmetric, int vectorBits = 0)
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
        int bits = vectorBits != 0 ? vectorBits
            : Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        var search = new SearchArguments(features, featureCount, queryRows, referenceRows, k,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, symmetric, neighbors, distances);
        switch (bits)
        {
            case 512:
                Kernel<Simd512, Vector512<float>>.Run(search);
                break;
            case 256:
                Kernel<Simd256, Vector256<float>>.Run(search);
                break;
            case 128:
                Kernel<Simd128, Vector128<float>>.Run(search);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(vectorBits), vectorBits, "The vector width must be 512, 256 or 128 bits.");
        }
        return (neighbors, distances);
    }

    private sealed record SearchArguments(float[] Features, int D, int[] QueryRows, int[] ReferenceRows, int K,
        ParallelOptions Parallel, bool? Symmetric, int[] Neighbors, float[] Distances);

    /// <summary>The few vector operations the kernel needs, for one vector width: the kernel is compiled once per width.</summary>
    private interface ISimd<TV> where TV : unmanaged
    {
        static abstract int Count { get; }
        static abstract TV Zero { get; }
        static abstract TV Broadcast(float value);
        static abstract TV Fma(TV a, TV b, TV c);
        /// <summary>Bit i set where lane i of <paramref name="a"/> is at most that of <paramref name="b"/>.</summary>
        static abstract uint LessOrEqual(TV a, TV b);
    }

    private readonly struct Simd512 : ISimd<Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;
        public static Vector512<float> Zero => Vector512<float>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint LessOrEqual(Vector512<float> a, Vector512<float> b) => (uint)Vector512.LessThanOrEqual(a, b).ExtractMostSignificantBits();
    }

    private readonly struct Simd256 : ISimd<Vector256<float>>
    {
        public static int Count => Vector256<float>.Count;
        public static Vector256<float> Zero => Vector256<float>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint LessOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b).ExtractMostSignificantBits();
    }

    private readonly struct Simd128 : ISimd<Vector128<float>>
    {
        public static int Count => Vector128<float>.Count;
        public static Vector128<float> Zero => Vector128<float>.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint LessOrEqual(Vector128<float> a, Vector128<float> b) => Vector128.LessThanOrEqual(a, b).ExtractMostSignificantBits();
    }

    /// <summary>The search itself, for one vector width <typeparamref name="TV"/>.</summary>
    private static class Kernel<TS, TV> where TS : ISimd<TV> where TV : unmanaged
    {
        /// <summary>Lane groups per reference chunk and per query tile.</summary>
        private static int GroupChunk => ChunkRows / TS.Count;

        private static int TileGroups => ChunkRows / TS.Count;

        public static void Run(SearchArguments a)
        {
            var mean = Mean(a.Features, a.D, a.ReferenceRows);
            // Symmetric pays off from about 30,000 queries (knn bench, 2 cores: slower at 10,000 and 20,000, faster at
            // 30,000 and 40,000), and only when the queries are a good part of the references.
            if ((a.Symmetric ?? a.QueryRows.Length >= SymmetricMinimumQueries && 4L * a.QueryRows.Length >= a.ReferenceRows.Length)
                && TrySplit(a.QueryRows, a.ReferenceRows, out var others))
            {
                SearchSymmetric(a.Features, a.D, a.QueryRows, others, a.K, mean, a.Parallel, a.Neighbors, a.Distances);
                return;
            }
            SearchAll(Pack(a.Features, a.D, a.ReferenceRows, mean), a.QueryRows, a.K, a.Parallel, a.Neighbors, a.Distances);
        }

        /// <summary>Every query against every packed reference, query blocks in parallel, into fresh top-k buffers.</summary>
        private static void SearchAll(PackedReferences reference, int[] queryRows, int k, ParallelOptions parallel,
            int[] neighbors, float[] distances)
        {
            int blocks = (queryRows.Length + QueryBlock - 1) / QueryBlock;
            Parallel.For(0, blocks, parallel, block =>
            {
                int q0 = block * QueryBlock, q1 = Math.Min(q0 + QueryBlock, queryRows.Length);
                SearchBlock(reference, queryRows, q0, q1, k, distances.AsSpan(q0 * k, (q1 - q0) * k), neighbors.AsSpan(q0 * k, (q1 - q0) * k));
            });
        }

        /// <summary>
        /// The search when the queries are themselves references: each pair of queries is computed once and offered to both
        /// (half the work of the query-query part), the queries against the other references as usual. Queries are cut in
        /// tiles; each pair of tiles is one work item with its own top-k buffers, merged into the shared ones under the tiles'
        /// locks. The merged result is the exact one: a pair is only ever filtered out against a k-th distance no smaller than
        /// the final one.
        /// </summary>
        private static void SearchSymmetric(float[] features, int d, int[] queryRows, int[] others, int k, float[] mean,
            ParallelOptions parallel, int[] neighbors, float[] distances)
        {
            // The queries against the references that are not queries: plain buffers, written by one worker each.
            if (others.Length > 0)
            {
                SearchAll(Pack(features, d, others, mean), queryRows, k, parallel, neighbors, distances);
            }
            else
            {
                distances.AsSpan().Fill(float.PositiveInfinity);
                neighbors.AsSpan().Fill(int.MaxValue);
            }

            var packedQueries = Pack(features, d, queryRows, mean);
            var centred = new float[queryRows.Length * d];
            var norms = new float[queryRows.Length];
            for (int q = 0; q < queryRows.Length; q++)
                norms[q] = Centre(features.AsSpan(queryRows[q] * d, d), mean, centred.AsSpan(q * d, d));
            int tileRows = TileGroups * TS.Count;
            int tiles = (queryRows.Length + tileRows - 1) / tileRows;
            var locks = new object[tiles];
            for (int t = 0; t < tiles; t++)
                locks[t] = new object();
            var pairs = new List<(int A, int B)>(tiles * (tiles + 1) / 2);
            for (int a = 0; a < tiles; a++)
            {
                for (int b = a; b < tiles; b++)
                    pairs.Add((a, b));
            }
            var shared = new SharedQueries(packedQueries, queryRows, centred, norms, k, tileRows, locks, neighbors, distances);
            Parallel.For(0, pairs.Count, parallel, i => TilePair(shared, pairs[i].A, pairs[i].B));
        }

        private sealed record SharedQueries(PackedReferences Packed, int[] QueryRows, float[] Centred, float[] Norms, int K,
            int TileRows, object[] Locks, int[] Neighbors, float[] Distances)
        {
            /// <summary>Each query's <c>|q|^2 (1 - margin)</c>: its filter value as a lane of the other tile.</summary>
            public float[] OwnNorms { get; } = Norms.Select(n => n * (1 - Packed.Margin)).ToArray();
        }

        /// <summary>The pairs between the queries of tile <paramref name="a"/> and those of tile <paramref name="b"/>
        /// (<c>a &lt;= b</c>), offered to both sides, then merged into the shared buffers.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TilePair(SharedQueries s, int a, int b)
        {
            int k = s.K, n = s.QueryRows.Length, lanes = TS.Count;
            int a0 = a * s.TileRows, a1 = Math.Min(a0 + s.TileRows, n);
            int b0 = b * s.TileRows, b1 = Math.Min(b0 + s.TileRows, n);
            float m = s.Packed.Margin;
            // Each side starts from the shared k-th distances, so the filter is tight from the first group on.
            var kthA = SharedKth(s, a, a0, a1);
            var kthB = a == b ? kthA : SharedKth(s, b, b0, b1);
            var distA = new float[(a1 - a0) * k];
            var rowsA = new int[(a1 - a0) * k];
            distA.AsSpan().Fill(float.PositiveInfinity);
            rowsA.AsSpan().Fill(int.MaxValue);
            var thresholdA = new float[a1 - a0];
            for (int i = 0; i < thresholdA.Length; i++)
                thresholdA[i] = Threshold(kthA[i], s.Norms[a0 + i], m);
            float[] distB = [], thresholdB = [];
            int[] rowsB = [];
            if (a != b)
            {
                distB = new float[(b1 - b0) * k];
                rowsB = new int[(b1 - b0) * k];
                distB.AsSpan().Fill(float.PositiveInfinity);
                rowsB.AsSpan().Fill(int.MaxValue);
                // One threshold per lane of tile b's groups; padding lanes never pass.
                thresholdB = new float[(b1 - b0 + lanes - 1) / lanes * lanes];
                thresholdB.AsSpan().Fill(float.NegativeInfinity);
                for (int t = 0; t < b1 - b0; t++)
                    thresholdB[t] = Threshold(kthB[t], s.Norms[b0 + t], m);
            }
            var filter = new TilePairFilter(s, a0, b0, a != b, kthA, kthB, distA, rowsA, thresholdA, distB, rowsB, thresholdB, s.OwnNorms);
            var groupVectors = MemoryMarshal.Cast<float, TV>(s.Packed.Packed.AsSpan());
            int g0 = b0 / lanes, g1 = (b1 + lanes - 1) / lanes, d = s.Packed.D;
            int q = a0;
            for (; q + 4 <= a1; q += 4)
                SweepFour(groupVectors, s.Centred, d, q, g0, g1, ref filter);
            for (; q < a1; q++)
                SweepOne(groupVectors, s.Centred, d, q, g0, g1, ref filter);
            Merge(s, a, a0, distA, rowsA);
            if (a != b)
                Merge(s, b, b0, distB, rowsB);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static float[] SharedKth(SharedQueries s, int tile, int q0, int q1)
        {
            var kth = new float[q1 - q0];
            lock (s.Locks[tile])
            {
                for (int q = q0; q < q1; q++)
                    kth[q - q0] = s.Distances[q * s.K + s.K - 1];
            }
            return kth;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Merge(SharedQueries s, int tile, int q0, float[] dist, int[] rows)
        {
            int k = s.K, count = dist.Length / k;
            lock (s.Locks[tile])
            {
                for (int q = 0; q < count; q++)
                {
                    var sharedDist = s.Distances.AsSpan((q0 + q) * k, k);
                    var sharedRows = s.Neighbors.AsSpan((q0 + q) * k, k);
                    for (int i = 0; i < k; i++)
                    {
                        float dl = dist[q * k + i];
                        int row = rows[q * k + i];
                        // Each pair is offered once overall, so a staged row is never already in the shared buffer.
                        if (row == int.MaxValue || dl > sharedDist[k - 1] || (dl == sharedDist[k - 1] && row > sharedRows[k - 1]))
                            break; // staged entries are sorted: the rest are no nearer
                        Insert(sharedDist, sharedRows, dl, row);
                    }
                }
            }
        }

        /// <summary>A pair of query tiles: the dot product of query <c>i</c> (tile a, broadcast) with query <c>j</c> (tile b,
        /// a lane) serves both <c>i</c>'s buffer and, unless the tiles are the same, <c>j</c>'s.</summary>
        private ref struct TilePairFilter : IGroupFilter
        {
            private readonly SharedQueries _s;
            private readonly int _a0, _b0, _firstGroupB;
            private readonly bool _both;
            private readonly float[] _kthA, _kthB, _distA, _distB, _thresholdA, _thresholdB, _ownNorm;
            private readonly int[] _rowsA, _rowsB;
            private readonly ReadOnlySpan<TV> _norms;
            private readonly ReadOnlySpan<TV> _lanesThreshold;

            public TilePairFilter(SharedQueries s, int a0, int b0, bool both, float[] kthA, float[] kthB, float[] distA, int[] rowsA,
                float[] thresholdA, float[] distB, int[] rowsB, float[] thresholdB, float[] ownNorm)
            {
                _s = s;
                _a0 = a0;
                _b0 = b0;
                _firstGroupB = b0 / TS.Count;
                _both = both;
                (_kthA, _kthB, _distA, _rowsA, _thresholdA, _distB, _rowsB, _thresholdB) = (kthA, kthB, distA, rowsA, thresholdA, distB, rowsB, thresholdB);
                _ownNorm = ownNorm;
                _norms = MemoryMarshal.Cast<float, TV>(s.Packed.AdjustedNorms.AsSpan());
                _lanesThreshold = MemoryMarshal.Cast<float, TV>(thresholdB.AsSpan());
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public readonly void Four(int q, int g, TV dot0, TV dot1, TV dot2, TV dot3)
            {
                var minusTwo = TS.Broadcast(-2f);
                var norm = _norms[g];
                int local = q - _a0;
                var pass0 = TS.LessOrEqual(TS.Fma(dot0, minusTwo, norm), TS.Broadcast(_thresholdA[local]));
                var pass1 = TS.LessOrEqual(TS.Fma(dot1, minusTwo, norm), TS.Broadcast(_thresholdA[local + 1]));
                var pass2 = TS.LessOrEqual(TS.Fma(dot2, minusTwo, norm), TS.Broadcast(_thresholdA[local + 2]));
                var pass3 = TS.LessOrEqual(TS.Fma(dot3, minusTwo, norm), TS.Broadcast(_thresholdA[local + 3]));
                var any = (pass0 | pass1) | (pass2 | pass3);
                uint side0 = 0, side1 = 0, side2 = 0, side3 = 0;
                if (_both)
                {
                    // Query i seen from the lanes: |q_i|^2 (1 - m) - 2 q_i.q_j against each lane's threshold.
                    var thresholds = _lanesThreshold[g - _firstGroupB];
                    side0 = TS.LessOrEqual(TS.Fma(dot0, minusTwo, TS.Broadcast(_ownNorm[q])), thresholds);
                    side1 = TS.LessOrEqual(TS.Fma(dot1, minusTwo, TS.Broadcast(_ownNorm[q + 1])), thresholds);
                    side2 = TS.LessOrEqual(TS.Fma(dot2, minusTwo, TS.Broadcast(_ownNorm[q + 2])), thresholds);
                    side3 = TS.LessOrEqual(TS.Fma(dot3, minusTwo, TS.Broadcast(_ownNorm[q + 3])), thresholds);
                    any |= (side0 | side1) | (side2 | side3);
                }
                if (any == 0u)
                    return;
                Dispatch(q, g, pass0, side0);
                Dispatch(q + 1, g, pass1, side1);
                Dispatch(q + 2, g, pass2, side2);
                Dispatch(q + 3, g, pass3, side3);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public readonly void One(int q, int g, TV dot)
            {
                var minusTwo = TS.Broadcast(-2f);
                var pass = TS.LessOrEqual(TS.Fma(dot, minusTwo, _norms[g]), TS.Broadcast(_thresholdA[q - _a0]));
                var side = _both
                    ? TS.LessOrEqual(TS.Fma(dot, minusTwo, TS.Broadcast(_ownNorm[q])), _lanesThreshold[g - _firstGroupB])
                    : 0u;
                Dispatch(q, g, pass, side);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private readonly void Dispatch(int q, int g, uint pass, uint side)
            {
                if (pass != 0u)
                    OfferA(q, g, pass);
                if (side != 0u)
                    OfferB(q, g, side);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private readonly void OfferA(int q, int g, uint pass)
            {
                int k = _s.K, local = q - _a0;
                var dist = _distA.AsSpan(local * k, k);
                if (Offer(_s.Packed, _s.QueryRows[q], g, pass, dist, _rowsA.AsSpan(local * k, k)))
                    _thresholdA[local] = Threshold(Math.Min(dist[k - 1], _kthA[local]), _s.Norms[q], _s.Packed.Margin);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private readonly void OfferB(int q, int g, uint pass)
            {
                int k = _s.K, lanes = TS.Count, d = _s.Packed.D;
                int self = _s.QueryRows[q];
                var query = _s.Packed.Features.AsSpan(self * d, d);
                for (int lane = 0; lane < lanes; lane++)
                {
                    if ((pass & (1u << lane)) == 0)
                        continue;
                    int local = (g * lanes + lane) - _b0;
                    var dist = _distB.AsSpan(local * k, k);
                    var rows = _rowsB.AsSpan(local * k, k);
                    int other = _s.QueryRows[_b0 + local];
                    float exact = ExactSquaredDistance(_s.Packed.Features.AsSpan(other * d, d), query);
                    if (exact > dist[k - 1] || (exact == dist[k - 1] && self > rows[k - 1]))
                        continue;
                    Insert(dist, rows, exact, self);
                    _thresholdB[local] = Threshold(Math.Min(dist[k - 1], _kthB[local]), _s.Norms[_b0 + local], _s.Packed.Margin);
                }
            }
        }

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
                queryNorm[q] = Centre(reference.Features.AsSpan(queryRows[q0 + q] * d, d), reference.Mean, centred.AsSpan(q * d, d));
                threshold[q] = float.PositiveInfinity;
            }
            var filter = new BlockFilter(reference, queryRows, q0, k, queryNorm, threshold, bestDist, bestRow);
            var groupVectors = MemoryMarshal.Cast<float, TV>(reference.Packed.AsSpan());
            for (int g0 = 0; g0 < reference.Groups; g0 += GroupChunk)
            {
                int g1 = Math.Min(g0 + GroupChunk, reference.Groups);
                int q = 0;
                for (; q + 4 <= count; q += 4)
                    SweepFour(groupVectors, centred, d, q, g0, g1, ref filter);
                for (; q < count; q++)
                    SweepOne(groupVectors, centred, d, q, g0, g1, ref filter);
            }
        }

        /// <summary>What the sweep does with the dot products of queries with a group of packed references.</summary>
        private interface IGroupFilter
        {
            /// <summary>Dot products of queries <c>q..q+3</c> with group <c>g</c>.</summary>
            void Four(int q, int g, TV dot0, TV dot1, TV dot2, TV dot3);

            /// <summary>Dot products of query <c>q</c> with group <c>g</c>.</summary>
            void One(int q, int g, TV dot);
        }

        /// <summary>Four queries against two groups at a time: each reference vector load serves four accumulators, each
        /// query broadcast two.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void SweepFour<TFilter>(ReadOnlySpan<TV> groupVectors, float[] centred, int d, int q, int g0, int g1,
            ref TFilter filter) where TFilter : IGroupFilter, allows ref struct
        {
            var a = centred.AsSpan(q * d, d);
            var b = centred.AsSpan((q + 1) * d, d);
            var e = centred.AsSpan((q + 2) * d, d);
            var f = centred.AsSpan((q + 3) * d, d);
            int g = g0;
            for (; g + 2 <= g1; g += 2)
            {
                var group = groupVectors.Slice(g * d, d);
                var next = groupVectors.Slice((g + 1) * d, d);
                TV a0 = TS.Zero, b0 = TS.Zero, e0 = TS.Zero, f0 = TS.Zero;
                TV a1 = TS.Zero, b1 = TS.Zero, e1 = TS.Zero, f1 = TS.Zero;
                for (int j = 0; j < group.Length; j++)
                {
                    var r0 = group[j];
                    var r1 = next[j];
                    var qa = TS.Broadcast(a[j]);
                    a0 = TS.Fma(qa, r0, a0);
                    a1 = TS.Fma(qa, r1, a1);
                    var qb = TS.Broadcast(b[j]);
                    b0 = TS.Fma(qb, r0, b0);
                    b1 = TS.Fma(qb, r1, b1);
                    var qe = TS.Broadcast(e[j]);
                    e0 = TS.Fma(qe, r0, e0);
                    e1 = TS.Fma(qe, r1, e1);
                    var qf = TS.Broadcast(f[j]);
                    f0 = TS.Fma(qf, r0, f0);
                    f1 = TS.Fma(qf, r1, f1);
                }
                filter.Four(q, g, a0, b0, e0, f0);
                filter.Four(q, g + 1, a1, b1, e1, f1);
            }
            for (; g < g1; g++)
            {
                var group = groupVectors.Slice(g * d, d);
                TV a0 = TS.Zero, b0 = TS.Zero, e0 = TS.Zero, f0 = TS.Zero;
                for (int j = 0; j < group.Length; j++)
                {
                    var r0 = group[j];
                    a0 = TS.Fma(TS.Broadcast(a[j]), r0, a0);
                    b0 = TS.Fma(TS.Broadcast(b[j]), r0, b0);
                    e0 = TS.Fma(TS.Broadcast(e[j]), r0, e0);
                    f0 = TS.Fma(TS.Broadcast(f[j]), r0, f0);
                }
                filter.Four(q, g, a0, b0, e0, f0);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void SweepOne<TFilter>(ReadOnlySpan<TV> groupVectors, float[] centred, int d, int q, int g0, int g1,
            ref TFilter filter) where TFilter : IGroupFilter, allows ref struct
        {
            var a = centred.AsSpan(q * d, d);
            for (int g = g0; g < g1; g++)
            {
                var group = groupVectors.Slice(g * d, d);
                var acc = TS.Zero;
                for (int j = 0; j < group.Length; j++)
                    acc = TS.Fma(TS.Broadcast(a[j]), group[j], acc);
                filter.One(q, g, acc);
            }
        }

        /// <summary>A block of queries against all references: each query's own top-k buffer.</summary>
        private ref struct BlockFilter(PackedReferences reference, int[] queryRows, int q0, int k, float[] queryNorm,
            float[] threshold, Span<float> bestDist, Span<int> bestRow) : IGroupFilter
        {
            private readonly PackedReferences _reference = reference;
            private readonly Span<float> _bestDist = bestDist;
            private readonly Span<int> _bestRow = bestRow;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Four(int q, int g, TV dot0, TV dot1, TV dot2, TV dot3)
            {
                var norm = MemoryMarshal.Cast<float, TV>(_reference.AdjustedNorms.AsSpan())[g];
                var minusTwo = TS.Broadcast(-2f);
                var pass0 = TS.LessOrEqual(TS.Fma(dot0, minusTwo, norm), TS.Broadcast(threshold[q]));
                var pass1 = TS.LessOrEqual(TS.Fma(dot1, minusTwo, norm), TS.Broadcast(threshold[q + 1]));
                var pass2 = TS.LessOrEqual(TS.Fma(dot2, minusTwo, norm), TS.Broadcast(threshold[q + 2]));
                var pass3 = TS.LessOrEqual(TS.Fma(dot3, minusTwo, norm), TS.Broadcast(threshold[q + 3]));
                if (((pass0 | pass1) | (pass2 | pass3)) == 0u)
                    return;
                if (pass0 != 0u)
                    Candidates(q, g, pass0);
                if (pass1 != 0u)
                    Candidates(q + 1, g, pass1);
                if (pass2 != 0u)
                    Candidates(q + 2, g, pass2);
                if (pass3 != 0u)
                    Candidates(q + 3, g, pass3);
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void One(int q, int g, TV dot)
            {
                var norm = MemoryMarshal.Cast<float, TV>(_reference.AdjustedNorms.AsSpan())[g];
                var pass = TS.LessOrEqual(TS.Fma(dot, TS.Broadcast(-2f), norm), TS.Broadcast(threshold[q]));
                if (pass != 0u)
                    Candidates(q, g, pass);
            }

            /// <summary>The exact check of the lanes that passed the filter, and the insertion of those that are nearer.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private readonly void Candidates(int q, int g, uint pass)
            {
                int self = queryRows[q0 + q];
                if (Offer(_reference, self, g, pass, _bestDist.Slice(q * k, k), _bestRow.Slice(q * k, k)))
                    threshold[q] = Threshold(_bestDist[q * k + k - 1], queryNorm[q], _reference.Margin);
            }
        }

        /// <summary>
        /// Offers the lanes of group <paramref name="g"/> that passed the filter to the top-k buffer of row
        /// <paramref name="self"/>: each gets its exact distance and goes in if nearer in (distance, row) order.
        /// </summary>
        /// <returns>Whether the buffer changed.</returns>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool Offer(PackedReferences reference, int self, int g, uint pass, Span<float> dist, Span<int> rows)
        {
            int lanes = TS.Count, d = reference.D, k = dist.Length;
            var query = reference.Features.AsSpan(self * d, d);
            bool changed = false;
            for (int lane = 0; lane < lanes; lane++)
            {
                if ((pass & (1u << lane)) == 0)
                    continue;
                int row = reference.LaneRows[g * lanes + lane];
                if (row == self || row == int.MaxValue)
                    continue;
                float exact = ExactSquaredDistance(query, reference.Features.AsSpan(row * d, d));
                // The full (distance, row) order decides ties.
                if (exact > dist[k - 1] || (exact == dist[k - 1] && row > rows[k - 1]))
                    continue;
                Insert(dist, rows, exact, row);
                changed = true;
            }
            return changed;
        }

        /// <summary>
        /// Packs the centred reference rows as groups of one vector's worth of rows, feature-major within a group,
        /// with each lane's <c>|r|^2 (1 - margin)</c> and row. Padding lanes get zero features, an infinite norm (they never
        /// pass the filter) and the row <see cref="int.MaxValue"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static PackedReferences Pack(float[] features, int d, int[] rows, float[] mean)
        {
            int lanes = TS.Count;
            int groups = (rows.Length + lanes - 1) / lanes;
            float keep = 1 - FilterMargin(d);
            var packed = new float[(long)groups * d * lanes];
            var norms = new float[groups * lanes];
            norms.AsSpan(rows.Length).Fill(float.PositiveInfinity);
            var laneRows = new int[groups * lanes];
            laneRows.AsSpan().Fill(int.MaxValue);
            rows.CopyTo(laneRows, 0);
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
            return new PackedReferences(features, d, packed, norms, laneRows, mean, groups);
        }
    }

    /// <summary>
    /// Splits the references into the queries and the others when the queries are distinct reference rows (as when a
    /// sampler searches a class within itself); false otherwise.
    /// </summary>
    private static bool TrySplit(int[] queryRows, int[] referenceRows, out int[] others)
    {
        others = [];
        var queries = new HashSet<int>(queryRows.Length);
        foreach (int q in queryRows)
        {
            if (!queries.Add(q))
                return false;
        }
        var rest = new List<int>(Math.Max(0, referenceRows.Length - queryRows.Length));
        int found = 0;
        foreach (int r in referenceRows)
        {
            if (queries.Contains(r))
                found++;
            else
                rest.Add(r);
        }
        if (found != queryRows.Length)
            return false;
        others = rest.ToArray();
        return true;
    }

    /// <summary>
    /// The relative bound used by the filter on the rounding error of <c>|q|^2 + |r|^2 - 2 q.r</c> and of the exact sum,
    /// both in float: a few units in the last place per feature, doubled for safety.
    /// </summary>
    private static float FilterMargin(int d) => (4f * d + 16f) * MathF.Pow(2f, -24);

    /// <summary>Writes <c>x - mean</c> into <paramref name="centred"/> and returns its squared norm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Centre(ReadOnlySpan<float> x, float[] mean, Span<float> centred)
    {
        float norm = 0;
        for (int j = 0; j < centred.Length; j++)
        {
            centred[j] = x[j] - mean[j];
            norm += centred[j] * centred[j];
        }
        return norm;
    }

    /// <summary>
    /// The filter threshold of a query: a pair passes when <c>|r|^2 (1 - m) - 2 q.r &lt;= kth + m (kth + |q|^2) - |q|^2 (1 - m)</c>.
    /// With <c>m</c> bounding the relative rounding of both formulas against <c>|q|^2 + |r|^2 + kth</c>, no pair nearer than
    /// the k-th is filtered out. Any <paramref name="kth"/> no smaller than the final k-th distance is safe.
    /// </summary>
    private static float Threshold(float kth, float queryNorm, float m) =>
        float.IsPositiveInfinity(kth) ? float.PositiveInfinity : kth + m * (kth + queryNorm) - queryNorm * (1 - m);

    /// <summary>The sequential float sum of squared differences: the distance every result is decided by.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>Inserts into a buffer sorted by (distance, row), dropping the last entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
