using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>The retrieval options of <see cref="ClusterQuotaRetriever"/>: query inside a cluster, alpha, unimodal head.</summary>
public class QuotaOptionsTests
{
    private static readonly int[] Cutoffs = [3, 7, 12];

    private static (EmbeddingMatrix Items, ItemClustering Clustering, BipartiteGraph Graph, EmbeddingMatrix Users, MixtureTable Mle, MixtureTable Smoothed) World()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, itemsPerGroup: 9, users: 30, itemsPerUserPerGroup: 5);
        var clustering = ItemClustering.Create(groups, 5, items);
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 3);
        var users = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 3);
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var neighbors = new ExactNeighborIndex(users, Enumerable.Repeat(true, graph.UserCount).ToArray()).Search(users, served, 3, 1);
        var smoothed = KnnSmoother.Smooth(graph, clustering, items, mle, served, neighbors, 0.8, 1);
        return (items, clustering, graph, users, mle, smoothed);
    }

    [Fact]
    public void BadRowsMetInsideAWorker_ReadAsTheArgumentErrorItself()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, itemsPerGroup: 9, users: 30, itemsPerUserPerGroup: 5);
        var clustering = ItemClustering.Create(groups, 5, items);
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 3);
        // A neighbour row that is no user of the graph.
        var neighbors = new RankedLists(1, 1);
        neighbors.IndexSlots(0)[0] = graph.UserCount + 5;
        neighbors.Counts[0] = 1;
        var smoothing = Record.Exception(() => KnnSmoother.Smooth(graph, clustering, items, mle, [0], neighbors, 0.8, threads: 2));
        Assert.IsAssignableFrom<ArgumentException>(smoothing);

        // A neighbour row holding the user itself (a search without the users' own rows excluded).
        var withSelf = new RankedLists(1, 2);
        withSelf.IndexSlots(0)[0] = 0;
        withSelf.IndexSlots(0)[1] = 1;
        withSelf.Counts[0] = 2;
        var self = Assert.Throws<ArgumentException>(() => KnnSmoother.Smooth(graph, clustering, items, mle, [0], withSelf, 0.8, threads: 2));
        Assert.Equal("neighbors", self.ParamName);
        Assert.Contains("holds the user itself", self.Message);

        // Mixtures built over a finer clustering (9 clusters) than the quota retriever's (5).
        var finer = ItemClustering.Create(Enumerable.Range(0, items.Rows).Select(i => i % 9).ToArray(), 9, items);
        var other = MixtureBuilder.BuildMle(graph, finer, items, 3);
        var quota = Assert.Throws<ArgumentException>(() => new ClusterQuotaRetriever(items, clustering).Retrieve(other, [0, 1], graph, [4], 1.0, null, 2));
        Assert.Equal("mixtures", quota.ParamName);
        Assert.Contains("but the retriever's clustering has 5 clusters", quota.Message);

        // A pool ranked over a larger catalogue than the MMR retriever's.
        var pool = new UnimodalRetriever(TestGraphs.RandomMatrix(items.Rows + 10, items.Dimension, 2)).Retrieve(TestGraphs.RandomMatrix(2, items.Dimension, 3), [0, 1], null, items.Rows + 10);
        var error = Assert.Throws<ArgumentException>(() => new MmrRetriever(items).Rerank(pool, 3));
        Assert.Equal("pool", error.ParamName);
        Assert.Contains($"but the retriever has {items.Rows} items", error.Message);
    }

    public static TheoryData<QuotaQuery, double, double, bool> Modes()
    {
        var data = new TheoryData<QuotaQuery, double, double, bool>();
        foreach (var query in Enum.GetValues<QuotaQuery>())
            foreach (double share in new[] { 0, 0.3, 1 })
                foreach (bool smoothed in new[] { false, true })
                    data.Add(query, share, 0.5, smoothed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EveryModeGivesFullListsWithoutSeenOrDuplicateItemsAndHonoursTheHeadShare(QuotaQuery query, double share, double alpha, bool smoothed)
    {
        var (items, clustering, graph, users, mle, knn) = World();
        var mixtures = smoothed ? knn : mle;
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var fallback = new UnimodalRetriever(items).Retrieve(users, served, graph, 24);
        var options = new QuotaRetrievalOptions { Query = query, HeadShare = share, Alpha = alpha, Beta = 0.7 };
        var results = new ClusterQuotaRetriever(items, clustering).Retrieve(mixtures, served, graph, Cutoffs, options, fallback, users, threads: 2);
        for (int t = 0; t < Cutoffs.Length; t++)
        {
            int m = Cutoffs[t], head = options.HeadSlots(m);
            foreach (int user in served)
            {
                var got = results[t].IndicesOf(user).ToArray();
                Assert.Equal(m, got.Length);
                Assert.Equal(m, got.Distinct().Count());
                Assert.DoesNotContain(got, graph.ItemsOf(user).ToArray().Contains);
                Assert.Equal(fallback.IndicesOf(user)[..head].ToArray(), got[..head]);
            }
        }
    }

    [Theory]
    [InlineData(QuotaQuery.User, 0.0, 7)]
    [InlineData(QuotaQuery.Component, 0.0, 20)]
    [InlineData(QuotaQuery.Blend, 0.3, 20)]
    public void TheUnimodalFill_SearchedForShortListsOnly_GivesTheListsOfTheWholeFallback(QuotaQuery query, double share, int m)
    {
        // Serving paths scan the catalogue for the fallback only for users whose clusters leave the list short (all of them
        // with a unimodal head): the lists must be those of the fallback searched for every user. At M = 20 most lists need
        // the fill (a user's MLE mixture spans two 9-item clusters, 5 of each seen); at M = 7 few do.
        var (items, clustering, graph, users, mle, _) = World();
        var served = Enumerable.Range(0, graph.UserCount).Reverse().Where(u => u % 3 != 1).ToArray(); // not every user, not in row order
        var options = new QuotaRetrievalOptions { Query = query, HeadShare = share, Alpha = 0.5, Beta = 0.7 };
        var unimodal = new UnimodalRetriever(items);
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var whole = retriever.Retrieve(mle, served, graph, [m], options, unimodal.Retrieve(users, served, graph, m), users, threads: 2)[0];
        var lazy = retriever.RetrieveWithUnimodalFill(mle, served, graph, m, options, unimodal, users, threads: 2);
        var unfilled = retriever.Retrieve(mle, served, graph, [m], new QuotaRetrievalOptions { Query = query, Alpha = 0.5, Beta = 0.7 }, null, users, threads: 2)[0];
        int shortLists = Enumerable.Range(0, served.Length).Count(q => unfilled.Counts[q] < m);
        Assert.True(m == 7 ? shortLists < served.Length : shortLists > 0, $"{shortLists} short lists of {served.Length}"); // both paths are exercised
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(whole.IndicesOf(q).ToArray(), lazy.IndicesOf(q).ToArray());
            Assert.Equal(whole.ScoresOf(q).ToArray(), lazy.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void TheUnimodalFill_SearchedForShortListsOnly_StillRefusesANonFiniteUserVectorOfAFullList()
    {
        // Regression: with the component query a user's own vector is read only by the fill, so a NaN in it was refused when
        // the user's list came out short and served without a word when the clusters filled it.
        var (items, clustering, graph, users, mle, _) = World();
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var options = new QuotaRetrievalOptions { Query = QuotaQuery.Component };
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var unfilled = retriever.Retrieve(mle, served, graph, [3], options, null, users, threads: 1)[0];
        int full = served.First(q => unfilled.Counts[q] == 3);
        var broken = users.Clone();
        broken.Row(full)[1] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => retriever.RetrieveWithUnimodalFill(mle, served, graph, 3, options, new UnimodalRetriever(items), broken, threads: 1));
        Assert.Contains("user embeddings", error.Message, StringComparison.Ordinal);
        Assert.Contains($"row {full}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(QuotaQuery.Component, 0.0, 3, false)]
    [InlineData(QuotaQuery.Component, 0.0, 44, false)]
    [InlineData(QuotaQuery.Component, 0.0, 45, true)]
    [InlineData(QuotaQuery.User, 0.0, 60, true)]
    [InlineData(QuotaQuery.Blend, 0.5, 12, true)]
    [InlineData(QuotaQuery.Component, 0.01, 12, false)]
    public void TheUnimodalFill_UnderHeavyExclusionsRepeatedUsersAndThreads_GivesTheListsOfTheWholeFallback(QuotaQuery query, double share, int m, bool smoothed)
    {
        // M up to past the 45-item catalogue; every fifth user excludes about 80 % of it (lists short even with the fill);
        // users given empty, repeated, reversed and drawn at random; a head that rounds to no slot (share 0.01).
        var (items, clustering, graph, users, mle, knn) = World();
        var mixtures = smoothed ? knn : mle;
        var rng = new Random(5);
        var (excludedUsers, excludedItems) = (new List<int>(), new List<int>());
        for (int u = 0; u < graph.UserCount; u++)
        {
            var own = new HashSet<int>(graph.ItemsOf(u).ToArray());
            if (u % 5 == 0)
                for (int j = 0; j < items.Rows; j++)
                    if (rng.NextDouble() < 0.8) own.Add(j);
            foreach (int j in own)
            {
                excludedUsers.Add(u);
                excludedItems.Add(j);
            }
        }
        var exclusions = BipartiteGraph.FromEdges(graph.UserCount, items.Rows, excludedUsers.ToArray(), excludedItems.ToArray());
        var unimodal = new UnimodalRetriever(items);
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var options = new QuotaRetrievalOptions { Query = query, HeadShare = share, Alpha = 0.5, Beta = 0.7 };
        var all = Enumerable.Range(0, graph.UserCount).ToArray();
        foreach (var served in new[] { [], [3, 3, 0, 3, 5, 5, 29], all.Reverse().ToArray(), Enumerable.Range(0, 80).Select(_ => rng.Next(30)).ToArray() })
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

    [Theory]
    [InlineData(QuotaQuery.Component)]
    [InlineData(QuotaQuery.User)]
    [InlineData(QuotaQuery.Blend)]
    public void OptionSetsSharingTheRankingsGiveEachSetsOwnRetrieval(QuotaQuery query)
    {
        // A frontier sweep searches the components' rankings once for many quota settings: each must be its own retrieval.
        var (items, clustering, graph, users, _, knn) = World();
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var fallback = new UnimodalRetriever(items).Retrieve(users, served, graph, 24);
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var sets = new[] { (0.0, 1.0), (0.3, 1.0), (1.0, 1.0), (0.0, 0.0), (0.0, 2.0), (0.5, 0.25) }
            .Select(p => new QuotaRetrievalOptions { Query = query, Beta = 0.7, HeadShare = p.Item1, Alpha = p.Item2 }).ToArray();
        var shared = retriever.RetrieveMany(knn, served, graph, Cutoffs, sets, fallback, users, threads: 2);
        Assert.Equal(sets.Length, shared.Length);
        for (int o = 0; o < sets.Length; o++)
        {
            var alone = retriever.Retrieve(knn, served, graph, Cutoffs, sets[o], fallback, users, threads: 1);
            for (int t = 0; t < Cutoffs.Length; t++)
                foreach (int user in served)
                {
                    Assert.Equal(alone[t].IndicesOf(user).ToArray(), shared[o][t].IndicesOf(user).ToArray());
                    Assert.Equal(alone[t].ScoresOf(user).ToArray(), shared[o][t].ScoresOf(user).ToArray());
                }
        }
        // The sets differ: the sweep is not one list repeated.
        Assert.NotEqual(shared[0][2].IndicesOf(0).ToArray(), shared[2][2].IndicesOf(0).ToArray());
        var otherQuery = new QuotaRetrievalOptions { Query = query == QuotaQuery.User ? QuotaQuery.Component : QuotaQuery.User };
        Assert.Throws<ArgumentException>(() => retriever.RetrieveMany(knn, served, graph, Cutoffs, [sets[0], otherQuery], fallback, users));
    }

    [Fact]
    public void HeadShareOneIsTheUnimodalRankingAndZeroIsPureQuotas()
    {
        var (items, clustering, graph, users, _, knn) = World();
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var fallback = new UnimodalRetriever(items).Retrieve(users, served, graph, 24);
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var all = retriever.Retrieve(knn, served, graph, Cutoffs, new QuotaRetrievalOptions { HeadShare = 1 }, fallback, null);
        var none = retriever.Retrieve(knn, served, graph, Cutoffs, new QuotaRetrievalOptions { HeadShare = 0 }, fallback, null);
        var paper = retriever.Retrieve(knn, served, graph, Cutoffs, 1.0, fallback);
        for (int t = 0; t < Cutoffs.Length; t++)
            foreach (int user in served)
            {
                Assert.Equal(fallback.IndicesOf(user)[..Cutoffs[t]].ToArray(), all[t].IndicesOf(user).ToArray());
                Assert.Equal(paper[t].IndicesOf(user).ToArray(), none[t].IndicesOf(user).ToArray());
            }
    }

    [Fact]
    public void TheUserQueryRanksEachClusterByTheUserVector()
    {
        var (items, clustering, graph, users, mle, _) = World();
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var lists = new ClusterQuotaRetriever(items, clustering).Retrieve(mle, served, graph, [12], new QuotaRetrievalOptions { Query = QuotaQuery.User }, null, users)[0];
        foreach (int user in served)
        {
            var got = lists.IndicesOf(user).ToArray();
            var scores = lists.ScoresOf(user).ToArray();
            for (int r = 0; r < got.Length; r++) Assert.Equal(VectorMath.Dot(users.ReadRow(user), items.ReadRow(got[r])), scores[r]);
            // Within one component's run the scores descend.
            for (int r = 1; r < got.Length; r++)
                if (clustering.Assignments[got[r]] == clustering.Assignments[got[r - 1]]) Assert.True(scores[r] <= scores[r - 1]);
        }
    }

    [Fact]
    public void BlendWithBetaZeroIsTheComponentQuery()
    {
        var (items, clustering, graph, users, mle, _) = World();
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var blend = retriever.Retrieve(mle, served, graph, Cutoffs, new QuotaRetrievalOptions { Query = QuotaQuery.Blend, Beta = 0 }, null, users);
        var component = retriever.Retrieve(mle, served, graph, Cutoffs, 1.0);
        for (int t = 0; t < Cutoffs.Length; t++)
            foreach (int user in served) Assert.Equal(component[t].IndicesOf(user).ToArray(), blend[t].IndicesOf(user).ToArray());
    }

    /// <summary>
    /// Regression (a walkthrough of hostile requests): Beta = 1e308 is finite, as the option asks, but beta * unit(u)
    /// overflowed a float and every score was NaN. The blend's direction tends to the user's own as beta grows, and is
    /// now computed so: the lists are the user query's.
    /// </summary>
    [Fact]
    public void BlendWithAHugeBetaIsTheUserQuery()
    {
        var (items, clustering, graph, users, mle, _) = World();
        var served = Enumerable.Range(0, graph.UserCount).ToArray();
        var retriever = new ClusterQuotaRetriever(items, clustering);
        var blend = retriever.Retrieve(mle, served, graph, Cutoffs, new QuotaRetrievalOptions { Query = QuotaQuery.Blend, Beta = 1e308 }, null, users);
        var user = retriever.Retrieve(mle, served, graph, Cutoffs, new QuotaRetrievalOptions { Query = QuotaQuery.User }, null, users);
        for (int t = 0; t < Cutoffs.Length; t++)
            foreach (int u in served)
            {
                Assert.Equal(user[t].IndicesOf(u).ToArray(), blend[t].IndicesOf(u).ToArray());
                Assert.All(blend[t].ScoresOf(u).ToArray(), score => Assert.True(float.IsFinite(score)));
            }
    }

    /// <summary>A user vector finite in every value but too long for its dot products (±float.MaxValue) is refused: it scored +infinity everywhere.</summary>
    [Fact]
    public void AUserVectorWhoseScoresOverflowIsRefusedNamingItsRow()
    {
        var (items, _, graph, users, _, _) = World();
        var huge = new EmbeddingMatrix(users.Rows, users.Dimension, (float[])users.Values.Clone());
        for (int d = 0; d < huge.Dimension; d++) huge.Row(2)[d] = d % 2 == 0 ? float.MaxValue : -float.MaxValue;
        var e = Assert.Throws<ArgumentException>(() => new UnimodalRetriever(items).Retrieve(huge, [0, 1, 2], graph, 5, threads: 1));
        Assert.Contains("whose squared length overflows a float", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(", in row 2.", e.Message, StringComparison.Ordinal);
        new UnimodalRetriever(items).Retrieve(huge, [0, 1], graph, 5, threads: 1); // the other rows serve
    }

    [Fact]
    public void ATableSizeOutOfRangeIsRefusedNamingRows()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingMatrix(-1, 3)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingMatrix(int.MaxValue, int.MaxValue)).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingMatrix(3, 0)).ParamName);
    }

    [Theory]
    [InlineData(0.0, 5, 1.0)]
    [InlineData(0.5, 7, 2.0)]
    [InlineData(2.0, 13, 0.5)]
    public void QuotasSumToM(double alpha, int m, double skew)
    {
        double[] weights = [0.5 * skew, 0.3, 0.2, 0.1 / skew];
        int[] clusters = [4, 1, 3, 2];
        var quotas = new int[4];
        QuotaAllocator.Allocate(weights, clusters, alpha, m, quotas);
        Assert.Equal(m, quotas.Sum());
        Assert.All(quotas, q => Assert.True(q >= 0));
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var (items, clustering, graph, users, mle, _) = World();
        var retriever = new ClusterQuotaRetriever(items, clustering);
        Assert.Equal("HeadShare", Assert.Throws<ArgumentOutOfRangeException>(() =>
            retriever.Retrieve(mle, [0], graph, [3], new QuotaRetrievalOptions { HeadShare = 1.2 }, null, null)).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() =>
            retriever.Retrieve(mle, [0], graph, [3], new QuotaRetrievalOptions { Beta = -1 }, null, null)).ParamName);
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() =>
            retriever.Retrieve(mle, [0], graph, [3], new QuotaRetrievalOptions { Alpha = double.NaN }, null, null)).ParamName);
        Assert.Equal("Query", Assert.Throws<ArgumentOutOfRangeException>(() =>
            retriever.Retrieve(mle, [0], graph, [3], new QuotaRetrievalOptions { Query = (QuotaQuery)7 }, null, null)).ParamName);
        var noUsers = Assert.Throws<ArgumentException>(() => retriever.Retrieve(mle, [0], graph, [3], new QuotaRetrievalOptions { Query = QuotaQuery.User }, null, null));
        Assert.Contains("Query User", noUsers.Message);
        var noHead = Assert.Throws<ArgumentException>(() => retriever.Retrieve(mle, [0], graph, [3], new QuotaRetrievalOptions { HeadShare = 0.5 }, null, users));
        Assert.Contains("HeadShare", noHead.Message);
    }
}
