namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// User and item vector columns of different lengths (vectors from two models, docs/pipeline.md "Embeddings trained
/// elsewhere") are refused by every stage that compares them, naming both columns and their options (bad-inputs.md,
/// <c>data-user-item-dimensions-differ</c>); until 2026-12-06 the retrievers gave the engine's "User embeddings have
/// dimension 16, items 8." (parameter <c>userEmbeddings</c>) and history-interest MMR an AggregateException of
/// "Vectors must have the same length." naming nothing.
/// </summary>
public sealed class UserItemDimensionTests
{
    public static TheoryData<string> Stages => new() { "KnnSmoothedMixture", "UnimodalRetriever", "MmrRetriever", "HistoryInterestMmr", "ClusterQuotaRetriever" };

    [Theory]
    [MemberData(nameof(Stages))]
    public void UserAndItemVectorsOfDifferentLengths_AreRefused_NamingBothColumnsAndOptions(string stage)
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var keyed = MLNetTestData.Keyed(ml, out _);
        var embedded = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
        if (stage is "KnnSmoothedMixture" or "ClusterQuotaRetriever") embedded = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedded).Transform(embedded);
        if (stage is "ClusterQuotaRetriever") embedded = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(embedded).Transform(embedded);
        // User vectors twice as long as the item vectors (16 against 8), as vectors from two models are.
        var data = ml.Transforms.Concatenate("UserEmbedding", "UserEmbedding", "UserEmbedding").Fit(embedded).Transform(embedded);
        IEstimator<ITransformer> estimator = stage switch
        {
            "KnnSmoothedMixture" => mi.KnnSmoothedMixture(components: 2, neighbors: 3),
            "UnimodalRetriever" => mi.UnimodalRetriever(candidates: 3),
            "MmrRetriever" => mi.MmrRetriever(candidates: 3, poolSize: 6),
            "HistoryInterestMmr" => mi.HistoryInterestMmr(candidates: 3),
            _ => mi.ClusterQuotaRetriever(candidates: 3),
        };
        var error = Assert.Throws<ArgumentException>(() => estimator.Fit(data));
        Assert.Contains("Input column 'UserEmbedding' (option UserEmbeddingColumnName) holds vectors of dimension 16, but column 'ItemEmbedding' "
            + "(option ItemEmbeddingColumnName) holds vectors of dimension 8", error.Message, StringComparison.Ordinal);
        Assert.Equal("UserEmbeddingColumnName", error.ParamName);
    }
}
