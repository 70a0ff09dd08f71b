using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.Data;

public class GraphDataTests
{
    [Fact]
    public void BuildKnown_LeavesOutAndCountsEdgesOfUnseenUsersAndItems()
    {
        var users = new IdMap(["u1", "u2"]);
        var items = new IdMap(["a", "b", "c"]);
        RawEdge[] test = [new("u1", "b", 1), new("u1", "z", 1), new("u3", "a", 1), new("u2", "c", 1), new("u2", "a", 1)];

        var (graph, unseen) = GraphData.BuildKnown(test, users, items, "test.tsv");

        Assert.Equal(2, unseen);
        Assert.Equal((2, 3, 3), (graph.UserCount, graph.ItemCount, graph.EdgeCount));
        Assert.Equal([1], graph.ItemsOf(0).ToArray());
        Assert.Equal([0, 2], graph.ItemsOf(1).ToArray());
        // The maps are not extended.
        Assert.Equal((2, 3), (users.Count, items.Count));
        // Build without the filter still names the unknown id and the file.
        var e = Assert.Throws<KeyNotFoundException>(() => GraphData.Build(test, users, items, extendIds: false, "test.tsv"));
        Assert.Contains("test.tsv", e.Message);
        Assert.Contains("'z'", e.Message);
    }

    [Fact]
    public void BuildHeldOut_CountsDistinctUnseenItemsPerUserAndUnseenUsers()
    {
        var users = new IdMap(["u1", "u2", "u3"]);
        var items = new IdMap(["a", "b"]);
        RawEdge[] test =
        [
            new("u1", "a", 1), new("u1", "z", 1), new("u1", "z", 1), new("u1", "y", 1), // u1: 1 seen, 2 distinct unseen items
            new("u2", "x", 1),                                                         // u2: only an unseen item
            new("s1", "a", 1), new("s1", "b", 1), new("s2", "a", 1),                   // two unseen users
        ];

        var held = GraphData.BuildHeldOut(test, users, items, "test.tsv");

        Assert.Equal(6, held.UnseenEdges); // u1's repeated z counts once
        Assert.Equal(1, held.Graph.EdgeCount);
        Assert.Equal(2, held.Misses.UnseenUsers);
        Assert.Equal([2, 1, 0], Enumerable.Range(0, 3).Select(held.Misses.UnseenItemsOf).ToArray());
        Assert.Equal(3, held.Misses.UnseenItems);
        Assert.Equal(3, held.Misses.UsersWithoutSeenItems(held.Graph)); // s1, s2 and u2
    }

    [Fact]
    public void MetricsScorer_CountsUnseenItemsInTheDenominators_AndMissedUsersAsZeros()
    {
        // One scored user: held-out {0, 1} plus 2 unseen items; its list [0, 5] hits one of 4.
        var unit = new EmbeddingMatrix(6, 2, [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]);
        int[] cutoffs = [2];
        var means = MetricsScorer.Score(cutoffs, 1, (_, _) => new[] { 0, 5 }, _ => new[] { 0, 1 }, unit, null, 1, _ => 2, missedUsers: 1);
        Assert.Equal(0.25 / 2, means.Recall[0], 12);
        double ndcg = 1.0 / (1 + 1 / Math.Log2(3)); // one hit at rank 0; ideal over min(2, 4) ranks
        Assert.Equal(ndcg / 2, means.Ndcg[0], 12);
        var dropped = MetricsScorer.Score(cutoffs, 1, (_, _) => new[] { 0, 5 }, _ => new[] { 0, 1 }, unit, null, 1);
        Assert.Equal(0.5, dropped.Recall[0], 12);
        Assert.Equal(dropped.Diversity[0], means.Diversity[0]);
        Assert.Equal(0.25, RetrievalMetrics.Recall([0, 5], [0, 1], unseen: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Recall([0], [0], unseen: -1));
    }
}
