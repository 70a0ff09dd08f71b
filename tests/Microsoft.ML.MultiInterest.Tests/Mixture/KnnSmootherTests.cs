using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Mixture;

public class KnnSmootherTests
{
    private static (EmbeddingMatrix Items, ItemClustering Clustering, BipartiteGraph Graph, MixtureTable Mle) Planted(int m = 3)
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, users: 50);
        var clustering = ItemClustering.Create(groups, 5, items);
        return (items, clustering, graph, MixtureBuilder.BuildMle(graph, clustering, items, m));
    }

    private static RankedLists FixedNeighbors(int users, int k, Func<int, int, int> neighbor)
    {
        var lists = new RankedLists(users, k);
        for (int u = 0; u < users; u++)
        {
            for (int j = 0; j < k; j++) lists.IndexSlots(u)[j] = neighbor(u, j);
            lists.Counts[u] = k;
        }
        return lists;
    }

    [Fact]
    public void LambdaZeroReproducesTheMleMixture()
    {
        var (items, clustering, graph, mle) = Planted();
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        var neighbors = FixedNeighbors(users.Length, 3, (u, j) => (u + 7 * (j + 1)) % users.Length);
        var smoothed = KnnSmoother.Smooth(graph, clustering, items, mle, users, neighbors, lambda: 0);
        foreach (int u in users)
        {
            Assert.Equal(mle.Clusters(u).ToArray(), smoothed.Clusters(u).ToArray());
            for (int j = 0; j < mle.ComponentCount(u); j++)
            {
                Assert.Equal(mle.Weights(u)[j], smoothed.Weights(u)[j], 1e-12);
                Assert.Equal(mle.Embedding(u, j).ToArray(), smoothed.Embedding(u, j).ToArray());
            }
        }
    }

    [Fact]
    public void SmoothedWeightsArePositiveSumToOneAndFollowTheFormula()
    {
        var (items, clustering, graph, mle) = Planted(m: 2);
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        const int k = 4;
        const double lambda = 0.6;
        var neighbors = FixedNeighbors(users.Length, k, (u, j) => (u + j + 1) % users.Length);
        var smoothed = KnnSmoother.Smooth(graph, clustering, items, mle, users, neighbors, lambda);
        foreach (int u in users)
        {
            // Reference: the protocol's formula over all clusters.
            var ps = new double[clustering.ClusterCount];
            for (int j = 0; j < mle.ComponentCount(u); j++) ps[mle.Clusters(u)[j]] += (1 - lambda) * mle.Weights(u)[j];
            var knn = new double[clustering.ClusterCount];
            foreach (int v in neighbors.IndicesOf(u))
                for (int j = 0; j < mle.ComponentCount(v); j++) knn[mle.Clusters(v)[j]] += mle.Weights(v)[j] / k;
            for (int c = 0; c < ps.Length; c++) ps[c] += lambda * knn[c];
            var top = Enumerable.Range(0, ps.Length).Where(c => ps[c] > 0).OrderByDescending(c => ps[c]).ThenBy(c => c).Take(2).ToArray();
            Assert.Equal(top, smoothed.Clusters(u).ToArray());
            double total = top.Sum(c => ps[c]);
            Assert.Equal(top.Select(c => ps[c] / total).ToArray(), smoothed.Weights(u).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
            Assert.Equal(1.0, smoothed.Weights(u).ToArray().Sum(), 1e-12);
            for (int j = 0; j < smoothed.ComponentCount(u); j++) Assert.Equal(1.0, VectorMath.Norm(smoothed.Embedding(u, j)), 1e-5);
        }
    }

    [Fact]
    public void ANeighboursInterestEntersTheMixtureWhenLambdaIsLarge()
    {
        // User 0 engages only cluster 0; its neighbour only cluster 1. With lambda = 0.8 and m = 2 both appear,
        // and the neighbour's cluster dominates (0.8 > 0.2).
        int[] assignments = [0, 0, 1, 1];
        var items = TestGraphs.RandomMatrix(4, 5, 4);
        var clustering = ItemClustering.Create(assignments, 2, items);
        var graph = BipartiteGraph.FromEdges(2, 4, [0, 0, 1, 1], [0, 1, 2, 3]);
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        var neighbors = FixedNeighbors(1, 1, (_, _) => 1);
        var smoothed = KnnSmoother.Smooth(graph, clustering, items, mle, [0], neighbors, 0.8);
        Assert.Equal(new[] { 1, 0 }, smoothed.Clusters(0).ToArray());
        Assert.Equal(0.8, smoothed.Weights(0)[0], 1e-12);
        // User 0 has no item in cluster 1: that component is the neighbour's centroid (times 0.8, renormalised).
        Assert.Equal(mle.Embedding(1, 0).ToArray(), smoothed.Embedding(0, 0).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void LambdaOutsideTheUnitIntervalThrows(double lambda)
    {
        var (items, clustering, graph, mle) = Planted();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            KnnSmoother.Smooth(graph, clustering, items, mle, [0], FixedNeighbors(1, 1, (_, _) => 1), lambda));
        Assert.Contains("Lambda", e.Message);
    }

    [Fact]
    public void SmoothingFromTheWeightsOnlyTableEqualsSmoothingFromTheFullTable()
    {
        var (items, clustering, graph, mle) = Planted(m: 3);
        var weightsOnly = MixtureBuilder.BuildMleWeights(graph, clustering, 3);
        var users = Enumerable.Range(0, graph.UserCount).Where(u => u % 3 != 1).ToArray();
        // Never the user itself: an offset of 1..n-1 from its own row.
        var neighbors = FixedNeighbors(users.Length, 4, (u, j) => (users[u] + 1 + (u * 5 + j) % (graph.UserCount - 1)) % graph.UserCount);
        var fromFull = KnnSmoother.Smooth(graph, clustering, items, mle, users, neighbors, 0.7);
        var fromWeights = KnnSmoother.Smooth(graph, clustering, items, weightsOnly, users, neighbors, 0.7);
        foreach (int u in users)
        {
            Assert.Equal(fromFull.Clusters(u).ToArray(), fromWeights.Clusters(u).ToArray());
            Assert.Equal(fromFull.Weights(u).ToArray(), fromWeights.Weights(u).ToArray());
            Assert.Equal(fromFull.Embeddings(u).ToArray(), fromWeights.Embeddings(u).ToArray());
        }
    }

    [Fact]
    public void OneUserAtATimeGivesEachUsersRowOfTheTableBitForBit()
    {
        var (items, clustering, graph, _) = Planted(m: 3);
        var weightsOnly = MixtureBuilder.BuildMleWeights(graph, clustering, 3);
        var users = Enumerable.Range(0, graph.UserCount).Where(u => u % 4 != 3).ToArray();
        var neighbors = FixedNeighbors(users.Length, 4, (u, j) => (users[u] + 1 + (u * 3 + j + 1) % (graph.UserCount - 1)) % graph.UserCount);
        var table = KnnSmoother.Smooth(graph, clustering, items, weightsOnly, users, neighbors, 0.6, threads: 2);
        var lean = KnnSmoother.SmoothMixtures(graph, clustering, items, weightsOnly, users, neighbors, 0.6, threads: 2, componentEmbeddings: false);
        Assert.False(lean.HasEmbeddings);
        using var oneUser = new KnnSmoother.OneUser(graph, clustering, items, weightsOnly, users, neighbors, 0.6);
        // In reverse, so that each call overwrites another user's row in the same workspace.
        for (int j = users.Length - 1; j >= 0; j--)
        {
            int u = users[j];
            var one = oneUser.Smooth(j);
            Assert.Equal(table.Clusters(u).ToArray(), one.Clusters(0).ToArray());
            Assert.Equal(table.Weights(u).ToArray(), one.Weights(0).ToArray());
            Assert.Equal(table.Embeddings(u).ToArray(), one.Embeddings(0).ToArray());
            Assert.Equal(table.Clusters(u).ToArray(), lean.Clusters(u).ToArray());
            Assert.Equal(table.Weights(u).ToArray(), lean.Weights(u).ToArray());
        }
        var subset = oneUser.Subset([users[5], users[1]]);
        Assert.Equal(table.Embeddings(users[5]).ToArray(), subset.Embeddings(users[5]).ToArray());
        Assert.Equal(table.Embeddings(users[1]).ToArray(), subset.Embeddings(users[1]).ToArray());
        Assert.Equal(0, subset.ComponentCount(users[2]));
        Assert.Throws<ArgumentException>(() => oneUser.Subset([3]));
    }
}
