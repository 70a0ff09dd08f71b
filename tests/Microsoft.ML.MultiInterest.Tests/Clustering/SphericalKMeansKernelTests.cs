using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Clustering;

public class SphericalKMeansKernelTests
{
    [Theory]
    // Both panel widths: 512-bit where AVX-512 runs, 256-bit on AVX2-only processors (forced here so both are checked).
    [InlineData(1, 1, 1, true)]
    [InlineData(7, 5, 3, true)]
    [InlineData(50, 70, 100, true)]
    [InlineData(101, 37, 13, true)]
    [InlineData(96, 16, 8, true)]
    [InlineData(50, 33, 100, true)]
    [InlineData(1, 1, 1, false)]
    [InlineData(101, 37, 13, false)]
    [InlineData(50, 70, 100, false)]
    [InlineData(96, 16, 8, false)]
    [InlineData(50, 33, 100, false)]
    public void MatchesBruteForceArgMaxAndRunnerUpBitForBit(int rows, int clusters, int dimension, bool wide)
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
            var runnerUp = new float[count];
            kernel.AssignBlock(0, points.Values, start, count, cluster, score, runnerUp);
            for (int r = 0; r < count; r++)
            {
                var (bestCluster, bestScore, secondScore) = BruteForce(points.ReadRow(start + r), centroids);
                Assert.Equal(bestCluster, cluster[r]);
                Assert.Equal(bestScore, score[r]);
                Assert.Equal(secondScore, runnerUp[r]);
            }
        }
    }

    [Theory]
    [InlineData(37, 150, 24, 1, true)]
    [InlineData(48, 150, 24, 2, true)]
    [InlineData(37, 150, 24, 1, false)]
    [InlineData(48, 150, 24, 3, false)]
    public void ChosenGroupsAreScoredAndNoOthers(int count, int clusters, int dimension, int panelsPerGroup, bool wide)
    {
        var points = new UnitPoints(SphericalKMeansTestData.RandomPoints(count, dimension, seed: 40));
        var centroids = SphericalKMeansTestData.RandomPoints(clusters, dimension, seed: 41).Normalized();
        var kernel = new NearestCentroidKernel(clusters, dimension, workers: 1, wide);
        kernel.Pack(centroids.Values);
        int groups = (kernel.Panels + panelsPerGroup - 1) / panelsPerGroup;
        int groupWidth = panelsPerGroup * kernel.PanelWidth;
        int tiles = (count + NearestCentroidKernel.PointTile - 1) / NearestCentroidKernel.PointTile;
        var rng = new Random(42);
        var tileGroups = new bool[tiles * groups];
        for (int t = 0; t < tiles; t++)
        {
            // At least one group per tile, a random share of the rest.
            tileGroups[t * groups + rng.Next(groups)] = true;
            for (int g = 0; g < groups; g++) tileGroups[t * groups + g] |= rng.Next(3) == 0;
        }
        var groupMax = new float[tiles * NearestCentroidKernel.PointTile * groups];
        // The kernel raises what it finds: a group it does not score stays at negative infinity.
        Array.Fill(groupMax, float.NegativeInfinity);
        var cluster = new int[count];
        var score = new float[count];
        var runnerUp = new float[count];

        kernel.AssignBlock(0, points.Values, 0, count, cluster, score, runnerUp, tileGroups, groups, panelsPerGroup, groupMax);

        for (int r = 0; r < count; r++)
        {
            var x = points.ReadRow(r);
            int tile = r / NearestCentroidKernel.PointTile;
            float best = float.NegativeInfinity, second = float.NegativeInfinity;
            int arg = -1;
            for (int g = 0; g < groups; g++)
            {
                float max = float.NegativeInfinity;
                for (int c = g * groupWidth; c < Math.Min(clusters, (g + 1) * groupWidth); c++)
                {
                    float s = NearestCentroidKernel.Score(x, centroids.ReadRow(c));
                    max = Math.Max(max, s);
                    if (!tileGroups[tile * groups + g]) continue;
                    if (s > best)
                    {
                        second = best;
                        best = s;
                        arg = c;
                    }
                    else second = Math.Max(second, s);
                }
                if (tileGroups[tile * groups + g]) Assert.Equal(max, groupMax[r * groups + g]);
                else Assert.Equal(float.NegativeInfinity, groupMax[r * groups + g]);
            }
            Assert.Equal(arg, cluster[r]);
            Assert.Equal(best, score[r]);
            Assert.Equal(second, runnerUp[r]);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TiesGoToTheLowerCentroidIndex(bool wide)
    {
        // Centroids 4, 20 and 35 are the same vector as 3 (4 in the same lane only with 256-bit panels, the others in
        // other panels and lanes); a point equal to it must pick 3, and its runner-up is then the same score.
        const int d = 8, k = 40;
        var centroids = SphericalKMeansTestData.RandomPoints(k, d, seed: 5).Normalized();
        foreach (int c in new[] { 4, 20, 35 }) centroids.ReadRow(3).CopyTo(centroids.Row(c));
        var source = new EmbeddingMatrix(1, d);
        centroids.ReadRow(3).CopyTo(source.Row(0));
        var points = new UnitPoints(source);
        var kernel = new NearestCentroidKernel(k, d, workers: 1, wide);
        kernel.Pack(centroids.Values);
        var cluster = new int[1];
        var score = new float[1];
        var runnerUp = new float[1];

        kernel.AssignBlock(0, points.Values, 0, 1, cluster, score, runnerUp);

        Assert.Equal(3, cluster[0]);
        Assert.Equal(score[0], runnerUp[0]);
    }

    /// <summary>The kernel's arithmetic (one fused multiply-add chain per pair, dimensions ascending): the best centroid,
    /// its score and the best score of any other centroid.</summary>
    private static (int Cluster, float Score, float RunnerUp) BruteForce(ReadOnlySpan<float> x, EmbeddingMatrix centroids)
    {
        int best = -1;
        float bestScore = float.NegativeInfinity, runnerUp = float.NegativeInfinity;
        for (int c = 0; c < centroids.Rows; c++)
        {
            float s = NearestCentroidKernel.Score(x, centroids.ReadRow(c));
            if (s > bestScore)
            {
                runnerUp = bestScore;
                bestScore = s;
                best = c;
            }
            else runnerUp = Math.Max(runnerUp, s);
        }
        return (best, bestScore, runnerUp);
    }
}
