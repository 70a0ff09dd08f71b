namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Every estimator's <c>GetOutputSchema(null)</c> names its argument, as ML.NET's own estimators do (a review of 2026-12-07
/// found two of ten checking it and the others failing with a NullReferenceException inside their shape checks).
/// </summary>
public sealed class NullSchemaTests
{
    public static TheoryData<string> Estimators => new()
    {
        "GraphEmbedding", "SphericalKMeans", "KnnSmoothedMixture", "ClusterQuotaRetriever", "UnimodalRetriever", "MmrRetriever",
        "HistoryInterestMmr", "RoundRobinRetriever", "ConditionalRetriever", "RankFusion",
    };

    private static IEstimator<ITransformer> Create(MultiInterestCatalog mi, string name) => name switch
    {
        "GraphEmbedding" => mi.GraphEmbedding(),
        "SphericalKMeans" => mi.SphericalKMeans(numberOfClusters: 4),
        "KnnSmoothedMixture" => mi.KnnSmoothedMixture(),
        "ClusterQuotaRetriever" => mi.ClusterQuotaRetriever(),
        "UnimodalRetriever" => mi.UnimodalRetriever(),
        "MmrRetriever" => mi.MmrRetriever(),
        "HistoryInterestMmr" => mi.HistoryInterestMmr(),
        "RoundRobinRetriever" => mi.RoundRobinRetriever(),
        "ConditionalRetriever" => mi.ConditionalRetriever(),
        _ => mi.RankFusion(["Candidates", "MmrCandidates"]),
    };

    [Theory]
    [MemberData(nameof(Estimators))]
    public void GetOutputSchema_of_null_names_inputSchema(string estimator)
    {
        var e = Assert.Throws<ArgumentNullException>(() => Create(new MLContext(seed: 1).MultiInterest(), estimator).GetOutputSchema(null!));
        Assert.Equal("inputSchema", e.ParamName);
    }
}
