using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class RetrieverTests
{
    private static int[] BruteForceTop(ReadOnlySpan<float> query, EmbeddingMatrix items, IEnumerable<int> pool, ISet<int> excluded, int m)
    {
        var q = query.ToArray();
        return pool.Where(i => !excluded.Contains(i))
            .Select(i => (Item: i, Score: VectorMath.Dot(q, items.ReadRow(i))))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Item).Take(m).Select(p => p.Item).ToArray();
    }

    [Fact]
    public void UnimodalMatchesBruteForceIncludingTiesAndExclusions()
    {
        var random = new Random(5);
        var items = TestGraphs.RandomMatrix(60, 13, 1);
        // Duplicate rows make exact ties, which must go to the lower row.
        for (int i = 40; i < 60; i++) items.ReadRow(i - 40).CopyTo(items.Row(i));
        var users = TestGraphs.RandomMatrix(23, 13, 2);
        var u = new List<int>();
        var it = new List<int>();
        for (int user = 0; user < 23; user++)
            foreach (int i in Enumerable.Range(0, 60).OrderBy(_ => random.Next()).Take(random.Next(0, 10))) { u.Add(user); it.Add(i); }
        var train = BipartiteGraph.FromEdges(23, 60, u.ToArray(), it.ToArray());
        var served = Enumerable.Range(0, 23).ToArray();
        var lists = new UnimodalRetriever(items).Retrieve(users, served, train, 15, threads: 2);
        for (int q = 0; q < served.Length; q++)
        {
            var expected = BruteForceTop(users.ReadRow(q), items, Enumerable.Range(0, 60), train.ItemsOf(q).ToArray().ToHashSet(), 15);
            Assert.Equal(expected, lists.IndicesOf(q).ToArray());
        }
    }

    /// <summary>
    /// Regression (a walkthrough of hostile requests): a list length within the limit but far beyond the catalogue (M = 2^20
    /// over 500 items) sized every selector of the search block by it, 1.2 GB for one user; an out-of-memory under a
    /// container's heap limit. Selectors now keep at most the catalogue; the list is the whole catalogue, ranked.
    /// </summary>
    [Fact]
    public void AListLongerThanTheCatalogueCostsItsSlotsNotSelectorsOfThatLength()
    {
        var items = TestGraphs.RandomMatrix(500, 8, 1);
        var users = TestGraphs.RandomMatrix(1, 8, 2);
        var retriever = new UnimodalRetriever(items);
        retriever.Retrieve(users, [0], null, 10, threads: 1); // warm-up: the packed panels and JIT are not the point
        long before = GC.GetAllocatedBytesForCurrentThread(); // one thread: Parallel.For runs the work on the caller
        var lists = retriever.Retrieve(users, [0], null, RetrievalLimits.MaxCandidates, threads: 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, lists.Counts[0]);
        Assert.Equal(BruteForceTop(users.ReadRow(0), items, Enumerable.Range(0, 500), new HashSet<int>(), 500), lists.IndicesOf(0).ToArray());
        // The list's own slots (2^20 indices and scores, 8 MiB) and little more; the old selectors took 32 x 8 MiB.
        Assert.True(allocated < 24L << 20, $"allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void QuotaListsMatchTheProtocolReference()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, itemsPerGroup: 9, users: 30, itemsPerUserPerGroup: 5);
        var clustering = ItemClustering.Create(groups, 5, items);
        var mixtures = MixtureBuilder.BuildMle(graph, clustering, items, 3);
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var userVectors = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 3);
        var fallback = new UnimodalRetriever(items).Retrieve(userVectors, served, graph, 40);
        int[] cutoffs = [3, 10, 20];
        var results = new ClusterQuotaRetriever(items, clustering).Retrieve(mixtures, served, graph, cutoffs, 1.0, fallback, threads: 2);
        for (int t = 0; t < cutoffs.Length; t++)
        {
            int m = cutoffs[t];
            foreach (int user in served)
            {
                var expected = Reference(user, m, items, clustering, graph, mixtures, fallback.IndicesOf(user).ToArray());
                var got = results[t].IndicesOf(user).ToArray();
                Assert.Equal(expected, got);
                Assert.Equal(m, got.Length);
                Assert.Equal(got.Length, got.Distinct().Count());
                Assert.DoesNotContain(got, graph.ItemsOf(user).ToArray().Contains);
            }
        }
    }

    /// <summary>The protocol's quota retrieval written plainly, as an independent reading of the text.</summary>
    private static int[] Reference(int user, int m, EmbeddingMatrix items, ItemClustering clustering, BipartiteGraph train, MixtureTable mixtures, int[] fallback)
    {
        int n = mixtures.ComponentCount(user);
        var clusters = mixtures.Clusters(user).ToArray();
        var weights = mixtures.Weights(user).ToArray();
        var seen = train.ItemsOf(user).ToArray().ToHashSet();
        var quotas = new int[n];
        QuotaAllocator.Allocate(weights, clusters, 1.0, m, quotas);
        var rankings = Enumerable.Range(0, n).Select(j =>
            BruteForceTop(mixtures.Embedding(user, j), items, clustering.MembersOf(clusters[j]).ToArray(), seen, int.MaxValue)).ToArray();
        var take = new int[n];
        int leftover = 0;
        for (int j = 0; j < n; j++)
        {
            take[j] = Math.Min(quotas[j], rankings[j].Length);
            leftover += quotas[j] - take[j];
        }
        for (int j = 0; j < n; j++)
        {
            int extra = Math.Min(leftover, rankings[j].Length - take[j]);
            take[j] += extra;
            leftover -= extra;
        }
        var list = new List<int>();
        for (int j = 0; j < n; j++) list.AddRange(rankings[j].Take(take[j]));
        foreach (int i in fallback)
        {
            if (list.Count >= m) break;
            if (!list.Contains(i)) list.Add(i);
        }
        return list.ToArray();
    }

    /// <summary>Cluster 0 has 2 items, cluster 1 has 3, cluster 2 has 2; one user has seen items 0, 1 (cluster 0) and 2 (cluster 1).</summary>
    private static (EmbeddingMatrix Items, ItemClustering Clustering, BipartiteGraph Train, MixtureTable Mixtures) ShortClusters()
    {
        int[] assignments = [0, 0, 1, 1, 1, 2, 2];
        var items = TestGraphs.RandomMatrix(7, 4, 8);
        var clustering = ItemClustering.Create(assignments, 3, items);
        var train = BipartiteGraph.FromEdges(1, 7, [0, 0, 0], [0, 1, 2]);
        return (items, clustering, train, MixtureBuilder.BuildMle(train, clustering, items, 2));
    }

    [Fact]
    public void AShortClusterHandsItsSlotsToTheNextComponentThenTheFallback()
    {
        var (items, clustering, train, mixtures) = ShortClusters();
        // Counts: cluster 0 -> 2, cluster 1 -> 1. Cluster 0 has no unseen item left; cluster 1 has 2.
        var fallback = new UnimodalRetriever(items).Retrieve(TestGraphs.RandomMatrix(1, 4, 1), [0], train, 4);
        var lists = new ClusterQuotaRetriever(items, clustering).Retrieve(mixtures, [0], train, [4], 1.0, fallback)[0];
        var got = lists.IndicesOf(0).ToArray();
        Assert.Equal(4, got.Length);
        Assert.Equal(new[] { 3, 4 }, got.Take(2).Order().ToArray());
        Assert.Equal(new[] { 5, 6 }, got.Skip(2).Order().ToArray());
    }

    [Fact]
    public void AFallbackBuiltWithoutTheExclusions_LendsNoExcludedItem_ToTheFillOrTheHead()
    {
        // As above, but the fallback ranks every item, the user's training items 0, 1 and 2 included.
        var (items, clustering, train, mixtures) = ShortClusters();
        var unfiltered = new UnimodalRetriever(items).Retrieve(TestGraphs.RandomMatrix(1, 4, 1), [0], null, 7);
        Assert.Contains(unfiltered.IndicesOf(0).ToArray(), i => i < 3);
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var filled = retriever.Retrieve(mixtures, [0], train, [4], 1.0, unfiltered)[0].IndicesOf(0).ToArray();
        var headed = retriever.Retrieve(mixtures, [0], train, [4], new QuotaRetrievalOptions { Alpha = 1.0, HeadShare = 0.5 }, unfiltered, null)[0].IndicesOf(0).ToArray();
        foreach (var list in new[] { filled, headed })
        {
            Assert.Equal(4, list.Length);
            Assert.DoesNotContain(list, i => i < 3);
            Assert.Equal(list.Length, list.Distinct().Count());
        }
    }

    [Fact]
    public void UnknownUserRowsThrow()
    {
        var items = TestGraphs.RandomMatrix(5, 3, 1);
        var users = TestGraphs.RandomMatrix(2, 3, 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new UnimodalRetriever(items).Retrieve(users, [2], null, 3));
        Assert.Contains("Unknown user row 2", e.Message);
    }

    [Fact]
    public void QuotaRetrievalRejectsAMixtureTableWithoutEmbeddings()
    {
        var items = TestGraphs.RandomMatrix(4, 3, 2);
        var clustering = ItemClustering.Create([0, 0, 1, 1], 2, items);
        var train = BipartiteGraph.FromEdges(1, 4, [0], [1]);
        var weightsOnly = MixtureBuilder.BuildMleWeights(train, clustering, 2);
        var e = Assert.Throws<ArgumentException>(() => new ClusterQuotaRetriever(items, clustering).Retrieve(weightsOnly, [0], train, [2]));
        Assert.Equal("mixtures", e.ParamName);
        Assert.Contains("component embeddings", e.Message);
    }
}
