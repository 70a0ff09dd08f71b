using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>: items added since
/// the fit get the vector of the implicit-ALS item step from their trained users, and then serve as trained items do, in a
/// new recommender; the old one is unchanged.
/// </summary>
public class NewItemFoldInTests
{
    private static readonly ImplicitAlsOptions ExactAls = new() { Iterations = 8, Regularization = 0.05, UnobservedWeight = 0.05, Solver = ImplicitAlsSolver.Cholesky };

    private static GraphEmbeddingTrainer.Options Als(int dimension = 8) =>
        new() { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = dimension, Threads = 1, Seed = 3, Als = ExactAls.Clone() };

    private static MultiInterestRecommender Fit(MLContext ml, IEnumerable<MLNetTestData.Edge> edges, GraphEmbeddingTrainer.Options embedding,
        Func<MultiInterestCatalog, IEstimator<ITransformer>> retriever, bool clusters = false)
    {
        var mi = ml.MultiInterest();
        IEstimator<ITransformer> pipeline = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(embedding));
        if (clusters) pipeline = pipeline.Append(mi.SphericalKMeans(numberOfClusters: 4)).Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3));
        return mi.CreateRecommender(pipeline.Append(retriever(mi)).Fit(ml.Data.LoadFromEnumerable(edges.ToList())));
    }

    /// <summary>The vector a stage serves for item <paramref name="id"/>.</summary>
    private static float[] VectorOf(MultiInterestRecommender recommender, string id, int stage = 0)
    {
        var t = recommender.LiveStages[stage].Tables;
        int compact = Enumerable.Range(0, t.ItemRowOf.Length).Single(j => t.ItemNames[t.ItemRowOf[j]] == id);
        return t.Items.ReadRow(compact).ToArray();
    }

    private static string[] Names(ServingTables t, int[] compact) => compact.Select(j => t.ItemNames[t.ItemRowOf[j]]).ToArray();

    /// <summary>Each item's id with its vector, cluster and pool list (-1 where the stage has none), in id order.</summary>
    private static string[] ById(LiveRetriever live)
    {
        var t = live.Tables;
        var lists = live.HistoryMmr?.PoolIndex?.ListOf.ToArray();
        return Enumerable.Range(0, t.ItemRowOf.Length)
            .Select(j => $"{t.ItemNames[t.ItemRowOf[j]]} [{string.Join(",", t.Items.ReadRow(j).ToArray())}] {t.Clustering?.ClusterOf(j) ?? -1} {(lists == null ? -1 : lists[j])}")
            .Order(StringComparer.Ordinal).ToArray();
    }

    private static (string, string)[] EdgesOf(IEnumerable<MLNetTestData.Edge> edges, string item, string asItem) =>
        edges.Where(e => e.Item == item).Select(e => (e.User, asItem)).ToArray();

    [Fact]
    public void ToString_SummarizesWhatWasDoneWithTheEdges()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var recommender = Fit(ml, edges, Als(), mi => mi.UnimodalRetriever(candidates: 5));
        var given = EdgesOf(edges, "i3", "new-a").Concat([("u0", "i3"), ("stranger", "new-b"), EdgesOf(edges, "i3", "new-a")[0]]).ToArray();
        var folded = recommender.FoldInNewItems(given, threads: 1);
        Assert.Equal((1, 1, 1, 1), (folded.KnownItemEdges, folded.UnknownUserEdges, folded.DuplicateEdges, folded.ItemsLeftUnknown.Count));
        Assert.Equal($"Folded in 1 item from {folded.FoldedEdges} edges of trained users; of the {given.Length} edges given, 1 of a known item, 1 of a user "
            + "without a trained vector and 1 repeating a pair were not read; 1 item left unknown (no edge of a trained user).", folded.ToString());

        var nothing = recommender.FoldInNewItems([("u0", "i3")], threads: 1);
        Assert.Equal("Folded in 0 items from 0 edges of trained users; of the 1 edge given, 1 of a known item, 0 of a user without a trained vector and 0 repeating "
            + "a pair were not read; 0 items left unknown (no edge of a trained user).", nothing.ToString());
    }

    [Fact]
    public void OnExactAls_ACopyOfATrainedItemUnderANewId_GetsThatItemsVector()
    {
        // ALS ends each iteration on the item step, so a trained item's vector is the item step's solve against the final users.
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var recommender = Fit(ml, edges, Als(), mi => mi.UnimodalRetriever(candidates: 5));
        foreach (string item in new[] { "i3", "i17" })
        {
            var folded = recommender.FoldInNewItems(EdgesOf(edges, item, item + "-copy"), threads: 1);
            Assert.Equal([item + "-copy"], folded.FoldedItems);
            Assert.False(folded.FittedObjective); // ALS vectors carry their objective
            var expected = VectorOf(recommender, item);
            var actual = VectorOf(folded.Recommender, item + "-copy");
            float scale = expected.Max(Math.Abs);
            Assert.True(scale > 0.01f);
            for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], 1e-4 * scale);
        }
    }

    [Theory]
    [InlineData(EmbeddingAlgorithm.TruncatedSvd)]
    [InlineData(EmbeddingAlgorithm.NegativeSampling)]
    public void OnVectorsOfAnotherAlgorithm_TheFittedObjective_FoldsACopyOfATrainedItemNearIt(EmbeddingAlgorithm algorithm)
    {
        // No ALS objective to solve: the item side is fitted so that folding the trained items in from their users reproduces
        // their vectors, and scaled onto them; a copy of a trained item then lands next to it, at about its length.
        var ml = new MLContext(seed: 1);
        var edges = Communities();
        var embedding = algorithm == EmbeddingAlgorithm.TruncatedSvd
            ? new GraphEmbeddingTrainer.Options { Algorithm = algorithm, Dimension = 6, Threads = 1, Seed = 3 }
            : new GraphEmbeddingTrainer.Options { Algorithm = algorithm, Dimension = 6, Epochs = 20, Threads = 1, Seed = 3, UniformNegatives = 5, BatchNegatives = 5, ChunkSize = 10 };
        var recommender = Fit(ml, edges, embedding, mi => mi.UnimodalRetriever(candidates: 5));
        Assert.False(recommender.LiveStages[0].Settings.FoldsInHistories); // Auto read histories by the mean: no objective recorded
        foreach (string item in new[] { "c0i0", "c1i4", "c2i7" })
        {
            var result = recommender.FoldInNewItems(EdgesOf(edges, item, "copy"));
            Assert.True(result.FittedObjective);
            var folded = result.Recommender;
            var (own, copy) = (VectorOf(recommender, item), VectorOf(folded, "copy"));
            double cosine = VectorMath.Dot(own, copy) / (VectorMath.Norm(own) * VectorMath.Norm(copy));
            Assert.True(cosine > 0.9, $"{algorithm}: cos({item}, its copy) = {cosine:F3}");
            Assert.InRange(VectorMath.Norm(copy) / VectorMath.Norm(own), 0.5, 2);
            // Its neighbours are its community's items.
            Assert.All(folded.SimilarItems("copy", 5), r => Assert.StartsWith(item[..2], r.ItemId, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheVectors_DoNotDependOnTheThreads_AndTheDataViewOverloadReadsTheSameEdges()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var recommender = Fit(ml, edges, Als(), mi => mi.UnimodalRetriever(candidates: 5));
        var day = EdgesOf(edges, "i3", "a").Concat(EdgesOf(edges, "i10", "b")).Concat(EdgesOf(edges, "i20", "c")).ToArray();
        var one = recommender.FoldInNewItems(day, threads: 1).Recommender;
        var two = recommender.FoldInNewItems(day, threads: 2).Recommender;
        var view = ml.Data.LoadFromEnumerable(day.Select(e => new MLNetTestData.Edge { User = e.Item1, Item = e.Item2 }).ToList());
        var viaView = recommender.FoldInNewItems(view, threads: 2).Recommender;
        foreach (string id in new[] { "a", "b", "c" })
        {
            Assert.Equal(VectorOf(one, id), VectorOf(two, id));
            Assert.Equal(VectorOf(one, id), VectorOf(viaView, id));
        }
        var missing = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems(view, userColumnName: "Who"));
        Assert.Equal("userColumnName", missing.ParamName);
        Assert.Contains("'Who'", missing.Message, StringComparison.Ordinal);
        // A null name is refused naming the parameter, not by ML.NET's lookup ("Value cannot be null. (Parameter 'name')").
        var unnamed = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems(view, itemColumnName: null!));
        Assert.Equal("itemColumnName", unnamed.ParamName);
        Assert.Contains("itemColumnName must name a column", unnamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOriginalIsUnchanged_KnownItemEdgesChangeNoVector_AndTheReportCountsEveryEdge()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var recommender = Fit(ml, edges, Als(), mi => mi.UnimodalRetriever(candidates: 6));
        var before = recommender.LiveStages[0].Tables.Items.Values.ToArray();
        var listBefore = recommender.Recommend("u1", count: 10).Items.ToArray();
        var newListBefore = recommender.Recommend("someone", ["i3", "i4"], count: 10).Items.ToArray();
        (string, string)[] day =
        [
            ("u1", "i-new"), ("u2", "i-new"), ("u2", "i-new"), // one duplicate
            ("u1", "i3"), ("u5", "i7"),                        // known items: not read
            ("stranger", "i-new"), ("stranger", "i-lonely"),    // a user without a trained vector
        ];
        var folded = recommender.FoldInNewItems(day);

        Assert.Equal(["i-new"], folded.FoldedItems);
        Assert.Equal(["i-lonely"], folded.ItemsLeftUnknown);
        Assert.Equal(day.Length, folded.Edges);
        Assert.Equal(2, folded.FoldedEdges);
        Assert.Equal(2, folded.KnownItemEdges);
        Assert.Equal(2, folded.UnknownUserEdges);
        Assert.Equal(1, folded.DuplicateEdges);
        Assert.NotSame(recommender, folded.Recommender);
        // The old recommender: the same tables, lists and knowledge.
        Assert.Equal(before, recommender.LiveStages[0].Tables.Items.Values);
        Assert.False(recommender.KnowsItem("i-new"));
        Assert.Equal(listBefore, recommender.Recommend("u1", count: 10).Items);
        Assert.Equal(newListBefore, recommender.Recommend("someone", ["i3", "i4"], count: 10).Items);
        // The new one: every trained item keeps its vector bit for bit (the known items' edges changed nothing), the new item after them.
        var after = folded.Recommender.LiveStages[0].Tables;
        Assert.Equal(before, after.Items.Values.AsSpan(0, before.Length).ToArray());
        Assert.True(folded.Recommender.KnowsItem("i-new"));
        Assert.False(folded.Recommender.KnowsItem("i-lonely"));
        Assert.Equal(after.ItemNames.Count - 1, after.ItemRowOf[^1]);
        Assert.Equal("i-new", after.ItemNames[after.ItemRowOf[^1]]);
        Assert.True(after.ItemRowOf.Zip(after.ItemRowOf.Skip(1)).All(p => p.First < p.Second));

        // Nothing new: the same recommender back, and a second fold-in over the first one reads the folded item as known.
        var none = recommender.FoldInNewItems([("u1", "i3")]);
        Assert.Same(recommender, none.Recommender);
        Assert.Empty(none.FoldedItems);
        // A folded item is not a trained one: a new user of it is read (FoldingTwice_...), a repeat changes nothing.
        var again = folded.Recommender.FoldInNewItems([("u2", "i-new")]);
        Assert.Equal((0, 1), (again.KnownItemEdges, again.DuplicateEdges));
        Assert.Same(folded.Recommender, again.Recommender);
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("history-mmr-clustered")]
    [InlineData("quota")]
    [InlineData("svd")]
    public void FoldingTwice_EqualsFoldingEveryEdgeAtOnce_AndAFoldedItemsNewUsersAreNotRecommendedIt(string method)
    {
        // A service folds the day's edges in batches into the recommender it serves: a second batch's edges of an item the
        // first folded in are that item's new users (solved again from all its users, excluded from their lists), not edges
        // of a trained item to drop.
        var ml = new MLContext(seed: 1);
        var edges = Communities();
        var embedding = method == "svd" ? new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 6, Threads = 1, Seed = 3 } : Als(dimension: 6);
        var recommender = Fit(ml, edges, embedding, mi => method switch
        {
            "history-mmr-clustered" => mi.MmrRetriever(new MmrRetrieverEstimator.Options
                { Candidates = 5, Lambda = 0.9, Interests = MmrInterests.History, PoolSearch = HistoryPoolSearch.Clustered, PoolLists = 3, PoolProbes = 1 }),
            "quota" => mi.ClusterQuotaRetriever(candidates: 5),
            _ => mi.UnimodalRetriever(candidates: 5),
        }, clusters: method == "quota");
        (string, string)[] morning = [("c0u0", "x"), ("c0u1", "x"), ("c2u0", "z"), ("stranger", "w")];
        (string, string)[] evening = [("c0u2", "x"), ("c0u3", "x"), ("c0u1", "x"), ("c1u0", "y"), ("c1u1", "y"), ("c0u4", "x"), ("c1u2", "c1i3"), ("c1u3", "w")];
        var first = recommender.FoldInNewItems(morning);
        var second = first.Recommender.FoldInNewItems(evening);
        var atOnce = recommender.FoldInNewItems([.. morning, .. evening]);

        Assert.Equal(["x", "y", "w"], second.FoldedItems); // x solved again, then the new ones in the order of their first edge
        Assert.Equal((8, 6, 1, 0, 1), (second.Edges, second.FoldedEdges, second.KnownItemEdges, second.UnknownUserEdges, second.DuplicateEdges));
        Assert.Equal(second.Edges, second.FoldedEdges + second.KnownItemEdges + second.UnknownUserEdges + second.DuplicateEdges);
        // The same items, vectors, clusters, pool lists and histories (by id: the keys follow the order of the items' first edges, w's came later).
        var (twice, once) = (second.Recommender.LiveStages[0], atOnce.Recommender.LiveStages[0]);
        Assert.Equal(ById(once), ById(twice));
        Assert.Equal(once.Tables.History.EdgeCount, twice.Tables.History.EdgeCount);
        foreach (string user in edges.Select(e => e.User).Distinct())
        {
            int row = once.Tables.UserNames.IndexOf(user);
            Assert.Equal(Names(once.Tables, once.Tables.HistoryOf(row).ToArray()).Order(), Names(twice.Tables, twice.Tables.HistoryOf(row).ToArray()).Order());
        }
        foreach (string user in new[] { "c0u2", "c0u3", "c0u4", "c0u9", "c1u0", "c1u5" })
        {
            var list = second.Recommender.Recommend(user, count: 40).Items.Select(r => r.ItemId).ToArray();
            Assert.Equal(atOnce.Recommender.Recommend(user, count: 40).Items.Select(r => r.ItemId), list);
            if (user is "c0u2" or "c0u3" or "c0u4") Assert.DoesNotContain("x", list);
        }
    }

    [Fact]
    public async Task RequestsInFlight_OnTheOldRecommender_GetTheirListsWhileItemsAreFoldedIn()
    {
        var ml = new MLContext(seed: 1);
        var edges = Communities();
        var recommender = Fit(ml, edges, Als(dimension: 6), mi => mi.HistoryInterestMmr(candidates: 5));
        string[] users = [.. edges.Select(e => e.User).Distinct()];
        var expected = users.ToDictionary(u => u, u => recommender.Recommend(u, ["c1i1"]).Items.Select(r => r.ItemId).ToArray());
        var folds = Task.Run(() => Enumerable.Range(0, 4).Select(k => recommender.FoldInNewItems([("c0u1", $"n{k}"), ("c0u2", $"n{k}")], threads: 1)).ToArray());
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q =>
        {
            string user = users[q % users.Length];
            Assert.Equal(expected[user], recommender.Recommend(user, ["c1i1"]).Items.Select(r => r.ItemId));
        });
        var folded = await folds;
        Assert.All(folded, f => Assert.Single(f.FoldedItems));
        Assert.All(folded, f => Assert.Equal(users.Length * 6 + 2, f.Recommender.LiveStages[0].Tables.History.EdgeCount));
        Assert.Equal(users.Length * 6, recommender.LiveStages[0].Tables.History.EdgeCount);
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("history-mmr")]
    [InlineData("quota")]
    public void AfterARestart_FoldingTheSameEdgesIntoTheLoadedZip_GivesTheSameItemsAndLists(string method)
    {
        // Folded items live in the recommender, not in the zip: a service that restarts loads the zip and folds the day's
        // logged edges in again. That must give the vectors, clusters and lists it served before the restart.
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(Communities());
        IEstimator<ITransformer> pipeline = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(Als(dimension: 6)));
        if (method == "quota") pipeline = pipeline.Append(mi.SphericalKMeans(numberOfClusters: 4)).Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3));
        pipeline = pipeline.Append<ITransformer>(method switch
        {
            "history-mmr" => (IEstimator<ITransformer>)mi.HistoryInterestMmr(candidates: 5),
            "quota" => mi.ClusterQuotaRetriever(candidates: 5),
            _ => mi.UnimodalRetriever(candidates: 5),
        });
        var fitted = pipeline.Fit(raw);
        (string, string)[] day = [("c0u0", "x"), ("c0u1", "x"), ("c0u2", "x"), ("c1u0", "y"), ("c1u3", "y"), ("stranger", "y")];
        var beforeRestart = mi.CreateRecommender(fitted).FoldInNewItems(day).Recommender;

        string path = Path.Combine(Path.GetTempPath(), $"fold-restart-{method}-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(fitted, raw.Schema, path);
            using var model = MultiInterestModel.Load(ml, path);
            var loaded = mi.CreateRecommender(model);
            Assert.False(loaded.KnowsItem("x")); // the zip holds the fitted items only
            var afterRestart = loaded.FoldInNewItems(day).Recommender;
            Assert.Equal(ById(beforeRestart.LiveStages[0]), ById(afterRestart.LiveStages[0]));
            foreach (string user in new[] { "c0u3", "c0u0", "c1u1", "c2u4", "visitor" })
                Assert.Equal(Listed(beforeRestart, user), Listed(afterRestart, user));
            Assert.Contains(afterRestart.Recommend("c0u3", count: 12).Items, r => r.ItemId == "x"); // the folded item is served
        }
        finally
        {
            File.Delete(path);
        }

        static string[] Listed(MultiInterestRecommender r, string user) =>
            r.Recommend(user, user == "visitor" ? ["c0i1", "x"] : null, count: 12).Items.Select(i => $"{i.ItemId} {i.Score}").ToArray();
    }

    [Fact]
    public void BadEdges_AreRefusedNamingTheParameter()
    {
        var ml = new MLContext(seed: 1);
        var recommender = Fit(ml, MLNetTestData.Edges(), Als(), mi => mi.UnimodalRetriever(candidates: 5));
        Assert.Equal("edges", Assert.Throws<ArgumentNullException>(() => recommender.FoldInNewItems((IEnumerable<(string, string)>)null!)).ParamName);
        var emptyUser = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems([("u1", "x"), ("", "y")]));
        Assert.Equal("edges", emptyUser.ParamName);
        Assert.Contains("Edge 1 has an empty user id", emptyUser.Message, StringComparison.Ordinal);
        var nullItem = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems([("u1", null!)]));
        Assert.Equal("edges", nullItem.ParamName);
        Assert.Contains("Edge 0 (user 'u1') has a null item id", nullItem.Message, StringComparison.Ordinal);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => recommender.FoldInNewItems([("u1", "x")], threads: -1)).ParamName);
    }

    /// <summary>
    /// Three communities of 12 users and 10 items each; every user engaged 6 items of its own community. A new item engaged by
    /// half of community 0 must reach community 0's lists and no other community's.
    /// </summary>
    private static List<MLNetTestData.Edge> Communities()
    {
        var random = new Random(7);
        var edges = new List<MLNetTestData.Edge>();
        for (int c = 0; c < 3; c++)
            for (int u = 0; u < 12; u++)
                foreach (int i in Enumerable.Range(0, 10).OrderBy(_ => random.Next()).Take(6))
                    edges.Add(new MLNetTestData.Edge { User = $"c{c}u{u}", Item = $"c{c}i{i}" });
        return edges;
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("mmr")]
    [InlineData("history-mmr")]
    [InlineData("history-mmr-clustered")]
    [InlineData("quota")]
    [InlineData("mixture-mmr")]
    public void OnAPlantedGraph_ANewItemReachesItsCommunitysListsOnly_NeverTwiceNorToItsOwnUsers(string method)
    {
        var ml = new MLContext(seed: 1);
        var edges = Communities();
        bool clusters = method is "quota" or "mixture-mmr";
        var recommender = Fit(ml, edges, Als(dimension: 6), mi => method switch
        {
            "unimodal" => mi.UnimodalRetriever(candidates: 5),
            "mmr" => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.9 }),
            // Relevance-heavy MMR (Lambda 0.9): at the default a 5-item list of a one-community user already reaches into the others.
            "history-mmr" => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.9, Interests = MmrInterests.History }),
            "history-mmr-clustered" => mi.MmrRetriever(new MmrRetrieverEstimator.Options
                { Candidates = 5, Lambda = 0.9, Interests = MmrInterests.History, PoolSearch = HistoryPoolSearch.Clustered, PoolLists = 3, PoolProbes = 1 }),
            "quota" => mi.ClusterQuotaRetriever(candidates: 5),
            _ => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.9, InterestWeight = 0.5 }),
        }, clusters);
        string[] engaged = [.. Enumerable.Range(0, 6).Select(u => $"c0u{u}")];
        var folded = recommender.FoldInNewItems(engaged.Select(u => (u, "fresh")));
        var serving = folded.Recommender;
        Assert.Equal(["fresh"], folded.FoldedItems);

        // Trained users: community 0's who did not engage it get it in their top 5 (4 unseen community items at least, with
        // the new item as popular as any); its own users and the other communities' do not.
        for (int c = 0; c < 3; c++)
        {
            for (int u = 0; u < 12; u++)
            {
                string user = $"c{c}u{u}";
                var list = serving.Recommend(user).Items.Select(r => r.ItemId).ToArray();
                Assert.Equal(list.Length, list.Distinct().Count());
                var seen = edges.Where(e => e.User == user).Select(e => e.Item).ToHashSet();
                Assert.DoesNotContain(list, seen.Contains);
                bool expected = c == 0 && !engaged.Contains(user);
                Assert.True(expected == list.Contains("fresh"), $"{method}: {user}'s list [{string.Join(", ", list)}]");
            }
        }
        // New users from histories: in community 0's, with the new item read in a history that names it too; not in the others'.
        Assert.Contains(serving.Recommend("new0", ["c0i1", "c0i2", "c0i3"]).Items, r => r.ItemId == "fresh");
        Assert.DoesNotContain(serving.Recommend("new1", ["c1i1", "c1i2", "c1i3"]).Items, r => r.ItemId == "fresh");
        Assert.DoesNotContain(serving.Recommend("new2", ["c2i1", "c2i2", "c2i3"]).Items, r => r.ItemId == "fresh");
        var fromFresh = serving.Recommend("new3", ["fresh"], count: 5);
        Assert.Equal(CandidateSource.History, fromFresh.Source);
        Assert.All(fromFresh.Items, r => Assert.StartsWith("c0i", r.ItemId, StringComparison.Ordinal));
        // SimilarItems, exclusions and (for the stages that name interests) Explain take it.
        Assert.All(serving.SimilarItems("fresh", 3), r => Assert.StartsWith("c0i", r.ItemId, StringComparison.Ordinal));
        Assert.DoesNotContain(serving.Recommend("c0u9", null, 5, exclude: ["fresh"]).Items, r => r.ItemId == "fresh");
        if (method is "history-mmr" or "history-mmr-clustered" or "quota" or "mixture-mmr")
        {
            var explained = serving.Explain("new4", ["fresh", "c0i1"]);
            Assert.Contains("fresh", explained.HistoryItemIds);
            Assert.Contains(explained.Interests, i => i.HistoryItemIds.Contains("fresh"));
            Assert.Equal(serving.Recommend("new4", ["fresh", "c0i1"]).Items.Select(r => r.ItemId), explained.Items.Select(r => r.ItemId));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ClusteredStages_PlaceTheNewItemInItsNearestCluster_AndKeepEveryOtherItemsCluster(bool historyPool)
    {
        var ml = new MLContext(seed: 1);
        var edges = Communities();
        var recommender = historyPool
            ? Fit(ml, edges, Als(dimension: 6), mi => mi.MmrRetriever(new MmrRetrieverEstimator.Options
                { Candidates = 5, Interests = MmrInterests.History, PoolSearch = HistoryPoolSearch.Clustered, PoolLists = 4, PoolProbes = 1 }))
            : Fit(ml, edges, Als(dimension: 6), mi => mi.ClusterQuotaRetriever(candidates: 5), clusters: true);
        var folded = recommender.FoldInNewItems([("c1u0", "x"), ("c1u1", "x"), ("c2u0", "y"), ("c2u1", "y"), ("c2u2", "y")]).Recommender;
        var vectorX = VectorOf(folded, "x");
        var vectorY = VectorOf(folded, "y");
        var oldTables = recommender.LiveStages[0].Tables;
        int known = oldTables.ItemRowOf.Length;
        if (historyPool)
        {
            var oldIndex = recommender.LiveStages[0].HistoryMmr!.PoolIndex!;
            var index = folded.LiveStages[0].HistoryMmr!.PoolIndex!;
            Assert.Same(oldIndex.Centroids, index.Centroids);
            Assert.Equal(oldIndex.ListOf.ToArray(), index.ListOf[..known].ToArray());
            Assert.Equal(NearestCentroid.Of(oldIndex.Centroids, vectorX).Cluster, index.ListOf[known]);
            Assert.Equal(NearestCentroid.Of(oldIndex.Centroids, vectorY).Cluster, index.ListOf[known + 1]);
        }
        else
        {
            var old = oldTables.Clustering!;
            var clustering = folded.LiveStages[0].Tables.Clustering!;
            Assert.Same(old.Centroids, clustering.Centroids);
            Assert.Equal(old.Assignments.ToArray(), clustering.Assignments[..known].ToArray());
            int cx = NearestCentroid.Of(old.Centroids, vectorX).Cluster, cy = NearestCentroid.Of(old.Centroids, vectorY).Cluster;
            Assert.Equal(cx, clustering.ClusterOf(known));
            Assert.Equal(cy, clustering.ClusterOf(known + 1));
            Assert.Contains(known, clustering.MembersOf(cx).ToArray());
            // Its cluster is the one of its community's items (the nearest centroid is not an arbitrary one).
            var c1 = Enumerable.Range(0, known).Where(j => oldTables.ItemNames[oldTables.ItemRowOf[j]].StartsWith("c1", StringComparison.Ordinal)).Select(old.ClusterOf);
            Assert.Contains(cx, c1);
        }
    }

    [Fact]
    public void RoundRobinAndConditionalStages_AreRefusedNamingTheMethod_AndAFusionFoldsIntoEverySource()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var roundRobin = Fit(ml, edges, RoundRobinRetrieverMLNetTests.Embedding("mixture"), mi => mi.RoundRobinRetriever(candidates: 5));
        var refused = Assert.Throws<NotSupportedException>(() => roundRobin.FoldInNewItems([("u1", "x")]));
        Assert.Contains("RoundRobinRetriever", refused.Message, StringComparison.Ordinal);
        Assert.Contains("refit", refused.Message, StringComparison.Ordinal);

        var topics = edges.Select(e => new TopicEdge { User = e.User, Item = e.Item, Topic = $"t{int.Parse(e.Item[1..], System.Globalization.CultureInfo.InvariantCulture) / 6}" }).ToList();
        var mi = ml.MultiInterest();
        var conditional = mi.CreateRecommender(MLNetTestData.KeyPipeline(ml)
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, nameof(TopicEdge.Topic)))
            .Append(mi.GraphEmbedding(Als()))
            .Append(mi.ConditionalRetriever(new ConditionalRetrieverEstimator.Options { Candidates = 5 }))
            .Fit(ml.Data.LoadFromEnumerable(topics)));
        refused = Assert.Throws<NotSupportedException>(() => conditional.FoldInNewItems([("u1", "x")]));
        Assert.Contains("ConditionalRetriever", refused.Message, StringComparison.Ordinal);

        // A fusion of unimodal and history-interest MMR: both sources take the item, at the same key.
        var fusion = mi.CreateRecommender(MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(Als()))
            .Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6, CandidatesColumnName = "A", CandidateScoresColumnName = "AS", CandidateSourceColumnName = "ASrc" }))
            .Append(mi.HistoryInterestMmr(candidates: 6))
            .Append(mi.RankFusion(["A", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: 6))
            .Fit(ml.Data.LoadFromEnumerable(edges)));
        var copy = EdgesOf(edges, "i3", "i3-copy");
        var folded = fusion.FoldInNewItems(copy).Recommender;
        Assert.Equal(CandidateMethod.RankFusion, folded.Method);
        Assert.Equal(2, folded.LiveStages.Count);
        Assert.All(folded.LiveStages, s => Assert.Equal("i3-copy", s.Tables.ItemNames[s.Tables.ItemRowOf[^1]]));
        Assert.Equal(VectorOf(folded, "i3-copy", 0), VectorOf(folded, "i3-copy", 1));
        // A new user whose history is i3's neighbourhood gets the copy wherever it gets i3.
        var user = edges.First(e => e.Item == "i3").User;
        var history = edges.Where(e => e.User == user && e.Item != "i3").Select(e => e.Item).ToArray();
        var list = folded.Recommend("someone", history, count: 12).Items.Select(r => r.ItemId).ToArray();
        Assert.Contains("i3", list);
        Assert.Contains("i3-copy", list);
        Assert.Equal(list.Length, list.Distinct().Count());
    }

    [Fact]
    public void OnAWideKeyRange_TheFoldIn_CostsAndSolvesOverTheIdsInUse_NotTheKeys()
    {
        // KeyType(10_000_000) columns of 40 users and 30 items (names: the key numbers, made when read). The fold-in once
        // copied every item key's name (479 MB and 1.7 s to fold one item in).
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.WideKeyEdges();
        var mi = ml.MultiInterest();
        var recommender = mi.CreateRecommender(mi.GraphEmbedding(Als(dimension: 4)).Append(mi.UnimodalRetriever(candidates: 5)).Fit(ml.Data.LoadFromEnumerable(rows)));
        var users = recommender.LiveStages[0].Tables.UserNames;
        string a = users[1], b = users[1001], c = users[2001];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var folded = recommender.FoldInNewItems([(a, "new"), (b, "new")], threads: 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(["new"], folded.FoldedItems);
        Assert.True(allocated < 20_000_000, $"{allocated:N0} bytes allocated");
        var t = folded.Recommender.LiveStages[0].Tables;
        Assert.Equal(10_000_001, t.ItemNames.Count);
        Assert.Equal("new", t.ItemNames[t.ItemRowOf[^1]]);
        Assert.True(folded.Recommender.KnowsItem("new"));
        Assert.Contains(folded.Recommender.Recommend(c, count: 31).Items, r => r.ItemId == "new");
        Assert.DoesNotContain(folded.Recommender.Recommend(a, count: 31).Items, r => r.ItemId == "new");

        // The exact ALS item step: |U| of the penalty is the 40 users fitted over, not the 10,000,000 user keys (a copy of a
        // trained item once got a vector 3,000 times shorter than the item's own).
        var trained = recommender.LiveStages[0].Tables;
        string item = trained.ItemNames[trained.ItemRowOf[3]];
        var copy = recommender.FoldInNewItems(Enumerable.Range(0, trained.HistoryUsers.Length).Where(e => trained.History.ItemsOf(e).Contains(3))
            .Select(e => (trained.UserNames[trained.HistoryUsers[e]], item + "-copy")).ToArray(), threads: 1).Recommender;
        var expected = VectorOf(recommender, item);
        var actual = VectorOf(copy, item + "-copy");
        float scale = expected.Max(Math.Abs);
        Assert.True(scale > 0.01f);
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], 1e-4 * scale);
    }

    private sealed class TopicEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string Topic { get; set; } = "";
    }
}
