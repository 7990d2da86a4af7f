using System.Runtime.InteropServices;
using System.Numerics;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Clustered conformal prediction (Ding, Angelopoulos, Bates, Jordan, Tibshirani, NeurIPS 2023).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><description>Each class's calibration rows are split at random: a fraction embeds and clusters the classes, the rest
/// computes the thresholds (so the cluster thresholds keep the exact split-conformal guarantee).</description></item>
/// <item><description>A class whose clustering rows number fewer than the minimum count (default: the least count with a finite
/// quantile) joins the null cluster. The others are embedded by the quantiles of their clustering scores at the embedding
/// levels (linear interpolation, as numpy) and clustered by k-means (k-means++ seeding, Lloyd iterations).</description></item>
/// <item><description>Each cluster's threshold is the conformal quantile of the thresholding rows of all its classes. The null
/// cluster gets, by <see cref="ConformalClassifierOptions.Fallback"/>: the quantile of its own classes' thresholding rows pooled
/// (<see cref="ConformalFallback.PooledQuantile"/>, the default, +infinity when too few), the marginal quantile of all
/// thresholding rows (<see cref="ConformalFallback.MarginalQuantile"/>, the paper's rule, which under-covers rare classes on
/// long-tailed data), or +infinity (<see cref="ConformalFallback.FullSet"/>).</description></item>
/// </list>
/// <para>Defaults follow the paper's heuristics: clustering fraction <c>K'/(75 + K')</c> with K' the classes with at least the
/// minimum count, and <c>floor(n_clustering / 2)</c> clusters where n_clustering is the median clustering rows of the clustered
/// classes (the paper assumes balanced classes and uses the common count). Unlike the paper, k-means is unweighted.</para>
/// </remarks>
internal static class ClusteredConformal
{
    public static (float[] Thresholds, int[] ClusterOfClass) Compute(float[] scores, int[] labels, int k, ConformalClassifierOptions options,
        BigInteger p, BigInteger q)
    {
        double alpha = options.Alpha;
        long minimum = options.MinimumClassCount ?? ConformalQuantile.MinimumCalibrationSize(alpha);
        var fallback = options.Fallback ?? ConformalFallback.PooledQuantile;
        var rng = new Random(options.Seed ?? 0);

        var rowsOfClass = new List<int>[k];
        for (int c = 0; c < k; c++) rowsOfClass[c] = [];
        for (int i = 0; i < labels.Length; i++)
            rowsOfClass[labels[i]].Add(i);
        int eligible = rowsOfClass.Count(r => r.Count >= minimum);
        double fraction = options.ClusteringFraction ?? (eligible == 0 ? 0.5 : eligible / (75.0 + eligible));

        // Split each class: the first floor(fraction * n_c) shuffled rows cluster, the rest threshold.
        var clusteringScores = new float[k][];
        var isThresholdRow = new bool[labels.Length];
        for (int c = 0; c < k; c++)
        {
            var rows = rowsOfClass[c].ToArray();
            rng.Shuffle(rows);
            int m = (int)Math.Floor(fraction * rows.Length);
            clusteringScores[c] = rows.Take(m).Select(i => scores[i]).ToArray();
            foreach (int i in rows.Skip(m))
                isThresholdRow[i] = true;
        }

        var clustered = Enumerable.Range(0, k).Where(c => clusteringScores[c].Length >= minimum).ToArray();
        var clusterOfClass = Enumerable.Repeat(-1, k).ToArray();
        int clusterCount = 0;
        if (clustered.Length > 0)
        {
            var counts = clustered.Select(c => clusteringScores[c].Length).OrderBy(n => n).ToArray();
            int medianCount = counts[counts.Length / 2];
            clusterCount = options.NumberOfClusters ?? Math.Max(1, medianCount / 2);
            clusterCount = Math.Clamp(clusterCount, 1, clustered.Length);
            var levels = options.EmbeddingQuantiles;
            int d = levels.Count;
            var embedding = new float[clustered.Length * d];
            for (int i = 0; i < clustered.Length; i++)
            {
                var sorted = clusteringScores[clustered[i]];
                Array.Sort(sorted);
                for (int j = 0; j < d; j++)
                    embedding[i * d + j] = LinearQuantile(sorted, levels[j]);
            }
            var result = KMeans.Fit(embedding, d, Enumerable.Range(0, clustered.Length).ToArray(), clusterCount, rng,
                KMeans.DefaultMaxIterations, maxDegreeOfParallelism: 1);
            for (int i = 0; i < clustered.Length; i++)
                clusterOfClass[clustered[i]] = result.Assignment[i];
        }

        // Thresholds from the thresholding rows: bucket = cluster, or -1 (null cluster).
        var bucket = new int[labels.Length];
        int thresholdRows = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            bucket[i] = isThresholdRow[i] ? clusterOfClass[labels[i]] : -1;
            if (isThresholdRow[i]) thresholdRows++;
        }
        var (clusterThresholds, _) = ConformalClassifier.PerBucket(scores, bucket, clusterCount, p, q, alpha, ConformalFallback.FullSet, 0);
        float nullThreshold = float.PositiveInfinity;
        if (fallback == ConformalFallback.MarginalQuantile)
        {
            var all = new float[thresholdRows];
            int next = 0;
            for (int i = 0; i < labels.Length; i++)
                if (isThresholdRow[i]) all[next++] = scores[i];
            nullThreshold = ConformalQuantile.Threshold(all, ConformalQuantile.QuantileIndex(all.Length, p, q));
        }
        else if (fallback == ConformalFallback.PooledQuantile)
        {
            // The null cluster as one more cluster: its classes' thresholding rows pooled (+infinity if too few).
            var pool = new List<float>();
            for (int i = 0; i < labels.Length; i++)
                if (isThresholdRow[i] && clusterOfClass[labels[i]] < 0) pool.Add(scores[i]);
            nullThreshold = ConformalQuantile.Threshold(CollectionsMarshal.AsSpan(pool), ConformalQuantile.QuantileIndex(pool.Count, p, q));
        }
        var thresholds = new float[k];
        for (int c = 0; c < k; c++)
            thresholds[c] = clusterOfClass[c] >= 0 ? clusterThresholds[clusterOfClass[c]] : nullThreshold;
        return (thresholds, clusterOfClass);
    }

    /// <summary>numpy's default (linear) quantile of sorted values.</summary>
    private static float LinearQuantile(float[] sorted, double level)
    {
        double position = level * (sorted.Length - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        double weight = position - lo;
        return (float)(sorted[lo] + (sorted[hi] - sorted[lo]) * weight);
    }
}
