using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>Transform retrieves for the rows it is given: fresh history excluded, cold start from history, a flagged fallback.</summary>
public sealed class LiveRetrievalTests : IDisposable
{
    private readonly ServingWorld _world = new();

    public void Dispose() => _world.Dispose();

    private List<(string[] Items, float[] Scores, string Source)> Transform(ITransformer model, IEnumerable<ServingWorld.Request> requests) =>
        ServingWorld.Read(model.Transform(_world.Ml.Data.LoadFromEnumerable(requests)));

    private HashSet<string> TrainingItems(string user) => _world.Stages.Edges.Where(e => e.User == user).Select(e => e.Item).ToHashSet();

    [Fact]
    public void TrainedUser_WithFreshHistory_GetsAListWithoutItAndWithoutItsTrainingItems()
    {
        string user = _world.Users[0];
        var plain = Transform(_world.Fitted, [new() { User = user }])[0];
        var fresh = plain.Items.Take(2).ToArray();
        var withHistory = Transform(_world.Fitted, [new() { User = user, History = fresh }])[0];
        Assert.Equal("Trained", plain.Source);
        Assert.Equal("Trained", withHistory.Source);
        Assert.Equal(5, withHistory.Items.Length);
        Assert.Empty(withHistory.Items.Intersect(fresh));
        Assert.Empty(withHistory.Items.Intersect(TrainingItems(user)));
        Assert.Equal(plain.Items.Skip(2).Take(2), withHistory.Items.Take(2)); // this graph's quotas keep the order of the rest
    }

    [Fact]
    public void NewUser_WithHistory_IsServedFromIt_AndWithout_GetsThePopularItemsFlagged()
    {
        var history = _world.Stages.Edges.Where(e => e.User == _world.Users[3]).Select(e => e.Item).ToArray();
        var cold = Transform(_world.Fitted, [new() { User = "nobody", History = history }, new() { User = "nobody" }]);
        Assert.Equal("History", cold[0].Source);
        Assert.Equal(5, cold[0].Items.Length);
        Assert.Empty(cold[0].Items.Intersect(history));
        Assert.Equal("Popular", cold[1].Source);
        var degree = _world.Stages.Edges.GroupBy(e => e.Item).ToDictionary(g => g.Key, g => g.Count());
        var popular = _world.Items.OrderByDescending(i => degree[i]).Take(5).Select(i => (float)degree[i]);
        Assert.Equal(popular, cold[1].Scores);
        Assert.All(cold[1].Scores, s => Assert.False(float.IsNaN(s)));

        // A history read by its ids' characters: in another order, with repeats and an id the model does not know, the same list.
        var shuffled = history.Reverse().Concat(history.Take(2)).Append("no-such-item").ToArray();
        AssertSame(cold[0], Transform(_world.Fitted, [new() { User = "nobody", History = shuffled }])[0]);
    }

    [Fact]
    public void A_count_beyond_the_catalogue_is_capped_at_it_rather_than_allocated()
    {
        var recommender = _world.Ml.MultiInterest().CreateRecommender(_world.Fitted);
        string user = _world.Users[0];
        var all = recommender.Recommend(user, count: int.MaxValue);
        Assert.Equal(_world.Items.Length - TrainingItems(user).Count, all.Items.Count);
        Assert.Equal(all.Items.Count, all.Items.Select(i => i.ItemId).Distinct().Count());
        Assert.Equal(_world.Items.Length, recommender.Recommend("nobody", count: int.MaxValue).Items.Count);
        Assert.Equal(_world.Items.Length - 1, recommender.SimilarItems(_world.Items[0], int.MaxValue).Count);
    }

    [Fact]
    public void An_empty_user_id_is_refused_naming_it_rather_than_served_the_popular_list()
    {
        var recommender = _world.Ml.MultiInterest().CreateRecommender(_world.Fitted);
        var history = _world.Items.Take(2).ToArray();
        foreach (var call in new Action[] { () => recommender.Recommend(""), () => recommender.Recommend("", history, 3, exclude: null), () => recommender.Explain(""),
            () => recommender.RecommendFollowing("", ["any-topic"]) })
        {
            var error = Assert.Throws<ArgumentException>(call);
            Assert.Equal("userId", error.ParamName);
            Assert.Contains("user id is empty", error.Message);
        }
        Assert.Equal(CandidateSource.Popular, recommender.Recommend("nobody").Source); // any other unknown id is a new user
    }

