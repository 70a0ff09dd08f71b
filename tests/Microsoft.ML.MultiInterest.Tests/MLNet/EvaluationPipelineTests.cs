using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

public class EvaluationPipelineTests
{
    private static readonly int[] Cutoffs = [2, 5];

    [Fact]
    public void EvaluateRetriever_RetrievesEachCutoffSeparately()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var options = new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs };
        var metrics = mi.EvaluateRetriever(p.Train, p.HeldOut, k => mi.ClusterQuotaRetriever(candidates: k), options);
        Assert.True(metrics.RetrievalPerCutoff);
        Assert.Equal(UserRepresentation.Mixture, metrics.Representation);

        foreach (int k in Cutoffs)
        {
            var scored = mi.ClusterQuotaRetriever(candidates: k).Fit(p.Train).Transform(p.HeldOut);
            var single = mi.Evaluate(scored, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = [k] });
            Assert.Equal(single.UserCount, metrics.UserCount);
            Assert.Equal(single.RecallAtK[k], metrics.RecallAtK[k]);
            Assert.Equal(single.DiversityAtK[k], metrics.DiversityAtK[k]);
            Assert.Equal(single.Emd, metrics.Emd);
        }
    }

    /// <summary>
    /// A key mapping fitted on the held-out rows too (a common habit before splitting) gives users with held-out edges only
    /// a key but no training edge. Evaluate counts them unseen from their popular-fallback lists, as EvaluateRetriever and
    /// the command line do, with the same figures; before, it scored their popular lists and failed on the kNN-Embed path.
    /// </summary>
    [Fact]
    public void Users_keyed_from_held_out_rows_only_are_unseen_in_Evaluate_as_in_EvaluateRetriever()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var split = HoldOutSplitter.Split(MLNetTestData.Edges().Select(e => new RawEdge(e.User, e.Item, 1)));
        var ghosts = split.Test.Take(3).Select((e, g) => new RawEdge($"held-out-only-{g}", e.Item, 1));
        IDataView Load(IEnumerable<RawEdge> edges) => ml.Data.LoadFromEnumerable(edges.Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());
        var (trainRaw, testRaw) = (Load(split.Train), Load(split.Test.Concat(ghosts)));
        var keys = MLNetTestData.KeyPipeline(ml).Fit(Load(split.Train.Concat(split.Test).Concat(ghosts)));
        var keyedTrain = keys.Transform(trainRaw);
        var upstream = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3)).Fit(keyedTrain);
        var (fitData, heldOut) = (upstream.Transform(keyedTrain), upstream.Transform(keys.Transform(testRaw)));

        var unimodalOptions = new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal };
        var prefixes = mi.Evaluate(mi.UnimodalRetriever(candidates: 5).Fit(fitData).Transform(heldOut), heldOut, fitData, unimodalOptions);
        var perCutoff = mi.EvaluateRetriever(fitData, heldOut, k => mi.UnimodalRetriever(candidates: k), unimodalOptions);
        Assert.True(perCutoff.MissedUsers >= 3);
        Assert.Equal((perCutoff.UserCount, perCutoff.MissedUsers, perCutoff.UnseenEdges), (prefixes.UserCount, prefixes.MissedUsers, prefixes.UnseenEdges));
        Assert.Equal(perCutoff.RecallAtK, prefixes.RecallAtK);
        Assert.Equal(perCutoff.DiversityAtK, prefixes.DiversityAtK);
        Assert.Equal(perCutoff.Emd, prefixes.Emd);
        var knn = mi.Evaluate(mi.ClusterQuotaRetriever(candidates: 5).Fit(fitData).Transform(heldOut), heldOut, fitData, new MultiInterestEvaluatorOptions { Cutoffs = [5] });
        Assert.Equal(perCutoff.MissedUsers, knn.MissedUsers);
        // A source column the retriever named otherwise is read under the name the options give.
        var renamed = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, CandidateSourceColumnName = "Source" }).Fit(fitData).Transform(heldOut);
        var named = mi.Evaluate(renamed, heldOut, fitData,
            new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal, CandidateSourceColumnName = "Source" });
        Assert.Equal((prefixes.UserCount, prefixes.MissedUsers), (named.UserCount, named.MissedUsers));
        Assert.Equal(prefixes.RecallAtK, named.RecallAtK);
        // The table says over how many users Recall and NDCG average: the missed ones too, scored 0 (it gave UserCount alone).
        Assert.Contains($"Users: {prefixes.UserCount + prefixes.MissedUsers} in Recall@K and NDCG@K, of which {prefixes.MissedUsers} users scored 0; "
            + $"Diversity@K and the EMD over the other {prefixes.UserCount}", prefixes.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Lists under a renamed candidates column whose source column the options do not name read every user as trained: said,
    /// since a user served the popular fallback would then be scored as if its list were its own (found by a ranker walk).
    /// </summary>
    [Fact]
    public void A_renamed_list_without_its_source_column_is_warned_of()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var warnings = MLNetTestData.Warnings(p.Ml);
        var scored = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, CandidatesColumnName = "Uni", CandidateScoresColumnName = "UniScores", CandidateSourceColumnName = "UniSource" })
            .Fit(p.Train).Transform(p.HeldOut);
        mi.Evaluate(scored, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = [5], CandidatesColumnName = "Uni", CandidateSourceColumnName = "UniSource" });
        Assert.DoesNotContain(warnings, w => w.Contains("option CandidateSourceColumnName", StringComparison.Ordinal));
        mi.Evaluate(scored, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = [5], CandidatesColumnName = "Uni" });
        Assert.Contains(warnings, w => w.Contains("The scored data has no column 'CandidateSource' (option CandidateSourceColumnName) beside its candidates column 'Uni': every user is read as trained", StringComparison.Ordinal));
    }

    /// <summary>An item-embeddings view without rows is named as the problem, not the held-out edges (whose items all read as unseen).</summary>
    [Fact]
    public void An_empty_item_embeddings_view_is_named()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var scored = mi.UnimodalRetriever(candidates: 5).Fit(p.Train).Transform(p.HeldOut);
        var empty = p.Upstream.Transform(p.Ml.Data.LoadFromEnumerable(new List<MLNetTestData.Edge>()));
        var error = Assert.Throws<ArgumentException>(() => mi.Evaluate(scored, p.HeldOut, empty));
        Assert.Equal("itemEmbeddings", error.ParamName);
        Assert.Contains("has no row with an item key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unimodal_PrefixesEqualSeparateRetrievals()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var options = new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal };
        var perCutoff = mi.EvaluateRetriever(p.Train, p.HeldOut, k => mi.UnimodalRetriever(candidates: k), options);
        var scored = mi.UnimodalRetriever(candidates: 5).Fit(p.Train).Transform(p.HeldOut);
        var prefixes = mi.Evaluate(scored, p.HeldOut, p.Train, options);
        Assert.Equal(perCutoff.RecallAtK, prefixes.RecallAtK);
        Assert.Equal(perCutoff.DiversityAtK, prefixes.DiversityAtK);
        Assert.Equal(perCutoff.Emd, prefixes.Emd);
        Assert.Equal(UserRepresentation.Unimodal, prefixes.Representation);
    }

    [Fact]
    public void TestUsers_AreTheUsersWithHeldOutEdges()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var scored = mi.ClusterQuotaRetriever(candidates: 5).Fit(p.Train).Transform(p.HeldOut);
        var metrics = mi.Evaluate(scored, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs });
        Assert.Equal(p.TestRaw.GetColumn<string>("User").Distinct().Count(), metrics.UserCount);
        Assert.All(metrics.RecallAtK.Values, r => Assert.InRange(r, 0, 1));
        Assert.True(metrics.RecallAtK[5] >= metrics.RecallAtK[2]);
        Assert.InRange(metrics.Emd!.Value, 0, 2);
    }

    [Fact]
    public void EvaluateRetriever_RefusesARetrieverOfTheWrongLength()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var error = Assert.Throws<ArgumentException>(() => mi.EvaluateRetriever(p.Train, p.HeldOut, _ => mi.ClusterQuotaRetriever(candidates: 3),
            new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs }));
        Assert.Equal("retrieverForCutoff", error.ParamName);
    }

    [Fact]
    public void SeparatelyFittedKeyMappings_WithOtherKeyValues_AreRefused()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var scored = mi.ClusterQuotaRetriever(candidates: 5).Fit(p.Train).Transform(p.HeldOut);
        // The same items, met in another order, get other keys: the cardinality matches but the values do not.
        var users = p.TrainRaw.GetColumn<string>("User").ToArray();
        var items = p.TrainRaw.GetColumn<string>("Item").ToArray();
        var reversed = p.Ml.Data.LoadFromEnumerable(users.Zip(items, (u, i) => new MLNetTestData.Edge { User = u, Item = i }).Reverse().ToList());
        var otherKeys = MLNetTestData.KeyPipeline(p.Ml).Fit(reversed).Transform(p.TestRaw);
        var error = Assert.Throws<ArgumentException>(() => mi.Evaluate(scored, otherKeys, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs }));
        Assert.Contains("same fitted MapValueToKey", error.Message);
        Assert.Contains("different values", error.Message);

        // The separately fitted mapping on the same training edges gives the same keys, and is accepted.
        var sameKeys = p.Keys.Transform(p.TestRaw);
        var metrics = mi.Evaluate(scored, sameKeys, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs });
        Assert.Equal(mi.Evaluate(scored, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs }).RecallAtK, metrics.RecallAtK);
    }
}
