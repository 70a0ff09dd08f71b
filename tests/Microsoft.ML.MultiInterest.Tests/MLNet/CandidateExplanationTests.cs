using Microsoft.Data.Analysis;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Docs;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Which interest placed each candidate, and which history item it is closest to, for every retriever that can tell
/// (<see cref="CandidateRetrievalTransformer.GetCandidateComponents"/>, <see cref="CandidateRetrievalTransformer.GetCandidateInterests"/>,
/// <see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/>, the Component column of
/// <c>CandidatesToDataFrame</c>). On a graph with planted interests (each user engages three items of each of two groups, the
/// items of a group along one axis) the answer is known: every interest is one of the user's groups, covers the user's items
/// of that group, and places the candidates of that group.
/// </summary>
public sealed class CandidateExplanationTests : IClassFixture<CandidateExplanationTests.Planted>, IDisposable
{
    private readonly Planted _p;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-explain-").FullName;

    public CandidateExplanationTests(Planted planted) => _p = planted;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The planted graph of <see cref="MLNetTestData.Edges"/> with its planted vectors mapped onto the raw ids (embeddings
    /// trained elsewhere: an item is its group's axis plus noise, a user the mean of its items), four clusters, unsmoothed
    /// two-component mixtures, and every retriever of M = 6 (three unseen items of each of the user's groups).
    /// </summary>
    public sealed class Planted
    {
        public Planted()
        {
            var (items, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 6, users: 16, itemsPerUserPerGroup: 3, dim: 8, seed: 3);
            Ml = new MLContext(seed: 1);
            var mi = Ml.MultiInterest();
            var raw = Ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            GroupOf = Enumerable.Range(0, items.Rows).ToDictionary(i => $"i{i}", i => itemGroup[i]);
            GroupsOf = Enumerable.Range(0, graph.UserCount).ToDictionary(u => $"u{u}", u => userGroups[u]);
            HistoryOf = Enumerable.Range(0, graph.UserCount).ToDictionary(u => $"u{u}", u => graph.ItemsOf(u).ToArray().Select(i => $"i{i}").ToArray());
            VectorOf = Enumerable.Range(0, items.Rows).ToDictionary(i => $"i{i}", i => items.ReadRow(i).ToArray());
            var userVectors = HistoryOf.Select(p => new KeyValuePair<string, float[]>(p.Key,
                Enumerable.Range(0, 8).Select(k => p.Value.Average(i => VectorOf[i][k])).ToArray()));
            Upstream = Ml.Transforms.Conversion.MapValue("UserEmbedding", userVectors, "User")
                .Append(Ml.Transforms.Conversion.MapValue("ItemEmbedding", VectorOf.Select(p => new KeyValuePair<string, float[]>(p.Key, p.Value)), "Item"))
                .Append(MLNetTestData.KeyPipeline(Ml))
                .Append(mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, Seed = 1 }))
                .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3, lambda: 0))
                .Fit(raw);
            Mixed = Upstream.Transform(raw);
            KMeans = Upstream.OfType<SphericalKMeansTransformer>().Single();
            Stages = new Dictionary<string, CandidateRetrievalTransformer>
            {
                ["quota"] = mi.ClusterQuotaRetriever(candidates: M).Fit(Mixed),
                ["interest-mmr"] = mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = M, PoolSize = 12, InterestWeight = 0.5 }).Fit(Mixed),
                ["history-mmr"] = mi.MmrRetriever(new MmrRetrieverEstimator.Options
                {
                    Candidates = M, PoolSize = 12, Interests = MmrInterests.History, Lambda = 0.75, InterestWeight = 0.5, ItemsPerInterest = 1, MaxInterests = 2,
                    FoldInRegularization = 0.05, FoldInUnobservedWeight = 0.05,
                }).Fit(Mixed),
                ["round-robin"] = mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
                {
                    UserComponentsColumnName = MultiInterestColumnNames.MixtureEmbeddings, UserComponentWeightsColumnName = MultiInterestColumnNames.MixtureWeights,
                    ItemComponentsColumnName = MultiInterestColumnNames.ItemEmbedding, Candidates = M,
                }).Fit(Mixed),
                ["unimodal"] = mi.UnimodalRetriever(candidates: M).Fit(Mixed),
                ["mmr"] = mi.MmrRetriever(candidates: M).Fit(Mixed),
            };
        }

        public const int M = 6;

        public MLContext Ml { get; }

        public TransformerChain<KnnSmoothedMixtureTransformer> Upstream { get; }

        public IDataView Mixed { get; }

        public SphericalKMeansTransformer KMeans { get; }

        public Dictionary<string, CandidateRetrievalTransformer> Stages { get; }

        public Dictionary<string, int> GroupOf { get; }

        public Dictionary<string, int[]> GroupsOf { get; }

        public Dictionary<string, string[]> HistoryOf { get; }

        public Dictionary<string, float[]> VectorOf { get; }

        /// <summary>The user key of raw id <paramref name="user"/> ("u3").</summary>
        public static uint KeyOf(CandidateRetrievalTransformer stage, string user) =>
            (uint)stage.UserIds.ToList().IndexOf(user) + 1;

        /// <summary>The item key of raw id <paramref name="item"/> ("i3").</summary>
        public static uint ItemKeyOf(CandidateRetrievalTransformer stage, string item) => (uint)stage.ItemIds.ToList().IndexOf(item) + 1;
    }

    public static TheoryData<string> Explaining => ["quota", "interest-mmr", "history-mmr", "round-robin"];

    [Theory]
    [MemberData(nameof(Explaining))]
    public void EachCandidate_IsCreditedToThePlantedInterestItCameFrom(string name)
    {
        var stage = _p.Stages[name];
        var recommender = _p.Ml.MultiInterest().CreateRecommender(stage);
        var frame = _p.Ml.MultiInterest().CandidatesToDataFrame(stage.Transform(_p.Mixed), stage);
        int credited = 0;
        foreach (var (user, history) in _p.HistoryOf)
        {
            uint key = Planted.KeyOf(stage, user);
            var interests = stage.GetCandidateInterests(key);
            var components = stage.GetCandidateComponents(key);
            var (items, _) = stage.GetCandidates(key);
            // Two interests, one per planted group of the user, each covering the user's three items of its group.
            Assert.Equal(2, interests.Count);
            Assert.Equal(_p.GroupsOf[user].Order(), interests.Select(i => GroupOfAll(i.HistoryItemIds)).Order());
            Assert.All(interests, i => Assert.Equal(3, i.HistoryItemIds.Count));
            Assert.Equal(history.Order(StringComparer.Ordinal), interests.SelectMany(i => i.HistoryItemIds).Order(StringComparer.Ordinal));
            Assert.Equal([0, 1], interests.Select(i => i.Index));
            Assert.All(interests, i => Assert.Equal(0.5, i.Weight, 6));
            if (name is "quota" or "interest-mmr")
                Assert.All(interests, i => Assert.All(i.HistoryItemIds, id => Assert.Equal(i.Cluster, _p.KMeans.ClusterOfItem(Planted.ItemKeyOf(stage, id)))));
            else
                Assert.All(interests, i => Assert.Equal(-1, i.Cluster));

            // Every candidate of one of the user's groups is credited to the interest of that group.
            Assert.Equal(items.Length, components.Length);
            for (int r = 0; r < items.Length; r++)
            {
                string item = stage.ItemIds[(int)items[r] - 1];
                int group = _p.GroupOf[item];
                if (!_p.GroupsOf[user].Contains(group)) continue;
                Assert.InRange(components[r], 0, 1);
                Assert.Equal(group, GroupOfAll(interests[components[r]].HistoryItemIds));
                credited++;
            }

            // The recommender tells the same, with the history item closest to each candidate.
            var explained = recommender.Explain(user);
            Assert.Equal(recommender.Recommend(user).Items.Select(i => (i.ItemId, i.Score, i.Rank)), explained.Items.Select(i => (i.ItemId, i.Score, i.Rank)));
            Assert.Equal(components, explained.Items.Select(i => i.Interest));
            Assert.All(explained.Items, i => Assert.Equal((0, i.Rank), (i.Stage, i.StageRank)));
            Assert.Equal(CandidateSource.Trained, explained.Source);
            Assert.Equal([stage.Columns.CandidatesColumn], explained.Stages);
            Assert.Equal(history.Order(StringComparer.Ordinal), explained.HistoryItemIds.Order(StringComparer.Ordinal));
            Assert.Equal(interests.Select(i => (i.Index, i.Weight, i.Cluster, string.Join(",", i.HistoryItemIds))),
                explained.Interests.Select(i => (i.Index, i.Weight, i.Cluster, string.Join(",", i.HistoryItemIds))));
            foreach (var i in explained.Items) AssertClosest(history, i);
            // And the DataFrame's Component column.
            var rows = Enumerable.Range(0, (int)frame.Rows.Count).Where(r => (string)frame.Columns["User"][r] == user).ToArray();
            Assert.Equal(components, rows.Select(r => (int)frame.Columns["Component"][r]));
        }
        Assert.True(credited >= 16 * 4, $"{name}: only {credited} candidates of the users' own groups");
    }

    [Theory]
    [MemberData(nameof(Explaining))]
    public void ANewUsersFreshHistory_IsExplainedByItsOwnInterests(string name)
    {
        var recommender = _p.Ml.MultiInterest().CreateRecommender(_p.Stages[name]);
        // Three items of group 0 and three of group 2, as a trained user's history would be.
        string[] fresh = ["i0", "i1", "i2", "i12", "i13", "i14"];
        var explained = recommender.Explain("new-user", fresh);
        Assert.Equal(CandidateSource.History, explained.Source);
        Assert.Equal(fresh.Order(StringComparer.Ordinal), explained.HistoryItemIds.Order(StringComparer.Ordinal));
        Assert.Equal(recommender.Recommend("new-user", fresh).Items.Select(i => i.ItemId), explained.Items.Select(i => i.ItemId));
        Assert.DoesNotContain(explained.Items, i => fresh.Contains(i.ItemId));
        if (name == "round-robin")
        {
            // A kNN-Embed round robin gives a fresh history one component, its items' mean vector.
            Assert.Equal(1.0, Assert.Single(explained.Interests).Weight);
            Assert.All(explained.Items, i => Assert.Equal(0, i.Interest));
        }
        else
        {
            Assert.Equal([0, 2], explained.Interests.Select(i => GroupOfAll(i.HistoryItemIds)).Order());
            foreach (var i in explained.Items.Where(i => _p.GroupOf[i.ItemId] is 0 or 2))
                Assert.Equal(_p.GroupOf[i.ItemId], GroupOfAll(explained.Interests[i.Interest].HistoryItemIds));
        }
        Assert.Contains(explained.Items, i => _p.GroupOf[i.ItemId] is 0 or 2);
        foreach (var i in explained.Items) AssertClosest(fresh, i);

        // Neither trained nor with history: the popular fallback, which no interest placed.
        var popular = recommender.Explain("nobody");
        Assert.Equal(CandidateSource.Popular, popular.Source);
        Assert.Empty(popular.Interests);
        Assert.Empty(popular.HistoryItemIds);
        Assert.All(popular.Items, i => Assert.Equal((-1, (string?)null, true), (i.Interest, i.ClosestHistoryItemId, float.IsNaN(i.ClosestHistorySimilarity))));
        Assert.Equal(recommender.Recommend("nobody").Items.Select(i => i.ItemId), popular.Items.Select(i => i.ItemId));
    }

    [Fact]
    public void AQuotaHeadAndFill_AreCreditedToNoInterest_AndASmoothedComponentCoversNoHistoryItem()
    {
        var mi = _p.Ml.MultiInterest();
        // A third component from the neighbours (lambda 0.5): none of the user's items is in its cluster. M = 16 with a head of
        // 4: the user's groups hold 6 unseen items, a third cluster 6 more, so the fill comes from Unimodal too.
        var smoothed = mi.KnnSmoothedMixture(components: 3, neighbors: 3, lambda: 0.5).Fit(_p.Mixed);
        var data = smoothed.Transform(_p.Mixed);
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 16, HeadShare = 0.25 }).Fit(data);
        int borrowed = 0, fill = 0;
        foreach (var (user, history) in _p.HistoryOf)
        {
            uint key = Planted.KeyOf(quota, user);
            var interests = quota.GetCandidateInterests(key);
            var components = quota.GetCandidateComponents(key);
            var (items, _) = quota.GetCandidates(key);
            Assert.Equal(smoothed.Mixtures.Clusters((int)key - 1).ToArray(), interests.Select(i => i.Cluster));
            Assert.Equal(smoothed.Mixtures.Weights((int)key - 1).ToArray(), interests.Select(i => i.Weight));
            foreach (var interest in interests)
            {
                var own = history.Where(id => _p.KMeans.ClusterOfItem(Planted.ItemKeyOf(quota, id)) == interest.Cluster).Order(StringComparer.Ordinal);
                Assert.Equal(own, interest.HistoryItemIds.Order(StringComparer.Ordinal));
                // In item key order.
                Assert.Equal(interest.HistoryItemIds.OrderBy(id => Planted.ItemKeyOf(quota, id)), interest.HistoryItemIds);
                if (interest.HistoryItemIds.Count == 0) borrowed++;
            }
            Assert.Equal([-1, -1, -1, -1], components[..4]);
            for (int r = 4; r < items.Length; r++)
            {
                int cluster = _p.KMeans.ClusterOfItem(items[r]);
                Assert.Equal(interests.Select(i => i.Cluster).ToList().IndexOf(cluster), components[r]);
                if (components[r] < 0) fill++;
            }
        }
        Assert.True(borrowed > 0, "some user should have a component from its neighbours only");
        Assert.True(fill > 0, "some list should have a unimodal fill");
    }

    [Fact]
    public void StagesThatNameNoInterest_AreRefused_NamingTheMethodAndCaller()
    {
        var mi = _p.Ml.MultiInterest();
        // Multi-interest MMR at lambda 0: the interest term fades to nothing, so its lists are plain MMR's and no interest placed them.
        var faded = mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = Planted.M, PoolSize = 12, Lambda = 0, InterestWeight = 0.5 }).Fit(_p.Mixed);
        var plainAtZero = mi.CreateRecommender(mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = Planted.M, PoolSize = 12, Lambda = 0 }).Fit(_p.Mixed));
        foreach (string user in _p.HistoryOf.Keys)
            Assert.Equal(plainAtZero.Recommend(user).Items.Select(r => r.ItemId), mi.CreateRecommender(faded).Recommend(user).Items.Select(r => r.ItemId));
        var stages = new Dictionary<string, CandidateRetrievalTransformer>(_p.Stages) { ["faded"] = faded };
        foreach (var (name, says) in new[] { ("unimodal", "a Unimodal stage"), ("mmr", "InterestWeight = 0"), ("faded", "Lambda = 0, where the interest term fades to nothing") })
        {
            var stage = stages[name];
            uint key = Planted.KeyOf(stage, "u1");
            foreach (var (caller, act) in new (string, Action)[]
            {
                ("GetCandidateComponents", () => stage.GetCandidateComponents(key)),
                ("GetCandidateInterests", () => stage.GetCandidateInterests(key)),
                ("CandidatesToDataFrame", () => mi.CandidatesToDataFrame(stage.Transform(_p.Mixed), stage)),
                ("Explain", () => mi.CreateRecommender(stage).Explain("u1")),
            })
            {
                var e = Assert.Throws<InvalidOperationException>(act);
                Assert.StartsWith(caller + ":", e.Message);
                Assert.Contains(says, e.Message);
                Assert.Contains("history-interest MMR (MmrRetriever with Interests = History)", e.Message);
            }
        }
    }

    /// <summary>
    /// A fusion of history-interest MMR and a round robin, fitted on learned vectors: each fused candidate is credited to the
    /// source whose <c>w_l / rank_l</c> is its fused score (the earlier source of equal ones), at the rank and with the interest
    /// that source's own explanation gives it; the saved and loaded model explains alike, and a list served from a fresh
    /// History column is refused by the DataFrame, naming the user.
    /// </summary>
    [Fact]
    public void FusedCandidates_AreCreditedToTheSourceThatGaveTheirScore_FittedAndLoaded()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        double[] weights = [0.6, 0.4];
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = 6, PoolSize = 12, Interests = MmrInterests.History, InterestWeight = 0.5, ItemsPerInterest = 2, MaxInterests = 3,
                CandidatesColumnName = "HistoryCandidates", CandidateScoresColumnName = "HistoryScores", CandidateSourceColumnName = "HistorySource",
            }))
            .Append(mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
            {
                UserComponentsColumnName = MultiInterestColumnNames.MixtureEmbeddings, UserComponentWeightsColumnName = MultiInterestColumnNames.MixtureWeights,
                ItemComponentsColumnName = MultiInterestColumnNames.ItemEmbedding, Candidates = 6,
            }))
            .Append(mi.RankFusion(["HistoryCandidates", "Candidates"], weights, candidates: 6))
            .Fit(raw);
        var sources = ((IEnumerable<ITransformer>)model).OfType<CandidateRetrievalTransformer>().ToArray();
        var fused = mi.CreateRecommender(model);
        string path = Path.Combine(_directory, "fused.zip");
        ml.Model.Save(model, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        var fromZip = mi.CreateRecommender(loaded);
        int fromEach0 = 0, fromEach1 = 0;
        foreach (string user in _p.HistoryOf.Keys.Append("new-user"))
        {
            string[]? fresh = user == "new-user" ? ["i0", "i1", "i12", "i13"] : null;
            var explained = fused.Explain(user, fresh);
            Assert.Equal(["HistoryCandidates", "Candidates"], explained.Stages);
            Assert.Equal(fused.Recommend(user, fresh).Items.Select(i => (i.ItemId, i.Score, i.Rank)), explained.Items.Select(i => (i.ItemId, i.Score, i.Rank)));
            var own = sources.Select(s => mi.CreateRecommender(s).Explain(user, fresh)).ToArray();
            foreach (var item in explained.Items)
            {
                var source = own[item.Stage].Items[item.StageRank - 1];
                Assert.Equal(item.ItemId, source.ItemId);
                Assert.Equal(source.Interest, item.Interest);
                Assert.Equal(source.ClosestHistoryItemId, item.ClosestHistoryItemId);
                Assert.Equal((float)(weights[item.Stage] / item.StageRank), item.Score);
                // No source lists the item where it would score more, nor an earlier source as much (in the fusion's double
                // arithmetic: 0.6 / 3 is below 0.4 / 2 there, though both round to the same Single score).
                double best = weights[item.Stage] / item.StageRank;
                for (int l = 0; l < 2; l++)
                {
                    int at = own[l].Items.ToList().FindIndex(i => i.ItemId == item.ItemId);
                    if (at < 0) continue;
                    double score = weights[l] / (at + 1);
                    Assert.True(score < best || (score == best && l >= item.Stage), $"user {user}, item {item.ItemId}: source {l} at rank {at + 1} beats source {item.Stage} at {item.StageRank}");
                }
                if (item.Stage == 0) fromEach0++; else fromEach1++;
            }
            // The interests, source by source, as each source tells them.
            Assert.Equal(own.SelectMany((o, l) => o.Interests.Select(i => (l, i.Index, i.Weight, string.Join(",", i.HistoryItemIds)))),
                explained.Interests.Select(i => (i.Stage, i.Index, i.Weight, string.Join(",", i.HistoryItemIds))));
            // The loaded model explains alike.
            var again = fromZip.Explain(user, fresh);
            Assert.Equal(explained.Items, again.Items);
            Assert.Equal(explained.Interests.Select(i => (i.Stage, i.Index, i.Weight, i.Cluster, string.Join(",", i.HistoryItemIds))),
                again.Interests.Select(i => (i.Stage, i.Index, i.Weight, i.Cluster, string.Join(",", i.HistoryItemIds))));
            Assert.Equal(explained.Stages, again.Stages);
        }
        Assert.True(fromEach0 > 0 && fromEach1 > 0, "both sources should place items");
        // By column: the fusion's own output, or one source; fitted and loaded alike.
        Assert.Equal(CandidateMethod.RankFusion, mi.CreateRecommender(model, "Candidates").Method);
        Assert.Equal(CandidateMethod.RankFusion, mi.CreateRecommender(loaded, "Candidates").Method);
        foreach (string user in new[] { "u1", "u7" })
        {
            var history = mi.CreateRecommender(sources[0]).Explain(user);
            Assert.Equal(history.Items, mi.CreateRecommender(model, "HistoryCandidates").Explain(user).Items);
            Assert.Equal(history.Items, mi.CreateRecommender(loaded, "HistoryCandidates").Explain(user).Items);
        }

        // The DataFrame reads a stage's kept lists; a list served from a fresh History column is refused, naming the user.
        var requests = ml.Data.LoadFromEnumerable(new[]
        {
            new HistoryRow { User = "u1", Item = "i0" },
            new HistoryRow { User = "new-user", Item = "i0", History = ["i0", "i1", "i12"] },
        });
        var served = model.Transform(requests);
        var error = Assert.Throws<ArgumentException>(() => mi.CandidatesToDataFrame(served, sources[0]));
        Assert.Contains("User 'new-user'", error.Message);
        Assert.Contains("MultiInterestRecommender.Explain", error.Message);
        var onlyTrained = model.Transform(ml.Data.LoadFromEnumerable(new[] { new HistoryRow { User = "u1", Item = "i0" } }));
        var trained = mi.CandidatesToDataFrame(onlyTrained, sources[0]);
        Assert.Equal(sources[0].GetCandidateComponents(Planted.KeyOf(sources[0], "u1")), trained.Columns["Component"].Cast<int>());
        // The round robin's Candidates column was replaced by the fused list: another stage's list, refused.
        Assert.Contains("a list of another stage", Assert.Throws<ArgumentException>(() => mi.CandidatesToDataFrame(onlyTrained, sources[1])).Message);
    }

    /// <summary>
    /// A pipeline with two retrievers and no fusion: <c>CreateRecommender(fitted)</c> serves the last stage, while
    /// <c>CreateRecommender(loaded)</c> serves the model's ServingStage, the first cluster-quota one (documented, unchanged). Naming
    /// the candidates column picks the same stage from both, whose lists and explanations are the stage's own.
    /// </summary>
    [Fact]
    public void NamingTheCandidatesColumn_ServesTheSameStage_FittedAndLoaded()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.TwoRetrieverChain(ml, raw);
        var stages = ((IEnumerable<ITransformer>)model).OfType<CandidateRetrievalTransformer>().ToArray();
        string path = Path.Combine(_directory, "two.zip");
        ml.Model.Save(model, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        // The defaults serve the same stage, the last (history-interest MMR), fitted and loaded; so do the zip's other paths.
        Assert.Equal(CandidateMethod.Mmr, mi.CreateRecommender(model).Method);
        Assert.Equal(CandidateMethod.Mmr, mi.CreateRecommender(loaded).Method);
        Assert.Equal("Candidates", loaded.ServingStage.CandidatesColumnName);
        foreach (string user in _p.HistoryOf.Keys)
            Assert.Equal(mi.CreateRecommender(model).Recommend(user).Items, mi.CreateRecommender(loaded).Recommend(user).Items);
        foreach (var (column, stage) in new[] { ("QuotaCandidates", stages[0]), ("Candidates", stages[1]) })
        {
            var fitted = mi.CreateRecommender(model, column);
            var fromZip = mi.CreateRecommender(loaded, column);
            Assert.Equal(stage.Method, fitted.Method);
            Assert.Equal(stage.Method, fromZip.Method);
            foreach (string user in _p.HistoryOf.Keys)
            {
                var (keys, _) = stage.GetCandidates(Planted.KeyOf(stage, user));
                var explained = fitted.Explain(user);
                Assert.Equal(keys.Where(k => k != 0).Select(k => stage.ItemIds[(int)k - 1]), explained.Items.Select(i => i.ItemId));
                Assert.Equal(stage.GetCandidateComponents(Planted.KeyOf(stage, user)), explained.Items.Select(i => i.Interest));
                Assert.Equal(explained.Items, fromZip.Explain(user).Items);
                Assert.Equal([column], explained.Stages);
            }
        }
        // A list copied for a fusion before the next retriever wrote Candidates again is found by the fusion's source column.
        var fusing = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.HistoryInterestMmr(candidates: 6))
            .Append(ml.Transforms.CopyColumns("HistoryMmrCandidates", "Candidates"))
            .Append(mi.ClusterQuotaRetriever(candidates: 6))
            .Append(mi.RankFusion(["HistoryMmrCandidates", "Candidates"], candidates: 6))
            .Fit(raw);
        string fusedPath = Path.Combine(_directory, "copied.zip");
        ml.Model.Save(fusing, raw.Schema, fusedPath);
        using var fusedZip = MultiInterestModel.Load(ml, fusedPath);
        var historyStage = ((IEnumerable<ITransformer>)fusing).OfType<CandidateRetrievalTransformer>().First();
        foreach (var recommender in new[] { mi.CreateRecommender(fusing, "HistoryMmrCandidates"), mi.CreateRecommender(fusedZip, "HistoryMmrCandidates") })
        {
            Assert.Equal(CandidateMethod.Mmr, recommender.Method);
            Assert.Equal(mi.CreateRecommender(historyStage).Explain("u2").Items, recommender.Explain("u2").Items);
        }
        Assert.Equal(CandidateMethod.RankFusion, mi.CreateRecommender(fusedZip, "Candidates").Method);

        foreach (Action unknown in new Action[] { () => mi.CreateRecommender(model, "Nope"), () => mi.CreateRecommender(loaded, "Nope") })
        {
            var e = Assert.Throws<ArgumentException>(unknown);
            Assert.Contains("'Nope'", e.Message);
            Assert.Contains("'QuotaCandidates', 'Candidates'", e.Message);
        }
    }

    /// <summary>A learned multi-vector model (mixture embeddings) served by a round robin: the fitted and loaded recommenders and the stage agree.</summary>
    [Fact]
    public void ALearnedRoundRobin_IsExplainedAlike_FittedAndLoaded()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Dimension = 8, Epochs = 3, Threads = 1, Seed = 2,
                Margin = MixtureEmbeddingDefaults.Margin, LearningRate = MixtureEmbeddingDefaults.LearningRate,
                Mixture = new MixtureEmbeddingOptions { SourceComponents = 3 },
            }))
            .Append(mi.RoundRobinRetriever(candidates: 6))
            .Fit(raw);
        var stage = ((IEnumerable<ITransformer>)model).OfType<CandidateRetrievalTransformer>().Single();
        string path = Path.Combine(_directory, "learned.zip");
        ml.Model.Save(model, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        var fitted = mi.CreateRecommender(model);
        var fromZip = mi.CreateRecommender(loaded);
        var used = new HashSet<int>();
        foreach (var (user, history) in _p.HistoryOf)
        {
            uint key = Planted.KeyOf(stage, user);
            var explained = fitted.Explain(user);
            Assert.Equal(stage.GetCandidateComponents(key), explained.Items.Select(i => i.Interest));
            Assert.Equal(explained.Items, fromZip.Explain(user).Items);
            var interests = stage.GetCandidateInterests(key);
            Assert.Equal(3, interests.Count);
            // The components' history items split the history.
            Assert.Equal(history.Order(StringComparer.Ordinal), interests.SelectMany(i => i.HistoryItemIds).Order(StringComparer.Ordinal));
            used.UnionWith(explained.Items.Select(i => i.Interest));
        }
        Assert.True(used.Count >= 2);
    }

    /// <summary>docs/pipeline.md, "Explaining the candidates": the snippet compiles, runs, and is on the page.</summary>
    [Fact]
    public void TheExplainPageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = _p.Ml;
        var model = _p.Upstream.Append(_p.Stages["history-mmr"]);
        var train = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var lines = new List<string>();
        #region ExplainCandidates
        var mi = ml.MultiInterest();
        MultiInterestRecommender recommender = mi.CreateRecommender(model);   // or mi.CreateRecommender(MultiInterestModel.Load(ml, "model.zip"))
        RecommendationExplanation why = recommender.Explain("u3");            // the list Recommend("u3") gives, explained
        foreach (UserInterest interest in why.Interests)
            lines.Add($"interest {interest.Index}: weight {interest.Weight:F2}, from {string.Join(" ", interest.HistoryItemIds.Take(5))}");
        foreach (ExplainedRecommendation item in why.Items)
            lines.Add($"{item.Rank}. {item.ItemId} placed by interest {item.Interest} (-1: head or fill), "
                + $"closest to {item.ClosestHistoryItemId} ({item.ClosestHistorySimilarity:F2})");

        // On the fitted stage, by keys: the same interests and components, and a DataFrame with a Component column.
        CandidateRetrievalTransformer stage = model.LastTransformer;
        uint userKey = (uint)stage.UserIds.ToList().IndexOf("u3") + 1;       // a key is its row + 1
        int[] placedBy = stage.GetCandidateComponents(userKey);               // index into stage.GetCandidateInterests(userKey)
        DataFrame frame = mi.CandidatesToDataFrame(model.Transform(train), stage);   // User, Rank, Item, Score, Component
        #endregion
        Assert.Equal(2 + Planted.M, lines.Count);
        Assert.Equal(placedBy, why.Items.Select(i => i.Interest));
        Assert.Equal(16 * Planted.M, frame.Rows.Count);
        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(CandidateExplanationTests) + ".cs"), "ExplainCandidates", "docs/pipeline.md");
    }

    /// <summary>The one planted group all of <paramref name="ids"/> belong to (fails when they span several or none).</summary>
    private int GroupOfAll(IReadOnlyList<string> ids) => Assert.Single(ids.Select(id => _p.GroupOf[id]).Distinct());

    /// <summary>The explained closest history item is the history item of highest cosine with the candidate (within float rounding).</summary>
    private void AssertClosest(IReadOnlyList<string> history, ExplainedRecommendation item)
    {
        double Cosine(string a, string b)
        {
            var (x, y) = (_p.VectorOf[a], _p.VectorOf[b]);
            double dot = 0, nx = 0, ny = 0;
            for (int k = 0; k < x.Length; k++) (dot, nx, ny) = (dot + x[k] * y[k], nx + x[k] * x[k], ny + y[k] * y[k]);
            return dot / Math.Sqrt(nx * ny);
        }
        double best = history.Max(h => Cosine(item.ItemId, h));
        Assert.NotNull(item.ClosestHistoryItemId);
        Assert.Contains(item.ClosestHistoryItemId, history);
        Assert.Equal(best, Cosine(item.ItemId, item.ClosestHistoryItemId!), 5);
        Assert.Equal(best, item.ClosestHistorySimilarity, 5);
        if (_p.GroupOf[item.ItemId] is var g && history.Any(h => _p.GroupOf[h] == g)) Assert.Equal(g, _p.GroupOf[item.ClosestHistoryItemId!]);
    }

    private sealed class HistoryRow
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string[] History { get; set; } = [];
    }
}
