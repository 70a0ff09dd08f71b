using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Clustering;

public class SphericalKMeansKernelTests
{
    [Theory]
    // Both panel widths: 512-bit where AVX-512 runs, 256-bit on AVX2-only processors (forced here so both are checked).
    [InlineData(1, 1, 1, true)]
    [InlineData(7, 5, 3, true)]
    [InlineData(101, 37, 13, true)]
    [InlineData(96, 16, 8, true)]
    [InlineData(50, 33, 100, true)]
    [InlineData(1, 1, 1, false)]
    [InlineData(101, 37, 13, false)]
    [InlineData(96, 16, 8, false)]
    [InlineData(50, 33, 100, false)]
    public void MatchesBruteForceArgMaxBitForBit(int rows, int clusters, int dimension, bool wide)
    {
        var points = new UnitPoints(SphericalKMeansTestData.RandomPoints(rows, dimension, seed: rows));
        var centroids = SphericalKMeansTestData.RandomPoints(clusters, dimension, seed: clusters + 1000).Normalized();
        var kernel = new NearestCentroidKernel(clusters, dimension, workers: 1, wide);
        kernel.Pack(centroids.Values);

        for (int start = 0; start < rows; start += NearestCentroidKernel.BlockPoints)
        {
            int count = Math.Min(NearestCentroidKernel.BlockPoints, rows - start);
            var cluster = new int[count];
            var score = new float[count];
            kernel.AssignBlock(0, points.Values, start, count, cluster, score);
            for (int r = 0; r < count; r++)
            {
                var (bestCluster, bestScore) = BruteForce(points.ReadRow(start + r), centroids);
                Assert.Equal(bestCluster, cluster[r]);
                Assert.Equal(bestScore, score[r]);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TiesGoToTheLowerCentroidIndex(bool wide)
    {
        // Centroids 3, 20 and 35 are the same vector (in different panels and lanes); a point equal to it must pick 3.
        const int d = 8, k = 40;
        var centroids = SphericalKMeansTestData.RandomPoints(k, d, seed: 5).Normalized();
        foreach (int c in new[] { 20, 35 }) centroids.ReadRow(3).CopyTo(centroids.Row(c));
        var source = new EmbeddingMatrix(1, d);
        centroids.ReadRow(3).CopyTo(source.Row(0));
        var points = new UnitPoints(source);
        var kernel = new NearestCentroidKernel(k, d, workers: 1, wide);
        kernel.Pack(centroids.Values);
        var cluster = new int[1];
        var score = new float[1];

        kernel.AssignBlock(0, points.Values, 0, 1, cluster, score);

        Assert.Equal(3, cluster[0]);
    }

    /// <summary>The kernel's arithmetic: one fused multiply-add chain per pair, dimensions ascending.</summary>
    private static (int Cluster, float Score) BruteForce(ReadOnlySpan<float> x, EmbeddingMatrix centroids)
    {
        int best = -1;
        float bestScore = float.NegativeInfinity;
        for (int c = 0; c < centroids.Rows; c++)
        {
            var row = centroids.ReadRow(c);
            float s = 0f;
            for (int j = 0; j < x.Length; j++) s = MathF.FusedMultiplyAdd(x[j], row[j], s);
            if (s > bestScore)
            {
                bestScore = s;
                best = c;
            }
        }
        return (best, bestScore);
    }
}
