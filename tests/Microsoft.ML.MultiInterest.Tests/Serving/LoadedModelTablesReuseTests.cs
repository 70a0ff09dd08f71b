using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A loaded model builds each retrieval stage's serving tables once: a second recommender over a fusion, or over one stage
/// picked by its column, shares the first one's tables (a fused zip of 33 MB rebuilt 64 MB of tables per call) and serves
/// the same lists.
/// </summary>
public sealed class LoadedModelTablesReuseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-reuse-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Embedding, a unimodal list and an MMR list fused, saved and loaded.</summary>
    private (MLContext Ml, MultiInterestModel Loaded, string[] Users) FusedZip()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options
            {
                Candidates = 8, CandidatesColumnName = "UnimodalCandidates", CandidateScoresColumnName = "UnimodalScores", CandidateSourceColumnName = "UnimodalSource",
            }))
            .Append(mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = 6, Lambda = 0.3, PoolSize = 15, CandidatesColumnName = "MmrCandidates", CandidateScoresColumnName = "MmrScores", CandidateSourceColumnName = "MmrSource",
            }))
            .Append(mi.RankFusion(["UnimodalCandidates", "MmrCandidates"], [0.6, 0.4], candidates: 10))
            .Fit(raw);
        string path = Path.Combine(_directory, "fused.zip");
        ml.Model.Save(model, raw.Schema, path);
        var users = MLNetTestData.Edges().Select(e => e.User).Distinct().ToArray();
        return (ml, MultiInterestModel.Load(ml, path), users);
    }

    private static void AssertSameLists(MultiInterestRecommender first, MultiInterestRecommender second, IEnumerable<string> users)
    {
        foreach (string user in users.Append("someone-new"))
            Assert.Equal(first.Recommend(user), second.Recommend(user), RecommendationListComparer.Instance);
    }

    [Fact]
    public void A_second_recommender_of_a_loaded_fusion_shares_the_first_ones_tables_and_lists()
    {
        var (ml, loaded, users) = FusedZip();
        using var _ = loaded;
        var first = ml.MultiInterest().CreateRecommender(loaded);
        var second = ml.MultiInterest().CreateRecommender(loaded);
        Assert.Equal(2, first.LiveStages.Count);
        for (int l = 0; l < first.LiveStages.Count; l++) Assert.Same(first.LiveStages[l].Tables, second.LiveStages[l].Tables);
        AssertSameLists(first, second, users);
    }

    [Fact]
    public void A_second_recommender_of_one_stage_by_column_shares_the_tables_the_fusion_serves()
    {
        var (ml, loaded, users) = FusedZip();
        using var _ = loaded;
        var fused = ml.MultiInterest().CreateRecommender(loaded);
        var first = ml.MultiInterest().CreateRecommender(loaded, "MmrCandidates");
        var second = ml.MultiInterest().CreateRecommender(loaded, "MmrCandidates");
        Assert.Same(first.LiveStages[0].Tables, second.LiveStages[0].Tables);
        Assert.Same(fused.LiveStages[1].Tables, first.LiveStages[0].Tables);
        AssertSameLists(first, second, users);
    }
}
