using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// On a graph whose users and items are the same nodes, <see cref="MultiInterestRecommender.ExcludingSelf"/> keeps each user's
/// own id out of its lists on every path (trained user, history, popular fallback, explanations, followed topics, a fusion,
/// a fold-in), frees exactly that slot, and leaves users whose id is no item, and the default recommender, as they were.
/// </summary>
public class ExcludeSelfTests
{
    private const int Count = 8;

    private static IDataView Edges(MLContext ml) =>
        ml.Data.LoadFromEnumerable(SameNodeGraph.Edges().Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }));

    private static GraphEmbeddingTrainer.Options Svd() => new() { Algorithm = Microsoft.ML.MultiInterest.Engine.EmbeddingAlgorithm.TruncatedSvd, Dimension = 4, Threads = 1 };

    private static MultiInterestRecommender Unimodal(MLContext ml) => ml.MultiInterest().CreateRecommender(MLNetTestData.KeyPipeline(ml)
        .Append(ml.MultiInterest().GraphEmbedding(Svd()))
        .Append(ml.MultiInterest().UnimodalRetriever(candidates: Count))
        .Fit(Edges(ml)));

    private static string[] Ids(RecommendationList list) => list.Items.Select(r => r.ItemId).ToArray();

    /// <summary>The list with the option is the list without it, its own id taken out and the next item appended.</summary>
    private static void AssertOneSlotFreed(string user, RecommendationList plain, RecommendationList served)
    {
        Assert.Contains(user, Ids(plain));
        Assert.DoesNotContain(user, Ids(served));
        Assert.Equal(plain.Source, served.Source);
        Assert.Equal(plain.Items.Count, served.Items.Count);
        Assert.Equal(Ids(plain).Where(i => i != user), Ids(served)[..(Count - 1)]);
    }

    [Fact]
    public void ExcludingSelf_LeavesTheOwnIdOut_OfTrainedHistoryAndPopularLists_FreeingOneSlot()
    {
        var ml = new MLContext(seed: 1);
        var recommender = Unimodal(ml);
        var excluding = recommender.ExcludingSelf();
        Assert.False(recommender.ExcludesSelf);
        Assert.True(excluding.ExcludesSelf);

        string trained = SameNodeGraph.Node(0, 0), itemOnly = SameNodeGraph.Node(0, SameNodeGraph.PerGroup - 1);
        Assert.True(recommender.KnowsUser(trained) && recommender.KnowsItem(trained));
        Assert.False(recommender.KnowsUser(itemOnly));
        string[] history = [SameNodeGraph.Node(0, 1), SameNodeGraph.Node(0, 2)];
        foreach (var (user, fresh, source) in new[]
        {
            (trained, (string[]?)null, CandidateSource.Trained), (itemOnly, history, CandidateSource.History), (itemOnly, null, CandidateSource.Popular),
        })
        {
            var plain = recommender.Recommend(user, fresh, Count);
            Assert.Equal(source, plain.Source);
            var served = excluding.Recommend(user, fresh, Count);
            AssertOneSlotFreed(user, plain, served);
            // The same as the documented workaround, and exclusions of the request still apply on top.
            Assert.Equal(Ids(recommender.Recommend(user, fresh, Count, exclude: [user])), Ids(served));
            string other = Ids(served)[0];
            Assert.DoesNotContain(other, Ids(excluding.Recommend(user, fresh, Count, exclude: [other])));
            Assert.DoesNotContain(user, Ids(excluding.Recommend(user, fresh, Count, exclude: [other])));
        }

        // A user whose id is no item (a reader who is never cited) gets the same list either way.
        Assert.False(recommender.KnowsItem("r0"));
        Assert.Equal(Ids(recommender.Recommend("r0", null, Count)), Ids(excluding.Recommend("r0", null, Count)));
        Assert.Equal(Ids(recommender.Recommend("r0", history, Count)), Ids(excluding.Recommend("r0", history, Count)));
    }

    [Fact]
    public void TheDefault_IsUnchanged_AndTheSettingIsKept_ByFoldInNewItems()
    {
        var ml = new MLContext(seed: 1);
        var recommender = Unimodal(ml);
        string trained = SameNodeGraph.Node(1, 2);
        Assert.Contains(trained, Ids(recommender.Recommend(trained, null, Count)));
        Assert.Same(recommender, recommender.ExcludingSelf(false));
        var excluding = recommender.ExcludingSelf();
        Assert.Same(excluding, excluding.ExcludingSelf());
        Assert.Equal(Ids(recommender.Recommend(trained, null, Count)), Ids(excluding.ExcludingSelf(false).Recommend(trained, null, Count)));
        // The recommender it was made from is not changed.
        Assert.Contains(trained, Ids(recommender.Recommend(trained, null, Count)));

        var folded = excluding.FoldInNewItems([(SameNodeGraph.Node(1, 0), "a-new-paper"), (SameNodeGraph.Node(1, 1), "a-new-paper")]);
        Assert.Equal(["a-new-paper"], folded.FoldedItems);
        Assert.True(folded.Recommender.ExcludesSelf);
        Assert.DoesNotContain(trained, Ids(folded.Recommender.Recommend(trained, null, Count)));
        Assert.False(recommender.FoldInNewItems([(SameNodeGraph.Node(1, 0), "a-new-paper")]).Recommender.ExcludesSelf);
    }

    [Fact]
    public void Explanations_Fusions_AndFollowedTopics_LeaveTheOwnIdOut_Too()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        string trained = SameNodeGraph.Node(2, 0);

        var quotas = mi.CreateRecommender(MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(Svd()))
            .Append(mi.SphericalKMeans(numberOfClusters: SameNodeGraph.Groups))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(candidates: Count))
            .Fit(Edges(ml)));
        Assert.Contains(trained, quotas.Explain(trained, null, Count).Items.Select(i => i.ItemId));
        var explained = quotas.ExcludingSelf().Explain(trained, null, Count);
        Assert.DoesNotContain(trained, explained.Items.Select(i => i.ItemId));
        Assert.Equal(Ids(quotas.ExcludingSelf().Recommend(trained, null, Count)), explained.Items.Select(i => i.ItemId));

        var fusion = mi.CreateRecommender(MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(Svd()))
            .Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = Count, CandidatesColumnName = "A", CandidateScoresColumnName = "AS", CandidateSourceColumnName = "ASrc" }))
            .Append(mi.UnimodalRetriever(candidates: Count))
            .Append(mi.RankFusion(["A", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: Count))
            .Fit(Edges(ml)));
        AssertOneSlotFreed(trained, fusion.Recommend(trained, null, Count), fusion.ExcludingSelf().Recommend(trained, null, Count));

        // Topics: a paper's group.
        var conditional = SameNodeGraph.ConditionalRecommender(ml, Count);
        string itemOnly = SameNodeGraph.Node(2, SameNodeGraph.PerGroup - 1);
        foreach (string user in new[] { trained, itemOnly })
        {
            Assert.Contains(user, Ids(conditional.RecommendFollowing(user, ["t2"], null, Count)));
            Assert.DoesNotContain(user, Ids(conditional.ExcludingSelf().RecommendFollowing(user, ["t2"], null, Count)));
        }
    }
}
