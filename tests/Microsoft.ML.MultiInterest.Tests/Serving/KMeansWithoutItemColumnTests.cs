namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// k-means fitted without an item column (<c>ItemColumnName = null</c>: every row clustered by its vector) places each
/// item at its nearest centroid; a loaded model's recommender, engine and ONNX graphs place the items by the same rule and
/// serve the fitted lists (they refused: "Item key 1 has no fitted cluster").
/// </summary>
public sealed class KMeansWithoutItemColumnTests : IDisposable
{
    private readonly ServingWorld _world = new(kmeans: new SphericalKMeansTrainer.Options { NumberOfClusters = 4, Seed = 2, ItemColumnName = null });

    public void Dispose() => _world.Dispose();

    [Fact]
    public void TheLoadedModelServesTheFittedLists_LiveByEngineAndInOnnxRuntime()
    {
        Assert.Null(_world.Loaded.Clustering!.ItemColumnName);
        var mi = _world.Ml.MultiInterest();
        var fitted = mi.CreateRecommender(_world.Fitted);
        var loaded = mi.CreateRecommender(_world.Loaded);
        foreach (var r in _world.Requests(60, seed: 7))
            Assert.Equal(fitted.Recommend(r.User, r.History), loaded.Recommend(r.User, r.History), RecommendationListComparer.Instance);

        foreach (var (user, engine, viaOnnx) in _world.EngineAndOnnxLists())
        {
            var expected = fitted.Recommend(user).Items.Select(i => i.ItemId).ToArray();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, engine);
            Assert.Equal(expected, viaOnnx);
        }
    }
}
