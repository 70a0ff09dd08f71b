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

    [Fact]
    public void ConnectedGraph_IsNotCopied()
    {
        var (dense, _) = Graphs();
        Assert.Null(ActiveSubgraph.Of(dense));
    }
}
