using Microsoft.ML.MultiInterest.Engine;

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

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
