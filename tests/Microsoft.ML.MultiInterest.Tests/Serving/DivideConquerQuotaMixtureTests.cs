using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.MultiInterest.Tests.Robustness;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="HistoryMixture.DivideConquer"/>: a cluster-quota stage over a divide-and-conquer model's vectors and clusters
/// builds a new user's mixture by the model's own rule (<see cref="DivideConquerModel.BuildMixtures"/>: intent, top m
/// clusters, per-cluster queries), fitted, saved and loaded, through the recommender and the History column alike; the
/// clusters must be the model's; trained users and older zips keep what they had; what is refused.
/// </summary>
public sealed class DivideConquerQuotaMixtureTests : IDisposable
{
    private const int M = 6;

    private static readonly int[][] Histories = DivideConquerWorld.Histories;

    private readonly DivideConquerWorld _world = new();
    private readonly MLContext _ml;
    private readonly ITransformer _keys;
    private readonly IDataView _raw;
    private readonly IDataView _keyed;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dc-quota-").FullName;

    public DivideConquerQuotaMixtureTests() => (_ml, _raw, _keys, _keyed) = (_world.Ml, _world.Raw, _world.Keys, _world.Keyed);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private GraphEmbeddingTransformer DivideConquer(DivideConquerEncoder encoder = DivideConquerEncoder.MeanPooling) => _world.DivideConquer(encoder);

    /// <summary>The pipeline after the embedding: the model's clusters (or k-means'), kNN-Embed mixtures, the quota stage.</summary>
    private TransformerChain<ITransformer> Chain(GraphEmbeddingTransformer embedding, HistoryMixture mixture, bool modelClusters = true, string? userColumn = null) =>
        _world.QuotaChain(embedding, mixture, M, modelClusters, userColumn);

    private static BipartiteGraph HistoryGraph(int items) => DivideConquerWorld.HistoryGraph(Histories, items);

    /// <summary>The engine's lists of the histories: the model's mixtures, quota retrieval over its items and clusters, the history excluded.</summary>
    private static RankedLists EngineLists(DivideConquerModel model)
    {
        var graph = HistoryGraph(model.Items.Rows);
        var users = Enumerable.Range(0, Histories.Length).ToArray();
        return new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(model.BuildMixtures(graph, users, threads: 1), users, graph, [M], threads: 1)[0];
    }

    private static void AssertServes(MultiInterestRecommender recommender, RankedLists expected, Func<int, string> itemId) =>
        DivideConquerWorld.AssertServes(recommender, Histories, expected, itemId);

    private MultiInterestModel SaveAndLoad(ITransformer chain, string name) => _world.SaveAndLoad(chain, Path.Combine(_directory, name + ".zip"));

