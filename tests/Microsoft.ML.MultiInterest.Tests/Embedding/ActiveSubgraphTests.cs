using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>
/// Nodes without edges (an ML.NET key range wider than the ids that occur) must not cost training time or memory:
/// the trainer fits the connected nodes alone and gives the others zero vectors.
/// </summary>
public class ActiveSubgraphTests
{
    private const int Spread = 5;

    /// <summary>The planted graph with every user and item index multiplied by <see cref="Spread"/>: four of five indices have no edge.</summary>
    private static (BipartiteGraph Dense, BipartiteGraph Sparse) Graphs()
    {
        var dense = PlantedGraph.Create().Train;
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < dense.UserCount; u++)
            foreach (int i in dense.ItemsOf(u))
            {
                users.Add(u * Spread);
                items.Add(i * Spread);
            }
        var sparse = BipartiteGraph.FromEdges(dense.UserCount * Spread, dense.ItemCount * Spread, users.ToArray(), items.ToArray());
        return (dense, sparse);
    }

    [Theory]
    [InlineData(EmbeddingAlgorithm.NegativeSampling)]
    [InlineData(EmbeddingAlgorithm.TruncatedSvd)]
    [InlineData(EmbeddingAlgorithm.ImplicitAls)]
    [InlineData(EmbeddingAlgorithm.MixtureEmbedding)]
    public void SpreadIndices_TrainLikeTheDenseGraph_AndLeaveEdgelessNodesZero(EmbeddingAlgorithm algorithm)
    {
        var (dense, sparse) = Graphs();
        var options = new GraphEmbeddingOptions { Algorithm = algorithm, Dimension = 8, Epochs = 3, Threads = 1, Seed = 11 };
        var expected = GraphEmbeddingTrainerEngine.Fit(dense, options);
        var actual = GraphEmbeddingTrainerEngine.Fit(sparse, options);

        Assert.Equal(sparse.UserCount, actual.UserEmbeddings.Rows);
        Assert.Equal(sparse.ItemCount, actual.ItemEmbeddings.Rows);
        for (int u = 0; u < sparse.UserCount; u++)
        {
            if (u % Spread == 0) Assert.Equal(expected.UserEmbeddings.ReadRow(u / Spread).ToArray(), actual.UserEmbeddings.ReadRow(u).ToArray());
            else Assert.All(actual.UserEmbeddings.ReadRow(u).ToArray(), v => Assert.Equal(0f, v));
        }
        for (int i = 0; i < sparse.ItemCount; i++)
        {
            if (i % Spread == 0) Assert.Equal(expected.ItemEmbeddings.ReadRow(i / Spread).ToArray(), actual.ItemEmbeddings.ReadRow(i).ToArray());
            else Assert.All(actual.ItemEmbeddings.ReadRow(i).ToArray(), v => Assert.Equal(0f, v));
        }
        if (algorithm == EmbeddingAlgorithm.MixtureEmbedding)
        {
            var mixture = actual.Mixture!;
            Assert.Equal(sparse.UserCount, mixture.UserCount);
            for (int u = 0; u < sparse.UserCount; u++)
            {
                Assert.Equal(1.0, mixture.WeightsOfUser(u).ToArray().Sum(), 9);
                if (u % Spread == 0) Assert.Equal(expected.Mixture!.WeightsOfUser(u / Spread).ToArray(), mixture.WeightsOfUser(u).ToArray());
            }
        }
    }

    /// <summary>
    /// Divide and conquer trains on the subgraph too: a clustering given per item of the spread range (edgeless items in a
    /// cluster of their own that no item with edges uses, so K must be kept) and one it makes itself both give the dense
    /// graph's model, spread back: the same item, history and user rows, prompts, prior and clusters, and the same mixtures.
    /// </summary>
    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, true)]
    [InlineData(DivideConquerEncoder.UserVector, false)]
    [InlineData(DivideConquerEncoder.MeanPooling, false)]
    public void SpreadIndices_TrainDivideConquerLikeTheDenseGraph(DivideConquerEncoder encoder, bool givenClusters)
    {
        var (dense, sparse) = Graphs();
        int[]? denseClusters = givenClusters ? Enumerable.Range(0, dense.ItemCount).Select(PlantedGraph.GroupOfItem).ToArray() : null;
        int[]? sparseClusters = null;
        if (denseClusters != null)
        {
            int unused = denseClusters.Max() + 1;
            sparseClusters = Enumerable.Range(0, sparse.ItemCount).Select(i => i % Spread == 0 ? denseClusters[i / Spread] : unused).ToArray();
        }
        var expected = GraphEmbeddingTrainerEngine.Fit(dense, DivideConquer.DivideConquerTrainingTests.Small(encoder, prompts: true, denseClusters, epochs: 3));
        var actual = GraphEmbeddingTrainerEngine.Fit(sparse, DivideConquer.DivideConquerTrainingTests.Small(encoder, prompts: true, sparseClusters, epochs: 3));
        var (e, a) = (expected.DivideConquer!, actual.DivideConquer!);

        // K is the given clustering's (with its edgeless-only cluster), which has no training edge, hence prior 0.
        Assert.Equal(e.Clustering.ClusterCount + (givenClusters ? 1 : 0), a.Clustering.ClusterCount);
        Assert.Equal(e.ClusterPrior.ToArray(), a.ClusterPrior.ToArray()[..e.Clustering.ClusterCount]);
        if (e.Prompts != null) Assert.Equal(e.Prompts.Values, a.Prompts!.Values.AsSpan(0, e.Prompts.Values.Length).ToArray());
        Assert.Equal(sparse.ItemCount, a.Items.Rows);
        for (int i = 0; i < sparse.ItemCount; i++)
        {
            bool hasEdges = i % Spread == 0;
            Assert.Equal(hasEdges ? e.Items.ReadRow(i / Spread).ToArray() : new float[e.Items.Dimension], a.Items.ReadRow(i).ToArray());
            Assert.Equal(hasEdges ? e.Clustering.ClusterOf(i / Spread) : sparseClusters?[i] ?? 0, a.Clustering.ClusterOf(i));
            if (e.HistoryItems != null) Assert.Equal(hasEdges ? e.HistoryItems.ReadRow(i / Spread).ToArray() : new float[e.Items.Dimension], a.HistoryItems!.ReadRow(i).ToArray());
        }
        for (int u = 0; u < sparse.UserCount; u += Spread)
            Assert.Equal(expected.UserEmbeddings.ReadRow(u / Spread).ToArray(), actual.UserEmbeddings.ReadRow(u).ToArray());
        if (e.UserVectors != null) Assert.Equal(sparse.UserCount, a.UserVectors!.Rows);

        // Served through the spread model, the users' mixtures are the dense model's (item ids mapped back).
        var users = Enumerable.Range(0, dense.UserCount).ToArray();
        var denseMixtures = e.BuildMixtures(dense, users, threads: 1);
        var sparseMixtures = a.BuildMixtures(sparse, users.Select(u => u * Spread).ToArray(), threads: 1);
        foreach (int u in users)
        {
            Assert.Equal(denseMixtures.Clusters(u).ToArray(), sparseMixtures.Clusters(u * Spread).ToArray());
            Assert.Equal(denseMixtures.Weights(u).ToArray(), sparseMixtures.Weights(u * Spread).ToArray());
            Assert.Equal(denseMixtures.Embeddings(u).ToArray(), sparseMixtures.Embeddings(u * Spread).ToArray());
        }
    }

    /// <summary>Built from the edge lists (as the ML.NET trainer does, without a graph over the whole range), the subgraph is the graph's.</summary>
    [Fact]
    public void FromEdgeLists_IsTheSubgraphOfTheGraph()
    {
        // Unsorted edges with a duplicate (merged, weights summed) over a range where most indices have no edge.
        int[] users = [40, 3, 40, 17, 3, 40];
        int[] items = [9, 70, 2, 9, 70, 55];
        float[] weights = [1f, 2f, 0.5f, 1.5f, 0.25f, 3f];
        var expected = ActiveSubgraph.Of(BipartiteGraph.FromEdges(50, 80, users, items, weights))!;
        var actual = ActiveSubgraph.FromEdges(50, 80, users, items, weights, default, 1)!;
        Assert.Equal(expected.Users, actual.Users);
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal((50, 80), (actual.FullUserCount, actual.FullItemCount));
        Assert.Equal(expected.Graph.Offsets.ToArray(), actual.Graph.Offsets.ToArray());
        Assert.Equal(expected.Graph.EdgeItems.ToArray(), actual.Graph.EdgeItems.ToArray());
        Assert.Equal(expected.Graph.EdgeWeights.ToArray(), actual.Graph.EdgeWeights.ToArray());
        Assert.Equal([3, 17, 40], actual.Users);
        Assert.Null(ActiveSubgraph.FromEdges(2, 2, [0, 1], [1, 0], default, default, 1));
    }

    [Fact]
    public void ConnectedGraph_IsNotCopied()
    {
        var (dense, _) = Graphs();
        Assert.Null(ActiveSubgraph.Of(dense));
    }
}
