using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// History-interest MMR in an ML.NET pipeline (<see cref="MmrRetrieverEstimator.Options.Interests"/> = <see cref="MmrInterests.History"/>):
/// its lists are the engine's <see cref="HistoryInterestRetriever"/> lists, its fold-in follows the implicit-ALS stage, it saves
/// and loads with its settings, serves trained and new users live, and refuses ONNX export.
/// </summary>
public sealed class HistoryMmrMLNetTests : IClassFixture<HistoryMmrMLNetTests.World>, IDisposable
{
    private readonly World _w;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-history-mmr-").FullName;

    public HistoryMmrMLNetTests(World world) => _w = world;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The planted two-interest edges through key mapping, implicit ALS (its own objective), k-means, mixtures and history-interest MMR.</summary>
    public sealed class World
    {
        public World()
        {
            Ml = new MLContext(seed: 1);
            var mi = Ml.MultiInterest();
            Raw = Ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            Keys = MLNetTestData.KeyPipeline(Ml).Fit(Raw);
            Keyed = Keys.Transform(Raw);
            Embedding = mi.GraphEmbedding(AlsEmbedding()).Fit(Keyed);
            Embedded = Embedding.Transform(Keyed);
            KMeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(Embedded);
            Mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(KMeans.Transform(Embedded));
            Mixed = Mixture.Transform(KMeans.Transform(Embedded));
            Fitted = mi.MmrRetriever(Options()).Fit(Mixed);

            // The engine's inputs: the items with a vector (the stage's compact items, ascending keys) and the training graph over them.
            ItemRows = Embedding.ItemEmbeddings.Rows.ToArray();
            Items = Embedding.ItemEmbeddings.Vectors;
            UserVectors = Embedding.UserEmbeddings.ToDense();
            var users = MLNetTestData.Keys(Keyed, "User").Select(k => (int)k - 1).ToArray();
            var items = MLNetTestData.Keys(Keyed, "Item").Select(k => Array.BinarySearch(ItemRows, (int)k - 1)).ToArray();
            Graph = BipartiteGraph.FromEdges(UserVectors.Rows, Items.Rows, users, items);
            Trained = users.Distinct().Order().ToArray();
        }

        public MLContext Ml { get; }

        public IDataView Raw { get; }

        public ITransformer Keys { get; }

        public IDataView Keyed { get; }

        public GraphEmbeddingTransformer Embedding { get; }

        public IDataView Embedded { get; }

        public SphericalKMeansTransformer KMeans { get; }

        public KnnSmoothedMixtureTransformer Mixture { get; }

        public IDataView Mixed { get; }

        public CandidateRetrievalTransformer Fitted { get; }

        public int[] ItemRows { get; }

        public EmbeddingMatrix Items { get; }

        public EmbeddingMatrix UserVectors { get; }

        public BipartiteGraph Graph { get; }

        public int[] Trained { get; }

        /// <summary>The raw id of user row <paramref name="row"/> and of compact item <paramref name="item"/>.</summary>
        public string UserId(int row) => Embedding.UserIds[row];

        public string ItemId(int item) => Embedding.ItemIds[ItemRows[item]];

        /// <summary>The engine's options for the stage's settings: the ALS stage's fold-in and the estimator's splitting.</summary>
        public HistoryInterestOptions EngineOptions(int maxInterests = 3)
        {
            var o = HistoryInterestOptions.FromAls(Embedding.Als!);
            o.ItemsPerInterest = 3;
            o.MaxInterests = maxInterests;
            return o;
        }

        /// <summary>The engine's history-interest MMR with the stage's M, lambda, nu and pool.</summary>
        public RankedLists Engine(EmbeddingMatrix vectors, HistoryInterests interests, BipartiteGraph? exclusions) =>
            new HistoryInterestRetriever(Items).Retrieve(vectors, interests, exclusions, 5, lambda: 0.6, interestWeight: 0.3, poolSize: 12, threads: 1);
    }

    /// <summary>Implicit ALS with an objective of its own (not the fold-in defaults), so following it is visible.</summary>
    private static GraphEmbeddingTrainer.Options AlsEmbedding() => new()
    {
        Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1,
        Als = new ImplicitAlsOptions { Regularization = 0.05, RegularizationExponent = 0.5, UnobservedWeight = 0.1, Iterations = 6 },
    };

