using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>Mixture embeddings through the ML.NET face: the same estimator, components on the transformer, save/load round trip.</summary>
public sealed class MixtureEmbeddingMLNetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-mixemb-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static GraphEmbeddingTrainer.Options Options() => new()
    {
        Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Dimension = 8, Epochs = 3, Threads = 1, UniformNegatives = 5, BatchNegatives = 5, ChunkSize = 10,
        Mixture = new MixtureEmbeddingOptions { SourceComponents = 3, DestinationComponents = 2 },
    };

    [Fact]
    public void FitsComponentsAndRoundTripsThemThroughSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out var raw);
        var transformer = ml.MultiInterest().GraphEmbedding(Options()).Fit(keyed);
        var mixture = transformer.Mixture!;
        Assert.Equal(3, mixture.SourceComponents);
        Assert.Equal(2, mixture.DestinationComponents);
        Assert.Equal(transformer.UserEmbeddings.KeyCount * 3, mixture.UserComponents.Rows);
        Assert.Equal(transformer.ItemEmbeddings.KeyCount * 2, mixture.ItemComponents.Rows);

        // The columns carry the mean vectors.
        var users = MLNetTestData.Keys(keyed, "User");
        var vectors = MLNetTestData.Vectors(transformer.Transform(keyed), "UserEmbedding");
        Assert.Equal(transformer.UserEmbeddings.ToDense().ReadRow((int)users[0] - 1).ToArray(), vectors[0]);

        string path = Path.Combine(_directory, "mixture.zip");
        var chain = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(Options())).Fit(raw);
        ml.Model.Save(chain, raw.Schema, path);
        var loaded = MultiInterestModel.Load(ml, path).GraphEmbedding!;
        var fitted = chain.LastTransformer.Mixture!;
        Assert.NotNull(loaded.Mixture);
        Assert.Equal(fitted.SourceComponents, loaded.Mixture!.SourceComponents);
        Assert.Equal(fitted.DestinationComponents, loaded.Mixture.DestinationComponents);
        Assert.Equal(fitted.UserComponents.Values, loaded.Mixture.UserComponents.Values);
        Assert.Equal(fitted.ItemComponents.Values, loaded.Mixture.ItemComponents.Values);
        Assert.Equal(fitted.UserWeights, loaded.Mixture.UserWeights);
        Assert.Equal(chain.LastTransformer.UserEmbeddings.ToDense().Values, loaded.UserEmbeddings.ToDense().Values);
        // The loaded model serves round robin like the fitted one.
        var usersToServe = Enumerable.Range(0, fitted.UserCount).ToArray();
        var a = new RoundRobinRetriever(fitted.ItemComponents, 2).Retrieve(fitted.ToMixtureTable(usersToServe), usersToServe, null, [5]);
        var b = new RoundRobinRetriever(loaded.Mixture.ItemComponents, 2).Retrieve(loaded.Mixture.ToMixtureTable(usersToServe), usersToServe, null, [5]);
        Assert.Equal(a[0].Indices, b[0].Indices);
    }

    [Fact]
    public void SingleVectorModelsSaveWithoutComponents()
    {
        var ml = new MLContext(seed: 1);
        MLNetTestData.Keyed(ml, out var raw);
        var chain = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Fit(raw);
        Assert.Null(chain.LastTransformer.Mixture);
        string path = Path.Combine(_directory, "single.zip");
        ml.Model.Save(chain, raw.Schema, path);
        Assert.Null(MultiInterestModel.Load(ml, path).GraphEmbedding!.Mixture);
    }

    [Fact]
    public void CatalogMixtureEmbeddingIsTheSameEstimator()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var transformer = ml.MultiInterest().MixtureEmbedding(sourceComponents: 2, dimension: 4, epochs: 2).Fit(keyed);
        Assert.Equal(2, transformer.Mixture!.SourceComponents);
        Assert.Equal(4, transformer.Dimension);
    }

    [Fact]
    public void BadMixtureOptionIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.Mixture.Theta = 2f;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MultiInterest().GraphEmbedding(options));
        Assert.Equal(nameof(MixtureEmbeddingOptions.Theta), error.ParamName);
    }
}
