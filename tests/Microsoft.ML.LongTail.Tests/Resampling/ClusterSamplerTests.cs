using Microsoft.ML.LongTail.Data;
using Microsoft.ML.LongTail.Resampling;

namespace Microsoft.ML.LongTail.Tests.Resampling;

public class ClusterSamplerTests
{
    private static double[] Mean(LabeledFeatures set, IEnumerable<int> rows)
    {
        var mean = new double[set.FeatureCount];
        int n = 0;
        foreach (int r in rows)
        {
            var x = set.GetRow(r);
            for (int j = 0; j < mean.Length; j++)
                mean[j] += x[j];
            n++;
        }
        return mean.Select(v => v / n).ToArray();
    }

    private static int Nearest(ReadOnlySpan<float> x, float[] centroids, int d)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < centroids.Length / d; c++)
        {
            double s = ResamplingData.SquaredDistance(x, centroids.AsSpan(c * d, d));
            if (s < bestDistance)
                (best, bestDistance) = (c, s);
        }
        return best;
    }

    [Fact]
    public void KMeansConvergesToCentresThatAreTheMeansOfTheirRows()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var rows = Enumerable.Range(0, set.RowCount).ToArray();
        var fit = KMeans.Fit(set.Features, 3, rows, 7, new Random(3), KMeans.DefaultMaxIterations, -1);
        Assert.True(fit.Converged);
        for (int c = 0; c < 7; c++)
        {
            var members = rows.Where(i => fit.Assignment[i] == c).ToArray();
            Assert.NotEmpty(members);
            var mean = Mean(set, members);
            for (int j = 0; j < 3; j++)
                Assert.Equal(mean[j], fit.Centroids[c * 3 + j], 4);
        }
        Assert.All(rows, i => Assert.Equal(fit.Assignment[i], Nearest(set.GetRow(i), fit.Centroids, 3)));
        var again = KMeans.Fit(set.Features, 3, rows, 7, new Random(3), KMeans.DefaultMaxIterations, 1);
        Assert.Equal(fit.Centroids, again.Centroids);
        Assert.Equal(fit.Assignment, again.Assignment);
    }

    [Fact]
    public void ClusterCentroidsReplacesEachSelectedClassWithCentresOfItsRows()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var result = new ClusterCentroids(new ClusterCentroidsOptions { Seed = 5 }).Resample(set);

        Assert.Equal([8, 8, 8], result.ClassCounts);
        var byClass = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == c).ToArray()).ToArray();
        // The minority keeps its rows, in input order, after the two classes of centres.
        Assert.Equal(byClass[2], result.SourceRows![16..]);
        for (int c = 0; c < 2; c++)
        {
            Assert.All(result.SourceRows[(c * 8)..(c * 8 + 8)], s => Assert.Equal(-1, s));
            // A fixed point of Lloyd: each centre is the mean of the class's rows nearest to it.
            var centres = result.Features.AsSpan(c * 8 * 3, 8 * 3).ToArray();
            var assigned = byClass[c].GroupBy(r => Nearest(set.GetRow(r), centres, 3)).ToDictionary(g => g.Key, g => g.ToArray());
            Assert.Equal(8, assigned.Count);
            foreach (var (centre, members) in assigned)
            {
                var mean = Mean(set, members);
                for (int j = 0; j < 3; j++)
                    Assert.Equal(mean[j], centres[centre * 3 + j], 4);
            }
        }
    }

    [Fact]
    public void HardVotingKeepsTheRealRowNearestToEachCentre()
    {
        var set = ResamplingData.Set(ResamplingData.Rows());
        var soft = new ClusterCentroids(new ClusterCentroidsOptions { Seed = 5, Voting = ClusterCentroidsVoting.Soft }).Resample(set);
        var hard = new ClusterCentroids(new ClusterCentroidsOptions { Seed = 5, Voting = ClusterCentroidsVoting.Hard }).Resample(set);

        Assert.Equal([8, 8, 8], hard.ClassCounts);
        Assert.All(hard.SourceRows!, s => Assert.True(s >= 0));
        for (int i = 0; i < 16; i++)
        {
            int c = hard.Labels[i];
            var classRows = Enumerable.Range(0, set.RowCount).Where(r => set.Labels[r] == c);
            var centre = soft.GetRow(i).ToArray();
            int nearest = classRows.OrderBy(r => ResamplingData.SquaredDistance(set.GetRow(r), centre)).ThenBy(r => r).First();
            Assert.Equal(nearest, hard.SourceRows![i]);
            Assert.Equal(set.GetRow(nearest).ToArray(), hard.GetRow(i).ToArray());
        }
    }

    [Fact]
    public void ClusterCentroidsIsReproducibleAndPassesColumnsThrough()
    {
        var rows = ResamplingData.Rows();
        var (ml, data) = ResamplingData.Keyed(rows);
        var a = ResamplingData.ReadOut(ml, ml.Data.ClusterCentroids(data, seed: 9));
        var b = ResamplingData.ReadOut(ml, ml.Data.ClusterCentroids(data, new ClusterCentroidsOptions { Seed = 9, MaxDegreeOfParallelism = 1 }));
        Assert.Equal(a.SelectMany(r => r.Features), b.SelectMany(r => r.Features));
        Assert.All(a[..16], r => Assert.True(r.Id == "" && double.IsNaN(r.Weight)));
        Assert.All(a[16..], r => Assert.StartsWith("r", r.Id));

        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ClusterCentroids(new ClusterCentroidsOptions { MaxIterations = 0 })).ParamName);
    }

    /// <summary>Three blobs, one per class, far apart: 60 "big", 25 "mid" and 8 "small" rows.</summary>
    private static ResamplingData.Row[] Blobs()
    {
        var rows = ResamplingData.Rows();
        foreach (var r in rows)
        {
            int c = Array.IndexOf(ResamplingData.Names, r.Label);
            r.A += 20 * c;
            r.B /= 5;
        }
        return rows;
    }

    [Fact]
    public void KMeansSmoteInterpolatesWithinTheClassAndTheCluster()
    {
        var set = ResamplingData.Set(Blobs());
        var options = new KMeansSmoteOptions { NumberOfClusters = 5, Seed = 3 };
        var result = new KMeansSmote(options).Resample(set);

        // Each class reaches the majority's 60, or a few more (one ceiling per cluster).
        Assert.Equal(60, result.ClassCounts[0]);
        Assert.InRange(result.ClassCounts[1], 60, 60 + 5);
        Assert.InRange(result.ClassCounts[2], 60, 60 + 5);
        Assert.Equal(set.Features, result.Features.AsSpan(0, set.Features.Length).ToArray());

        // The clustering is the first use of the seeded random source.
        var clusters = KMeans.Fit(set.Features, 3, Enumerable.Range(0, set.RowCount).ToArray(), 5, new Random(3), KMeans.DefaultMaxIterations, -1).Assignment;
        for (int i = set.RowCount; i < result.RowCount; i++)
        {
            Assert.Equal(-1, result.SourceRows![i]);
            int c = result.Labels[i];
            var s = result.GetRow(i);
            bool found = false;
            for (int a = 0; a < set.RowCount && !found; a++)
            {
                if (set.Labels[a] != c)
                    continue;
                for (int b = 0; b < set.RowCount && !found; b++)
                    found = b != a && set.Labels[b] == c && clusters[a] == clusters[b] && OnSegment(set.GetRow(a), set.GetRow(b), s);
            }
            Assert.True(found, $"Synthetic row {i} of class {c} is on no segment between two rows of its class and cluster.");
        }

        var again = new KMeansSmote(options).Resample(set);
        Assert.Equal(result.Features, again.Features);
    }

    private static bool OnSegment(ReadOnlySpan<float> x, ReadOnlySpan<float> n, ReadOnlySpan<float> s)
    {
        int j0 = 0;
        for (int j = 1; j < x.Length; j++)
        {
            if (Math.Abs(n[j] - x[j]) > Math.Abs(n[j0] - x[j0]))
                j0 = j;
        }
        double u = n[j0] == x[j0] ? 0 : (s[j0] - x[j0]) / ((double)n[j0] - x[j0]);
        if (u < -1e-6 || u > 1 + 1e-6)
            return false;
        for (int j = 0; j < x.Length; j++)
        {
            if (Math.Abs(s[j] - (x[j] + u * ((double)n[j] - x[j]))) > 1e-5 * (1 + Math.Abs(s[j])))
                return false;
        }
        return true;
    }

    [Fact]
    public void SparsityAndWeightsMatchImbalancedLearn()
    {
        // Fixtures/make_cluster_fixtures.py: KMeansSMOTE()._find_cluster_sparsity on these rows (imbalanced-learn 0.10).
        float[] x = [0, 0, 3, 4, 6, 0, 1, 1, 2, 5];
        int[] all = [0, 1, 2, 3, 4], first3 = [0, 1, 2];
        double auto = KMeansSmote.ClusterSparsity(x, 2, all, null);
        double auto3 = KMeansSmote.ClusterSparsity(x, 2, first3, null);
        Assert.Equal(1.7246826674367592, auto, 1e-12);
        Assert.Equal(1.811050622807775, KMeansSmote.ClusterSparsity(x, 2, all, 1.5), 1e-12);
        Assert.Equal(1.1459312973813491, auto3, 1e-12);
        var weights = KMeansSmote.Weights([auto, auto3]);
        Assert.Equal(0.6008062, weights[0], 1e-7);
        Assert.Equal(0.3991938, weights[1], 1e-7);
    }

    [Fact]
    public void KMeansSmoteFailsClearlyWhenNoClusterQualifies()
    {
        var set = ResamplingData.Set(Blobs());
        var none = Assert.Throws<InvalidOperationException>(() =>
            new KMeansSmote(new KMeansSmoteOptions { NumberOfClusters = 5, ClusterBalanceThreshold = 1.5 }).Resample(set));
        Assert.Contains("'mid'", none.Message);
        Assert.Contains("ClusterBalanceThreshold", none.Message);
        var tooMany = Assert.Throws<InvalidOperationException>(() => new KMeansSmote(new KMeansSmoteOptions { NumberOfClusters = 500 }).Resample(set));
        Assert.Contains("NumberOfClusters", tooMany.Message);
        Assert.Equal("DensityExponent", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new KMeansSmote(new KMeansSmoteOptions { DensityExponent = -1 })).ParamName);
    }
}
