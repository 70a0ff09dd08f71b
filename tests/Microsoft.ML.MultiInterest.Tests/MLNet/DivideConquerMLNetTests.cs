using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>Divide-and-conquer through the ML.NET face: an option set of the same estimator; the model on the transformer, served by the engine's quota retriever.</summary>
public sealed class DivideConquerMLNetTests
{
    [Fact]
    public void FitsThroughTheGraphEmbeddingEstimator_AndServesQuotaListsWithoutSeenItems()
    {
        var ml = new MLContext(seed: 1);
        MLNetTestData.Keyed(ml, out var raw);
        var options = new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 8, Epochs = 2, Threads = 1, UniformNegatives = 4,
            DivideConquer = new DivideConquerOptions { Clusters = 3, Encoder = DivideConquerEncoder.AttentionPooling, GlobalNegativeShare = 0.25 },
        };
        var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw).LastTransformer;
        var model = fitted.DivideConquer!;
        Assert.Equal(3, model.Clustering.ClusterCount);
        Assert.Equal(fitted.ItemEmbeddings.ToDense().Values, model.Items.Values);
        Assert.NotNull(model.Prompts);
        Assert.NotNull(model.AttentionQuery);

        // The user column is the model's shared query of the training graph; the model serves quota lists from it.
        var keyed = MLNetTestData.Keyed(ml, out _);
        var users = MLNetTestData.Keys(keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(keyed, "Item").Select(k => (int)k - 1).ToArray();
        var graph = BipartiteGraph.FromEdges(fitted.UserEmbeddings.KeyCount, model.Items.Rows, users, items);
        Assert.Equal(fitted.UserEmbeddings.ToDense().Values, model.UserQueries(graph, threads: 1).Values);
        var served = Enumerable.Range(0, graph.UserCount).Where(u => graph.DegreeOf(u) > 0).ToArray();
        int m = Math.Min(5, graph.ItemCount - served.Max(graph.DegreeOf));
        var lists = new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(model.BuildMixtures(graph, served, threads: 1), served, graph, [m], threads: 1)[0];
        for (int q = 0; q < served.Length; q++)
        {
            var list = lists.IndicesOf(q).ToArray();
            Assert.Equal(m, list.Length);
            Assert.Equal(m, list.Distinct().Count());
            Assert.DoesNotContain(list, item => graph.Contains(served[q], item));
        }

        var bad = new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.DivideConquer, DivideConquer = new DivideConquerOptions { MaxHistory = 0 } };
        Assert.Contains("DivideConquer.MaxHistory", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MultiInterest().GraphEmbedding(bad)).Message);
    }
    /// <summary>
    /// Item keys without edges (zero rows spread back into the model) are no cluster's members: quota lists in the model's
    /// clustering, as the transformer's docs serve it, hold only items with training edges. They were listed at score 0,
    /// above the cluster's items of negative score (12 of the 16 users' lists held one).
    /// </summary>
    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling)]
    [InlineData(DivideConquerEncoder.UserVector)]
    public void ItemKeysWithoutEdges_AreNeverInTheQuotaLists(DivideConquerEncoder encoder)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var options = new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 8, Epochs = 3, Threads = 1, UniformNegatives = 4,
            DivideConquer = new DivideConquerOptions { Clusters = 3, Encoder = encoder, Components = 3 },
        };
        var keys = WideItemKeys.KeyPipeline(ml);
        var model = keys.Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw).LastTransformer.DivideConquer!;
        var keyed = keys.Fit(raw).Transform(raw);
        var users = MLNetTestData.Keys(keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(keyed, "Item").Select(k => (int)k - 1).ToArray();
        var graph = BipartiteGraph.FromEdges(users.Max() + 1, model.Items.Rows, users, items);
        var degrees = graph.ItemDegrees();
        Assert.Equal(WideItemKeys.Unused, degrees.Count(d => d == 0));
        Assert.All(Enumerable.Range(0, graph.ItemCount).Where(j => degrees[j] == 0), j => Assert.InRange(model.Clustering.ClusterOf(j), 0, 2));

        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        const int m = 10; // every user has 18 unseen items with edges
        var lists = new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(model.BuildMixtures(graph, served, threads: 1), served, graph, [m], threads: 1)[0];
        for (int q = 0; q < served.Length; q++)
        {
            var list = lists.IndicesOf(q).ToArray();
            Assert.Equal(m, list.Length);
            Assert.All(list, j => Assert.True(degrees[j] > 0, $"user row {q} was listed item row {j}, a key without edges"));
        }
    }
}
