using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The engine's <see cref="RoundRobinRetriever"/> on <see cref="GraphEmbeddingTransformer.Mixture"/> gives the retrieval stage's
/// lists (pipeline.md says so) also over an item key type wider than the items with edges, whose keys hold zero components in
/// that table. Before, those zero rows scored 0: they were fetched ahead of real components of negative score (changing the
/// sums of the items whose components they displaced) and listed (1 and 8 of 16 users' lists differed for DCM and mixture embeddings).
/// </summary>
public sealed class RoundRobinEngineOverWideItemKeysTests
{
    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    public void TheEngineOnTheTransformersComponents_GivesTheStagesLists(string kind)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideItemKeys.KeyPipeline(ml);
        var model = keys.Append(ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding(kind)))
            .Append(ml.MultiInterest().RoundRobinRetriever(candidates: 10)).Fit(raw);
        var mixture = ((IEnumerable<ITransformer>)model).OfType<GraphEmbeddingTransformer>().Single().Mixture!;
        var keyed = keys.Fit(raw).Transform(raw);
        var users = MLNetTestData.Keys(keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(keyed, "Item").Select(k => (int)k - 1).ToArray();
        var graph = BipartiteGraph.FromEdges(users.Max() + 1, mixture.ItemCount, users, items);
        Assert.Equal(WideItemKeys.Unused, graph.ItemDegrees().Count(d => d == 0));

        int[] served = [.. Enumerable.Range(0, graph.UserCount)];
        var engine = new RoundRobinRetriever(mixture.ItemComponents, mixture.DestinationComponents)
            .Retrieve(mixture.ToMixtureTable(served), served, graph, [10], threads: 1)[0];
        for (int u = 0; u < served.Length; u++)
        {
            var (itemKeys, scores) = model.LastTransformer.GetCandidates((uint)u + 1);
            Assert.Equal(itemKeys.Select(k => (int)k - 1), engine.IndicesOf(u).ToArray());
            Assert.Equal(scores, engine.ScoresOf(u).ToArray());
        }
    }
}
