using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.MultiInterest.Tests.Robustness;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="HistoryVector.Encoder"/>: a retrieval stage after a divide-and-conquer GraphEmbedding reads a new user's history
/// by the model's own encoder (<see cref="DivideConquerModel.UserQueries"/>), fitted, saved and loaded, through the recommender
/// and the History column alike; Auto's choice on such vectors; older zips; what is refused.
/// </summary>
public sealed class DivideConquerHistoryVectorTests : IDisposable
{
    // Histories of item rows (= item key - 1: every item of the planted graph has edges), one with a repeat.
    private static readonly int[][] Histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], [4, 4, 10]];

    private readonly DivideConquerWorld _world = new();
    private readonly MLContext _ml;
    private readonly ITransformer _keys;
    private readonly IDataView _raw;
    private readonly IDataView _keyed;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dc-history-").FullName;

    public DivideConquerHistoryVectorTests() => (_ml, _raw, _keys, _keyed) = (_world.Ml, _world.Raw, _world.Keys, _world.Keyed);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private GraphEmbeddingTransformer DivideConquer(DivideConquerEncoder encoder = DivideConquerEncoder.MeanPooling) => _world.DivideConquer(encoder);

    private static BipartiteGraph HistoryGraph(int items) => DivideConquerWorld.HistoryGraph(Histories, items);

    /// <summary>The histories' lists of M items ranked by <paramref name="queries"/> over the model's items, the history excluded.</summary>
    private static RankedLists ListsOf(DivideConquerModel model, EmbeddingMatrix queries, int m) =>
        new UnimodalRetriever(model.Items).Retrieve(queries, [.. Enumerable.Range(0, Histories.Length)], HistoryGraph(model.Items.Rows), m, threads: 1);

    private static EmbeddingMatrix Means(DivideConquerModel model)
    {
        var means = new EmbeddingMatrix(Histories.Length, model.Items.Dimension);
        for (int q = 0; q < Histories.Length; q++) model.Items.MeanOf([.. Histories[q].Distinct().Order()], means.Row(q));
        return means;
    }

    private static void AssertServes(MultiInterestRecommender recommender, RankedLists expected, Func<int, string> itemId) =>
        DivideConquerWorld.AssertServes(recommender, Histories, expected, itemId);

    private MultiInterestModel SaveAndLoad(ITransformer chain, string name) => _world.SaveAndLoad(chain, Path.Combine(_directory, name + ".zip"));

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling)]
    [InlineData(DivideConquerEncoder.AttentionPooling)]
    public void ANewUsersList_IsTheEncodersQuerys_FittedSavedLoadedAndThroughTheHistoryColumn(DivideConquerEncoder encoder)
    {
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer(encoder);
        var model = embedding.DivideConquer!;
        var fitted = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6, HistoryVector = HistoryVector.Encoder }).Fit(embedding.Transform(_keyed));
        Assert.Equal(HistoryVector.Encoder, fitted.Settings.HistoryVector);
        var expected = ListsOf(model, model.UserQueries(HistoryGraph(model.Items.Rows), threads: 1), 6);
        // The mean ranks otherwise here, so the assertions below tell the two readings apart.
        var byMean = ListsOf(model, Means(model), 6);
        Assert.Contains(Enumerable.Range(0, Histories.Length), q => !expected.IndicesOf(q).SequenceEqual(byMean.IndicesOf(q)));

        string ItemId(int row) => embedding.ItemIds[row];
        var chain = new TransformerChain<ITransformer>(_keys, embedding, fitted);
        AssertServes(mi.CreateRecommender(chain), expected, ItemId);
        using (var loaded = SaveAndLoad(chain, "encoder-" + encoder))
        {
            Assert.Equal(HistoryVector.Encoder, loaded.ServingStage.Settings.HistoryVector);
            AssertServes(mi.CreateRecommender(loaded), expected, ItemId);
        }

        // The History column of a request row, on the fitted chain.
        _world.AssertServesHistoryColumn(chain, Histories, expected, ItemId);
        // The trained users' lists do not depend on it.
        var mean = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6, HistoryVector = HistoryVector.Mean }).Fit(embedding.Transform(_keyed));
        for (uint key = 1; key <= fitted.UserCount; key++) Assert.Equal(mean.GetCandidates(key).ItemKeys, fitted.GetCandidates(key).ItemKeys);
    }

    [Fact]
    public void Auto_OnDivideConquerVectors_FoldsInWithUserVectors_AndReadsByTheEncoderWithout()
    {
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer();
        var embedded = embedding.Transform(_keyed);
        var unimodal = mi.UnimodalRetriever(candidates: 5).Fit(embedded);
        Assert.Equal(HistoryVector.FoldIn, unimodal.Settings.HistoryVector);
        Assert.True(unimodal.Settings.FoldInMatchUserVectors); // fitted to the trained users' vectors: the encoder's queries

        var clustered = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedded);
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered.Transform(embedded));
        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, UserEmbeddingColumnName = null })
            .Fit(mixture.Transform(clustered.Transform(embedded)));
        Assert.Equal(HistoryVector.Encoder, quota.Settings.HistoryVector);
        using var loaded = SaveAndLoad(new TransformerChain<ITransformer>(_keys, embedding, clustered, mixture, quota), "auto-quota");
        Assert.Equal(HistoryVector.Encoder, loaded.ServingStage.Settings.HistoryVector);
        var recommender = mi.CreateRecommender(loaded);
        var fittedRecommender = mi.CreateRecommender(new TransformerChain<ITransformer>(_keys, embedding, clustered, mixture, quota));
        foreach (var history in Histories)
        {
            var ids = history.Select(r => embedding.ItemIds[r]).ToArray();
            Assert.Equal(fittedRecommender.Recommend("someone-new", ids).Items, recommender.Recommend("someone-new", ids).Items);
        }
        // Vectors of other algorithms keep Auto as before: HistoryVectorTests (the fold-in on ALS vectors, the mean otherwise).
    }

    [Fact]
    public void AStageReadingByTheMean_StillWarns_AndAZipOfTheFormatBefore_LoadsAndServesTheMean()
    {
        var warnings = new List<string>();
        _ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message);
        };
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer();
        var model = embedding.DivideConquer!;
        var fitted = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6, HistoryVector = HistoryVector.Mean }).Fit(embedding.Transform(_keyed));
        Assert.Contains(warnings, w => w.Contains("HistoryVector = Mean was asked for") && w.Contains("HistoryVector = Encoder serves that query"));

        // Saved as the library wrote it before the encoder existed (format 6, no encoder tables): it loads and reads by the mean.
        string path = Path.Combine(_directory, "mean.zip"), older = Path.Combine(_directory, "mean-format6.zip");
        _ml.Model.Save(new TransformerChain<ITransformer>(_keys, embedding, fitted), _raw.Schema, path);
        File.WriteAllBytes(older, BadInputFixtures.WithFormatVersion(File.ReadAllBytes(path), "6", "1.3.0"));
        using var loaded = MultiInterestModel.Load(_ml, older);
        Assert.Equal(HistoryVector.Mean, loaded.ServingStage.Settings.HistoryVector);
        AssertServes(mi.CreateRecommender(loaded), ListsOf(model, Means(model), 6), r => embedding.ItemIds[r]);
    }

    [Fact]
    public void AHistoryOfUnknownItems_GetsThePopularList_AndWhatCannotServeTheEncoderIsRefusedByName()
    {
        var mi = _ml.MultiInterest();
        var embedding = DivideConquer();
        var embedded = embedding.Transform(_keyed);
        var fitted = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Encoder }).Fit(embedded);
        var chain = new TransformerChain<ITransformer>(_keys, embedding, fitted);
        var recommender = mi.CreateRecommender(chain);
        // Ids the model does not know are skipped (docs/pipeline.md, "Serving"): nothing left, the flagged popular list.
        var unknown = recommender.Recommend("someone-new", ["no-such-item", "nor-this-one"]);
        Assert.Equal(CandidateSource.Popular, unknown.Source);
        Assert.Equal(recommender.Recommend("someone-new").Items, unknown.Items);
        // One known item among unknown ones: read from that item alone.
        string known = embedding.ItemIds[5];
        Assert.Equal(recommender.Recommend("someone-new", [known]).Items, recommender.Recommend("someone-new", ["no-such-item", known]).Items);

        // ONNX export: unimodal and quota in DivideConquerOnnxServingTests, MMR in DivideConquerMmrOnnxServingTests, conditional
        // in DivideConquerConditionalOnnxServingTests.
        var foldIn = Assert.Throws<NotSupportedException>(() => recommender.FoldInNewItems([("u1", "brand-new-item")]));
        Assert.Contains("HistoryVector = Encoder", foldIn.Message);

        // On vectors no divide-and-conquer model produced, and with an encoder a stage cannot serve.
        var others = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(_keyed).Transform(_keyed);
        var noModel = Assert.Throws<ArgumentException>(() =>
            mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { HistoryVector = HistoryVector.Encoder }).Fit(others));
        Assert.Equal("HistoryVector", noModel.ParamName);
        Assert.Contains("does not come from a divide-and-conquer GraphEmbedding", noModel.Message);
        var userVector = Assert.Throws<ArgumentException>(() =>
            mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { HistoryVector = HistoryVector.Encoder }).Fit(DivideConquer(DivideConquerEncoder.UserVector).Transform(_keyed)));
        Assert.Contains("UserVector encoder", userVector.Message);
        var roundRobin = Assert.Throws<ArgumentOutOfRangeException>(() => mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { HistoryVector = HistoryVector.Encoder }));
        Assert.Equal("HistoryVector", roundRobin.ParamName);
        var historyMmr = Assert.Throws<ArgumentOutOfRangeException>(() =>
            mi.MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, HistoryVector = HistoryVector.Encoder }));
        Assert.Equal("HistoryVector", historyMmr.ParamName);
    }
}
