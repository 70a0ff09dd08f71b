using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A new user served after a divide-and-conquer fit, at the edges: the item column copied before the stage, a stage fitted
/// over a subset of the items, concurrent requests, one cluster and m above K. Each list must be what the engine's
/// query (<see cref="DivideConquerModel.UserQueries"/>) or mixture (<see cref="DivideConquerModel.BuildMixtures"/>) ranks.
/// </summary>
public sealed class DivideConquerNewUserEdgeTests
{
    private static readonly int[][] Histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], [4, 4, 10]];

    private readonly DivideConquerWorld _world = new();
    private readonly MLContext _ml;
    private readonly ITransformer _keys;
    private readonly IDataView _keyed;

    public DivideConquerNewUserEdgeTests() => (_ml, _keys, _keyed) = (_world.Ml, _world.Keys, _world.Keyed);

    private GraphEmbeddingTransformer DivideConquer(int clusters = 3, int components = 2) =>
        _world.DivideConquer(DivideConquerEncoder.AttentionPooling, clusters, components);

    private static BipartiteGraph Graph(int[] history, int items) => BipartiteGraph.FromEdges(1, items, new int[history.Length], history);

    /// <summary>The engine's query of <paramref name="history"/> scored against item row <paramref name="row"/>.</summary>
    private static float EngineScore(DivideConquerModel model, int[] history, int row) =>
        VectorMath.Dot(model.UserQueries(Graph(history, model.Items.Rows), threads: 1).ReadRow(0), model.Items.ReadRow(row));

    private static void AssertEncoderScores(DivideConquerModel model, MultiInterestRecommender recommender, IReadOnlyList<string> ids)
    {
        var rowOf = ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
        foreach (var history in Histories)
        {
            var list = recommender.Recommend("someone-new", history.Select(r => ids[r]));
            Assert.Equal(CandidateSource.History, list.Source);
            Assert.NotEmpty(list.Items);
            foreach (var item in list.Items) Assert.Equal(EngineScore(model, history, rowOf[item.ItemId]), item.Score, 5);
        }
    }

    [Fact]
    public void TheItemColumnCopiedBeforeTheStage_StillCarriesTheEncoder()
    {
        var embedding = DivideConquer();
        var copy = _ml.Transforms.CopyColumns("Copied", "ItemEmbedding").Fit(embedding.Transform(_keyed));
        var stage = _ml.MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options
        {
            Candidates = 6, ItemEmbeddingColumnName = "Copied", HistoryVector = HistoryVector.Encoder,
        }).Fit(copy.Transform(embedding.Transform(_keyed)));
        var chain = new TransformerChain<ITransformer>(_keys, embedding, copy, stage);
        AssertEncoderScores(embedding.DivideConquer!, _ml.MultiInterest().CreateRecommender(chain), embedding.ItemIds);
    }

    [Fact]
    public void AStageOverASubsetOfTheItems_ReadsTheHistoryByTheModelsQuery()
    {
        var embedding = DivideConquer();
        // The stage sees the edges of some items only: its compact items are a subset, in another order than the keys.
        var subset = _ml.Data.FilterRowsByKeyColumnFraction(embedding.Transform(_keyed), "Item", upperBound: 0.5);
        var stage = _ml.MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 4, HistoryVector = HistoryVector.Encoder }).Fit(subset);
        var chain = new TransformerChain<ITransformer>(_keys, embedding, stage);
        var buffer = new MemoryStream();
        _ml.Model.Save(chain, _ml.Data.LoadFromEnumerable(MLNetTestData.Edges()).Schema, buffer);
        using var loaded = MultiInterestModel.Load(_ml, new MemoryStream(buffer.ToArray()));
        var rowOf = embedding.ItemIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
        var model = embedding.DivideConquer!;
        foreach (var recommender in new[] { _ml.MultiInterest().CreateRecommender(chain), _ml.MultiInterest().CreateRecommender(loaded) })
        {
            bool Serves(string id) => recommender.Recommend("probe", [id]).Source == CandidateSource.History;
            Assert.InRange(embedding.ItemIds.Count(Serves), 1, embedding.ItemIds.Count - 1);
            int served = 0;
            foreach (var history in Histories)
            {
                // Items the stage does not serve are skipped: the query reads the rest.
                var kept = history.Where(r => Serves(embedding.ItemIds[r])).Distinct().Order().ToArray();
                if (kept.Length == 0) continue;
                served++;
                var list = recommender.Recommend("someone-new", history.Select(r => embedding.ItemIds[r]));
                Assert.Equal(CandidateSource.History, list.Source);
                foreach (var item in list.Items) Assert.Equal(EngineScore(model, kept, rowOf[item.ItemId]), item.Score, 5);
            }
            Assert.True(served > 0);
        }
    }

    [Fact]
    public void ConcurrentRequests_GetTheListsOfSequentialOnes()
    {
        var embedding = DivideConquer();
        var embedded = embedding.Transform(_keyed);
        var mi = _ml.MultiInterest();
        var clusters = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true }).Fit(embedded);
        var clustered = clusters.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
        {
            Candidates = 6, UserEmbeddingColumnName = null, HistoryMixture = HistoryMixture.DivideConquer, HistoryVector = HistoryVector.Encoder,
        }).Fit(mixtures.Transform(clustered));
        var recommender = mi.CreateRecommender(new TransformerChain<ITransformer>(_keys, embedding, clusters, mixtures, quota));
        var requests = Enumerable.Range(0, 200).Select(j => Histories[j % Histories.Length].Select(r => embedding.ItemIds[(r + j) % embedding.ItemIds.Count]).ToArray()).ToArray();
        var sequential = requests.Select(h => recommender.Recommend("someone-new", h).Items.ToArray()).ToArray();
        var concurrent = new RecommendationList[requests.Length];
        Parallel.For(0, requests.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, j => concurrent[j] = recommender.Recommend("someone-new", requests[j]));
        for (int j = 0; j < requests.Length; j++) Assert.Equal(sequential[j], concurrent[j].Items);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    public void OneClusterOrMoreComponentsThanClusters_ServeTheModelsQuotaList(int clusters, int components)
    {
        var embedding = DivideConquer(clusters, components);
        var model = embedding.DivideConquer!;
        var embedded = embedding.Transform(_keyed);
        var mi = _ml.MultiInterest();
        var kmeans = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = clusters, DivideConquerClusters = true }).Fit(embedded);
        var clustered = kmeans.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
        {
            Candidates = 6, UserEmbeddingColumnName = null, HistoryMixture = HistoryMixture.DivideConquer,
        }).Fit(mixtures.Transform(clustered));
        var recommender = mi.CreateRecommender(new TransformerChain<ITransformer>(_keys, embedding, kmeans, mixtures, quota));
        foreach (var history in Histories)
        {
            var graph = Graph(history, model.Items.Rows);
            var expected = new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(model.BuildMixtures(graph, [0], threads: 1), [0], graph, [6], threads: 1)[0];
            var list = recommender.Recommend("someone-new", history.Select(r => embedding.ItemIds[r]));
            Assert.Equal(expected.IndicesOf(0).ToArray().Select(r => embedding.ItemIds[r]), list.Items.Select(r => r.ItemId));
        }
    }

    [Fact]
    public void TheModelsClustersTaken_HaveTheModelsCentroids()
    {
        var embedding = DivideConquer();
        var kmeans = _ml.MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true })
            .Fit(embedding.Transform(_keyed));
        // Every item has edges here, so the stage clusters the model's items: the same members, the same centroids.
        Assert.Equal(embedding.DivideConquer!.Clustering.Centroids.Values, kmeans.Centroids.Values);
    }

    [Fact]
    public void AQuotaStageOverACopiedItemColumn_ServesTheModelsQuotaList_FittedAndLoaded()
    {
        var embedding = DivideConquer();
        var model = embedding.DivideConquer!;
        var mi = _ml.MultiInterest();
        var copy = _ml.Transforms.CopyColumns("Copied", "ItemEmbedding").Fit(embedding.Transform(_keyed));
        var copied = copy.Transform(embedding.Transform(_keyed));
        var kmeans = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { FeatureColumnName = "Copied", NumberOfClusters = 3, DivideConquerClusters = true }).Fit(copied);
        var clustered = kmeans.Transform(copied);
        var mixtures = mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { ItemEmbeddingColumnName = "Copied", Components = 2, Neighbors = 3 }).Fit(clustered);
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
        {
            Candidates = 6, ItemEmbeddingColumnName = "Copied", UserEmbeddingColumnName = null, HistoryMixture = HistoryMixture.DivideConquer,
        }).Fit(mixtures.Transform(clustered));
        var chain = new TransformerChain<ITransformer>(_keys, embedding, copy, kmeans, mixtures, quota);
        string path = Path.Combine(Path.GetTempPath(), $"mi-dc-copied-{Guid.NewGuid():N}.zip");
        _ml.Model.Save(chain, _ml.Data.LoadFromEnumerable(MLNetTestData.Edges()).Schema, path);
        try
        {
            using var loaded = MultiInterestModel.Load(_ml, path);
            foreach (var recommender in new[] { mi.CreateRecommender(chain), mi.CreateRecommender(loaded) })
                foreach (var history in Histories)
                {
                    var graph = Graph(history, model.Items.Rows);
                    var expected = new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(model.BuildMixtures(graph, [0], threads: 1), [0], graph, [6], threads: 1)[0];
                    var list = recommender.Recommend("someone-new", history.Select(r => embedding.ItemIds[r]));
                    Assert.Equal(expected.IndicesOf(0).ToArray().Select(r => embedding.ItemIds[r]), list.Items.Select(r => r.ItemId));
                }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