    /// <summary>
    /// A blank id (spaces or tabs only) the model does not know is refused as the empty one is: it was served the popular
    /// list as a new user, though it is almost always a request that lost its user. One the model was fitted on (the edge
    /// readers keep ids as written) is still that trained user.
    /// </summary>
    [Fact]
    public void A_blank_user_id_is_refused_unless_the_model_was_fitted_on_it()
    {
        var recommender = _world.Ml.MultiInterest().CreateRecommender(_world.Fitted);
        foreach (string blank in new[] { " ", "  ", "\t", " \t " })
            foreach (var call in new Action[] { () => recommender.Recommend(blank), () => recommender.Recommend(blank, null, 3, exclude: null), () => recommender.Explain(blank),
                () => recommender.RecommendFollowing(blank, ["any-topic"]) })
            {
                var error = Assert.Throws<ArgumentException>(call);
                Assert.Equal("userId", error.ParamName);
                Assert.Contains("is blank (whitespace only) and no user of the model", error.Message, StringComparison.Ordinal);
            }
        Assert.False(recommender.KnowsUser(" "));
        Assert.True(recommender.KnowsUser(_world.Users[0]));

        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        edges.AddRange(edges.Where(e => e.User == "u0").Select(e => new MLNetTestData.Edge { User = "  ", Item = e.Item }).ToList());
        var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(edges));
        var fittedOnBlank = ml.MultiInterest().CreateRecommender(model);
        Assert.True(fittedOnBlank.KnowsUser("  "));
        Assert.Equal(CandidateSource.Trained, fittedOnBlank.Recommend("  ").Source);
        Assert.Throws<ArgumentException>(() => fittedOnBlank.Recommend(" "));
    }

    [Fact]
    public void HistoryAsItemKeys_GivesTheSameListAsRawIds()
    {
        var history = _world.Items.Take(3).ToArray();
        var raw = _world.Ml.Data.LoadFromEnumerable([new ServingWorld.Request { User = "nobody", History = history }]);
        var keyed = _world.Ml.Transforms.Conversion.MapValueToKey("History", "History",
            keyData: _world.Ml.Data.LoadFromEnumerable(_world.Stages.Edges.Select(e => e.Item).Distinct().Select(i => new KeyRow { History = i })));
        // Key the history with the item order the model saw (first appearance), as one MapValueToKey fitted on the items does.
        var viaKeys = ServingWorld.Read(_world.Fitted.Transform(keyed.Fit(raw).Transform(raw)))[0];
        AssertSame(Transform(_world.Fitted, [new() { User = "nobody", History = history }])[0], viaKeys);
    }

    [Fact]
    public void HistoryKeysOfAnotherMappingOfTheSameSize_AreRefusedNamingTheColumn()
    {
        var raw = _world.Ml.Data.LoadFromEnumerable([new ServingWorld.Request { User = "nobody", History = _world.Items.Take(3).ToArray() }]);
        // Every item of the model, in reverse order: the same cardinality, other items behind each key.
        var reversed = _world.Ml.Transforms.Conversion.MapValueToKey("History", "History",
            keyData: _world.Ml.Data.LoadFromEnumerable(_world.Stages.Edges.Select(e => e.Item).Distinct().Reverse().Select(i => new KeyRow { History = i })));
        var error = Assert.Throws<ArgumentException>(() => _world.Fitted.Transform(reversed.Fit(raw).Transform(raw)));
        Assert.Contains("Input column 'History' (option HistoryColumnName) maps key 1 to", error.Message);
    }

    [Fact]
    public void HistoryColumnOfAnotherType_IsRejectedNamingIt()
    {
        var data = _world.Ml.Data.LoadFromEnumerable([new BadHistory { User = "u1", History = 3f }]);
        var error = Assert.Throws<ArgumentException>(() => _world.Fitted.Transform(data));
        Assert.Contains("History", error.Message);
        Assert.Contains("HistoryColumnName", error.Message);
    }

    [Fact]
    public void Recommender_FittedLoadedTransformEngineAndOnnx_AgreeAndExcludeSeenItems()
    {
        var mi = _world.Ml.MultiInterest();
        var fitted = mi.CreateRecommender(_world.Fitted);
        var loaded = mi.CreateRecommender(_world.Loaded);
        var requests = _world.Requests(200, seed: 5);
        var transformed = Transform(_world.Fitted, requests);
        var loadedChain = Transform(_world.Loaded.Transformer, requests.Select(r => new ServingWorld.Request { User = r.User }));
        var plain = Transform(_world.Fitted, requests.Select(r => new ServingWorld.Request { User = r.User }));
        for (int n = 0; n < requests.Count; n++)
        {
            var r = requests[n];
            var a = fitted.Recommend(r.User, r.History);
            var b = loaded.Recommend(r.User, r.History);
            Assert.Equal(a, b, RecommendationListComparer.Instance);
            Assert.Equal(transformed[n].Items, a.Items.Select(i => i.ItemId));
            Assert.Equal(transformed[n].Scores, a.Items.Select(i => i.Score));
            Assert.Equal(transformed[n].Source, a.Source.ToString());
            Assert.Equal(Enumerable.Range(1, a.Items.Count), a.Items.Select(i => i.Rank));
            Assert.Empty(a.Items.Select(i => i.ItemId).Intersect(r.History.Concat(TrainingItems(r.User))));
            AssertSame(plain[n], loadedChain[n]); // the loaded chain looks the saved lists up (no history column)
        }

        // Engine and ONNX Runtime on the loaded model, with no exclusions given: the stored training history is excluded.
        foreach (var (user, engine, viaOnnx) in _world.EngineAndOnnxLists())
        {
            var expected = fitted.Recommend(user).Items.Select(i => i.ItemId).ToArray();
            Assert.Equal(expected, engine);
            Assert.Equal(expected, viaOnnx);
        }
    }

    [Fact]
    public void SimilarItems_AreTheClosestByCosine_WithoutTheItemItself()
    {
        var recommender = _world.Ml.MultiInterest().CreateRecommender(_world.Loaded);
        var similar = recommender.SimilarItems(_world.Items[0], 4);
        Assert.Equal(4, similar.Count);
        Assert.DoesNotContain(_world.Items[0], similar.Select(s => s.ItemId));
        Assert.True(similar.Zip(similar.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.Equal(similar, _world.Ml.MultiInterest().CreateRecommender(_world.Fitted).SimilarItems(_world.Items[0], 4));
        Assert.Throws<ArgumentException>(() => recommender.SimilarItems("no-such-item", 3));
        // A known id padded with a space is said as such, as Recommend says it; an unknown one is quoted escaped.
        var padded = Assert.Throws<ArgumentException>(() => recommender.SimilarItems(" " + _world.Items[0], 3));
        Assert.Contains($"The item id ' {_world.Items[0]}' (itemId) is no item of the model, but '{_world.Items[0]}', without the spaces or line breaks around it, "
            + "is: ids are matched exactly as written, so it names no item to find neighbours of. Trim the request's ids.", padded.Message);
        var tabbed = Assert.Throws<ArgumentException>(() => recommender.SimilarItems("a\tb", 3));
        Assert.Contains("Item 'a\\tb' is unknown to the model", tabbed.Message);
        // Count 0 is Recommend's "the model's M"; SimilarItems has no length of its own, and says so rather than "at least 1" alone.
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => recommender.SimilarItems(_world.Items[0], 0));
        Assert.Contains("no list length of its own", zero.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("mmr")]
    [InlineData("interest-mmr")]
    [InlineData("history-mmr")]
    [InlineData("round-robin")]
    [InlineData("round-robin-dcm")]
    public void OtherRetrievers_ServeLiveToo_FittedAndLoadedAgree(string method)
    {
        using var world = new ServingWorld(mi => method switch
        {
            "unimodal" => mi.UnimodalRetriever(candidates: 5),
            "mmr" => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.5 }),
            "interest-mmr" => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.5, InterestWeight = 0.3 }),
            "history-mmr" => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.5, InterestWeight = 0.3, Interests = Microsoft.ML.MultiInterest.Engine.MmrInterests.History }),
            _ => mi.RoundRobinRetriever(candidates: 5),
        }, method switch
        {
            "round-robin" => RoundRobinRetrieverMLNetTests.Embedding("mixture"),
            "round-robin-dcm" => RoundRobinRetrieverMLNetTests.Embedding("dcm"),
            _ => null,
        });
        var mi = world.Ml.MultiInterest();
        var fitted = mi.CreateRecommender(world.Fitted);
        var loaded = mi.CreateRecommender(world.Loaded);
        var requests = world.Requests(100, seed: 9);
        var transformed = ServingWorld.Read(world.Fitted.Transform(world.Ml.Data.LoadFromEnumerable(requests)));
        for (int n = 0; n < requests.Count; n++)
        {
            var a = fitted.Recommend(requests[n].User, requests[n].History);
            Assert.Equal(a, loaded.Recommend(requests[n].User, requests[n].History), RecommendationListComparer.Instance);
            Assert.Equal(transformed[n].Items, a.Items.Select(i => i.ItemId));
        }
        var retriever = MultiInterestRecommender.FindRetriever(world.Fitted)!;
        foreach (string user in world.Users)
            Assert.Equal(retriever.GetCandidates(UserKey(world, user)).ItemKeys.Select(k => retriever.ItemIds[(int)k - 1]), fitted.Recommend(user).Items.Select(i => i.ItemId));
    }

    private static void AssertSame((string[] Items, float[] Scores, string Source) expected, (string[] Items, float[] Scores, string Source) actual)
    {
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.Source, actual.Source);
    }

    private static uint UserKey(ServingWorld world, string user) => (uint)world.Loaded.GraphEmbedding!.UserIds.ToList().IndexOf(user) + 1;

    private sealed class KeyRow
    {
        public string History { get; set; } = "";
    }

    private sealed class BadHistory
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public float History { get; set; }
    }
}

/// <summary>Equal lists: same user, source, items, ranks and scores.</summary>
internal sealed class RecommendationListComparer : IEqualityComparer<RecommendationList>
{
    public static readonly RecommendationListComparer Instance = new();

    public bool Equals(RecommendationList? x, RecommendationList? y) =>
        x != null && y != null && x.UserId == y.UserId && x.Source == y.Source && x.Items.SequenceEqual(y.Items);

    public int GetHashCode(RecommendationList obj) => obj.UserId.GetHashCode();
}
