using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Serving;
using Xunit;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class LazyFillStressTests
{
    [Theory]
    [InlineData(QuotaQuery.Component, 0.0, 3, false)]
    [InlineData(QuotaQuery.Component, 0.0, 44, false)]
    [InlineData(QuotaQuery.Component, 0.0, 45, true)]
    [InlineData(QuotaQuery.User, 0.0, 60, true)]
    [InlineData(QuotaQuery.Blend, 0.5, 12, true)]
    [InlineData(QuotaQuery.Component, 0.01, 12, false)]
    public void QuotaLazy_EqualsWhole_Stress(QuotaQuery query, double share, int m, bool smoothedMixtures)
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, itemsPerGroup: 9, users: 30, itemsPerUserPerGroup: 5);
        var clustering = ItemClustering.Create(groups, 5, items);
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 3);
        var users = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 3);
        var all = Enumerable.Range(0, graph.UserCount).ToArray();
        var neighbors = new ExactNeighborIndex(users, Enumerable.Repeat(true, graph.UserCount).ToArray()).Search(users, all, 3, 1);
        var mixtures = smoothedMixtures ? KnnSmoother.Smooth(graph, clustering, items, mle, all, neighbors, 0.8, 1) : mle;
        var rng = new Random(5);
        var unimodal = new UnimodalRetriever(items);
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var options = new QuotaRetrievalOptions { Query = query, HeadShare = share, Alpha = 0.5, Beta = 0.7 };
        // heavy exclusions: some users exclude most items
        var eu = new List<int>(); var ei = new List<int>();
        for (int u = 0; u < graph.UserCount; u++)
        {
            var own = new HashSet<int>(graph.ItemsOf(u).ToArray());
            if (u % 5 == 0) for (int j = 0; j < items.Rows; j++) if (rng.NextDouble() < 0.8) own.Add(j);
            foreach (int j in own) { eu.Add(u); ei.Add(j); }
        }
        var exclusions = BipartiteGraph.FromEdges(graph.UserCount, items.Rows, eu.ToArray(), ei.ToArray());
        foreach (var served in new[] { Array.Empty<int>(), [3, 3, 0, 3, 5, 5, 29], all.Reverse().ToArray(), Enumerable.Range(0, 80).Select(_ => rng.Next(30)).ToArray() })
            foreach (int threads in new[] { 1, 2 })
            {
                var whole = retriever.Retrieve(mixtures, served, exclusions, [m], options, unimodal.Retrieve(users, served, exclusions, m, threads), users, threads)[0];
                var lazy = retriever.RetrieveWithUnimodalFill(mixtures, served, exclusions, m, options, unimodal, users, threads);
                Assert.Equal(whole.QueryCount, lazy.QueryCount);
                for (int q = 0; q < served.Length; q++)
                {
                    Assert.Equal(whole.IndicesOf(q).ToArray(), lazy.IndicesOf(q).ToArray());
                    Assert.Equal(whole.ScoresOf(q).ToArray(), lazy.ScoresOf(q).ToArray());
                }
            }
    }
}

public class LazyFillEngineValidationTests
{
    [Fact]
    public void RetrieveWithEngine_QuotaStage_RefusesAnExclusionGraphOverAnotherItemRange()
    {
        using var world = new ServingWorld();
        var model = world.Loaded;
        int users = model.GraphEmbedding!.UserEmbeddings.KeyCount, items = model.GraphEmbedding.ItemEmbeddings.KeyCount;
        var rows = Enumerable.Range(0, users).ToArray();
        // One item row past the model's: the unimodal fill checked this before it was searched only for short lists.
        var wider = BipartiteGraph.FromEdges(users, items + 3, [0], [items + 2]);
        Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => { model.RetrieveWithEngine(rows, wider, threads: 1); }));
        var narrower = BipartiteGraph.FromEdges(users, 1, [0], [0]);
        Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => { model.RetrieveWithEngine(rows, narrower, threads: 1); }));
    }
}
