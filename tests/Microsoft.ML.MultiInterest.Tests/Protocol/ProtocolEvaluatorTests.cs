using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Protocol;

public class ProtocolEvaluatorTests
{
    /// <summary>Planted interest groups (one cluster per group), every fifth edge of each user held out, users' vectors the sums of their training items.</summary>
    internal static (BipartiteGraph Train, BipartiteGraph Test, EmbeddingMatrix Users, EmbeddingMatrix Items, ItemClustering Clustering) Planted(
        int groups = 6, int itemsPerGroup = 15, int users = 60, int itemsPerUserPerGroup = 6)
    {
        var (items, groupOf, graph, _) = TestGraphs.TwoInterestUsers(groups, itemsPerGroup, users, itemsPerUserPerGroup);
        // Hold out every fifth edge of each user.
        var trainU = new List<int>(); var trainI = new List<int>(); var testU = new List<int>(); var testI = new List<int>();
        for (int u = 0; u < graph.UserCount; u++)
        {
            var row = graph.ItemsOf(u);
            for (int j = 0; j < row.Length; j++)
            {
                if (j % 5 == 2) { testU.Add(u); testI.Add(row[j]); }
                else { trainU.Add(u); trainI.Add(row[j]); }
            }
        }
        var train = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, trainU.ToArray(), trainI.ToArray());
        var test = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, testU.ToArray(), testI.ToArray());
        // A user's vector: the mean of its training items (a reasonable single-vector model).
        var userVectors = new EmbeddingMatrix(graph.UserCount, items.Dimension);
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in train.ItemsOf(u)) VectorMath.AddScaled(userVectors.Row(u), items.ReadRow(i), 1f);
        return (train, test, userVectors, items, ItemClustering.Create(groupOf, groups, items));
    }

    [Fact]
    public void ItemEmbeddingsOfAnotherCatalogue_AreNamed()
    {
        var (train, test, users, items, clustering) = Planted();
        var fewer = new EmbeddingMatrix(items.Rows - 1, items.Dimension);
        var error = Assert.Throws<ArgumentException>(() => ProtocolEvaluator.Run(train, test, users, fewer, clustering, new ProtocolSettings { Cutoffs = [5] }));
        Assert.Equal("itemEmbeddings", error.ParamName);
        Assert.Contains($"There are {items.Rows - 1} item embeddings for {items.Rows} items.", error.Message);
    }

    [Fact]
    public void TheTrainingGraphAsTheTestGraph_IsRefused()
    {
        var (train, _, users, items, clustering) = Planted();
        var error = Assert.Throws<ArgumentException>(() => ProtocolEvaluator.Run(train, train, users, items, clustering, new ProtocolSettings { Cutoffs = [5] }));
        Assert.Equal("test", error.ParamName);
        Assert.Contains($"Every one of the test graph's {train.EdgeCount} edges is also a training edge", error.Message);
    }

    [Fact]
    public void ListsHaveLengthKNoSeenItemsAndTheMixtureCoversBothInterests()
    {
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3 });
        Assert.Equal(["unimodal", "mmr", "mixture", "knn_embed"], result.Methods.Select(m => m.Name));
        foreach (var method in result.Methods)
        {
            foreach (var (k, lists) in method.Candidates)
            {
                for (int q = 0; q < result.TestUsers.Count; q++)
                {
                    var list = lists.IndicesOf(q).ToArray();
                    Assert.Equal(k, list.Length);
                    Assert.Equal(k, list.Distinct().Count());
                    Assert.DoesNotContain(list, i => train.Contains(result.TestUsers[q], i));
                }
            }
            Assert.InRange(method.Recall[10], 0, 1);
            // NDCG@K is the mean over the test users, in order, of the per-user NDCG of the method's own K-list.
            foreach (var (k, lists) in method.Candidates)
            {
                double sum = 0;
                for (int q = 0; q < result.TestUsers.Count; q++)
                    sum += RetrievalMetrics.Ndcg(lists.IndicesOf(q), test.ItemsOf(result.TestUsers[q]), k);
                Assert.Equal(sum / result.TestUsers.Count, method.Ndcg[k], 1e-12);
                Assert.InRange(method.Ndcg[k], 0, 1);
            }
        }
        // Two planted interests: a single mean vector falls between them, the mixture fits both.
        Assert.True(result["mixture"].Emd < result["unimodal"].Emd);
        Assert.True(result["mixture"].Recall[10] >= result["unimodal"].Recall[10]);
    }

    [Fact]
    public void EveryRowPairsWithUnimodalUserByUser_MissedUsersCountingAsZeroInBoth()
    {
        var (train, test, users, items, clustering) = Planted();
        // Two users unseen in training and 3 unseen held-out items of user 0: misses in Recall and NDCG, in no Diversity.
        var unseenItems = new int[train.UserCount];
        unseenItems[0] = 3;
        var misses = new HeldOutMisses(unseenItems, unseenUsers: 2);
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3 }, misses: misses);
        var unimodal = result[ProtocolEvaluator.UnimodalName];
        var unit = items.Normalized();
        int scored = result.TestUsers.Count, all = scored + result.MissedUsers;
        Assert.Equal(2, result.MissedUsers);
        foreach (var method in result.Methods)
        {
            var paired = method.Against(unimodal);
            foreach (int k in new[] { 5, 10 })
            {
                // Re-derived here from the lists: per-user Recall and Diversity, their differences, mean and sample standard error.
                var recall = new double[all];
                var diversity = new double[scored];
                for (int q = 0; q < scored; q++)
                {
                    int user = result.TestUsers[q];
                    var held = test.ItemsOf(user);
                    recall[q] = RetrievalMetrics.Recall(method.Candidates[k].IndicesOf(q), held, misses.UnseenItemsOf(user))
                        - RetrievalMetrics.Recall(unimodal.Candidates[k].IndicesOf(q), held, misses.UnseenItemsOf(user));
                    diversity[q] = RetrievalMetrics.Diversity(method.Candidates[k].IndicesOf(q), unit)
                        - RetrievalMetrics.Diversity(unimodal.Candidates[k].IndicesOf(q), unit);
                }
                AssertPaired(recall, paired.Recall[k]);
                AssertPaired(diversity, paired.Diversity[k]);
                Assert.Equal(method.Recall[k] - unimodal.Recall[k], paired.Recall[k].Difference, 1e-12);
                Assert.Equal(method.Ndcg[k] - unimodal.Ndcg[k], paired.Ndcg[k].Difference, 1e-12);
                Assert.Equal(method.Diversity[k] - unimodal.Diversity[k], paired.Diversity[k].Difference, 1e-12);
                // Within each activity quartile too, over its users only (the missed users are in none).
                Assert.Equal(ActivityQuartiles.Count, paired.ByActivity.Count);
                for (int g = 0; g < ActivityQuartiles.Count; g++)
                {
                    if (unimodal.ByActivity[g].Users == 0) continue;
                    Assert.Equal(unimodal.ByActivity[g].Users, paired.ByActivity[g].Recall[k].Users);
                    Assert.Equal(method.ByActivity[g].Recall[k] - unimodal.ByActivity[g].Recall[k], paired.ByActivity[g].Recall[k].Difference, 1e-12);
                    Assert.Equal(method.ByActivity[g].Diversity[k] - unimodal.ByActivity[g].Diversity[k], paired.ByActivity[g].Diversity[k].Difference, 1e-12);
                }
                Assert.Equal(scored, paired.ByActivity.Sum(g => g.Recall[k].Users));
            }
        }
        // A row against itself: every difference and standard error 0; the planted users' MMR lists are more varied than Unimodal's.
        Assert.All(unimodal.Against(unimodal).Recall.Values, d => Assert.Equal((0.0, 0.0), (d.Difference, d.StandardError)));
        var mmr = result["mmr"].Against(unimodal).Diversity[10];
        Assert.True(mmr.Difference > 3 * mmr.StandardError, $"MMR's Diversity@10 lead {mmr.Difference} is not beyond 3 standard errors ({mmr.StandardError}).");

        // Rows measured against other misses or other held-out items do not pair, the message saying what differs.
        var settings = new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3 };
        var noMisses = ProtocolEvaluator.Run(train, test, users, items, clustering, settings);
        Assert.Contains("0 and 2 missed users", Assert.Throws<ArgumentException>(() => noMisses["mmr"].Against(unimodal)).Message);
        Assert.False(noMisses["mmr"].CanPairWith(unimodal, out string? reason));
        Assert.Contains("missed users", reason);
        Assert.True(result["mmr"].CanPairWith(unimodal, out reason));
        Assert.Null(reason);
        int first = result.TestUsers[0];
        var extra = Enumerable.Range(0, train.ItemCount).First(i => !train.Contains(first, i) && !test.Contains(first, i));
        var edges = Enumerable.Range(0, test.UserCount).SelectMany(u => test.ItemsOf(u).ToArray().Select(i => (u, i))).Append((first, extra)).ToArray();
        var moreHeldOut = BipartiteGraph.FromEdges(test.UserCount, test.ItemCount, edges.Select(e => e.Item1).ToArray(), edges.Select(e => e.Item2).ToArray());
        var other = ProtocolEvaluator.Run(train, moreHeldOut, users, items, clustering, settings, misses: misses);
        Assert.Equal(result.TestUsers, other.TestUsers);
        Assert.Contains("different held-out items", Assert.Throws<ArgumentException>(() => other["mmr"].Against(unimodal)).Message);
        var fourUsers = edges.Where(e => e.Item1 < 4).ToArray();
        var fewer = ProtocolEvaluator.Run(train, BipartiteGraph.FromEdges(test.UserCount, test.ItemCount, fourUsers.Select(e => e.Item1).ToArray(),
            fourUsers.Select(e => e.Item2).ToArray()), users, items, clustering, settings);
        Assert.Contains($"scored 4 and {scored} users", Assert.Throws<ArgumentException>(() => fewer["mmr"].Against(unimodal)).Message);

        static void AssertPaired(double[] differences, PairedDifference paired)
        {
            double mean = differences.Average();
            double variance = differences.Sum(d => (d - mean) * (d - mean)) / (differences.Length - 1);
            Assert.Equal(differences.Length, paired.Users);
            Assert.Equal(mean, paired.Difference, 1e-12);
            Assert.Equal(Math.Sqrt(variance / differences.Length), paired.StandardError, 1e-12);
        }
    }

    /// <summary>
    /// Without clusters the protocol leaves out the rows that read them and measures the single-vector rows (Unimodal, MMR,
    /// history-interest MMR) as it does with them: the figures of a method that fits no clusters (a sweep's unimodal, mmr or
    /// history-mmr best). The tuned and round-robin rows, which read clusters, are refused without them.
    /// </summary>
    [Fact]
    public void WithoutClustersTheSingleVectorRowsAreMeasuredAsWithThem()
    {
        var (train, test, users, items, clustering) = Planted();
        var settings = HistoryRowWithFrontier();
        settings.Frontier = false;
        var with = ProtocolEvaluator.Run(train, test, users, items, clustering, settings);
        var without = ProtocolEvaluator.Run(train, test, users, items, null, settings);
        Assert.Equal(["unimodal", "mmr", "history_mmr"], without.Methods.Select(m => m.Name));
        foreach (var row in without.Methods)
        {
            var same = with[row.Name];
            foreach (int k in settings.Cutoffs)
            {
                Assert.Equal(same.Recall[k], row.Recall[k]);
                Assert.Equal(same.Ndcg[k], row.Ndcg[k]);
                Assert.Equal(same.Diversity[k], row.Diversity[k]);
                for (int q = 0; q < without.TestUsers.Count; q++)
                    Assert.Equal(same.Candidates[k].IndicesOf(q).ToArray(), row.Candidates[k].IndicesOf(q).ToArray());
            }
            Assert.Equal(same.Emd, row.Emd);
        }
        Assert.Equal(["unimodal"], without.Only(["unimodal"]).Methods.Select(m => m.Name));
        Assert.Throws<ArgumentException>(() => without.Only(["knn_embed"]));
        settings.KnnRoundRobin = true;
        Assert.Throws<ArgumentException>(() => ProtocolEvaluator.Run(train, test, users, items, null, settings));
    }

    /// <summary>The history row on the planted users, with the frontier over three lambdas.</summary>
    private static ProtocolSettings HistoryRowWithFrontier() => new()
    {
        Cutoffs = [5, 10], Neighbors = 3, Frontier = true, FrontierMmrLambdas = [0, 0.5, 1], Threads = 1,
        HistoryMmr = new HistoryMmrRowSettings { MmrLambda = 0.8, Interests = new HistoryInterestOptions { ItemsPerInterest = 4, UnobservedWeight = 0.05 } },
    };

    [Fact]
    public void TheHistoryInterestRowServesBothPlantedInterestsAndSweepsItsFrontier()
    {
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, HistoryRowWithFrontier());
        var history = result["history_mmr"];
        foreach (var (k, lists) in history.Candidates)
            for (int q = 0; q < result.TestUsers.Count; q++)
            {
                var list = lists.IndicesOf(q).ToArray();
                Assert.Equal(k, list.Distinct().Count());
                Assert.DoesNotContain(list, i => train.Contains(result.TestUsers[q], i));
            }
        // Each user has two planted interests: every 10-list serves both of its history's groups, and mostly them.
        var lists10 = history.Candidates[10];
        for (int q = 0; q < result.TestUsers.Count; q++)
        {
            var own = train.ItemsOf(result.TestUsers[q]).ToArray().Select(i => clustering.Assignments[i]).ToHashSet();
            var served = lists10.IndicesOf(q).ToArray().Select(i => clustering.Assignments[i]).ToArray();
            Assert.Equal(own.Count, served.Where(own.Contains).Distinct().Count());
            Assert.True(served.Count(own.Contains) >= 8, $"user {result.TestUsers[q]}: {served.Count(own.Contains)} of 10 items from its own interests");
        }
        Assert.InRange(history.Recall[10], 0.8 * result["unimodal"].Recall[10], 1);
        var frontier = Assert.Single(result.Frontiers, f => f.Method == "history_mmr" && f.Pool == MmrRetrieverDefaults.PoolSize);
        Assert.Equal([0, 0.5, 1], frontier.Points.Select(p => p.Value));
    }

    /// <summary>
    /// The frontier's point at a row's own lambda and pool holds the row's lists, so its pairing with MMR's point must be the
    /// rows' own user-by-user comparison (<c>Against</c>): the same users, differences and standard errors. Multi-interest
    /// MMR's lambda 0 is plain MMR's lists (the interest term faded out): an exact zero.
    /// </summary>
    [Theory]
    [InlineData("interest_mmr")]
    [InlineData("history_mmr")]
    public void AFrontierPointAtTheRowsLambdaPairsWithMmrAsTheRowsDo(string method)
    {
        const double lambda = 0.8;
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings
        {
            Cutoffs = [10, 50], Neighbors = 3, Frontier = true, FrontierMmrLambdas = [0, lambda, 1], FrontierHeadShares = [0.5], FrontierAlphas = [1],
            Threads = 1, MmrLambda = lambda,
            MultiInterest = new MultiInterestRowSettings { Components = 3, InterestWeight = 0.5, MmrLambda = lambda },
            HistoryMmr = new HistoryMmrRowSettings { MmrLambda = lambda, Interests = new HistoryInterestOptions { ItemsPerInterest = 4, UnobservedWeight = 0.05 } },
        });
        var frontier = Assert.Single(result.Frontiers, f => f.Method == method && f.Pool == MmrRetrieverDefaults.PoolSize);
        int at = frontier.Points.Select(p => p.Value).ToList().IndexOf(lambda);
        Assert.Equal(result[method].Recall[50], frontier.Points[at].Recall, 12);
        var rows = result[method].Against(result["mmr"]);
        var point = frontier.VersusMmr[at];
        foreach (var (expected, got) in new[] { (rows.Recall[50], point.Recall[50]), (rows.Diversity[10], point.Diversity[10]), (rows.Diversity[50], point.Diversity[50]) })
        {
            Assert.Equal(expected.Users, got.Users);
            Assert.Equal(expected.Difference, got.Difference, 12);
            Assert.Equal(expected.StandardError, got.StandardError, 12);
        }
        Assert.True(point.Diversity[10].StandardError > 0);
        if (method == "interest_mmr")
        {
            var zero = frontier.VersusMmr[frontier.Points.Select(p => p.Value).ToList().IndexOf(0)];
            Assert.Equal(0, zero.Diversity[10].Difference);
            Assert.Equal(0, zero.Diversity[10].StandardError);
        }
    }

    [Fact]
    public void EachHistoryFrontierPointIsPairedWithMmrsPointOfTheSameLambdaAndPool()
    {
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, HistoryRowWithFrontier());
        int recallK = ProtocolEvaluator.FrontierRecallCutoff, diversityK = ProtocolEvaluator.FrontierDiversityCutoff;
        foreach (int? pool in new int?[] { MmrRetrieverDefaults.PoolSize, recallK })
        {
            var mmr = Assert.Single(result.Frontiers, f => f.Method == "mmr" && f.Pool == pool);
            var history = Assert.Single(result.Frontiers, f => f.Method == "history_mmr" && f.Pool == pool);
            Assert.Empty(mmr.VersusMmr);
            Assert.Equal(history.Points.Count, history.VersusMmr.Count);
            for (int t = 0; t < history.Points.Count; t++)
            {
                // The mean of the per-user differences is the difference of the means (missed users count 0 in both).
                var paired = history.VersusMmr[t];
                Assert.Equal(result.TestUsers.Count, paired.Recall[recallK].Users);
                Assert.Equal(history.Points[t].Recall - mmr.Points[t].Recall, paired.Recall[recallK].Difference, 12);
                Assert.Equal(history.Points[t].Diversity - mmr.Points[t].Diversity, paired.Diversity[diversityK].Difference, 12);
                Assert.Equal(history.Points[t].SetDiversity - mmr.Points[t].SetDiversity, paired.Diversity[recallK].Difference, 12);
                Assert.True(paired.Diversity[diversityK].StandardError >= 0);
            }
            // The interests move the lists away from MMR's: some point differs, with a standard error to judge it by.
            Assert.Contains(history.VersusMmr, p => p.Diversity[diversityK].Difference != 0 && p.Diversity[diversityK].StandardError > 0);
        }
    }

    [Theory]
    [InlineData(false, HistoryPoolSearch.Exact, 0)]
    [InlineData(true, HistoryPoolSearch.Exact, 0)]
    [InlineData(true, HistoryPoolSearch.Clustered, 0)]
    [InlineData(true, HistoryPoolSearch.Clustered, 2)]
    public void HistoryRowListsDoNotDependOnTheFrontier(bool reorder, HistoryPoolSearch search, int userProbes)
    {
        // With the frontier the row's pool is searched at the MMR size and the row re-ranks its prefix (the re-ordering
        // row's pool is 10 long here, the frontier's 100): the lists must be those of the row searched at its own size.
        var (train, test, users, items, clustering) = Planted();
        ProtocolSettings Settings(bool frontier)
        {
            var settings = HistoryRowWithFrontier();
            settings.Frontier = frontier;
            settings.HistoryMmr!.Reorder = reorder;
            settings.HistoryMmr.Pool = new HistoryPoolOptions { Search = search, Lists = 6, Probes = 2, UserProbes = userProbes };
            return settings;
        }
        var with = ProtocolEvaluator.Run(train, test, users, items, clustering, Settings(true))["history_mmr"];
        var without = ProtocolEvaluator.Run(train, test, users, items, clustering, Settings(false))["history_mmr"];
        foreach (var (k, lists) in without.Candidates)
            for (int q = 0; q < lists.QueryCount; q++)
            {
                Assert.Equal(lists.IndicesOf(q).ToArray(), with.Candidates[k].IndicesOf(q).ToArray());
                Assert.Equal(lists.ScoresOf(q).ToArray(), with.Candidates[k].ScoresOf(q).ToArray());
            }
        Assert.Equal(without.Recall, with.Recall);
        Assert.Equal(without.Diversity, with.Diversity);
    }

    [Theory]
    [InlineData(false, HistoryPoolSearch.Exact, 0, true)]
    [InlineData(true, HistoryPoolSearch.Exact, 0, false)]
    [InlineData(true, HistoryPoolSearch.Clustered, 2, true)]
    [InlineData(false, HistoryPoolSearch.Unimodal, 0, true)]
    public void TheHistoryRowInBlocksOfUsersGivesEveryFigureOfOnePass(bool reorder, HistoryPoolSearch search, int userProbes, bool frontier)
    {
        // The row is run block of test users by block, each block's interest vectors let go once used: lists, scores, pools
        // swept by the frontier, goodness of fit and weights must be those of one block holding every user.
        var (train, test, users, items, clustering) = Planted();
        ProtocolResult Run(int blockUsers)
        {
            var settings = HistoryRowWithFrontier();
            settings.Frontier = frontier;
            settings.HistoryBlockUsers = blockUsers;
            settings.HistoryMmr!.Reorder = reorder;
            settings.HistoryMmr.Pool = new HistoryPoolOptions { Search = search, Lists = 6, Probes = 2, UserProbes = userProbes };
            return ProtocolEvaluator.Run(train, test, users, items, clustering, settings);
        }
        var whole = Run(1_000_000);
        foreach (int blockUsers in new[] { 1, 3 })
        {
            var blocks = Run(blockUsers);
            var (a, b) = (whole["history_mmr"], blocks["history_mmr"]);
            AssertSameListsAndFigures(a, b, whole.TestUsers.Count);
            foreach (int u in whole.TestUsers) Assert.Equal(a.Mixtures!.Weights(u).ToArray(), b.Mixtures!.Weights(u).ToArray());
            Assert.Equal(whole.Frontiers.Select(f => (f.Method, f.Pool)), blocks.Frontiers.Select(f => (f.Method, f.Pool)));
            foreach (var (x, y) in whole.Frontiers.Zip(blocks.Frontiers)) Assert.Equal(x.Points, y.Points);
            Assert.Equal(frontier ? 2 : 0, blocks.Frontiers.Count(f => f.Method == "history_mmr"));
        }
    }

    /// <summary>A row run in blocks of users against the same row in one block: every list and score, and every figure, with a goodness of fit measured.</summary>
    private static void AssertSameListsAndFigures(MethodEvaluation whole, MethodEvaluation blocks, int testUsers)
    {
        foreach (var (k, lists) in whole.Candidates)
            for (int q = 0; q < testUsers; q++)
            {
                Assert.Equal(lists.IndicesOf(q).ToArray(), blocks.Candidates[k].IndicesOf(q).ToArray());
                Assert.Equal(lists.ScoresOf(q).ToArray(), blocks.Candidates[k].ScoresOf(q).ToArray());
            }
        Assert.Equal(whole.Recall, blocks.Recall);
        Assert.Equal(whole.Ndcg, blocks.Ndcg);
        Assert.Equal(whole.Diversity, blocks.Diversity);
        Assert.Equal(whole.Emd, blocks.Emd);
        Assert.True(whole.Emd > 0);
        Assert.Equal(whole.ByActivity.Select(g => g.Emd), blocks.ByActivity.Select(g => g.Emd));
    }

    [Fact]
    public void ThePaperRowsInBlocksOfUsersGiveEveryFigureOfOnePass()
    {
        // Mixture, kNN-Embed and its round robin are run block of test users by block, each block's component embeddings let
        // go once its lists exist: lists, scores, goodness of fit, the kept weights and the plotted sample must be those of
        // one block holding every user.
        var (train, test, users, items, clustering) = Planted();
        ProtocolResult Run(int blockUsers) => ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings
        {
            // At 30 the Mixture row's two clusters (20 unseen items a user) run out: the unimodal fill is read too.
            Cutoffs = [5, 10, 30], Neighbors = 3, KnnRoundRobin = true, MixtureSampleUsers = 2, Threads = 2, MixtureBlockUsers = blockUsers,
        });
        var whole = Run(1_000_000);
        string[] rows = ["mixture", "knn_embed", ProtocolEvaluator.KnnRoundRobinName];
        foreach (int blockUsers in new[] { 1, 3 })
        {
            var blocks = Run(blockUsers);
            Assert.Equal(whole.Methods.Select(m => m.Name), blocks.Methods.Select(m => m.Name));
            foreach (string name in rows)
            {
                var (a, b) = (whole[name], blocks[name]);
                AssertSameListsAndFigures(a, b, whole.TestUsers.Count);
                Assert.False(b.Mixtures!.HasEmbeddings);
                foreach (int u in whole.TestUsers)
                {
                    Assert.Equal(a.Mixtures!.Clusters(u).ToArray(), b.Mixtures.Clusters(u).ToArray());
                    Assert.Equal(a.Mixtures.Weights(u).ToArray(), b.Mixtures.Weights(u).ToArray());
                    Assert.Equal(a.MixtureSample!.Embeddings(u).ToArray(), b.MixtureSample!.Embeddings(u).ToArray());
                }
            }
            // The rows' lists differ from each other: the blocks did not hand one row's lists to another.
            Assert.Contains(Enumerable.Range(0, whole.TestUsers.Count), q =>
                !blocks["mixture"].Candidates[10].IndicesOf(q).ToArray().SequenceEqual(blocks["knn_embed"].Candidates[10].IndicesOf(q).ToArray()));
        }
        Assert.Equal("MixtureBlockUsers", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { MixtureBlockUsers = 0 })).ParamName);
    }

    [Fact]
    public void EachStageIsAnnouncedBeforeItRunsInOrder()
    {
        var (train, test, users, items, clustering) = Planted();
        var stages = new List<string>();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, HistoryRowWithFrontier(), progress: new Lines(stages));
        string count = $"{result.TestUsers.Count:N0} users";
        Assert.Collection(stages,
            s => Assert.StartsWith($"Unimodal and MMR: {count}, {items.Rows:N0} items", s, StringComparison.Ordinal),
            s => Assert.StartsWith("Mixture and kNN-Embed:", s, StringComparison.Ordinal),
            s => Assert.StartsWith($"History-interest MMR: {count}, pool {MmrRetrieverDefaults.PoolSize} (exact search)", s, StringComparison.Ordinal),
            s => Assert.StartsWith("Scoring the lists", s, StringComparison.Ordinal),
            s => Assert.StartsWith("Frontier: 3 lambdas x 2 pools for MMR, history-interest MMR", s, StringComparison.Ordinal));
        // Without the row and the frontier, their stages are not announced.
        stages.Clear();
        ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3, Threads = 1 }, progress: new Lines(stages));
        Assert.Equal(3, stages.Count);
        Assert.DoesNotContain(stages, s => s.StartsWith("History", StringComparison.Ordinal) || s.StartsWith("Frontier", StringComparison.Ordinal));
    }

    /// <summary>Collects reports on the calling thread (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class Lines(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    [Fact]
    public void TheHistoryRowReorderingItsOwnListPermutesItsBestScoreTopMAndDiversifiesItsHead()
    {
        var (train, test, users, items, clustering) = Planted();
        ProtocolResult Run(double lambda, double nu, bool reorder) => ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings
        {
            Cutoffs = [5, 10], Neighbors = 3, Threads = 1,
            HistoryMmr = new HistoryMmrRowSettings { MmrLambda = lambda, InterestWeight = nu, Reorder = reorder, Interests = new HistoryInterestOptions { ItemsPerInterest = 4, UnobservedWeight = 0.05 } },
        });
        // Lambda 1 without the proportionality term: the ranking by best score over the user's vectors, whatever the pool.
        var ranking = Run(1, 0, reorder: true)["history_mmr"];
        var reordered = Run(0.3, 0.5, reorder: true)["history_mmr"];
        var wide = Run(0.3, 0.5, reorder: false)["history_mmr"];
        Assert.Equal(Run(1, 0, reorder: false)["history_mmr"].Candidates[10].Indices, ranking.Candidates[10].Indices);
        bool anyNewItem = false;
        for (int q = 0; q < reordered.Candidates[10].QueryCount; q++)
        {
            var list = reordered.Candidates[10].IndicesOf(q).ToArray();
            Assert.Equal(ranking.Candidates[10].IndicesOf(q).ToArray().Order(), list.Order());
            Assert.Equal(list[..5], reordered.Candidates[5].IndicesOf(q).ToArray());
            anyNewItem |= wide.Candidates[10].IndicesOf(q).ToArray().Except(list).Any();
        }
        Assert.Equal(ranking.Recall[10], reordered.Recall[10], 12);
        Assert.True(reordered.Diversity[5] > ranking.Diversity[5], $"D@5 {reordered.Diversity[5]} against the ranking's {ranking.Diversity[5]}");
        Assert.True(anyNewItem, "the wide pool brings in items the re-ordering cannot");
    }

    [Fact]
    public void TheReorderRowPermutesUnimodalsLongestListAndDiversifiesItsHead()
    {
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3, ReorderMmrLambda = 0.3, Threads = 1 });
        Assert.Equal(["unimodal", "mmr", ProtocolEvaluator.ReorderMmrName, "mixture", "knn_embed"], result.Methods.Select(m => m.Name));
        var row = result[ProtocolEvaluator.ReorderMmrName];
        var unimodal = result["unimodal"];
        for (int q = 0; q < result.TestUsers.Count; q++)
        {
            var longest = row.Candidates[10].IndicesOf(q).ToArray();
            Assert.Equal(unimodal.Candidates[10].IndicesOf(q).ToArray().Order(), longest.Order());
            Assert.Equal(longest[..5], row.Candidates[5].IndicesOf(q).ToArray());
        }
        Assert.Equal(unimodal.Recall[10], row.Recall[10], 12);
        Assert.True(row.Diversity[5] > unimodal.Diversity[5], $"D@5 {row.Diversity[5]} against Unimodal's {unimodal.Diversity[5]}");
        // Lambda 1 keeps Unimodal's order.
        var kept = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3, ReorderMmrLambda = 1, Threads = 1 });
        for (int q = 0; q < kept.TestUsers.Count; q++)
            Assert.Equal(kept["unimodal"].Candidates[5].IndicesOf(q).ToArray(), kept[ProtocolEvaluator.ReorderMmrName].Candidates[5].IndicesOf(q).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtocolSettings { ReorderMmrLambda = 1.5 }.Validate());
    }

    [Fact]
    public void ARowPoolLongerThanTheRecallCutoffIsSweptAgainAsAReorderingOfTheFirstFifty()
    {
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, HistoryRowWithFrontier());
        int cutoff = ProtocolEvaluator.FrontierRecallCutoff;
        var wide = Assert.Single(result.Frontiers, f => f.Method == "mmr" && f.Pool == MmrRetrieverDefaults.PoolSize);
        var reordered = Assert.Single(result.Frontiers, f => f.Method == "mmr" && f.Pool == cutoff);
        // At lambda 1 both are the unimodal ranking. A pool of 50 only re-orders the unimodal top 50: the same recall at every
        // lambda, while the wide pool's lambda 0 swaps items in (the planted users have about 80 unseen items).
        Assert.Equal(wide.Points[^1], reordered.Points[^1]);
        Assert.All(reordered.Points, p => Assert.Equal(wide.Points[^1].Recall, p.Recall, 12));
        Assert.NotEqual(wide.Points[^1].Recall, wide.Points[0].Recall);
        Assert.True(reordered.Points[0].Diversity > reordered.Points[^1].Diversity);
        // The whole list's diversity is a property of the set: a re-ordering leaves it at Unimodal's, a wider pool does not.
        Assert.All(reordered.Points, p => Assert.Equal(wide.Points[^1].SetDiversity, p.SetDiversity, 9));
        Assert.True(wide.Points[0].SetDiversity > wide.Points[^1].SetDiversity);
        // The history row's pool is re-ordered the same way: one recall for every lambda.
        var history = Assert.Single(result.Frontiers, f => f.Method == "history_mmr" && f.Pool == cutoff);
        Assert.All(history.Points, p => Assert.Equal(history.Points[0].Recall, p.Recall, 12));
        // A row pool no longer than the cutoff has one frontier per method.
        var narrow = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings
        {
            Cutoffs = [5, 10], Neighbors = 3, Frontier = true, FrontierMmrLambdas = [0, 1], Threads = 1, MmrPoolSize = cutoff,
        });
        Assert.Equal(cutoff, Assert.Single(narrow.Frontiers, f => f.Method == "mmr").Pool);
    }

    [Fact]
    public void AHistoryRowOverUnimodalsListLiesOnItsOwnFrontier()
    {
        // The lambda rule's fallback: Unimodal's top 50 re-ordered with the interests. Its frontier at a pool of 50 must be that
        // row's configuration at every lambda (Unimodal's set, so Unimodal's recall), not the first 50 of a longer pool.
        var (train, test, users, items, clustering) = Planted();
        int cutoff = ProtocolEvaluator.FrontierRecallCutoff;
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings
        {
            Cutoffs = [ProtocolEvaluator.FrontierDiversityCutoff, cutoff], Neighbors = 3, Frontier = true, FrontierMmrLambdas = [0, 0.5, 1], Threads = 1,
            HistoryMmr = new HistoryMmrRowSettings
            {
                MmrLambda = 0.5, Reorder = true, Pool = new HistoryPoolOptions { Search = HistoryPoolSearch.Unimodal },
                Interests = new HistoryInterestOptions { ItemsPerInterest = 4, UnobservedWeight = 0.05 },
            },
        });
        var row = result["history_mmr"];
        Assert.Equal(result["unimodal"].Recall[cutoff], row.Recall[cutoff], 12);
        var frontier = Assert.Single(result.Frontiers, f => f.Method == "history_mmr" && f.Pool == cutoff);
        Assert.All(frontier.Points, p => Assert.Equal(row.Recall[cutoff], p.Recall, 12));
        var atRow = Assert.Single(frontier.Points, p => p.Value == 0.5);
        Assert.Equal(row.Diversity[ProtocolEvaluator.FrontierDiversityCutoff], atRow.Diversity, 12);
    }

    [Fact]
    public void TheRoundRobinRowServesTheKnnEmbedMixturesAsTheEnginesRoundRobin()
    {
        var (train, test, users, items, clustering) = Planted();
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5, 10], Neighbors = 3, KnnRoundRobin = true, KeepMixtureEmbeddings = true, Threads = 1 });
        Assert.Equal(["unimodal", "mmr", "mixture", "knn_embed", ProtocolEvaluator.KnnRoundRobinName], result.Methods.Select(m => m.Name));
        var row = result[ProtocolEvaluator.KnnRoundRobinName];
        // The kNN-Embed row's mixtures, served by round robin over the catalogue rather than by quotas inside the clusters.
        var mixtures = result["knn_embed"].Mixtures!;
        var expected = new RoundRobinRetriever(items).Retrieve(mixtures, result.TestUsers, train, [5, 10], threads: 1);
        for (int c = 0; c < 2; c++)
        {
            var lists = row.Candidates[c == 0 ? 5 : 10];
            for (int q = 0; q < result.TestUsers.Count; q++)
                Assert.Equal(expected[c].IndicesOf(q).ToArray(), lists.IndicesOf(q).ToArray());
        }
        Assert.Contains(Enumerable.Range(0, result.TestUsers.Count), q =>
            !row.Candidates[10].IndicesOf(q).ToArray().SequenceEqual(result["knn_embed"].Candidates[10].IndicesOf(q).ToArray()));
    }

    /// <summary>Every row with mixtures: the paper rows, the round robin, the tuned row and multi-interest MMR, with frontiers.</summary>
    /// <remarks>With the user's own vector as the tuned row's query its table never holds the embeddings (each user's are smoothed again for the EMD).</remarks>
    private static ProtocolSettings EveryMixtureRow(bool keep, int sample, QuotaQuery tunedQuery = QuotaQuery.User) => new()
    {
        Cutoffs = [5, 10], Neighbors = 3, KnnRoundRobin = true, Frontier = true, FrontierMmrLambdas = [0, 1], FrontierHeadShares = [0, 0.5],
        FrontierAlphas = [1], Threads = 1, KeepMixtureEmbeddings = keep, MixtureSampleUsers = sample,
        MultiInterest = new MultiInterestRowSettings { Components = 3, InterestWeight = 0.5, Retrieval = new QuotaRetrievalOptions { Query = tunedQuery } },
    };

    /// <summary>The planted graph evaluated with every mixture row twice: keeping the embeddings, and not (with a sample of <paramref name="sample"/> users).</summary>
    private static (BipartiteGraph Train, ProtocolResult Kept, ProtocolResult Lean) KeptAndLean(QuotaQuery tunedQuery, int sample)
    {
        var (train, test, users, items, clustering) = Planted();
        return (train, ProtocolEvaluator.Run(train, test, users, items, clustering, EveryMixtureRow(keep: true, sample: 0, tunedQuery)),
            ProtocolEvaluator.Run(train, test, users, items, clustering, EveryMixtureRow(keep: false, sample, tunedQuery)));
    }

    [Theory]
    [InlineData(QuotaQuery.User)]
    [InlineData(QuotaQuery.Component)]
    public void MixtureRowsLetTheirEmbeddingsGoUnlessKeptAndEveryFigureStaysTheSame(QuotaQuery tunedQuery)
    {
        var (_, kept, lean) = KeptAndLean(tunedQuery, sample: 0);
        string[] mixtureRows = ["mixture", "knn_embed", ProtocolEvaluator.KnnRoundRobinName, "knn_embed_tuned", "interest_mmr"];
        Assert.Equal(kept.Methods.Select(m => m.Name), lean.Methods.Select(m => m.Name));
        Assert.Subset(kept.Methods.Select(m => m.Name).ToHashSet(), mixtureRows.ToHashSet());
        foreach (var (a, b) in kept.Methods.Zip(lean.Methods))
        {
            Assert.Equal(a.Recall, b.Recall);
            Assert.Equal(a.Ndcg, b.Ndcg);
            Assert.Equal(a.Diversity, b.Diversity);
            Assert.Equal(a.Emd, b.Emd);
            Assert.Equal(a.ByActivity.Select(g => g.Emd), b.ByActivity.Select(g => g.Emd));
            foreach (var (k, lists) in a.Candidates)
                for (int q = 0; q < kept.TestUsers.Count; q++) Assert.Equal(lists.IndicesOf(q).ToArray(), b.Candidates[k].IndicesOf(q).ToArray());
            Assert.Null(b.MixtureSample);
            if (!mixtureRows.Contains(a.Name)) continue;
            Assert.True(a.Mixtures!.HasEmbeddings);
            Assert.False(b.Mixtures!.HasEmbeddings);
            foreach (int u in kept.TestUsers)
            {
                Assert.Equal(a.Mixtures.Clusters(u).ToArray(), b.Mixtures.Clusters(u).ToArray());
                Assert.Equal(a.Mixtures.Weights(u).ToArray(), b.Mixtures.Weights(u).ToArray());
            }
        }
        Assert.Equal(kept.Frontiers.Select(f => (f.Method, f.Knob, f.Pool)), lean.Frontiers.Select(f => (f.Method, f.Knob, f.Pool)));
        foreach (var (a, b) in kept.Frontiers.Zip(lean.Frontiers)) Assert.Equal(a.Points, b.Points);
        Assert.Contains(lean.Frontiers, f => f.Method == "knn_embed_tuned");
    }

    [Theory]
    [InlineData(QuotaQuery.User)]
    [InlineData(QuotaQuery.Component)]
    public void TheMixtureSampleHoldsTheWholeMixturesOfTheUsersAPlotWouldDraw(QuotaQuery tunedQuery)
    {
        var (train, kept, sampled) = KeptAndLean(tunedQuery, sample: 2);
        var chosen = MixtureSample.Select(kept.TestUsers, train, kept["knn_embed"].Mixtures!, 2);
        Assert.Equal(2, chosen.Length);
        Assert.True(train.DegreeOf(chosen[0]) >= train.DegreeOf(chosen[1]));
        foreach (string name in new[] { "mixture", "knn_embed", "knn_embed_tuned", "interest_mmr" })
        {
            var full = kept[name].Mixtures!;
            var sample = sampled[name].MixtureSample!;
            foreach (int u in kept.TestUsers)
            {
                if (!chosen.Contains(u))
                {
                    Assert.Equal(0, sample.ComponentCount(u));
                    continue;
                }
                Assert.Equal(full.ComponentCount(u), sample.ComponentCount(u));
                Assert.Equal(full.Clusters(u).ToArray(), sample.Clusters(u).ToArray());
                Assert.Equal(full.Embeddings(u).ToArray(), sample.Embeddings(u).ToArray());
            }
        }
        var p = Planted();
        Assert.Equal("MixtureSampleUsers", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ProtocolEvaluator.Run(p.Train, p.Test, p.Users, p.Items, p.Clustering, new ProtocolSettings { MixtureSampleUsers = -1 })).ParamName);
        Assert.Equal("HistoryBlockUsers", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ProtocolEvaluator.Run(p.Train, p.Test, p.Users, p.Items, p.Clustering, new ProtocolSettings { HistoryBlockUsers = 0 })).ParamName);
    }

    [Fact]
    public void FiguresDoNotDependOnTheThreadCount()
    {
        var (train, test, users, items, clustering) = Planted();
        var one = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Neighbors = 4, Threads = 1 });
        var two = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Neighbors = 4, Threads = 2 });
        for (int m = 0; m < 3; m++)
        {
            Assert.Equal(one.Methods[m].Recall, two.Methods[m].Recall);
            Assert.Equal(one.Methods[m].Ndcg, two.Methods[m].Ndcg);
            Assert.Equal(one.Methods[m].Diversity, two.Methods[m].Diversity);
            Assert.Equal(one.Methods[m].Emd, two.Methods[m].Emd);
        }
    }

    [Fact]
    public void BadSettingsAndInputsAreNamed()
    {
        var (train, test, users, items, clustering) = Planted();
        Assert.Contains("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Lambda = 2 })).Message);
        Assert.Contains("Neighbors", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Neighbors = 0 })).Message);
        users.Values[3] = float.NaN;
        Assert.Contains("user embeddings", Assert.Throws<ArgumentException>(() =>
            ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings())).Message);
        var empty = BipartiteGraph.FromEdges(train.UserCount, train.ItemCount, [], []);
        users.Values[3] = 0;
        Assert.Contains("nothing to evaluate", Assert.Throws<ArgumentException>(() =>
            ProtocolEvaluator.Run(train, empty, users, items, clustering, new ProtocolSettings())).Message);
    }

    [Fact]
    public void ARowAddedWithListsOfOtherUsers_IsRefusedWhereItIsAdded()
    {
        var (train, test, users, items, clustering) = Planted(groups: 2, itemsPerGroup: 6, users: 40, itemsPerUserPerGroup: 2);
        var result = ProtocolEvaluator.Run(train, test, users, items, clustering, new ProtocolSettings { Cutoffs = [5], Neighbors = 3, Threads = 1 });
        var unimodal = result["unimodal"];
        var short1 = new MethodEvaluation("short_row", unimodal.Recall, unimodal.Ndcg, unimodal.Diversity, unimodal.Emd,
            new Dictionary<int, RankedLists> { [5] = new RankedLists(result.TestUsers.Count - 1, 5) }, null);
        var error = Assert.Throws<ArgumentException>(() => result.With([short1]));
        Assert.Contains($"Row 'short_row' has {result.TestUsers.Count - 1} lists at K = 5, not one per test user ({result.TestUsers.Count})", error.Message);
        var same = new MethodEvaluation("copy", unimodal.Recall, unimodal.Ndcg, unimodal.Diversity, unimodal.Emd, unimodal.Candidates, null);
        Assert.Equal("copy", result.With([same]).Methods[^1].Name);
    }
}
