using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Tests.Docs;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// <see cref="CandidateRetrievalTransformer.GetCandidateComponents"/>: which mixture component placed each quota candidate,
/// checked against what only that component could have given (its cluster and its query's score), the unimodal head and fill
/// against Unimodal's list and dot products, and the list's layout (head, components in weight order, fill).
/// </summary>
public class CandidateComponentsTests
{
    [Theory]
    [InlineData(QuotaQuery.Component, 0.0)]
    [InlineData(QuotaQuery.Component, 0.25)]
    [InlineData(QuotaQuery.User, 0.0)]
    public void EachQuotaCandidateIsTracedToTheComponentThatPlacedIt(QuotaQuery query, double headShare)
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var keyed = MLNetTestData.Keyed(ml, out _);
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var embedded = embedding.Transform(keyed);
        var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedded);
        var clustered = kmeans.Transform(embedded);
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var data = mixture.Transform(clustered);
        // 12 of the 24 items: two clusters of about 6, 3 of each seen, so the quotas run out and the fill follows.
        const int m = 12;
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = m, Query = query, HeadShare = headShare }).Fit(data);
        var unimodal = mi.UnimodalRetriever(candidates: m).Fit(data);
        int head = (int)Math.Floor(headShare * m + 0.5);
        int fromComponents = 0, fill = 0;
        for (uint u = 1; u <= 16; u++)
        {
            var (keys, scores) = quota.GetCandidates(u);
            var components = quota.GetCandidateComponents(u);
            Assert.Equal(keys.Length, components.Length);
            var clusters = mixture.Mixtures.Clusters((int)u - 1).ToArray();
            Assert.True(embedding.UserEmbeddings.TryGetVector((int)u - 1, out var userVector));
            int last = -1;
            bool inFill = false;
            for (int p = 0; p < keys.Length; p++)
            {
                Assert.True(embedding.ItemEmbeddings.TryGetVector((int)keys[p] - 1, out var item));
                int j = components[p];
                if (p < head)
                {
                    Assert.Equal(-1, j);
                    Assert.Equal(unimodal.GetCandidates(u).ItemKeys[p], keys[p]);
                    continue;
                }
                if (j >= 0)
                {
                    // Components come in weight order, each in one block, and none after the fill.
                    Assert.False(inFill);
                    Assert.True(j >= last);
                    last = j;
                    Assert.Equal(clusters[j], kmeans.ClusterOfItem(keys[p]));
                    var q = query == QuotaQuery.Component ? mixture.Mixtures.Embedding((int)u - 1, j) : userVector;
                    Assert.Equal(Dot(q, item), scores[p], 4);
                    fromComponents++;
                }
                else
                {
                    inFill = true;
                    Assert.DoesNotContain(kmeans.ClusterOfItem(keys[p]), clusters);
                    Assert.Equal(Dot(userVector, item), scores[p], 4);
                    fill++;
                }
            }
        }
        Assert.True(fromComponents > 0);
        Assert.True(fill > 0);
        // A user the stage does not know gets the popular list: no component placed it.
        Assert.Equal(CandidateSource.Popular, quota.GetCandidateSource(0));
        Assert.All(quota.GetCandidateComponents(0), j => Assert.Equal(-1, j));
        Assert.Contains("ClusterQuota", Assert.Throws<InvalidOperationException>(() => unimodal.GetCandidateComponents(1)).Message);
    }

    /// <summary>docs/pipeline.md, "Handing the candidates to a ranker": the snippet compiles, runs, and is on the page.</summary>
    [Fact]
    public void TheRankerPageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        IReadOnlyList<RawEdge> trainEdges = MLNetTestData.Edges().Select(e => new RawEdge(e.User, e.Item, 1f)).ToList();
        int clusters = 4, m = 12;
        var features = new List<(string User, string Item, int Rank, float Score, int Component, double Weight, bool Label)>();
        #region RankerFeatures
        // 1. The ranker's labels: a hold-out carved from the training edges (the protocol's rule), never the test split.
        HoldOutSplit split = HoldOutSplitter.Split(trainEdges);   // e.g. EdgeFile.Read("data/cit-HepPh/train.tsv.gz")
        var fitView = ml.Data.LoadFromEnumerable(split.Train.Select(e => new EdgeRow { User = e.User, Item = e.Item }));
        var labels = split.Test.Select(e => (e.User, e.Item)).ToHashSet();

        // 2. Two retrievers in one chain, each under its own column names.
        var model = ml.Transforms.Conversion.MapValueToKey("User")
            .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(mi.GraphEmbedding())
            .Append(mi.SphericalKMeans(numberOfClusters: clusters))
            .Append(mi.KnnSmoothedMixture())
            .Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
                { Candidates = m, CandidatesColumnName = "QuotaCandidates", CandidateScoresColumnName = "QuotaScores", CandidateSourceColumnName = "QuotaSource" }))
            .Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options
                { Candidates = m, CandidatesColumnName = "UniCandidates", CandidateScoresColumnName = "UniScores", CandidateSourceColumnName = "UniSource" }))
            .Fit(fitView);
        var stages = model.ToArray();
        var embedding = (GraphEmbeddingTransformer)stages[2];
        var mixtures = ((KnnSmoothedMixtureTransformer)stages[4]).Mixtures;
        var quota = (CandidateRetrievalTransformer)stages[5];

        // 3. One feature row per (user, candidate). A key is its row in the fitted tables + 1.
        var userKeyOf = embedding.UserIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => (uint)(p.row + 1));
        foreach (string user in split.Test.Select(e => e.User).Distinct())
        {
            uint userKey = userKeyOf[user];
            var (items, scores) = quota.GetCandidates(userKey);
            int[] component = quota.GetCandidateComponents(userKey);   // its place in the user's mixture; -1: unimodal head or fill
            var weights = mixtures.Weights((int)userKey - 1);
            for (int r = 0; r < items.Length; r++)
            {
                string item = quota.ItemIds[(int)items[r] - 1];
                double weight = component[r] >= 0 ? weights[component[r]] : 0;
                features.Add((user, item, r + 1, scores[r], component[r], weight, labels.Contains((user, item))));
            }
        }

        // 4. Lists re-ranked by raw id, back on the chain's own key mappings, scored by the library and paired user by user.
        var reranked = features.GroupBy(f => f.User).Select(g => new RankedRow
        {
            User = g.Key,
            CandidateIds = g.OrderByDescending(f => f.Weight).ThenBy(f => f.Rank).Select(f => f.Item)   // stand-in for the ranker's scores
                .Concat(Enumerable.Repeat("", m)).Take(m).ToArray(),                                     // "" pads: key 0
        });
        var rerankedView = ml.Data.LoadFromEnumerable(reranked);
        var itemKeys = ml.Data.LoadFromEnumerable(quota.ItemIds.Select(id => new ItemIdRow { CandidateIds = id }));   // in key order
        var keyed = stages[0].Transform(ml.Transforms.Conversion.MapValueToKey("Candidates", "CandidateIds", keyData: itemKeys)
            .Fit(rerankedView).Transform(rerankedView));                                                                  // stages[0]: User
        var heldOut = model.Transform(ml.Data.LoadFromEnumerable(split.Test.Select(e => new EdgeRow { User = e.User, Item = e.Item })));
        var itemView = model.Transform(fitView);
        var options = new MultiInterestEvaluatorOptions { Cutoffs = [10], Representation = UserRepresentation.None };
        MultiInterestMetrics ranked = mi.Evaluate(keyed, heldOut, itemView, options);
        MultiInterestMetrics retrieved = mi.Evaluate(heldOut, heldOut, itemView, new MultiInterestEvaluatorOptions
            { Cutoffs = [10], Representation = UserRepresentation.None, CandidatesColumnName = "QuotaCandidates", CandidateSourceColumnName = "QuotaSource" });
        var paired = ranked.Against(retrieved);   // paired.Recall[10], paired.Ndcg[10]: the difference and its standard error
        #endregion
        Assert.Equal(split.Test.Select(e => e.User).Distinct().Count(), ranked.UserCount);
        Assert.Equal(retrieved.UserCount, ranked.UserCount);
        Assert.Contains(features, f => f.Component >= 0);
        Assert.Contains(features, f => f.Label);
        // The re-ordered lists hold the same items as the quota lists, so the recall over the whole list is the same.
        var whole = new MultiInterestEvaluatorOptions { Cutoffs = [m], Representation = UserRepresentation.None };
        Assert.Equal(mi.Evaluate(heldOut, heldOut, itemView, new MultiInterestEvaluatorOptions
            { Cutoffs = [m], Representation = UserRepresentation.None, CandidatesColumnName = "QuotaCandidates", CandidateSourceColumnName = "QuotaSource" }).RecallAtK[m],
            mi.Evaluate(keyed, heldOut, itemView, whole).RecallAtK[m], 12);
        Assert.Equal(ranked.RecallAtK[10] - retrieved.RecallAtK[10], paired.Recall[10].Difference, 12);
        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(CandidateComponentsTests) + ".cs"), "RankerFeatures", "docs/pipeline.md");

        // Re-ranked lists have no representation: asking for one is refused saying which option asked and what scores them.
        var error = Assert.Throws<ArgumentException>(() => mi.Evaluate(keyed, heldOut, itemView,
            new MultiInterestEvaluatorOptions { Cutoffs = [10], Representation = UserRepresentation.Unimodal }));
        Assert.Equal("scored", error.ParamName);
        Assert.StartsWith("Representation = Unimodal computes the goodness of fit (EMD) from a column of the scored data: Input column 'UserEmbedding' (option UserEmbeddingColumnName) was not found", error.Message);
        Assert.Contains("Set Representation = None to score lists without a representation", error.Message);
        var mixtureError = Assert.Throws<ArgumentException>(() => mi.Evaluate(keyed, heldOut, itemView,
            new MultiInterestEvaluatorOptions { Cutoffs = [10], Representation = UserRepresentation.Mixture }));
        Assert.Contains("Representation = Mixture computes", mixtureError.Message);
        Assert.Contains("'MixtureWeights' (option MixtureWeightsColumnName)", mixtureError.Message);
    }

    private sealed class EdgeRow
    {
        public string User { get; set; } = "";
        public string Item { get; set; } = "";
    }

    private sealed class RankedRow
    {
        public string User { get; set; } = "";
        [VectorType(12)] public string[] CandidateIds { get; set; } = [];
    }

    private sealed class ItemIdRow
    {
        public string CandidateIds { get; set; } = "";
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
