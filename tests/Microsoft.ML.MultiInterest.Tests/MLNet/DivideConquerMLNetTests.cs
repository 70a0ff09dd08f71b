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
}
