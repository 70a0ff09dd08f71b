namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// What the estimators' shape checks refuse before any data: <c>GetOutputSchema(null)</c> names its argument, as ML.NET's own
/// estimators do (a review of 2026-12-07 found two of ten checking it and the others leaving it to
/// whatever their shape checks did with a null), and options their Fit would refuse are refused by the shape check too.
/// </summary>
public sealed class EstimatorShapeCheckTests
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

    [Fact]
    public void SphericalKMeans_with_divide_and_conquer_clusters_and_no_item_column_fails_its_shape_check_as_its_Fit_would()
    {
        var ml = new MLContext(seed: 1);
        var kmeans = ml.MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 2, ItemColumnName = null, DivideConquerClusters = true });
        var keyed = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
        var chain = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(kmeans);
        var shape = Assert.Throws<ArgumentException>(() => chain.GetOutputSchema(MLNetTestData.RawShape<MLNetTestData.Edge>(ml)));
        var fit = Assert.Throws<ArgumentException>(() => kmeans.Fit(embedded));
        Assert.Equal(fit.Message, shape.Message);
        Assert.Equal("ItemColumnName", shape.ParamName);
    }
}
