using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>The MMR estimator and the quota options of the cluster-quota estimator, against the engine.</summary>
public class RetrievalOptionsTests
{
    private static (MLContext Ml, IDataView Data) Pipeline()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var mi = ml.MultiInterest();
        var embedded = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
        var clustered = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedded).Transform(embedded);
        return (ml, mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered).Transform(clustered));
    }

    [Fact]
    public void MmrWithLambdaOneEqualsTheUnimodalRetriever()
    {
        var (ml, data) = Pipeline();
        var mi = ml.MultiInterest();
        var unimodal = mi.UnimodalRetriever(candidates: 6).Fit(data);
        var mmr = mi.MmrRetriever(candidates: 6, lambda: 1, poolSize: 12).Fit(data);
        var diverse = mi.MmrRetriever(candidates: 6, lambda: 0.3, poolSize: 12).Fit(data);
        Assert.Equal(CandidateMethod.Mmr, mmr.Method);
        bool anyDifferent = false;
        for (uint u = 1; u <= 16; u++)
        {
            Assert.Equal(unimodal.GetCandidates(u).ItemKeys, mmr.GetCandidates(u).ItemKeys);
            Assert.Equal(unimodal.GetCandidates(u).Scores, mmr.GetCandidates(u).Scores);
            var keys = diverse.GetCandidates(u).ItemKeys;
            Assert.Equal(keys.Length, keys.Distinct().Count());
            anyDifferent |= !keys.SequenceEqual(unimodal.GetCandidates(u).ItemKeys);
        }
        Assert.True(anyDifferent);
    }

    [Fact]
    public void AUserKeyPastTheFittedUsersIsRefusedAndKeyZeroGetsThePopularList()
    {
        var (ml, data) = Pipeline();
        var model = ml.MultiInterest().ClusterQuotaRetriever(candidates: 6).Fit(data);
        uint past = (uint)model.UserCount + 1;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.GetCandidates(past));
        Assert.Equal("userKey", error.ParamName);
        Assert.Contains($"User key {past} is past the {model.UserCount} user keys", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetCandidateSource(past));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetCandidateComponents(past));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetCandidateInterests(uint.MaxValue));
        Assert.Equal(CandidateSource.Popular, model.GetCandidateSource(0));
        Assert.Equal(CandidateSource.Trained, model.GetCandidateSource((uint)model.UserCount));
    }

    [Theory]
    [InlineData(QuotaQuery.Component, 0.0)]
    [InlineData(QuotaQuery.User, 0.0)]
    [InlineData(QuotaQuery.Blend, 0.5)]
    [InlineData(QuotaQuery.User, 0.5)]
    public void QuotaOptionsGiveFullListsWithoutSeenItemsAndHonourTheHead(QuotaQuery query, double headShare)
    {
        var (ml, data) = Pipeline();
        var mi = ml.MultiInterest();
        var unimodal = mi.UnimodalRetriever(candidates: 6).Fit(data);
        var model = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 6, Alpha = 0.5, Query = query, HeadShare = headShare }).Fit(data);
        var users = MLNetTestData.Keys(data, "User");
        var items = MLNetTestData.Keys(data, "Item");
        for (uint u = 1; u <= 16; u++)
        {
            var keys = model.GetCandidates(u).ItemKeys;
            Assert.Equal(6, keys.Length);
            Assert.Equal(6, keys.Distinct().Count());
            var seen = users.Zip(items).Where(p => p.First == u).Select(p => p.Second).ToHashSet();
            Assert.DoesNotContain(keys, seen.Contains);
            int head = (int)Math.Floor(headShare * 6 + 0.5);
            Assert.Equal(unimodal.GetCandidates(u).ItemKeys.Take(head), keys.Take(head));
        }
    }

    /// <summary>
    /// M at its limit on 24 items: Fit retrieves every list at the item count (it once allocated users x M slots and died of
    /// an overflow), a pool beyond the catalogue is the catalogue, and the lists are those of M = the item count; one more is
    /// refused by name.
    /// </summary>
    [Fact]
    public void TheLargestCandidateCountFitsListsOfTheItemCount_AndOneMoreIsRefused()
    {
        var (ml, data) = Pipeline();
        var mi = ml.MultiInterest();
        int items = MLNetTestData.Keys(data, "Item").Distinct().Count();
        const int most = RetrievalLimits.MaxCandidates;
        var fitted = new (CandidateRetrievalTransformer Huge, CandidateRetrievalTransformer AtItems)[]
        {
            (mi.UnimodalRetriever(candidates: most).Fit(data), mi.UnimodalRetriever(candidates: items).Fit(data)),
            (mi.ClusterQuotaRetriever(candidates: most).Fit(data), mi.ClusterQuotaRetriever(candidates: items).Fit(data)),
            (mi.MmrRetriever(candidates: most, lambda: 0.5, poolSize: most).Fit(data), mi.MmrRetriever(candidates: items, lambda: 0.5, poolSize: items).Fit(data)),
        };
        foreach (var (huge, atItems) in fitted)
            for (uint u = 1; u <= 16; u++)
            {
                Assert.Equal(atItems.GetCandidates(u).ItemKeys, huge.GetCandidates(u).ItemKeys);
                Assert.InRange(huge.GetCandidates(u).ItemKeys.Length, 1, items);
            }
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => mi.UnimodalRetriever(candidates: most + 1));
        Assert.Equal("Candidates", refused.ParamName);
        Assert.Contains("1..1,048,576", refused.Message);
        Assert.Equal("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => mi.RankFusion(["A", "B"], candidates: int.MaxValue)).ParamName);
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        Assert.Equal("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() => mi.MmrRetriever(lambda: 2)).ParamName);
        Assert.Contains("PoolSize", Assert.ThrowsAny<ArgumentException>(() => mi.MmrRetriever(poolSize: 0)).Message);
        Assert.Equal("HeadShare", Assert.Throws<ArgumentOutOfRangeException>(() =>
            mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { HeadShare = -0.1 })).ParamName);
        Assert.Contains("Beta", Assert.ThrowsAny<ArgumentException>(() => mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Beta = double.NaN })).Message);
        Assert.Contains("UserEmbeddingColumnName", Assert.ThrowsAny<ArgumentException>(() =>
            mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Query = QuotaQuery.User, UserEmbeddingColumnName = null })).Message);
    }
}
