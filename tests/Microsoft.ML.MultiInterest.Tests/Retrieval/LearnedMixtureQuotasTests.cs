using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class LearnedMixtureQuotasTests
{
    [Fact]
    public void ComponentsAttachToNearestCentroids_AndPoolWeightsPerCluster()
    {
        // Items on two axes; user 0's components: two near the x axis (0.5 + 0.2) and one on y (0.3).
        var items = new EmbeddingMatrix(4, 2);
        items.Values.AsSpan().SetTo([1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f]);
        var users = new EmbeddingMatrix(3, 2);
        users.Values.AsSpan().SetTo([1, 0, 0.8f, 0.2f, 0, 1]);
        var model = new MixtureEmbeddingResult(3, 1, users, items, [0.5, 0.2, 0.3]);
        var clustering = ItemClustering.Create([0, 0, 1, 1], 2, items, new EmbeddingMatrix(2, 2) { });
        clustering.Centroids.Values.AsSpan().SetTo([1, 0, 0, 1]);
        var table = LearnedMixtureQuotas.ToClusterMixtures(model, clustering, [0]);
        Assert.Equal(2, table.ComponentCount(0));
        Assert.Equal([0, 1], table.Clusters(0).ToArray());
        Assert.Equal(0.7, table.Weights(0)[0], 12);
        Assert.Equal(0.3, table.Weights(0)[1], 12);
        Assert.Equal([1f, 0f], table.Embedding(0, 0).ToArray()); // the heavier component is the cluster's query
        Assert.Throws<ArgumentException>(() => LearnedMixtureQuotas.ToClusterMixtures(new MixtureEmbeddingResult(3, 2, users, new EmbeddingMatrix(8, 2), [0.5, 0.2, 0.3]), clustering, [0]));
    }

    /// <summary>
    /// Regression (a review): at gamma_T = 0.001 the post-hoc weight of a component pointing away from the user's only item
    /// underflows to exactly 0; it was kept as a cluster of weight 0 and quota retrieval threw "Component weight 0 is not
    /// positive". It is no interest: left out, and the list comes from the other component.
    /// </summary>
    [Fact]
    public void AComponentOfWeightZeroIsLeftOut()
    {
        var users = new EmbeddingMatrix(2, 2);
        users.Values.AsSpan().SetTo([1, 0, -1, 0]);
        var items = new EmbeddingMatrix(3, 2);
        items.Values.AsSpan().SetTo([0.97f, 0.2431f, 0.6f, 0.8f, -1, 0]);
        var graph = BipartiteGraph.FromEdges(1, 3, [0], [0]);
        var model = new MixtureEmbeddingResult(2, 1, users, items, [0.5, 0.5]).WithWeights(graph, 0.001f);
        Assert.Equal(0.0, model.WeightsOfUser(0)[1]);
        var centroids = new EmbeddingMatrix(2, 2);
        centroids.Values.AsSpan().SetTo([1, 0, -1, 0]);
        var clustering = ItemClustering.Create([0, 0, 1], 2, items, centroids);
        var table = LearnedMixtureQuotas.ToClusterMixtures(model, clustering, [0]);
        Assert.Equal(1, table.ComponentCount(0));
        Assert.Equal([0], table.Clusters(0).ToArray());
        var lists = new ClusterQuotaRetriever(items, clustering).Retrieve(table, [0], graph, [2]);
        Assert.Equal([1], lists[0].IndicesOf(0).ToArray()); // cluster 0's one unseen item; no fill ranking was given
    }
}

internal static class SpanFill
{
    public static void SetTo(this Span<float> span, float[] values) => values.CopyTo(span);
}
