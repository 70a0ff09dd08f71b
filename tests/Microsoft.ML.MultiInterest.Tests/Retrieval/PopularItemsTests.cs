using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Protocol;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class PopularItemsTests
{
    [Fact]
    public void RankOrdersByDegreeThenRow()
    {
        Assert.Equal([3, 1, 4, 0, 2, 5], PopularItems.Rank([1, 5, 0, 7, 5, 0]));
        Assert.Empty(PopularItems.Rank([]));
    }

    [Fact]
    public void EachUserGetsTheMostEngagedItemsItHasNotSeen_ScoredByDegree()
    {
        // Degrees: item 0: 3, items 1, 2 and 3: 2, item 4: 0 (a row no training user engaged with).
        // User 4 saw item 3 only.
        int[] users = [0, 0, 1, 1, 2, 2, 3, 0, 4];
        int[] items = [0, 1, 0, 2, 0, 1, 2, 3, 3];
        var train = BipartiteGraph.FromEdges(5, 5, users, items);
        var lists = PopularItems.Retrieve(train, [0, 1, 3, 2, 4], 3);
        Assert.Equal([2, 4], lists.IndicesOf(0).ToArray()); // user 0 saw 0, 1 and 3: only 2 and the unengaged 4 are left
        Assert.Equal([2f, 0f], lists.ScoresOf(0).ToArray());
        Assert.Equal([1, 3, 4], lists.IndicesOf(1).ToArray()); // saw 0 and 2; 1 and 3 (degree 2, in row order) before 4 (0)
        Assert.Equal([0, 1, 3], lists.IndicesOf(2).ToArray()); // saw 2 only
        Assert.Equal([3f, 2f, 2f], lists.ScoresOf(2).ToArray());
        Assert.Equal([2, 3, 4], lists.IndicesOf(3).ToArray());
        Assert.Equal([0, 1, 2], lists.IndicesOf(4).ToArray()); // saw 3 only: items 1 and 2 tie at degree 2, the lower row first
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var train = BipartiteGraph.FromEdges(2, 2, [0, 1], [0, 1]);
        Assert.Equal("count", Assert.ThrowsAny<ArgumentException>(() => PopularItems.Retrieve(train, [0], 0)).ParamName);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PopularItems.Retrieve(train, [0, 2], 1));
        Assert.Equal("users", error.ParamName);
        Assert.Contains("User row 2 at position 1", error.Message);
    }

    [Fact]
    public void TheProtocolsPopularRowIsLast_HasNoEmd_AndScoresItsListsAsEveryRow()
    {
        var (train, test, users, items, clustering) = ProtocolEvaluatorTests.Planted();
        var settings = new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3, Popular = true };
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, settings);
        Assert.Equal(["unimodal", "mmr", "mixture", "knn_embed", ProtocolEvaluator.PopularName], result.Methods.Select(m => m.Name));
        var popular = result[ProtocolEvaluator.PopularName];
        Assert.True(double.IsNaN(popular.Emd));
        Assert.All(popular.ByActivity, g => Assert.True(double.IsNaN(g.Emd)));
        var expected = PopularItems.Retrieve(train, result.TestUsers.ToArray(), 10);
        var unit = items.Normalized();
        foreach (int k in new[] { 5, 10 })
        {
            double recall = 0, diversity = 0;
            for (int q = 0; q < result.TestUsers.Count; q++)
            {
                var list = popular.Candidates[k].IndicesOf(q);
                Assert.Equal(expected.IndicesOf(q)[..k].ToArray(), list.ToArray());
                recall += RetrievalMetrics.Recall(list, test.ItemsOf(result.TestUsers[q]));
                diversity += RetrievalMetrics.Diversity(list, unit);
            }
            Assert.Equal(recall / result.TestUsers.Count, popular.Recall[k], 1e-12);
            Assert.Equal(diversity / result.TestUsers.Count, popular.Diversity[k], 1e-12);
        }
        // The planted graph's interests are personal: every user's own vector recalls more than the catalogue's head.
        Assert.True(result[ProtocolEvaluator.UnimodalName].Recall[10] > popular.Recall[10] + 0.1);
        // Off by default: the other rows are the same with or without it.
        var without = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3 });
        Assert.Equal(result.Methods.Select(m => m.Name).SkipLast(1), without.Methods.Select(m => m.Name));
        Assert.Equal(result[ProtocolEvaluator.UnimodalName].Recall[10], without[ProtocolEvaluator.UnimodalName].Recall[10]);
    }
}
