using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

/// <summary>Time-ordered histories (<see cref="DivideConquerOptions.Sequences"/>): the items before each edge, and serving from the last ones.</summary>
public class SequenceOrderTests
{
    // User 0 rated 4, 0, 3, 1 in that order; user 1 rated 2 then 0.
    private static readonly int[][] Orders = [[4, 0, 3, 1], [2, 0]];

    /// <summary>The graph of the sequences' edges (user row = index).</summary>
    internal static BipartiteGraph Graph(int[][] sequences, int userCount, int itemCount)
    {
        var users = sequences.SelectMany((s, u) => s.Select(_ => u)).ToArray();
        return BipartiteGraph.FromEdges(userCount, itemCount, users, sequences.SelectMany(s => s).ToArray());
    }

    [Fact]
    public void Preceding_GivesTheItemsJustBefore_OldestFirst_AtMostL()
    {
        var graph = Graph(Orders, 2, 5);
        var order = new SequenceOrder(graph, Orders);
        var ids = new int[2];
        var before = new Dictionary<int, int[]>();
        int from = graph.Offsets[0];
        var items = graph.ItemsOf(0).ToArray();
        for (int r = 0; r < items.Length; r++) before[items[r]] = ids[..order.Preceding(from, from + r, ids)];
        Assert.Empty(before[4]);
        Assert.Equal([4], before[0]);
        Assert.Equal([4, 0], before[3]);
        Assert.Equal([0, 3], before[1]); // the two most recent, not the first two
        var recent = order.RecentGraph(2);
        Assert.Equal([1, 3], recent.ItemsOf(0).ToArray());
        Assert.Equal([0, 2], recent.ItemsOf(1).ToArray());
    }

    [Theory]
    [InlineData("count")]
    [InlineData("length")]
    [InlineData("unknown")]
    [InlineData("twice")]
    public void BadSequences_AreRejected_NamingTheUser(string fault)
    {
        var graph = Graph(Orders, 2, 5);
        int[][] bad = fault switch
        {
            "count" => [Orders[0]],
            "length" => [Orders[0], [2]],
            "unknown" => [Orders[0], [2, 3]],
            _ => [Orders[0], [2, 2]],
        };
        var e = Assert.Throws<ArgumentException>(() => new SequenceOrder(graph, bad));
        Assert.Contains(fault == "count" ? "1 sequences for the graph's 2 users" : "DivideConquer.Sequences[1]", e.Message, StringComparison.Ordinal);
        // The same check through the trainer, whose graph has an edgeless user and item (trained on the subgraph of the others).
        var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, prompts: false, clusters: null, epochs: 1);
        options.DivideConquer.Clusters = 2;
        options.DivideConquer.Sequences = fault == "count" ? bad : [.. bad, []];
        Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(Graph(Orders, 3, 6), options));
    }

    /// <summary>
    /// Every user moved from one planted group of items to another: 8 items of its old group, then 8 of its new one; its
    /// next item is another of the new group. Trained and served in time order with L = 4, the encoder sees the new
    /// interest alone; without order it sees both, and ranks the next item lower.
    /// </summary>
    [Fact]
    public void InTimeOrder_TheRecentInterestLeads_WhereAnUnorderedHistoryMixesBoth()
    {
        const int groups = 4, perGroup = 20, users = 160;
        var random = new Random(7);
        var sequences = new int[users][];
        var next = new int[users];
        for (int u = 0; u < users; u++)
        {
            int old = u % groups, now = (old + 1 + u / groups % (groups - 1)) % groups;
            var oldItems = Enumerable.Range(0, perGroup).OrderBy(_ => random.Next()).Take(8).Select(i => old * perGroup + i);
            var newItems = Enumerable.Range(0, perGroup).OrderBy(_ => random.Next()).Take(9).Select(i => now * perGroup + i).ToArray();
            sequences[u] = [.. oldItems, .. newItems[..8]];
            next[u] = newItems[8];
        }
        var graph = Graph(sequences, users, groups * perGroup);

        double Recall(bool ordered)
        {
            var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, prompts: false, clusters: null, epochs: 15);
            options.DivideConquer.Clusters = groups;
            options.DivideConquer.GlobalNegativeShare = 1;
            options.DivideConquer.MaxHistory = 4;
            if (ordered) options.DivideConquer.Sequences = sequences;
            var fit = GraphEmbeddingTrainerEngine.Fit(graph, options);
            var again = GraphEmbeddingTrainerEngine.Fit(graph, options);
            Assert.Equal(fit.UserEmbeddings.Values, again.UserEmbeddings.Values); // one thread: deterministic
            var lists = new UnimodalRetriever(fit.ItemEmbeddings).Retrieve(fit.UserEmbeddings, Enumerable.Range(0, users).ToArray(), graph, 10, threads: 1);
            return Enumerable.Range(0, users).Count(u => lists.IndicesOf(u).Contains(next[u])) / (double)users;
        }

        double ordered = Recall(true), unordered = Recall(false);
        Assert.True(ordered > unordered + 0.1, $"Recall@10 in time order {ordered:F3}, without order {unordered:F3}");
    }

    [Fact]
    public void BuildMixtures_CountsTheIntentOnTheGivenHistories_AndPoolsTheServedOnes()
    {
        var (_, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 40, itemsPerUserPerGroup: 4);
        var fit = GraphEmbeddingTrainerEngine.Fit(graph, DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, true, itemGroup, epochs: 2));
        var model = fit.DivideConquer!;
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        // Intent on one interest only: each user's items of its second planted group.
        var second = users.SelectMany(u => graph.ItemsOf(u).ToArray().Where(i => itemGroup[i] == userGroups[u][1]).Select(i => (u, i))).ToArray();
        var recent = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, second.Select(e => e.u).ToArray(), second.Select(e => e.i).ToArray());
        var both = model.BuildMixtures(graph, users, threads: 1);
        var narrowed = model.BuildMixtures(graph, users, threads: 1, intentHistory: recent);
        foreach (int u in users)
        {
            Assert.Equal(userGroups[u][1], narrowed.Clusters(u)[0]);
            Assert.True(narrowed.Weights(u)[0] > both.Weights(u)[0], $"user {u}: the narrowed intent puts more weight on its recent interest");
            // The queries still pool the whole served history: the same query for the same cluster.
            int inBoth = both.Clusters(u).IndexOf(userGroups[u][1]);
            Assert.Equal(both.Embedding(u, inBoth).ToArray(), narrowed.Embedding(u, 0).ToArray());
        }
        var small = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount - 1, [0], [0]);
        Assert.Contains("intent histories", Assert.Throws<ArgumentException>(() => model.BuildMixtures(graph, users, 1, small)).Message, StringComparison.Ordinal);
    }
}
