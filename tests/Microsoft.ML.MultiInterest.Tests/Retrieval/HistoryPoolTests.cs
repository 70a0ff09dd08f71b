using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>History-interest MMR's clustered pool search (<see cref="HistoryPoolOptions"/>): an inverted file over the items.</summary>
public class HistoryPoolTests
{
    private const int PoolSize = 20;

    private static readonly HistoryInterestOptions Objective = new() { Regularization = 0.02, UnobservedWeight = 0.05, ItemsPerInterest = 1, MaxInterests = 8 };

    /// <summary>Six groups of 40 items, users with two groups each (up to 8 interests: two tiles of the scan), random user vectors.</summary>
    private static (EmbeddingMatrix Items, BipartiteGraph Graph, EmbeddingMatrix Users, HistoryInterests Interests) Data()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 6, itemsPerGroup: 40, users: 24, itemsPerUserPerGroup: 5, dim: 8, seed: 3);
        var users = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 7);
        var interests = HistoryInterests.Build(graph, items, Enumerable.Range(0, graph.UserCount).ToArray(), Objective, threads: 1);
        return (items, graph, users, interests);
    }

    private static HistoryPoolOptions Clustered(int lists, int probes, bool historyLists = false, int userProbes = 0) =>
        new() { Search = HistoryPoolSearch.Clustered, Lists = lists, Probes = probes, UserProbes = userProbes, HistoryLists = historyLists, Threads = 1 };

    private static void AssertSameLists(RankedLists expected, RankedLists actual)
    {
        Assert.Equal(expected.QueryCount, actual.QueryCount);
        for (int q = 0; q < expected.QueryCount; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray(), actual.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), actual.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void ProbingEveryListGivesTheExactPoolAndLists()
    {
        var (items, graph, users, interests) = Data();
        Assert.True(interests.MaxInterests > PanelQueryTile.Queries);
        var exact = new HistoryInterestRetriever(items);
        var clustered = new HistoryInterestRetriever(items, Clustered(lists: 10, probes: 10));
        Assert.Equal(10, clustered.PoolLists);
        var (exactPool, _) = exact.Pool(users, interests, graph, PoolSize, 0.5, threads: 1);
        var (clusteredPool, _) = clustered.Pool(users, interests, graph, PoolSize, 0.5, threads: 1);
        AssertSameLists(exactPool, clusteredPool);
        // Given the users' own exact lists, the clustered search takes them instead of searching the user vectors.
        var own = new UnimodalRetriever(items).Retrieve(users, interests.Users, graph, PoolSize, threads: 1);
        AssertSameLists(exactPool, clustered.Pool(users, interests, graph, PoolSize, 0.5, threads: 1, own).Pool);
        AssertSameLists(exact.Retrieve(users, interests, graph, 10, 0.75, poolSize: PoolSize, threads: 1),
            clustered.Retrieve(users, interests, graph, 10, 0.75, poolSize: PoolSize, threads: 1));

        // The user vectors searched through the lists too (a user vector and 8 interests: two tiles per user).
        var withUsers = new HistoryInterestRetriever(items, Clustered(lists: 10, probes: 10, userProbes: 10));
        AssertSameLists(exactPool, withUsers.Pool(users, interests, graph, PoolSize, 0.5, threads: 1).Pool);
    }

    [Fact]
    public void UserProbesSearchTheUserVectorThroughTheLists_UnlessItsListIsGiven()
    {
        var (items, graph, users, interests) = Data();
        var exactOwn = new HistoryInterestRetriever(items, Clustered(lists: 12, probes: 1));
        var probedOwn = new HistoryInterestRetriever(items, Clustered(lists: 12, probes: 1, userProbes: 1));
        var (a, _) = exactOwn.Pool(users, interests, graph, PoolSize, 0.5, threads: 1);
        var (b, _) = probedOwn.Pool(users, interests, graph, PoolSize, 0.5, threads: 1);
        Assert.Contains(Enumerable.Range(0, a.QueryCount), q => !a.IndicesOf(q).SequenceEqual(b.IndicesOf(q)));
        // Given the exact own lists, the probed search takes them: the pools agree again.
        var own = new UnimodalRetriever(items).Retrieve(users, interests.Users, graph, PoolSize, threads: 1);
        AssertSameLists(a, probedOwn.Pool(users, interests, graph, PoolSize, 0.5, threads: 1, own).Pool);
    }

    [Fact]
    public void ProbingFewListsKeepsThePoolUnseenDistinctAndExactlyScored()
    {
        var (items, graph, users, interests) = Data();
        var exact = new HistoryInterestRetriever(items);
        var clustered = new HistoryInterestRetriever(items, Clustered(lists: 12, probes: 1));
        var (exactPool, _) = exact.Pool(users, interests, graph, PoolSize, 0.5, threads: 1);
        var (pool, _) = clustered.Pool(users, interests, graph, PoolSize, 0.5, threads: 1);
        int differing = 0;
        for (int q = 0; q < pool.QueryCount; q++)
        {
            int u = interests.Users[q];
            var got = pool.IndicesOf(q).ToArray();
            Assert.Equal(PoolSize, got.Length);
            Assert.Equal(got.Length, got.Distinct().Count());
            Assert.DoesNotContain(got, i => graph.Contains(u, i));
            var scores = pool.ScoresOf(q);
            for (int r = 0; r < got.Length; r++)
            {
                // Re-scored by the best of the user's vectors, as the exact pool is; never better than the exact pool's rank r.
                var item = items.ReadRow(got[r]);
                float best = VectorMath.Dot(users.ReadRow(u), item);
                for (int c = 0; c < interests.InterestCount(q); c++)
                    best = Math.Max(best, VectorMath.Dot(interests.Vectors(q).Slice(c * items.Dimension, items.Dimension), item));
                Assert.Equal(best, scores[r]);
                Assert.True(scores[r] <= exactPool.ScoresOf(q)[r] * (1 + 1e-6f) + 1e-6f);
                if (r > 0) Assert.True(scores[r] <= scores[r - 1]);
            }
            if (!got.SequenceEqual(exactPool.IndicesOf(q).ToArray())) differing++;
        }
        // One probe of twelve lists does miss items somewhere: the search really is approximate.
        Assert.True(differing > 0);
        // With the exact own lists given, every user's pool holds them (the own vector's top N are among the best-score top N
        // only partly, so: holds every own-list item that the exact pool holds).
        var ownLists = new UnimodalRetriever(items).Retrieve(users, interests.Users, graph, PoolSize, threads: 1);
        var (given, _) = clustered.Pool(users, interests, graph, PoolSize, 0.5, threads: 1, ownLists);
        for (int q = 0; q < given.QueryCount; q++)
        {
            var held = given.IndicesOf(q).ToArray();
            foreach (int item in ownLists.IndicesOf(q))
                if (exactPool.IndicesOf(q).Contains(item)) Assert.Contains(item, held);
        }
    }

    [Fact]
    public void HistoryListsAloneSearchTheListsOfTheUsersItems()
    {
        var (items, groups, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 6, itemsPerGroup: 40, users: 24, itemsPerUserPerGroup: 5, dim: 8, seed: 3);
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        // Six lists on six well-separated groups: each list is a group, and a user's history covers its two groups.
        var index = new HistoryPoolIndex(items, Clustered(lists: 6, probes: 0, historyLists: true));
        // Every interest queries along a third group's direction, so only the history lists can supply the items.
        var firstInterest = users.Select(u => u).Append(users.Length).ToArray();
        var queries = new EmbeddingMatrix(users.Length, items.Dimension);
        foreach (int u in users) queries.Row(u)[Enumerable.Range(0, 6).First(g => !userGroups[u].Contains(g))] = 1;
        var scanned = new int[users.Length];
        var lists = index.Search(queries, firstInterest, users, graph, PoolSize, threads: 1, scanned);
        foreach (int u in users)
        {
            Assert.Equal(80, scanned[u]);
            Assert.Equal(PoolSize, lists.Counts[u]);
            Assert.All(lists.IndicesOf(u).ToArray(), i => Assert.Contains(groups[i], userGroups[u]));
            Assert.DoesNotContain(lists.IndicesOf(u).ToArray(), i => graph.Contains(u, i));
        }
        // With one probe as well, the third group's list is searched too and holds the best items.
        var probed = new HistoryPoolIndex(items, Clustered(lists: 6, probes: 1, historyLists: true)).Search(queries, firstInterest, users, graph, PoolSize, threads: 1);
        foreach (int u in users) Assert.All(probed.IndicesOf(u).ToArray(), i => Assert.DoesNotContain(groups[i], userGroups[u]));
    }

    [Fact]
    public void ResultsDoNotDependOnThreadsAndRepeatForASeed()
    {
        var (items, graph, users, interests) = Data();
        var options = Clustered(lists: 12, probes: 2);
        var one = new HistoryInterestRetriever(items, options).Retrieve(users, interests, graph, 10, 0.75, poolSize: PoolSize, threads: 1);
        options.Threads = 4;
        var again = new HistoryInterestRetriever(items, options);
        AssertSameLists(one, again.Retrieve(users, interests, graph, 10, 0.75, poolSize: PoolSize, threads: 4));
        AssertSameLists(one, again.Retrieve(users, interests, graph, 10, 0.75, poolSize: PoolSize, threads: 1));
    }

    [Theory]
    [InlineData("Lists")]
    [InlineData("Probes")]
    [InlineData("ProbesWithoutHistoryLists")]
    [InlineData("Threads")]
    [InlineData("UserProbes")]
    [InlineData("Search")]
    public void BadOptionsNameTheOption(string option)
    {
        var items = TestGraphs.RandomMatrix(20, 4, 1);
        var o = Clustered(lists: 4, probes: 2);
        string name = option;
        switch (option)
        {
            case "Lists": o.Lists = -1; break;
            case "Probes": o.Probes = -2; break;
            case "ProbesWithoutHistoryLists": o.Probes = 0; name = "Probes"; break;
            case "Threads": o.Threads = -1; break;
            case "UserProbes": o.UserProbes = -1; break;
            default: o.Search = (HistoryPoolSearch)9; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new HistoryInterestRetriever(items, o));
        Assert.Equal(name, e.ParamName);
        var row = new HistoryMmrRowSettings { Pool = o };
        Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(row.Validate).ParamName);
    }

    [Fact]
    public void TheRetrieverKeepsACopyOfItsOptions()
    {
        var items = TestGraphs.RandomMatrix(30, 4, 2);
        var o = Clustered(lists: 5, probes: 2);
        var retriever = new HistoryInterestRetriever(items, o);
        o.Probes = 4;
        Assert.Equal(2, retriever.PoolOptions.Probes);
        Assert.Equal(HistoryPoolSearch.Exact, new HistoryInterestRetriever(items).PoolOptions.Search);
        Assert.Equal(0, new HistoryInterestRetriever(items).PoolLists);
    }
}
