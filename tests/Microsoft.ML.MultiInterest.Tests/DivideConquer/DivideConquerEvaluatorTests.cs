using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

public class DivideConquerEvaluatorTests
{
    [Fact]
    public void ListsTheClustersCannotFill_AreCompletedFromTheSharedQuery()
    {
        // Every user has 4 training items in each of two 12-item groups; its held-out items are the other 16 of those groups.
        var (_, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 40, itemsPerUserPerGroup: 4);
        var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, true, itemGroup, epochs: 5);
        options.DivideConquer.GlobalNegativeShare = 1;
        options.DivideConquer.Components = 1; // one cluster per user: 8 unseen items, fewer than M = 20
        var model = GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        var testUsers = new List<int>();
        var testItems = new List<int>();
        for (int u = 0; u < graph.UserCount; u++)
            for (int i = 0; i < graph.ItemCount; i++)
                if (userGroups[u].Contains(itemGroup[i]) && !graph.Contains(u, i)) { testUsers.Add(u); testItems.Add(i); }
        var test = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, testUsers.ToArray(), testItems.ToArray());
        var result = DivideConquerEvaluator.Evaluate("dc", graph, test, model, 1, model.Items, [8, 20], threads: 1, out double seconds);
        Assert.True(seconds > 0);
        // At M = 8 the one cluster fills the list with its 8 unseen items, all held out: recall 8/16.
        Assert.Equal(0.5, result.Recall[8], 9);
        // At M = 20 the 12 more come from the shared query, which knows the user's second interest.
        Assert.True(result.Recall[20] > 0.75, $"Recall@20 {result.Recall[20]:F3}: the fill did not reach the second interest");
    }
}