    private static MmrRetrieverEstimator.Options Options() => new()
    {
        Candidates = 5, Lambda = 0.6, PoolSize = 12, InterestWeight = 0.3, Interests = MmrInterests.History, ItemsPerInterest = 3, MaxInterests = 3, Threads = 1,
    };

    private int[] CompactList(CandidateRetrievalTransformer retriever, int userRow) =>
        retriever.GetCandidates((uint)userRow + 1).ItemKeys.Select(k => Array.BinarySearch(_w.ItemRows, (int)k - 1)).ToArray();

    [Fact]
    public void FittedListsAndTransform_AreTheEnginesLists_WithTheAlsStagesObjective()
    {
        var als = _w.Embedding.Als;
        Assert.NotNull(als);
        Assert.Equal((0.05, 0.5, 0.1), (als.Regularization, als.RegularizationExponent, als.UnobservedWeight));
        var settings = _w.Fitted.Settings;
        Assert.Equal(MmrInterests.History, settings.Interests);
        Assert.Equal((0.05, 0.5, 0.1), (settings.FoldInRegularization, settings.FoldInRegularizationExponent, settings.FoldInUnobservedWeight));

        var interests = HistoryInterests.Build(_w.Graph, _w.Items, _w.Trained, _w.EngineOptions(), threads: 1);
        Assert.Contains(_w.Trained.Select((_, q) => interests.InterestCount(q)), c => c > 1);
        var engine = _w.Engine(_w.UserVectors, interests, _w.Graph);
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            int u = _w.Trained[q];
            Assert.Equal(engine.IndicesOf(q).ToArray(), CompactList(_w.Fitted, u));
            Assert.Equal(engine.ScoresOf(q).ToArray(), _w.Fitted.GetCandidates((uint)u + 1).Scores);
        }

        // Transform appends each row's list: its user's.
        var rows = ServingWorld.Read(_w.Fitted.Transform(_w.Mixed));
        var userKeys = MLNetTestData.Keys(_w.Mixed, "User");
        for (int r = 0; r < rows.Count; r++)
        {
            int q = Array.BinarySearch(_w.Trained, (int)userKeys[r] - 1);
            Assert.Equal(engine.IndicesOf(q).ToArray().Select(_w.ItemId), rows[r].Items);
            Assert.Equal(engine.ScoresOf(q).ToArray(), rows[r].Scores);
            Assert.Equal("Trained", rows[r].Source);
        }

