using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A request's <c>count</c> has no bound but the catalogue: <c>count = int.MaxValue</c> (or 1e9) on a small model returns
/// every item the user has not seen, at once and without buffers of <c>count</c> entries (one of int.MaxValue entries
/// cannot even be allocated), on every stage a recommender serves (unimodal, MMR, history-interest MMR, cluster quotas,
/// round robin, a fusion of stages) and through Recommend, Explain and RecommendFollowing; a negative count is refused naming
/// <c>count</c>, and 0 is the stage's M.
/// </summary>
public sealed class RecommendCountBoundTests
{
    private const int M = 5;

    private static readonly int[] HugeCounts = [int.MaxValue, 1_000_000_000];

    private static MultiInterestRecommender Recommender(string stage, out MLContext ml)
    {
        ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var embedded = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()));
        var mixtures = embedded.Append(mi.SphericalKMeans(numberOfClusters: 4)).Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3));
        ITransformer model = stage switch
        {
            "unimodal" => embedded.Append(mi.UnimodalRetriever(candidates: M)).Fit(raw),
            "mmr" => mixtures.Append(mi.MmrRetriever(candidates: M)).Fit(raw),
            "history-mmr" => embedded.Append(mi.HistoryInterestMmr(candidates: M)).Fit(raw),
            "quota" => mixtures.Append(mi.ClusterQuotaRetriever(candidates: M)).Fit(raw),
            "round-robin" => mixtures.Append(mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
            {
                UserComponentsColumnName = MultiInterestColumnNames.MixtureEmbeddings, UserComponentWeightsColumnName = MultiInterestColumnNames.MixtureWeights,
                ItemComponentsColumnName = MultiInterestColumnNames.ItemEmbedding, Candidates = M,
            })).Fit(raw),
            _ => mixtures.Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
                {
                    Candidates = M, CandidatesColumnName = "QuotaCandidates", CandidateScoresColumnName = "QuotaScores", CandidateSourceColumnName = "QuotaSource",
                }))
                .Append(mi.UnimodalRetriever(candidates: M))
                .Append(mi.RankFusion(["QuotaCandidates", "Candidates"], candidates: M)).Fit(raw),
        };
        return mi.CreateRecommender(model);
    }

    public static TheoryData<string> Stages => new() { "unimodal", "mmr", "history-mmr", "quota", "round-robin", "fusion" };

    [Theory]
    [MemberData(nameof(Stages))]
    public void A_huge_count_returns_the_unseen_catalogue_without_allocating_for_the_count(string stage)
    {
        var recommender = Recommender(stage, out _);
        var edges = MLNetTestData.Edges();
        var catalogue = edges.Select(e => e.Item).ToHashSet();
        string user = edges[0].User;
        var seen = edges.Where(e => e.User == user).Select(e => e.Item).ToHashSet();
        string[] history = [.. catalogue.Except(seen).Take(2)];
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (int count in HugeCounts)
        {
            var all = recommender.Recommend(user, count: count);
            Assert.Equal(catalogue.Count - seen.Count, all.Items.Count);
            Assert.Equal(all.Items.Count, all.Items.Select(r => r.ItemId).Distinct().Count());
            Assert.Empty(all.Items.Select(r => r.ItemId).Intersect(seen));
            Assert.Equal(Enumerable.Range(1, all.Items.Count), all.Items.Select(r => r.Rank));
            // With a fresh history and exclusions: the rest of the catalogue, no more.
            var fewer = recommender.Recommend(user, history, count, exclude: [all.Items.Select(r => r.ItemId).First(i => !history.Contains(i))]);
            Assert.Equal(catalogue.Count - seen.Count - history.Length - 1, fewer.Items.Count);
            Assert.Equal(catalogue.Count, recommender.Recommend("a-new-user", count: count).Items.Count);
            if (stage is "quota" or "round-robin" or "fusion" or "history-mmr")
                Assert.Equal(all.Items.Count, recommender.Explain(user, count: count).Items.Count);
        }
        // A buffer of the count would be gigabytes (and one of int.MaxValue entries past the largest array).
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 256L << 20);
        Assert.Equal(M, recommender.Recommend(user).Items.Count);
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public void A_negative_count_is_refused_naming_it(string stage)
    {
        var recommender = Recommender(stage, out _);
        string user = MLNetTestData.Edges()[0].User;
        foreach (int count in new[] { -1, int.MinValue })
        {
            foreach (var call in new Action[] { () => recommender.Recommend(user, count: count), () => recommender.Recommend(user, null, count, exclude: null),
                () => recommender.Explain(user, count: count) })
            {
                var error = Assert.Throws<ArgumentOutOfRangeException>(call);
                Assert.Equal("count", error.ParamName);
                Assert.Contains("count must be at least 1 (0 = the model's M)", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void RecommendFollowing_with_a_huge_count_returns_at_most_the_unseen_catalogue_and_refuses_a_negative_one()
    {
        var ml = new MLContext(seed: 1);
        var topics = SameNodeGraph.TopicEdges();
        var recommender = SameNodeGraph.ConditionalRecommender(ml, M);
        var catalogue = topics.Select(e => e.Item).ToHashSet();
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (string user in new[] { "r1", "nobody" })
        {
            var seen = topics.Where(e => e.User == user).Select(e => e.Item).ToHashSet();
            foreach (int count in HugeCounts)
            {
                var list = recommender.RecommendFollowing(user, ["t1", "t2"], null, count);
                Assert.InRange(list.Items.Count, M + 1, catalogue.Count - seen.Count);
                Assert.Equal(list.Items.Count, list.Items.Select(r => r.ItemId).Distinct().Count());
                Assert.Empty(list.Items.Select(r => r.ItemId).Intersect(seen));
            }
        }
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 256L << 20);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => recommender.RecommendFollowing("r1", ["t1"], null, -1));
        Assert.Equal("count", error.ParamName);
    }
}
