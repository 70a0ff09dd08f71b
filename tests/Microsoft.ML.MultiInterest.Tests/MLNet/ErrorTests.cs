namespace Microsoft.ML.MultiInterest.Tests.MLNet;

public class ErrorTests
{
    [Fact]
    public void MissingColumn_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { UserColumnName = "Reader" }).Fit(keyed));
        Assert.Contains("'Reader'", error.Message);
        Assert.Contains("UserColumnName", error.Message);
    }

    [Fact]
    public void UserNotAKey_NamesColumnExpectedAndActualType()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding().Fit(raw));
        Assert.Contains("'User'", error.Message);
        Assert.Contains("key type", error.Message);
        Assert.Contains("String", error.Message);
    }

    [Fact]
    public void EmbeddingNotAFloatVector_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var options = new SphericalKMeansTrainer.Options { FeatureColumnName = "Item", NumberOfClusters = 2 };
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(options).Fit(keyed));
        Assert.Contains("'Item'", error.Message);
        Assert.Contains("vector of Single", error.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void LambdaOutsideUnitInterval_Throws(double lambda)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().MultiInterest().KnnSmoothedMixture(lambda: lambda));
        Assert.Equal("Lambda", error.ParamName);
    }

    [Fact]
    public void BadCounts_NameTheOption()
    {
        var mi = new MLContext().MultiInterest();
        Assert.Equal("Components", Assert.Throws<ArgumentOutOfRangeException>(() => mi.KnnSmoothedMixture(components: 0)).ParamName);
        Assert.Equal("Neighbors", Assert.Throws<ArgumentOutOfRangeException>(() => mi.KnnSmoothedMixture(neighbors: 0)).ParamName);
        Assert.Equal("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => mi.ClusterQuotaRetriever(candidates: 0)).ParamName);
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() => mi.ClusterQuotaRetriever(alpha: -1)).ParamName);
        Assert.Equal("Dimension", Assert.Throws<ArgumentOutOfRangeException>(() => mi.GraphEmbedding(dimension: 0)).ParamName);
        Assert.Equal("NumberOfClusters", Assert.Throws<ArgumentOutOfRangeException>(() => mi.SphericalKMeans(numberOfClusters: 0)).ParamName);
    }

    [Fact]
    public void GetOutputSchema_ChecksColumns()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var estimator = ml.MultiInterest().KnnSmoothedMixture();
        // The chain's GetOutputSchema reaches ours through the key-mapping estimators' shape.
        var keys = MLNetTestData.KeyPipeline(ml);
        var shape = keys.Append(ml.MultiInterest().GraphEmbedding(dimension: 4)).GetOutputSchema(RawShape(ml));
        var error = Assert.Throws<ArgumentException>(() => estimator.GetOutputSchema(shape));
        Assert.Contains("'ItemCluster'", error.Message);
        _ = keyed;
    }

    private static SchemaShape RawShape(MLContext ml) => MLNetTestData.RawShape<MLNetTestData.Edge>(ml);
}