        // Not the mixture's multi-interest MMR with the same settings: the interests and the pool are the history's.
        var clusters = _w.Ml.MultiInterest().MmrRetriever(candidates: 5, lambda: 0.6, poolSize: 12, interestWeight: 0.3).Fit(_w.Mixed);
        Assert.Contains(_w.Trained, u => !CompactList(clusters, u).SequenceEqual(CompactList(_w.Fitted, u)));
    }

    [Fact]
    public void FoldIn_FollowsTheAlsStage_UnlessGiven_AndIsFittedToTheUserVectorsWithoutAls()
    {
        var mi = _w.Ml.MultiInterest();
        var o = Options();
        o.FoldInRegularization = 0.2;
        var given = mi.MmrRetriever(o).Fit(_w.Embedded).Settings;
        Assert.Equal((0.2, 0.5, 0.1), (given.FoldInRegularization, given.FoldInRegularizationExponent, given.FoldInUnobservedWeight));
        Assert.False(given.FoldInMatchUserVectors);
        Assert.False(_w.Fitted.Settings.FoldInMatchUserVectors);

        // Negative sampling: no objective on the item embedding column and none given, so the fold-in is fitted to the user
        // vectors (HistoryInterestOptions.MatchUserVectors); no mixture columns needed either.
        var sgd = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(_w.Keyed);
        Assert.Null(sgd.Als);
        var embedded = sgd.Transform(_w.Keyed);
        var messages = new List<string>();
        EventHandler<Microsoft.ML.LoggingEventArgs> listen = (_, e) => messages.Add(e.Message);
        _w.Ml.Log += listen;
        var fitted = mi.MmrRetriever(Options()).Fit(embedded);
        _w.Ml.Log -= listen;
        var plain = fitted.Settings;
        Assert.True(plain.FoldInMatchUserVectors);
        // The log says what the fit chose.
        Assert.Contains(messages, m => m.Contains($"The fold-in fitted to the user vectors: lambda {plain.FoldInRegularization}, alpha0 {plain.FoldInUnobservedWeight}.", StringComparison.Ordinal));
        Assert.Equal(MmrInterests.History, plain.Interests);

        // Its lists are the engine's with MatchUserVectors over the same users (all trained users, ascending), and a save and
        // load refits the same objective.
        var itemRows = sgd.ItemEmbeddings.Rows.ToArray();
        var items = sgd.ItemEmbeddings.Vectors;
        var userVectors = sgd.UserEmbeddings.ToDense();
        var users = MLNetTestData.Keys(embedded, "User").Select(k => (int)k - 1).ToArray();
        var edgeItems = MLNetTestData.Keys(embedded, "Item").Select(k => Array.BinarySearch(itemRows, (int)k - 1)).ToArray();
        var graph = BipartiteGraph.FromEdges(userVectors.Rows, items.Rows, users, edgeItems);
        var trained = users.Distinct().Order().ToArray();
        var options = new HistoryInterestOptions { ItemsPerInterest = 3, MaxInterests = 3, MatchUserVectors = true };
        var interests = HistoryInterests.Build(graph, items, trained, options, threads: 1, userEmbeddings: userVectors);
        var engine = new HistoryInterestRetriever(items).Retrieve(userVectors, interests, graph, 5, lambda: 0.6, interestWeight: 0.3, poolSize: 12, threads: 1);
        string path = Path.Combine(_directory, "matched.zip");
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, sgd, fitted), _w.Raw.Schema, path);
        // Fit records the fitted objective (the engine's calibration over the trained users), so a load does not fit it again.
        var calibrated = new HistoryInterestBuilder(items, new HistoryInterestOptions { ItemsPerInterest = 3, MaxInterests = 3, MatchUserVectors = true }, 1)
            .MatchedTo(graph, userVectors, 1).Options;
        Assert.True(plain.FoldInFitted);
        Assert.Equal((calibrated.Regularization, calibrated.UnobservedWeight), (plain.FoldInRegularization, plain.FoldInUnobservedWeight));
        Assert.False(given.FoldInFitted);
        using var model = MultiInterestModel.Load(_w.Ml, path);
        Assert.Equal(plain, model.ServingStage.Settings);
        // A model saved before the fitted values were recorded (FoldInFitted false, the defaults' objective) fits them again
        // on load, to the same values and lists.
        var older = new LiveRetriever(model.CreateServingTables(plain with
        {
            FoldInFitted = false, FoldInRegularization = HistoryInterestDefaults.Regularization, FoldInUnobservedWeight = HistoryInterestDefaults.UnobservedWeight,
        }), threads: 1);
        Assert.Equal(plain, older.Settings);
        var rows = Enumerable.Range(0, older.Tables.UserCount).Where(older.Tables.IsTrained).ToArray();
        var olderLists = older.RetrieveTrained(rows, threads: 1);
        var fittedLists = model.Live().RetrieveTrained(rows, threads: 1);
        for (int q = 0; q < fittedLists.QueryCount; q++) Assert.Equal(fittedLists.IndicesOf(q).ToArray(), olderLists.IndicesOf(q).ToArray());
        var loaded = model.RetrieveWithEngine(trained, threads: 1);
        for (int q = 0; q < trained.Length; q++)
        {
            var keys = fitted.GetCandidates((uint)trained[q] + 1).ItemKeys.Select(k => Array.BinarySearch(itemRows, (int)k - 1)).ToArray();
            Assert.Equal(engine.IndicesOf(q).ToArray(), keys);
            Assert.Equal(fitted.GetCandidates((uint)trained[q] + 1).ItemKeys.Select(k => (int)k - 1), loaded.IndicesOf(q).ToArray());
        }
    }

    [Fact]
    public void SaveAndLoad_KeepTheSettings_AndGiveTheSameLists()
    {
        string path = Path.Combine(_directory, "history-mmr.zip");
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.KMeans, _w.Mixture, _w.Fitted), _w.Raw.Schema, path);

        // ML.NET's own chain looks the saved lists up.
        var fittedChain = new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.KMeans, _w.Mixture, _w.Fitted);
        var expected = ServingWorld.Read(fittedChain.Transform(_w.Raw));
        var loaded = TestModels.Load(_w.Ml, path);
        using var loadedFiles = loaded as IDisposable;   // ML.NET's OnnxTransformer keeps temp copies of the graphs until disposed
        var loadedChain = ServingWorld.Read(loaded.Transform(_w.Raw));
        Assert.Equal(expected.Select(r => r.Items), loadedChain.Select(r => r.Items));
        Assert.Equal(expected.Select(r => r.Scores), loadedChain.Select(r => r.Scores));

        // The typed model keeps the settings and retrieves the same lists with the engine, live and by RetrieveWithEngine.
        using var model = MultiInterestModel.Load(_w.Ml, path);
        Assert.Equal(_w.Fitted.Settings, model.ServingStage.Settings);
        var engine = model.RetrieveWithEngine(_w.Trained, threads: 1);
        var recommender = _w.Ml.MultiInterest().CreateRecommender(model);
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            int u = _w.Trained[q];
            var (keys, scores) = _w.Fitted.GetCandidates((uint)u + 1);
            Assert.Equal(keys.Select(k => (int)k - 1), engine.IndicesOf(q).ToArray());
            Assert.Equal(scores, engine.ScoresOf(q).ToArray());
            var live = recommender.Recommend(_w.UserId(u));
            Assert.Equal(keys.Select(k => _w.Embedding.ItemIds[(int)k - 1]), live.Items.Select(i => i.ItemId));
            Assert.Equal(scores, live.Items.Select(i => i.Score));
        }
    }

    [Fact]
    public void ClusteredPool_ProbingEveryList_GivesTheExactLists_AndSavesAndLoads()
    {
        var mi = _w.Ml.MultiInterest();
        var o = Options();
        (o.PoolSearch, o.PoolLists, o.PoolProbes, o.PoolUserProbes) = (HistoryPoolSearch.Clustered, 3, 3, 3);
        var all = mi.MmrRetriever(o).Fit(_w.Mixed);
        var s = all.Settings;
        Assert.Equal((HistoryPoolSearch.Clustered, 3, 3, 3, false), (s.PoolSearch, s.PoolLists, s.PoolProbes, s.PoolUserProbes, s.PoolHistoryLists));
        foreach (int u in _w.Trained) Assert.Equal(CompactList(_w.Fitted, u), CompactList(all, u));

        // One probe of three lists: a saved and loaded model builds the same lists again and serves the fitted lists.
        (o.PoolProbes, o.PoolUserProbes) = (1, 1);
        using var model = SavedLoadedAndServed(mi.MmrRetriever(o).Fit(_w.Mixed), "clustered-pool.zip");
    }

    /// <summary>
    /// Saves the chain ending in <paramref name="stage"/>, loads it as a typed model, and checks that the settings survived
    /// and that the engine serves the fitted lists.
    /// </summary>
    private MultiInterestModel SavedLoadedAndServed(CandidateRetrievalTransformer stage, string fileName)
    {
        string path = Path.Combine(_directory, fileName);
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.KMeans, _w.Mixture, stage), _w.Raw.Schema, path);
        var model = MultiInterestModel.Load(_w.Ml, path);
        Assert.Equal(stage.Settings, model.ServingStage.Settings);
        var engine = model.RetrieveWithEngine(_w.Trained, threads: 1);
        for (int q = 0; q < _w.Trained.Length; q++)
            Assert.Equal(stage.GetCandidates((uint)_w.Trained[q] + 1).ItemKeys.Select(k => (int)k - 1), engine.IndicesOf(q).ToArray());
        return model;
    }

    [Fact]
    public void UnimodalPool_ReordersUnimodalsList_SavesAndLoads_AndServesTheSameListsLiveAndByOnnx()
    {
        var o = Options();
        (o.PoolSearch, o.PoolSize) = (HistoryPoolSearch.Unimodal, o.Candidates);
        var reordering = _w.Ml.MultiInterest().MmrRetriever(o).Fit(_w.Mixed);
        Assert.Equal(HistoryPoolSearch.Unimodal, reordering.Settings.PoolSearch);

        // Each list holds Unimodal's top M, in another order (the interests re-rank, they add nothing).
        var unimodal = new UnimodalRetriever(_w.Items).Retrieve(_w.UserVectors, _w.Trained, _w.Graph, o.Candidates, threads: 1);
        bool reordered = false;
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            var list = CompactList(reordering, _w.Trained[q]);
            Assert.Equal(unimodal.IndicesOf(q).ToArray().Order(), list.Order());
            reordered |= !unimodal.IndicesOf(q).SequenceEqual(list);
        }
        Assert.True(reordered, "no list was re-ordered");

        using var model = SavedLoadedAndServed(reordering, "unimodal-pool.zip");
        var engine = model.RetrieveWithEngine(_w.Trained, threads: 1);

        // ONNX Runtime serves it too: the manifest says the interests' candidates are not merged, and the lists are the engine's.
        string directory = Path.Combine(_directory, "unimodal-pool-onnx");
        Assert.True(model.ExportOnnx(directory).UnimodalPool);
        using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxHistoryMmrScorer.Open(directory, batchSize: 4);
        var onnx = scorer.Retrieve(_w.Trained, model.TrainingHistory());
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), onnx.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), onnx.ScoresOf(q).ToArray());
        }
        var recommender = _w.Ml.MultiInterest().CreateRecommender(model);
        int[] history = [.. _w.Graph.ItemsOf(_w.Trained[0]).ToArray().Take(4), .. _w.Graph.ItemsOf(_w.Trained[5]).ToArray().Take(3)];
        var fresh = scorer.RetrieveFromHistories([history.Select(i => _w.ItemRows[i]).ToArray()]);
        var live = recommender.Recommend("someone-new", history.Select(_w.ItemId));
        Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(0).ToArray().Select(r => _w.Embedding.ItemIds[r]));
        Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(0).ToArray());
    }

    [Fact]
    public void AModelSavedBeforeTheSetting_LoadsWithClusterInterestsAndTheDefaults()
    {
        using var model = MultiInterestModel.Load(new MLContext(seed: 1), Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", "format1-wide-keys-quota.zip"));
        var settings = model.ServingStage.Settings;
        var defaults = new RetrievalSettings();
        Assert.Equal(MmrInterests.Clusters, settings.Interests);
        Assert.Equal(defaults.History().ItemsPerInterest, settings.ItemsPerInterest);
        Assert.Equal(HistoryPoolSearch.Exact, settings.PoolSearch);
        Assert.Equal(defaults with { Query = settings.Query, Beta = settings.Beta, HeadShare = settings.HeadShare }, settings);
    }

    [Fact]
    public void Recommend_TrainedUserWithFreshHistory_AndNewUser_AreTheEnginesLists()
    {
        var mi = _w.Ml.MultiInterest();
        string path = Path.Combine(_directory, "live.zip");
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.Fitted), _w.Raw.Schema, path);
        using var reloaded = MultiInterestModel.Load(_w.Ml, path);
        var recommenders = new[] { mi.CreateRecommender(_w.Fitted), mi.CreateRecommender(reloaded) };
        var options = _w.EngineOptions();

        // A trained user with fresh items: read from its whole history (training items and fresh ones) as a new user with that
        // history is (its interests, the whole history's fold-in as its own vector), both excluded; its list stays Trained.
        int user = _w.Trained[2];
        int[] fresh = Enumerable.Range(0, _w.Items.Rows).Where(i => !_w.Graph.Contains(user, i)).Take(2).ToArray();
        int[] seen = [.. _w.Graph.ItemsOf(user).ToArray().Concat(fresh).Order()];
        var wholeHistory = BipartiteGraph.FromEdges(1, _w.Items.Rows, new int[seen.Length], seen);
        var wholeVector = new EmbeddingMatrix(1, _w.Items.Dimension,
            HistoryInterests.Build(wholeHistory, _w.Items, [0], _w.EngineOptions(maxInterests: 1), threads: 1).Vectors(0).ToArray());
        var trained = _w.Engine(wholeVector, HistoryInterests.Build(wholeHistory, _w.Items, [0], options, threads: 1), wholeHistory);
        var exclusions = BipartiteGraph.FromEdges(_w.UserVectors.Rows, _w.Items.Rows, Enumerable.Repeat(user, seen.Length).ToArray(), seen);
        var asTrained = _w.Engine(_w.UserVectors, HistoryInterests.Build(_w.Graph, _w.Items, [user], options, threads: 1), exclusions);
        Assert.NotEqual(asTrained.IndicesOf(0).ToArray(), trained.IndicesOf(0).ToArray()); // the re-read changes this user's list
        foreach (var recommender in recommenders)
        {
            var list = recommender.Recommend(_w.UserId(user), fresh.Select(_w.ItemId));
            Assert.Equal(CandidateSource.Trained, list.Source);
            Assert.Equal(trained.IndicesOf(0).ToArray().Select(_w.ItemId), list.Items.Select(i => i.ItemId));
            Assert.Equal(trained.ScoresOf(0).ToArray(), list.Items.Select(i => i.Score));
        }
        Assert.DoesNotContain(trained.IndicesOf(0).ToArray(), fresh.Contains);

        // A new user: the interests of its history and, as its own vector, the fold-in of the whole history (one interest).
        int[] history = [.. _w.Graph.ItemsOf(_w.Trained[0]).ToArray().Take(4), .. _w.Graph.ItemsOf(_w.Trained[5]).ToArray().Take(3)];
        var one = BipartiteGraph.FromEdges(1, _w.Items.Rows, new int[history.Length], history);
        var whole = HistoryInterests.Build(one, _w.Items, [0], _w.EngineOptions(maxInterests: 1), threads: 1);
        var vector = new EmbeddingMatrix(1, _w.Items.Dimension, whole.Vectors(0).ToArray());
        var interests = HistoryInterests.Build(one, _w.Items, [0], options, threads: 1);
        Assert.True(interests.InterestCount(0) > 1);
        var cold = _w.Engine(vector, interests, one);
        foreach (var recommender in recommenders)
        {
            var list = recommender.Recommend("someone-new", history.Select(_w.ItemId));
            Assert.Equal(CandidateSource.History, list.Source);
            Assert.Equal(cold.IndicesOf(0).ToArray().Select(_w.ItemId), list.Items.Select(i => i.ItemId));
            Assert.Equal(cold.ScoresOf(0).ToArray(), list.Items.Select(i => i.Score));
            Assert.Empty(list.Items.Select(i => i.ItemId).Intersect(history.Select(_w.ItemId)));
        }
    }

    [Fact]
    public void ExportOnnx_ServesTheEnginesLists_WithTheExactAndTheClusteredPool()
    {
        string path = Path.Combine(_directory, "onnx.zip");
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.KMeans, _w.Mixture, _w.Fitted), _w.Raw.Schema, path);
        using var model = MultiInterestModel.Load(_w.Ml, path);
        string directory = Path.Combine(_directory, "onnx");
        var manifest = model.ExportOnnx(directory);
        Assert.Equal(Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.HistoryMmrRetrieval, manifest.Retrieval);
        using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxHistoryMmrScorer.Open(directory, batchSize: 5);
        int[] users = [.. _w.Trained, _w.Trained[3]];
        var onnx = scorer.Retrieve(users, model.TrainingHistory());
        var engine = model.RetrieveWithEngine(users, threads: 1);
        Assert.Equal(engine.Counts, onnx.Counts);
        for (int q = 0; q < users.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), onnx.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), onnx.ScoresOf(q).ToArray());
            Assert.Equal(_w.Fitted.GetCandidates((uint)users[q] + 1).ItemKeys.Select(k => (int)k - 1), onnx.IndicesOf(q).ToArray());
        }
        Assert.True(scorer.ProvedFromCandidates > users.Length, $"{scorer.ProvedFromCandidates} vector rankings proved");

        // Users known by a fresh history only: the live recommender's lists (its fold-in and interests of the history), bit for bit.
        var recommender = _w.Ml.MultiInterest().CreateRecommender(model);
        int[][] histories = [[.. _w.Graph.ItemsOf(_w.Trained[0]).ToArray().Take(4), .. _w.Graph.ItemsOf(_w.Trained[5]).ToArray().Take(3)],
            [.. _w.Graph.ItemsOf(_w.Trained[2]).ToArray().Take(2)], [.. _w.Graph.ItemsOf(_w.Trained[7]).ToArray()], []];
        var fresh = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h.Select(i => _w.ItemRows[i]).ToArray())]);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", histories[q].Select(_w.ItemId));
            if (histories[q].Length == 0)
            {
                // No interests and a zero fold-in: no list (the recommender gives the popular items), not the catalogue in row order.
                Assert.Equal(CandidateSource.Popular, live.Source);
                Assert.Equal(0, fresh.Counts[q]);
                continue;
            }
            Assert.Equal(CandidateSource.History, live.Source);
            Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(r => _w.Embedding.ItemIds[r]));
            Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
        }
        // The other scorers refuse the directory, naming the one that opens it.
        Assert.Contains("OnnxHistoryMmrScorer", Assert.Throws<NotSupportedException>(() => Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory)).Message);

        // A clustered pool: its lists go into the directory, and ONNX Runtime's rankings of the lists each user searches are the
        // engine's clustered search's, so the lists are the model's own, for trained users and fresh histories alike.
        var o = Options();
        o.PoolSearch = HistoryPoolSearch.Clustered;
        o.PoolLists = 8;
        o.PoolHistoryLists = true;
        var clustered = _w.Ml.MultiInterest().MmrRetriever(o).Fit(_w.Mixed);
        string clusteredPath = Path.Combine(_directory, "clustered.zip");
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.KMeans, _w.Mixture, clustered), _w.Raw.Schema, clusteredPath);
        using var clusteredModel = MultiInterestModel.Load(_w.Ml, clusteredPath);
        string clusteredDirectory = Path.Combine(_directory, "clustered-onnx");
        var clusteredManifest = clusteredModel.ExportOnnx(clusteredDirectory);
        Assert.Equal((8, 1, true), (clusteredManifest.PoolListCount, clusteredManifest.PoolProbes, clusteredManifest.PoolHistoryLists));
        using var clusteredScorer = Microsoft.ML.MultiInterest.Onnx.OnnxHistoryMmrScorer.Open(clusteredDirectory, batchSize: 3);
        var clusteredEngine = clusteredModel.RetrieveWithEngine(users, threads: 1);
        Microsoft.ML.MultiInterest.Tests.Onnx.EngineLists.AssertIdentical(clusteredEngine, clusteredScorer.Retrieve(users, clusteredModel.TrainingHistory()));
        // The pool differs from the exact one somewhere (or the test would not tell the two apart).
        Assert.Contains(Enumerable.Range(0, users.Length), q => !engine.IndicesOf(q).SequenceEqual(clusteredEngine.IndicesOf(q)));
        var clusteredRecommender = _w.Ml.MultiInterest().CreateRecommender(clusteredModel);
        var clusteredFresh = clusteredScorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h.Select(i => _w.ItemRows[i]).ToArray())]);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = clusteredRecommender.Recommend("someone-new", histories[q].Select(_w.ItemId));
            if (histories[q].Length == 0)
            {
                Assert.Equal(0, clusteredFresh.Counts[q]);
                continue;
            }
            Assert.Equal(live.Items.Select(i => i.ItemId), clusteredFresh.IndicesOf(q).ToArray().Select(r => _w.Embedding.ItemIds[r]));
            Assert.Equal(live.Items.Select(i => i.Score), clusteredFresh.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void BadOptions_AreRefusedNamingTheOption()
    {
        var mi = new MLContext(seed: 1).MultiInterest();
        string Refused(Action<MmrRetrieverEstimator.Options> set) => StageRefusals.RefusedOption(Options, set, mi.MmrRetriever);

        Assert.Equal("ItemsPerInterest", Refused(o => o.ItemsPerInterest = 0));
        Assert.Equal("MaxInterests", Refused(o => o.MaxInterests = 65));
        Assert.Equal("InterestIterations", Refused(o => o.InterestIterations = 0));
        Assert.Equal("InterestWeight", Refused(o => o.InterestWeight = -0.5));
        Assert.Equal("FoldInRegularization", Refused(o => o.FoldInRegularization = -1));
        Assert.Equal("FoldInRegularizationExponent", Refused(o => o.FoldInRegularizationExponent = double.NaN));
        Assert.Equal("FoldInUnobservedWeight", Refused(o => o.FoldInUnobservedWeight = double.PositiveInfinity));
        Assert.Equal("FoldInRegularization", Refused(o => (o.FoldInRegularization, o.FoldInUnobservedWeight) = (0, 0)));
        Assert.Equal("Interests", Refused(o => o.Interests = (MmrInterests)7));
        Assert.Equal("PoolSearch", Refused(o => o.PoolSearch = (HistoryPoolSearch)7));
        Assert.Equal("PoolLists", Refused(o => o.PoolLists = -1));
        Assert.Equal("PoolProbes", Refused(o => o.PoolProbes = 0));
        Assert.Equal("PoolUserProbes", Refused(o => o.PoolUserProbes = -1));
        Assert.Equal("PoolProbes", Refused(o => (o.PoolProbes, o.PoolHistoryLists) = (-1, true)));
    }

    [Fact]
    public void TheCatalogShortcut_IsTheHistoryStage_WithTheValidatedSettings()
    {
        var mi = _w.Ml.MultiInterest();
        var shortcut = mi.HistoryInterestMmr(candidates: 5).Fit(_w.Embedded);
        var full = mi.MmrRetriever(new MmrRetrieverEstimator.Options
        {
            Candidates = 5, Interests = MmrInterests.History, Lambda = HistoryInterestDefaults.MmrLambda, InterestWeight = HistoryInterestDefaults.InterestWeight,
        }).Fit(_w.Embedded);
        Assert.Equal(MmrInterests.History, shortcut.Settings.Interests);
        Assert.Equal((0.75, 0.5), (shortcut.Settings.MmrLambda, shortcut.Settings.InterestWeight));
        Assert.Equal(full.Settings, shortcut.Settings);
        foreach (int u in _w.Trained) Assert.Equal(full.GetCandidates((uint)u + 1).ItemKeys, shortcut.GetCandidates((uint)u + 1).ItemKeys);
    }

    [Fact]
    public void ThePipelinePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        {
            #region HistoryMmr
            var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 16))   // the fold-in follows its objective
                .Append(mi.HistoryInterestMmr(candidates: 10));   // lambda 0.75, nu 0.5: chosen on cit-HepPh's validation split
            var model = pipeline.Fit(train);

            var recommender = mi.CreateRecommender(model);
            RecommendationList known = recommender.Recommend("u1");                      // Trained: its vector and its history's interests
            RecommendationList cold = recommender.Recommend("new-user", ["i3", "i7"]);   // History: the fold-in of i3, i7 and their interests
            #endregion
            Assert.Equal(CandidateSource.Trained, known.Source);
            Assert.Equal(CandidateSource.History, cold.Source);
            Assert.Equal(10, known.Items.Count);
        }

        AssertRegionIsOnThePipelinePage("HistoryMmr");
    }

    [Fact]
    public void ThePipelinePageSnippetChoosingLambda_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MLNetTestData.WiderEdges());
        var mi = ml.MultiInterest();
        {
            #region HistoryMmrChosenLambda
            var embedding = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { KeepHoldout = true }))   // Auto, keeping the hold-out it chose on
                .Fit(train);
            var vectors = (GraphEmbeddingTransformer)embedding.LastTransformer;
            var row = new HistoryMmrRowSettings   // nu 0.5, six interests; the fold-in the stage will use
            {
                Interests = vectors.Als is { } als ? HistoryInterestOptions.FromAls(als) : new HistoryInterestOptions { MatchUserVectors = true },
            };
            HistoryMmrLambdaChoice choice = HistoryMmrLambdaSelection.Choose(vectors.Holdout!, row);   // this graph's lambda, test data unseen
            var model = embedding.Append(mi.HistoryInterestMmr(candidates: 10, lambda: choice.Lambda, poolSize: choice.PoolFor(10)).Fit(embedding.Transform(train)));
            #endregion
            Assert.Contains(choice.Lambda, HistoryInterestDefaults.SelectionLambdas);
            Assert.Equal(10, mi.CreateRecommender(model).Recommend("u1").Items.Count);
        }

        AssertRegionIsOnThePipelinePage("HistoryMmrChosenLambda");
    }

    /// <summary>The code of <c>#region name</c> in this file, de-indented, appears verbatim in docs/pipeline.md.</summary>
    private static void AssertRegionIsOnThePipelinePage(string name)
    {
        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(HistoryMmrMLNetTests) + ".cs"), name, "docs/pipeline.md");
    }
}
