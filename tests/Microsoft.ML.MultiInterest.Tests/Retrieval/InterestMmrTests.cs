using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>Multi-interest MMR: MMR plus the PM-2 proportionality term over the user's mixture.</summary>
public class InterestMmrTests
{
    private static (EmbeddingMatrix Items, ItemClustering Clustering, BipartiteGraph Graph, EmbeddingMatrix Users, MixtureTable Mixtures, int[] Served) World()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 20, itemsPerUserPerGroup: 3);
        var clustering = ItemClustering.Create(groups, 4, items);
        var mixtures = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        var users = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 11);
        return (items, clustering, graph, users, mixtures, Enumerable.Range(0, graph.UserCount).ToArray());
    }

    [Fact]
    public void ZeroWeightIsPlainMmr()
    {
        var (items, clustering, graph, users, mixtures, served) = World();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, graph, 30);
        var retriever = new MmrRetriever(items);
        var plain = retriever.Rerank(pool, 12, 0.6, 30);
        var zero = retriever.Rerank(pool, 12, 0.6, 30, new InterestProportionality(mixtures, served, clustering, 0));
        Assert.Equal(plain.Indices, zero.Indices);
    }

    [Fact]
    public void ADominantInterestTermServesTheInterestsInSainteLagueOrder()
    {
        var (items, clustering, graph, users, mixtures, served) = World();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, graph, 40);
        var lists = new MmrRetriever(items).Rerank(pool, 8, 1.0, 40, new InterestProportionality(mixtures, served, clustering, 1e6));
        foreach (int user in served)
        {
            var clusters = mixtures.Clusters(user).ToArray();
            var weights = mixtures.Weights(user).ToArray();
            var picks = new int[clusters.Length];
            var got = lists.IndicesOf(user).ToArray();
            Assert.Equal(8, got.Distinct().Count());
            Assert.DoesNotContain(got, graph.ItemsOf(user).ToArray().Contains);
            foreach (int item in got)
            {
                // The component with the highest quotient w / (2 s + 1) gets the next slot while its cluster has pool items.
                int j = Array.IndexOf(clusters, clustering.Assignments[item]);
                Assert.True(j >= 0);
                double best = Enumerable.Range(0, clusters.Length).Max(c => weights[c] / (2 * picks[c] + 1));
                Assert.Equal(best, weights[j] / (2 * picks[j] + 1), 1e-12);
                picks[j]++;
            }
        }
    }

    [Fact]
    public void MisalignedUsersAreRejected()
    {
        var (items, clustering, graph, users, mixtures, served) = World();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, graph, 10);
        var e = Assert.Throws<ArgumentException>(() => new MmrRetriever(items).Rerank(pool, 5, 0.5, 10, new InterestProportionality(mixtures, [0, 1], clustering, 0.1)));
        Assert.Equal("interests", e.ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentOutOfRangeException>(() => new InterestProportionality(mixtures, served, clustering, -1)).ParamName);
    }
}
