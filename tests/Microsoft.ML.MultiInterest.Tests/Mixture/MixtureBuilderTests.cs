using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Mixture;

public class MixtureBuilderTests
{
    [Fact]
    public void UsersWithoutEdges_GetNoRow_AndTheOthersTheSameMixture()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers();
        var clustering = ItemClustering.Create(groups, 4, items);
        // Every third user row left without edges, as a key range wider than the users that occur.
        var users = new List<int>();
        var edges = new List<int>();
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u))
            {
                users.Add(u * 3);
                edges.Add(i);
            }
        var spread = BipartiteGraph.FromEdges(graph.UserCount * 3, graph.ItemCount, users.ToArray(), edges.ToArray());
        var dense = MixtureBuilder.BuildMle(graph, clustering, items, components: 3);
        var sparse = MixtureBuilder.BuildMle(spread, clustering, items, components: 3);
        var weights = MixtureBuilder.BuildMleWeights(spread, clustering, components: 3);
        Assert.Equal(graph.UserCount, sparse.StoredUsers);
        Assert.Equal(graph.UserCount, weights.StoredUsers);
        for (int u = 0; u < spread.UserCount; u++)
        {
            if (u % 3 != 0)
            {
                Assert.Equal(0, sparse.ComponentCount(u));
                continue;
            }
            Assert.Equal(dense.Clusters(u / 3).ToArray(), sparse.Clusters(u).ToArray());
            Assert.Equal(dense.Weights(u / 3).ToArray(), sparse.Weights(u).ToArray());
            Assert.Equal(dense.Embeddings(u / 3).ToArray(), sparse.Embeddings(u).ToArray());
            Assert.Equal(dense.Weights(u / 3).ToArray(), weights.Weights(u).ToArray());
        }
    }

    [Fact]
    public void ABlockOfUsersGetsItsRowsOfTheWholeTableBitForBit()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers();
        var clustering = ItemClustering.Create(groups, 4, items);
        var whole = MixtureBuilder.BuildMle(graph, clustering, items, components: 3, threads: 2);
        int[] block = [5, 1, graph.UserCount - 1];
        var subset = MixtureBuilder.BuildMleOf(graph, clustering, items, 3, block, threads: 2);
        Assert.Equal(block.Length, subset.StoredUsers);
        foreach (int u in block)
        {
            Assert.Equal(whole.Clusters(u).ToArray(), subset.Clusters(u).ToArray());
            Assert.Equal(whole.Weights(u).ToArray(), subset.Weights(u).ToArray());
            Assert.Equal(whole.Embeddings(u).ToArray(), subset.Embeddings(u).ToArray());
        }
        Assert.Equal(0, subset.ComponentCount(2));
    }

    [Fact]
    public void PlantedTwoInterestUsersGetTheirTwoGroupsWithEqualWeights()
    {
        var (items, groups, graph, userGroups) = TestGraphs.TwoInterestUsers();
        var clustering = ItemClustering.Create(groups, 4, items);
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, components: 5);
        for (int u = 0; u < graph.UserCount; u++)
        {
            Assert.Equal(2, mle.ComponentCount(u));
            Assert.Equal(userGroups[u].Order().ToArray(), mle.Clusters(u).ToArray().Order().ToArray());
            Assert.Equal(1.0, mle.Weights(u)[0] + mle.Weights(u)[1], 1e-12);
            Assert.Equal(0.5, mle.Weights(u)[0], 1e-12);
            for (int j = 0; j < 2; j++)
            {
                // The component embedding is the normalised sum of the user's items in that cluster.
                int c = mle.Clusters(u)[j];
                var expected = new double[items.Dimension];
                foreach (int i in graph.ItemsOf(u))
                    if (groups[i] == c)
                        for (int d = 0; d < expected.Length; d++) expected[d] += items.ReadRow(i)[d];
                double norm = Math.Sqrt(expected.Sum(x => x * x));
                for (int d = 0; d < expected.Length; d++) Assert.True(Math.Abs(expected[d] / norm - mle.Embedding(u, j)[d]) < 1e-6);
            }
        }
    }

    [Fact]
    public void TopClustersRankByCountWithTiesToTheLowerClusterId()
    {
        // One user; item i sits in cluster assignments[i]. Counts: c5:3, c1:2, c3:2, c0:1.
        int[] assignments = [5, 5, 5, 3, 3, 1, 1, 0];
        var items = TestGraphs.RandomMatrix(assignments.Length, 6, 2);
        var clustering = ItemClustering.Create(assignments, 6, items);
        var graph = BipartiteGraph.FromEdges(1, assignments.Length, new int[8], Enumerable.Range(0, 8).ToArray());
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, components: 3);
        Assert.Equal(new[] { 5, 1, 3 }, mle.Clusters(0).ToArray());
        Assert.Equal(new[] { 3 / 7.0, 2 / 7.0, 2 / 7.0 }, mle.Weights(0).ToArray());
    }

    [Fact]
    public void UsersWithoutTrainingItemsHaveNoComponents()
    {
        var items = TestGraphs.RandomMatrix(4, 3, 1);
        var clustering = ItemClustering.Create([0, 0, 1, 1], 2, items);
        var graph = BipartiteGraph.FromEdges(2, 4, [0], [2]);
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        Assert.Equal(1, mle.ComponentCount(0));
        Assert.Equal(0, mle.ComponentCount(1));
    }

    [Fact]
    public void ComponentsBelowOneThrowNamingTheOption()
    {
        var items = TestGraphs.RandomMatrix(2, 3, 1);
        var clustering = ItemClustering.Create([0, 1], 2, items);
        var graph = BipartiteGraph.FromEdges(1, 2, [0], [1]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MixtureBuilder.BuildMle(graph, clustering, items, 0));
        Assert.Contains("Components", e.Message);
    }

    [Fact]
    public void WeightsOnlyTableHasTheMleClustersAndWeightsAndNoEmbeddings()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, users: 40);
        var clustering = ItemClustering.Create(groups, 5, items);
        var full = MixtureBuilder.BuildMle(graph, clustering, items, 3);
        var weights = MixtureBuilder.BuildMleWeights(graph, clustering, 3, threads: 2);
        Assert.True(full.HasEmbeddings);
        Assert.False(weights.HasEmbeddings);
        Assert.Equal(0, weights.Dimension);
        for (int u = 0; u < graph.UserCount; u++)
        {
            Assert.Equal(full.Clusters(u).ToArray(), weights.Clusters(u).ToArray());
            Assert.Equal(full.Weights(u).ToArray(), weights.Weights(u).ToArray());
        }
        var e = Assert.Throws<InvalidOperationException>(() => weights.Embedding(0, 0).ToArray());
        Assert.Contains("clusters and weights only", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MixtureBuilder.BuildMleWeights(graph, clustering, 0));
    }
}
