namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// A small deterministic k-means for the cluster-based samplers: k-means++ seeding (one candidate per centre) from the
/// sampler's seeded random source, then Lloyd iterations until no row changes cluster, at most
/// <see cref="DefaultMaxIterations"/> by default.
/// </summary>
/// <remarks>
/// <para>The assignment step is the exact nearest-neighbour engine (<see cref="NearestNeighbors"/>, parallel, ties to
/// the lower cluster index) on float32 squared distances; the update step sums in double precision in row order and
/// stores each centre as float. Convergence is exact: the loop stops when an assignment step moves no row, at which
/// point every centre is the mean of its rows and every row is assigned to its nearest centre (no tolerance on the
/// centre shift, unlike scikit-learn's <c>tol</c>).</para>
/// <para>A cluster left empty by an assignment step takes the row farthest from its centre (as scikit-learn's
/// relocation), the next empty one the next farthest, and so on. The result does not depend on the number of threads.</para>
/// </remarks>
internal static class KMeans
{
    /// <summary>scikit-learn's default <c>max_iter</c>.</summary>
    public const int DefaultMaxIterations = 300;

    /// <summary>The result of <see cref="Fit"/>.</summary>
    /// <param name="Centroids">Row-major <c>k x d</c> centres.</param>
    /// <param name="Assignment">The cluster of each row (in the order of the rows given to <see cref="Fit"/>).</param>
    /// <param name="Iterations">Lloyd iterations run (assignment steps).</param>
    /// <param name="Converged">Whether the last assignment step moved no row.</param>
    public readonly record struct Result(float[] Centroids, int[] Assignment, int Iterations, bool Converged);

    /// <summary>Clusters rows <paramref name="rows"/> of <paramref name="features"/> into <paramref name="k"/> clusters.</summary>
    /// <param name="features">Row-major features of all rows.</param>
    /// <param name="d">Features per row.</param>
    /// <param name="rows">The rows to cluster; at least <paramref name="k"/>.</param>
    /// <param name="k">The number of clusters.</param>
    /// <param name="rng">The random source of the seeding.</param>
    /// <param name="maxIterations">The most Lloyd iterations.</param>
    /// <param name="maxDegreeOfParallelism">Threads; -1 for all.</param>
    public static Result Fit(float[] features, int d, int[] rows, int k, Random rng, int maxIterations, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, rows.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        int m = rows.Length;
        // One buffer with the rows first and the centres after them, so the neighbour engine can search it.
        var buffer = new float[checked((m + k) * d)];
        for (int i = 0; i < m; i++)
            features.AsSpan(rows[i] * d, d).CopyTo(buffer.AsSpan(i * d, d));
        var dataRows = Enumerable.Range(0, m).ToArray();
        var centreRows = Enumerable.Range(m, k).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };

        Seed(buffer, d, m, k, rng, parallel);

        var assignment = new int[m];
        Array.Fill(assignment, -1);
        var sums = new double[k * d];
        var counts = new int[k];
        int iterations = 0;
        bool converged = false;
        while (iterations < maxIterations)
        {
            iterations++;
            var (nearest, distances) = NearestNeighbors.Search(buffer, d, dataRows, centreRows, 1, maxDegreeOfParallelism);
            bool changed = false;
            for (int i = 0; i < m; i++)
            {
                int c = nearest[i] - m;
                changed |= c != assignment[i];
                assignment[i] = c;
            }
            if (!changed)
            {
                converged = true;
                break;
            }
            Array.Clear(counts);
            foreach (int c in assignment)
                counts[c]++;
            if (counts.Contains(0))
                Relocate(assignment, distances, counts);
            Array.Clear(sums);
            for (int i = 0; i < m; i++)
            {
                var row = buffer.AsSpan(i * d, d);
                var sum = sums.AsSpan(assignment[i] * d, d);
                for (int j = 0; j < d; j++)
                    sum[j] += row[j];
            }
            for (int c = 0; c < k; c++)
            {
                var centre = buffer.AsSpan((m + c) * d, d);
                for (int j = 0; j < d; j++)
                    centre[j] = (float)(sums[c * d + j] / counts[c]);
            }
        }
        return new Result(buffer.AsSpan(m * d).ToArray(), assignment, iterations, converged);
    }

    /// <summary>Gives each empty cluster the row farthest from its centre, farthest first, among rows whose cluster keeps
    /// at least one other row.</summary>
    private static void Relocate(int[] assignment, float[] distances, int[] counts)
    {
        var order = Enumerable.Range(0, assignment.Length).ToArray();
        // Farthest first, ties to the lower row: a stable, thread-independent order.
        Array.Sort(order, (a, b) => distances[a] != distances[b] ? distances[b].CompareTo(distances[a]) : a.CompareTo(b));
        int next = 0;
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] != 0)
                continue;
            while (counts[assignment[order[next]]] <= 1)
                next++;
            int row = order[next++];
            counts[assignment[row]]--;
            assignment[row] = c;
            counts[c] = 1;
        }
    }

    /// <summary>k-means++: the first centre a uniform row, each next one a row drawn with probability proportional to its
    /// squared distance to the nearest centre so far (uniform when every row sits on a centre).</summary>
    private static void Seed(float[] buffer, int d, int m, int k, Random rng, ParallelOptions parallel)
    {
        var closest = new double[m];
        Array.Fill(closest, double.PositiveInfinity);
        int chosen = rng.Next(m);
        for (int c = 0; ; c++)
        {
            buffer.AsSpan(chosen * d, d).CopyTo(buffer.AsSpan((m + c) * d, d));
            if (c == k - 1)
                return;
            int centre = m + c;
            Parallel.For(0, (m + 1023) / 1024, parallel, chunk =>
            {
                var q = buffer.AsSpan(centre * d, d);
                for (int i = chunk * 1024, end = Math.Min(m, i + 1024); i < end; i++)
                {
                    double s = 0;
                    var row = buffer.AsSpan(i * d, d);
                    for (int j = 0; j < d; j++)
                    {
                        double diff = (double)row[j] - q[j];
                        s += diff * diff;
                    }
                    if (s < closest[i])
                        closest[i] = s;
                }
            });
            double total = 0;
            foreach (double s in closest)
                total += s;
            if (!(total > 0))
            {
                chosen = rng.Next(m);
                continue;
            }
            double r = rng.NextDouble() * total, cumulative = 0;
            chosen = -1;
            for (int i = 0; i < m; i++)
            {
                if (closest[i] <= 0)
                    continue;
                chosen = i;
                cumulative += closest[i];
                if (cumulative > r)
                    break;
            }
        }
    }
}
