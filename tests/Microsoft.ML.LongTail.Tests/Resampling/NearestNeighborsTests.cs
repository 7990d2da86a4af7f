using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class NearestNeighborsTests
{
    private static int[] Naive(float[] x, int d, int query, int[] reference, int k) =>
        reference.Where(r => r != query)
            .Select(r => (Row: r, D: Enumerable.Range(0, d).Sum(j => ((double)x[query * d + j] - x[r * d + j]) * ((double)x[query * d + j] - x[r * d + j]))))
            .OrderBy(p => p.D).ThenBy(p => p.Row).Take(k).Select(p => p.Row).ToArray();

    [Theory]
    [InlineData(700, 3, 5)]
    [InlineData(600, 20, 7)]
    [InlineData(300, 33, 1)]
    public void MatchesNaiveSearchOnRandomData(int n, int d, int k)
    {
        var rnd = new Random(n + d);
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(rnd.NextDouble() * 2 - 1);
        // Queries partly inside, partly outside the reference set; the reference set is not sorted.
        var reference = Enumerable.Range(0, n).Where(i => i % 3 != 0).OrderBy(_ => rnd.Next()).ToArray();
        var queries = Enumerable.Range(0, n).Where(i => i % 2 == 0).ToArray();

        var (neighbors, distances) = NearestNeighbors.Search(x, d, queries, reference, k);
        foreach (int bits in new[] { 128, 256, 512 })
            Assert.Equal(neighbors, NearestNeighbors.Search(x, d, queries, reference, k, -1, null, bits).Neighbors);

        for (int q = 0; q < queries.Length; q++)
        {
            Assert.Equal(Naive(x, d, queries[q], reference, k), neighbors.AsSpan(q * k, k).ToArray());
            for (int j = 0; j < k; j++)
            {
                int r = neighbors[q * k + j];
                double exact = Enumerable.Range(0, d).Sum(f => ((double)x[queries[q] * d + f] - x[r * d + f]) * ((double)x[queries[q] * d + f] - x[r * d + f]));
                Assert.Equal(exact, distances[q * k + j], 1e-4);
            }
        }
    }

    [Fact]
    public void TiesGoToTheLowerRowAndDoNotDependOnThreads()
    {
        // Small integers: every distance is exact in float, so there are many exact ties.
        var rnd = new Random(5);
        int n = 500, d = 4, k = 6;
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = rnd.Next(3);
        var all = Enumerable.Range(0, n).ToArray();
        var reversed = all.Reverse().ToArray();

        var (parallel, _) = NearestNeighbors.Search(x, d, all, reversed, k);
        var (single, _) = NearestNeighbors.Search(x, d, all, all, k, maxDegreeOfParallelism: 1);

        Assert.Equal(single, parallel);
        for (int q = 0; q < n; q++)
            Assert.Equal(Naive(x, d, q, all, k), parallel.AsSpan(q * k, k).ToArray());
    }

    [Theory]
    [InlineData(1000f, 1f, 8)]      // far from the origin: the filter must not lose precision to large norms
    [InlineData(0f, 1e-3f, 150)]    // many features, tiny spread
    [InlineData(-50f, 30f, 2)]      // wide spread, few features
    public void FilterNeverChangesTheExactAnswer(float offset, float spread, int d)
    {
        var rnd = new Random(d);
        int n = 400, k = 5;
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = offset + spread * (float)(rnd.NextDouble() * 2 - 1);
        // Exact duplicates make exact ties at distance zero.
        Array.Copy(x, 0, x, 10 * d, 5 * d);
        var all = Enumerable.Range(0, n).ToArray();

        var (neighbors, distances) = NearestNeighbors.Search(x, d, all, all, k);

        for (int q = 0; q < n; q++)
        {
            // The reference: every distance as the engine's exact formula (sequential float sum), then (distance, row) order.
            var expected = all.Where(r => r != q)
                .Select(r => (Row: r, D: SequentialSquaredDistance(x, d, q, r)))
                .OrderBy(p => p.D).ThenBy(p => p.Row).Take(k).ToArray();
            Assert.Equal(expected.Select(p => p.Row), neighbors.AsSpan(q * k, k).ToArray());
            Assert.Equal(expected.Select(p => p.D), distances.AsSpan(q * k, k).ToArray());
        }
    }

    [Theory]
    [InlineData(1500, 1100, 20, 5, false)]  // queries a part of the references: some other references too
    [InlineData(1300, 1300, 6, 3, false)]   // queries are all the references
    [InlineData(1200, 1200, 3, 7, true)]    // small integers: many exact ties
    public void SymmetricSearchGivesTheSameAnswer(int n, int queryCount, int d, int k, bool integers)
    {
        var rnd = new Random(n + d);
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = integers ? rnd.Next(4) : (float)(rnd.NextDouble() * 2 - 1);
        var reference = Enumerable.Range(0, n).OrderBy(_ => rnd.Next()).ToArray();
        var queries = reference.OrderBy(_ => rnd.Next()).Take(queryCount).ToArray();

        var plain = NearestNeighbors.Search(x, d, queries, reference, k, -1, symmetric: false);
        var symmetric = NearestNeighbors.Search(x, d, queries, reference, k, -1, symmetric: true);
        var single = NearestNeighbors.Search(x, d, queries, reference, k, 1, symmetric: true);

        Assert.Equal(plain.Neighbors, symmetric.Neighbors);
        Assert.Equal(plain.SquaredDistances, symmetric.SquaredDistances);
        Assert.Equal(symmetric.Neighbors, single.Neighbors);
        // Every vector width, plain and symmetric, gives the same answer (the widths a processor lacks run in software).
        foreach (int bits in new[] { 128, 256, 512 })
        {
            foreach (bool on in new[] { false, true })
            {
                var other = NearestNeighbors.Search(x, d, queries, reference, k, -1, on, bits);
                Assert.Equal(plain.Neighbors, other.Neighbors);
                Assert.Equal(plain.SquaredDistances, other.SquaredDistances);
            }
        }
        for (int q = 0; q < queries.Length; q += 37)
            Assert.Equal(Naive(x, d, queries[q], reference, k), symmetric.Neighbors.AsSpan(q * k, k).ToArray());
    }

    [Fact]
    public void RepeatedQueriesFallBackToThePlainSearch()
    {
        var rnd = new Random(9);
        int n = 1100, d = 4, k = 3;
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)rnd.NextDouble();
        var reference = Enumerable.Range(0, n).ToArray();
        var queries = reference.Concat(reference.Take(50)).ToArray(); // rows 0..49 asked twice

        var (neighbors, _) = NearestNeighbors.Search(x, d, queries, reference, k, -1, symmetric: true);

        Assert.Equal(neighbors.AsSpan(0, 50 * k).ToArray(), neighbors.AsSpan(n * k, 50 * k).ToArray());
        Assert.Equal(Naive(x, d, 7, reference, k), neighbors.AsSpan(7 * k, k).ToArray());
    }

    private static float SequentialSquaredDistance(float[] x, int d, int a, int b)
    {
        float sum = 0;
        for (int j = 0; j < d; j++)
        {
            float diff = x[a * d + j] - x[b * d + j];
            sum += diff * diff;
        }
        return sum;
    }

    [Fact]
    public void RejectsMoreNeighboursThanReferences()
    {
        var x = new float[10];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbors.Search(x, 2, [0, 1], [0, 1, 2], 3));
        Assert.Contains("query itself", e.Message);
    }
}