    private static CandidateRetrievalTransformer Quota(TransformerChain<ITransformer> chain) => (CandidateRetrievalTransformer)chain.LastTransformer;

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling)]
    [InlineData(DivideConquerEncoder.AttentionPooling)]
    public void ANewUsersList_IsTheModelsOwnQuotaList_FittedSavedLoadedAndThroughTheHistoryColumn(DivideConquerEncoder encoder)
    {
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer(encoder);
        var model = embedding.DivideConquer!;
        var chain = Chain(embedding, HistoryMixture.DivideConquer);
        Assert.Equal(HistoryMixture.DivideConquer, Quota(chain).Settings.HistoryMixture);
        var expected = EngineLists(model);
        string ItemId(int row) => embedding.ItemIds[row];

        // The counted mixture lists otherwise here, so the assertions below tell the two readings apart.
        var counted = mi.CreateRecommender(Chain(embedding, HistoryMixture.Counts));
        Assert.Contains(Enumerable.Range(0, Histories.Length),
            q => !expected.IndicesOf(q).ToArray().Select(ItemId).SequenceEqual(counted.Recommend("someone-new", Histories[q].Select(ItemId)).Items.Select(r => r.ItemId)));

        AssertServes(mi.CreateRecommender(chain), expected, ItemId);
        using (var loaded = SaveAndLoad(chain, "dc-quota-" + encoder))
        {
            Assert.Equal(HistoryMixture.DivideConquer, loaded.ServingStage.Settings.HistoryMixture);
            AssertServes(mi.CreateRecommender(loaded), expected, ItemId);
        }

        // The History column of a request row, on the fitted chain.
        _world.AssertServesHistoryColumn(chain, Histories, expected, ItemId);
    }

    [Fact]
    public void ThePipelinePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = _ml;
        var train = _raw;
        var mi = ml.MultiInterest();
        {
            #region DivideConquerQuotas
            var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
                {
                    Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 8, Epochs = 2,
                    DivideConquer = new DivideConquerOptions { Clusters = 3 },   // K, and the model's encoder tables on ItemEmbedding
                }))
                .Append(mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true }))   // the model's K clusters
                .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))                                                               // trained users' mixtures
                .Append(mi.ClusterQuotaRetriever(candidates: 6));   // HistoryMixture Auto: a new user's mixture is the model's own
            var model = pipeline.Fit(train);
            var recommender = mi.CreateRecommender(model);
            RecommendationList cold = recommender.Recommend("new-user", ["i3", "i7"]);   // History: the model's intent quotas and cluster queries of i3, i7
            #endregion
            Assert.Equal(CandidateSource.History, cold.Source);
            Assert.Equal(6, cold.Items.Count);
            Assert.Equal(HistoryMixture.DivideConquer, model.LastTransformer.Settings.HistoryMixture);
        }
        DocSnippets.AssertOnPage(Path.Combine("Serving", nameof(DivideConquerQuotaMixtureTests) + ".cs"), "DivideConquerQuotas", "docs/pipeline.md");
    }

    [Fact]
    public void TheQuotasSumToM_WithoutSeenOrRepeatedItems_AndTrainedUsersKeepTheirLists()
    {
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer();
        var model = embedding.DivideConquer!;
        var chain = Chain(embedding, HistoryMixture.DivideConquer, userColumn: MultiInterestColumnNames.UserEmbedding);
        var recommender = mi.CreateRecommender(chain);
        var graph = HistoryGraph(model.Items.Rows);
        var mixtures = model.BuildMixtures(graph, Enumerable.Range(0, Histories.Length).ToArray(), threads: 1);
        for (int q = 0; q < Histories.Length; q++)
        {
            var list = recommender.Recommend("someone-new", Histories[q].Select(r => embedding.ItemIds[r])).Items.Select(r => r.ItemId).ToArray();
            Assert.Equal(M, list.Length);
            Assert.Equal(M, list.Distinct().Count());
            Assert.DoesNotContain(list, id => Histories[q].Select(r => embedding.ItemIds[r]).Contains(id));
            // The quotas of the model's mixture share out exactly M slots.
            var clusters = mixtures.Clusters(q).ToArray();
            var quotas = new int[clusters.Length];
            QuotaAllocator.Allocate(mixtures.Weights(q).ToArray(), clusters, ClusterQuotaRetrieverDefaults.Alpha, M, quotas);
            Assert.Equal(M, quotas.Sum());
        }
        // Trained users are served from their kNN-Embed mixtures, whatever reads a new user's.
        var counts = Quota(Chain(embedding, HistoryMixture.Counts, userColumn: MultiInterestColumnNames.UserEmbedding));
        var byModel = Quota(chain);
        Assert.Equal(counts.UserCount, byModel.UserCount);
        for (uint key = 1; key <= byModel.UserCount; key++) Assert.Equal(counts.GetCandidates(key).ItemKeys, byModel.GetCandidates(key).ItemKeys);
    }

    [Fact]
    public void Auto_ReadsByTheModel_OnItsClusters_AndCountsOnOthers_WarningWhy()
    {
        var warnings = new List<string>();
        _ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message);
        };
        var embedding = DivideConquer();
        var auto = Chain(embedding, HistoryMixture.Auto);
        Assert.Equal(HistoryMixture.DivideConquer, Quota(auto).Settings.HistoryMixture);
        AssertServes(_ml.MultiInterest().CreateRecommender(auto), EngineLists(embedding.DivideConquer!), r => embedding.ItemIds[r]);

        Assert.DoesNotContain(warnings, m => m.Contains("HistoryMixture"));
        // k-means' own clusters are not the model's: Auto counts, and warns naming the option that would make them agree.
        var kmeans = Chain(embedding, HistoryMixture.Auto, modelClusters: false);
        Assert.Equal(HistoryMixture.Counts, Quota(kmeans).Settings.HistoryMixture);
        Assert.Contains(warnings, m => m.Contains("HistoryMixture = Counts") && m.Contains("DivideConquerClusters"));

        // Vectors of another algorithm: the counts, as before.
        var mi = _ml.MultiInterest();
        var als = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(_keyed).Transform(_keyed);
        var clustered = mi.SphericalKMeans(numberOfClusters: 3).Fit(als).Transform(als);
        var quota = mi.ClusterQuotaRetriever(candidates: M).Fit(mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered).Transform(clustered));
        Assert.Equal(HistoryMixture.Counts, quota.Settings.HistoryMixture);
    }

    [Fact]
    public void AZipOfTheFormatBefore_LoadsAndCountsTheMixture()
    {
        var embedding = DivideConquer();
        var chain = Chain(embedding, HistoryMixture.Counts);
        string path = Path.Combine(_directory, "counts.zip"), older = Path.Combine(_directory, "counts-format6.zip");
        _ml.Model.Save(chain, _raw.Schema, path);
        File.WriteAllBytes(older, BadInputFixtures.WithFormatVersion(File.ReadAllBytes(path), "6", "1.3.0"));
        using var loaded = MultiInterestModel.Load(_ml, older);
        Assert.Equal(HistoryMixture.Counts, loaded.ServingStage.Settings.HistoryMixture);
        var fitted = _ml.MultiInterest().CreateRecommender(chain);
        var recommender = _ml.MultiInterest().CreateRecommender(loaded);
        foreach (var history in Histories)
        {
            var ids = history.Select(r => embedding.ItemIds[r]).ToArray();
            Assert.Equal(fitted.Recommend("someone-new", ids).Items, recommender.Recommend("someone-new", ids).Items);
        }
    }

    [Fact]
    public void WhatCannotServeTheModelsMixture_IsRefusedByName()
    {
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer();
        var embedded = embedding.Transform(_keyed);

        // Asked for over k-means' clusters: the ids would name other clusters.
        var disagree = Assert.Throws<ArgumentException>(() => Chain(embedding, HistoryMixture.DivideConquer, modelClusters: false));
        Assert.Equal("HistoryMixture", disagree.ParamName);
        Assert.Contains("ItemClusterColumnName", disagree.Message);
        Assert.Contains("DivideConquerClusters", disagree.Message);

        // Asked for on vectors no divide-and-conquer model produced.
        var als = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(_keyed).Transform(_keyed);
        var clustered = mi.SphericalKMeans(numberOfClusters: 3).Fit(als).Transform(als);
        var mixed = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered).Transform(clustered);
        var noModel = Assert.Throws<ArgumentException>(() =>
            mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { HistoryMixture = HistoryMixture.DivideConquer }).Fit(mixed));
        Assert.Equal("HistoryMixture", noModel.ParamName);
        Assert.Contains("does not come from a divide-and-conquer GraphEmbedding", noModel.Message);
        Assert.Equal("HistoryMixture", Assert.Throws<ArgumentOutOfRangeException>(() =>
            mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { HistoryMixture = (HistoryMixture)7 })).ParamName);

        // The model's clusters: on other vectors, and with another K.
        var notDc = Assert.Throws<ArgumentException>(() => mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true }).Fit(als));
        Assert.Equal("DivideConquerClusters", notDc.ParamName);
        var otherK = Assert.Throws<ArgumentException>(() => mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, DivideConquerClusters = true }).Fit(embedded));
        Assert.Equal("NumberOfClusters", otherK.ParamName);
        Assert.Contains("3 clusters", otherK.Message);

        // The fold-in of new items refuses rather than serve the counted mixture (ONNX export: DivideConquerOnnxServingTests).
        var chain = Chain(embedding, HistoryMixture.DivideConquer, userColumn: MultiInterestColumnNames.UserEmbedding);
        var foldIn = Assert.Throws<NotSupportedException>(() => mi.CreateRecommender(chain).FoldInNewItems([("u1", "brand-new-item")]));
        Assert.Contains("HistoryMixture = DivideConquer", foldIn.Message);
    }
}
