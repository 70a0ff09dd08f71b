using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="RetrieverOptions.HistoryVector"/>: a new user's vector is its history's implicit-ALS fold-in on ALS vectors
/// (Auto), the mean where asked or where the vectors carry no ALS objective, and every serving path reads it alike.
/// </summary>
public sealed class HistoryVectorTests : IDisposable
{
    private static readonly ImplicitAlsOptions Als = new() { Iterations = 6, Regularization = 0.05, UnobservedWeight = 0.05 };

    // Histories of item rows (= item key - 1: every item of the planted graph has edges), one with a repeat.
    private static readonly int[][] Histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], [4, 4, 10]];

    private readonly MLContext _ml = new(seed: 1);
    private readonly ITransformer _keys;
    private readonly IDataView _raw;
    private readonly GraphEmbeddingTransformer _embedding;
    private readonly IDataView _embedded;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-history-vector-").FullName;

    public HistoryVectorTests()
    {
        _raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        _keys = MLNetTestData.KeyPipeline(_ml).Fit(_raw);
        var keyed = _keys.Transform(_raw);
        _embedding = _ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1, Seed = 3, Als = Als,
        }).Fit(keyed);
        _embedded = _embedding.Transform(keyed);
        Assert.True(_embedding.ItemEmbeddings.IsDense); // item rows are the stages' compact items
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private EmbeddingMatrix Items => _embedding.ItemEmbeddings.DenseView();

    private string ItemId(int row) => _embedding.ItemIds[row];

    /// <summary>The history's vectors as the option says: the fold-in with the embedding's objective, or the mean.</summary>
    private EmbeddingMatrix Expected(HistoryVector read)
    {
        var vectors = new EmbeddingMatrix(Histories.Length, Items.Dimension);
        var foldIn = new InterestFoldIn(Items, HistoryInterestOptions.FromAls(Als), threads: 1);
        for (int q = 0; q < Histories.Length; q++)
        {
            int[] set = [.. Histories[q].Distinct().Order()];
            if (read == HistoryVector.FoldIn) foldIn.SolveWhole(set).CopyTo(vectors.Row(q));
            else Items.MeanOf(set, vectors.Row(q));
        }
        return vectors;
    }

    private BipartiteGraph HistoryGraph() =>
        BipartiteGraph.FromEdges(Histories.Length, Items.Rows, [.. Histories.SelectMany((h, q) => h.Select(_ => q))], [.. Histories.SelectMany(h => h)]);

    private static void AssertServes(MultiInterestRecommender recommender, RankedLists expected, Func<int, string> itemId)
    {
        for (int q = 0; q < Histories.Length; q++)
        {
            var list = recommender.Recommend("someone-new", Histories[q].Select(itemId));
            Assert.Equal(CandidateSource.History, list.Source);
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(itemId), list.Items.Select(r => r.ItemId));
            Assert.Equal(expected.ScoresOf(q).ToArray(), list.Items.Select(r => r.Score));
        }
    }

    [Fact]
    public void OnAlsVectors_AutoServesANewUserByItsHistorysFoldIn_AndMeanByTheMean()
    {
        var mi = _ml.MultiInterest();
        var auto = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6 }).Fit(_embedded);
        var mean = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6, HistoryVector = HistoryVector.Mean }).Fit(_embedded);
        var search = new UnimodalRetriever(Items);
        int[] entries = [.. Enumerable.Range(0, Histories.Length)];
        var byFoldIn = search.Retrieve(Expected(HistoryVector.FoldIn), entries, HistoryGraph(), 6, threads: 1);
        var byMean = search.Retrieve(Expected(HistoryVector.Mean), entries, HistoryGraph(), 6, threads: 1);
        AssertServes(mi.CreateRecommender(auto), byFoldIn, ItemId);
        AssertServes(mi.CreateRecommender(mean), byMean, ItemId);
        // The two reads rank differently here, so the assertions above tell them apart.
        Assert.Contains(entries, q => !byFoldIn.IndicesOf(q).SequenceEqual(byMean.IndicesOf(q)));
        // The trained users' lists do not depend on it.
        for (uint key = 1; key <= auto.UserCount; key++) Assert.Equal(mean.GetCandidates(key).ItemKeys, auto.GetCandidates(key).ItemKeys);
    }

    [Fact]
    public void TheFoldInIsSaved_AndTheZipAndItsOnnxDirectoriesServeNewUsersAsTheFittedStage()
    {
        var mi = _ml.MultiInterest();
        var clustered = mi.SphericalKMeans(numberOfClusters: 4).Fit(_embedded);
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered.Transform(_embedded));
        var mixed = mixture.Transform(clustered.Transform(_embedded));
        var stages = new (string Name, CandidateRetrievalTransformer Fitted)[]
        {
            ("unimodal", mi.UnimodalRetriever(candidates: 5).Fit(_embedded)),
            ("quota", mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, Query = QuotaQuery.Blend }).Fit(mixed)),
            ("mmr", mi.MmrRetriever(candidates: 5, lambda: 0.6, poolSize: 10).Fit(_embedded)),
        };
        foreach (var (name, fitted) in stages)
        {
            var chain = new TransformerChain<ITransformer>(_keys, _embedding, clustered, mixture, fitted);
            string path = Path.Combine(_directory, name + ".zip");
            _ml.Model.Save(chain, _raw.Schema, path);
            using var model = MultiInterestModel.Load(_ml, path);
            var settings = model.ServingStage.Settings;
            Assert.Equal(HistoryVector.FoldIn, settings.HistoryVector);
            Assert.Equal((Als.Regularization, Als.RegularizationExponent, Als.UnobservedWeight),
                (settings.FoldInRegularization, settings.FoldInRegularizationExponent, settings.FoldInUnobservedWeight));
            var fittedRecommender = mi.CreateRecommender(chain);
            var loadedRecommender = mi.CreateRecommender(model);
            string onnx = Path.Combine(_directory, name + "-onnx");
            var manifest = model.ExportOnnx(onnx);
            Assert.NotNull(manifest.HistoryFoldIn);
            Assert.Equal(Items.Rows, manifest.HistoryFoldInItems);
            Func<IReadOnlyList<IReadOnlyList<int>>, RankedLists> serveOnnx;
            IDisposable scorer;
            if (name == "mmr")
            {
                var mmr = OnnxMmrScorer.Open(onnx, batchSize: 3);
                (scorer, serveOnnx) = (mmr, h => mmr.RetrieveFromHistories(h));
            }
            else
            {
                var candidates = OnnxCandidateScorer.Open(onnx, batchSize: 3);
                scorer = candidates;
                serveOnnx = name == "quota" ? h => candidates.RetrieveClusterQuotaFromHistories(h) : h => candidates.RetrieveUnimodalFromHistories(h);
            }
            using (scorer)
            {
                var fromOnnx = serveOnnx([.. Histories.Select(h => (IReadOnlyList<int>)h)]);
                for (int q = 0; q < Histories.Length; q++)
                {
                    var live = fittedRecommender.Recommend("someone-new", Histories[q].Select(ItemId));
                    var loaded = loadedRecommender.Recommend("someone-new", Histories[q].Select(ItemId));
                    Assert.Equal(live.Items.Select(r => r.ItemId), loaded.Items.Select(r => r.ItemId));
                    Assert.Equal(live.Items.Select(r => r.Score), loaded.Items.Select(r => r.Score));
                    Assert.Equal(live.Items.Select(r => r.ItemId), fromOnnx.IndicesOf(q).ToArray().Select(ItemId));
                    Assert.Equal(live.Items.Select(r => r.Score), fromOnnx.ScoresOf(q).ToArray());
                }
            }
        }
    }

    [Fact]
    public void ATrainedUserWithFreshHistory_IsReadFromItsWholeHistory_WhereTheStageFoldsIn_AsOnnxReadsThatHistory()
    {
        var mi = _ml.MultiInterest();
        var unimodal = mi.UnimodalRetriever(candidates: 5).Fit(_embedded);
        var byMean = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Mean }).Fit(_embedded);
        var clustered = mi.SphericalKMeans(numberOfClusters: 4).Fit(_embedded);
        var mixed = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered.Transform(_embedded)).Transform(clustered.Transform(_embedded));
        var quota = mi.ClusterQuotaRetriever(candidates: 5).Fit(mixed);
        Assert.True(mi.CreateRecommender(unimodal).RereadsTrainedUsers);
        Assert.True(mi.CreateRecommender(mi.MmrRetriever(candidates: 5, lambda: 0.6, poolSize: 10).Fit(_embedded)).RereadsTrainedUsers);
        Assert.False(mi.CreateRecommender(byMean).RereadsTrainedUsers);
        Assert.False(mi.CreateRecommender(quota).RereadsTrainedUsers); // its kNN-smoothed mixture is kept

        // User u3 with two items it had not engaged with: its vector is the fold-in of all its items, all of them excluded.
        var ids = _embedding.ItemIds.ToList();
        int[] trained = [.. MLNetTestData.Edges().Where(e => e.User == "u3").Select(e => ids.IndexOf(e.Item))];
        int[] fresh = [.. Enumerable.Range(0, Items.Rows).Where(i => !trained.Contains(i)).Take(2)];
        int[] whole = [.. trained.Concat(fresh).Distinct().Order()];
        var wholeGraph = BipartiteGraph.FromEdges(1, Items.Rows, new int[whole.Length], whole);
        var vector = new EmbeddingMatrix(1, Items.Dimension, new InterestFoldIn(Items, HistoryInterestOptions.FromAls(Als), threads: 1).SolveWhole(whole));
        var expected = new UnimodalRetriever(Items).Retrieve(vector, [0], wholeGraph, 5, threads: 1);
        var list = mi.CreateRecommender(unimodal).Recommend("u3", fresh.Select(ItemId));
        Assert.Equal(CandidateSource.Trained, list.Source);
        Assert.Equal(expected.IndicesOf(0).ToArray().Select(ItemId), list.Items.Select(r => r.ItemId));
        Assert.Equal(expected.ScoresOf(0).ToArray(), list.Items.Select(r => r.Score));
        // A history of items the user was trained on already changes nothing: its fitted list.
        var recommender = mi.CreateRecommender(unimodal);
        Assert.Equal(recommender.Recommend("u3").Items, recommender.Recommend("u3", trained.Take(3).Select(ItemId)).Items);
        // The stage reading histories by the mean keeps the trained vector, and only excludes the fresh items.
        var kept = mi.CreateRecommender(byMean).Recommend("u3", fresh.Select(ItemId));
        Assert.DoesNotContain(kept.Items, r => fresh.Select(ItemId).Contains(r.ItemId));
        Assert.NotEqual(list.Items.Select(r => r.ItemId), kept.Items.Select(r => r.ItemId));

        // An ONNX client gets the same list by serving the whole history as a fresh one.
        string path = Path.Combine(_directory, "reread.zip"), onnx = Path.Combine(_directory, "reread-onnx");
        _ml.Model.Save(new TransformerChain<ITransformer>(_keys, _embedding, unimodal), _raw.Schema, path);
        using var model = MultiInterestModel.Load(_ml, path);
        Assert.Equal(list.Items.Select(r => r.ItemId), mi.CreateRecommender(model).Recommend("u3", fresh.Select(ItemId)).Items.Select(r => r.ItemId));
        model.ExportOnnx(onnx);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 2);
        var fromOnnx = scorer.RetrieveUnimodalFromHistories([whole]);
        Assert.Equal(list.Items.Select(r => r.ItemId), fromOnnx.IndicesOf(0).ToArray().Select(ItemId));
        Assert.Equal(list.Items.Select(r => r.Score), fromOnnx.ScoresOf(0).ToArray());
    }

    private sealed class ItemTerm
    {
        public string Item { get; set; } = "";
    }

    [Fact]
    public void OnItemKeysWithoutEdges_TheOnnxFoldInCountsTheFittedItems_AndServesNewUsersAsTheRecommender()
    {
        // The item key type holds ten ids without an edge: the ONNX tables have a (zero) row for each, the stage does not.
        string[] itemIds = [.. MLNetTestData.Edges().Select(e => e.Item).Distinct(), .. Enumerable.Range(0, 10).Select(i => $"unused{i}")];
        var vocabulary = _ml.Data.LoadFromEnumerable(itemIds.Select(id => new ItemTerm { Item = id }));
        var keys = _ml.Transforms.Conversion.MapValueToKey("User").Append(_ml.Transforms.Conversion.MapValueToKey("Item", keyData: vocabulary)).Fit(_raw);
        var keyed = keys.Transform(_raw);
        var mi = _ml.MultiInterest();
        var embedding = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1, Seed = 3, Als = Als,
        }).Fit(keyed);
        Assert.False(embedding.ItemEmbeddings.IsDense);
        var fitted = mi.UnimodalRetriever(candidates: 5).Fit(embedding.Transform(keyed));
        string path = Path.Combine(_directory, "sparse-keys.zip"), onnx = Path.Combine(_directory, "sparse-keys-onnx");
        _ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, fitted), _raw.Schema, path);
        using var model = MultiInterestModel.Load(_ml, path);
        var manifest = model.ExportOnnx(onnx);
        Assert.Equal(itemIds.Length, manifest.Items);
        Assert.Equal(itemIds.Length - 10, manifest.HistoryFoldInItems);

        var recommender = mi.CreateRecommender(model);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 2);
        var fromOnnx = scorer.RetrieveUnimodalFromHistories([.. Histories.Select(h => (IReadOnlyList<int>)h)]); // rows = key order
        for (int q = 0; q < Histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", Histories[q].Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(r => r.ItemId), fromOnnx.IndicesOf(q).ToArray().Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(r => r.Score), fromOnnx.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void OnVectorsWithoutAnAlsObjective_AutoTakesTheMean_AndFoldInIsFittedToTheUserVectors()
    {
        var mi = _ml.MultiInterest();
        var keyed = _keys.Transform(_raw);
        var negativeSampling = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var embedded = negativeSampling.Transform(keyed);
        var auto = mi.UnimodalRetriever(candidates: 5).Fit(embedded);
        var foldIn = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.FoldIn }).Fit(embedded);
        string autoPath = Path.Combine(_directory, "ns-auto.zip"), foldInPath = Path.Combine(_directory, "ns-fold-in.zip");
        _ml.Model.Save(new TransformerChain<ITransformer>(_keys, negativeSampling, auto), _raw.Schema, autoPath);
        _ml.Model.Save(new TransformerChain<ITransformer>(_keys, negativeSampling, foldIn), _raw.Schema, foldInPath);
        using var autoModel = MultiInterestModel.Load(_ml, autoPath);
        using var foldInModel = MultiInterestModel.Load(_ml, foldInPath);
        Assert.Equal(HistoryVector.Mean, autoModel.ServingStage.Settings.HistoryVector);
        var fitted = foldInModel.ServingStage.Settings;
        Assert.Equal(HistoryVector.FoldIn, fitted.HistoryVector);
        Assert.True(fitted.FoldInMatchUserVectors);
        Assert.True(fitted.FoldInFitted); // recorded at Fit, so a load does not fit it again

        // Served by the fold-in with the fitted objective, from the fitted chain and the zip alike.
        var items = negativeSampling.ItemEmbeddings.DenseView();
        var objective = new HistoryInterestOptions
        {
            Regularization = fitted.FoldInRegularization, RegularizationExponent = fitted.FoldInRegularizationExponent, UnobservedWeight = fitted.FoldInUnobservedWeight,
        };
        var vectors = new EmbeddingMatrix(Histories.Length, items.Dimension);
        var solve = new InterestFoldIn(items, objective, threads: 1);
        for (int q = 0; q < Histories.Length; q++) solve.SolveWhole([.. Histories[q].Distinct().Order()]).CopyTo(vectors.Row(q));
        var expected = new UnimodalRetriever(items).Retrieve(vectors, [.. Enumerable.Range(0, Histories.Length)], HistoryGraph(), 5, threads: 1);
        AssertServes(mi.CreateRecommender(new TransformerChain<ITransformer>(_keys, negativeSampling, foldIn)), expected, r => negativeSampling.ItemIds[r]);
        AssertServes(mi.CreateRecommender(foldInModel), expected, r => negativeSampling.ItemIds[r]);
    }

    [Fact]
    public void WhereItDoesNotApply_TheOptionIsRefusedByName()
    {
        var mi = _ml.MultiInterest();
        var roundRobin = Assert.Throws<ArgumentOutOfRangeException>(() =>
            mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { HistoryVector = HistoryVector.FoldIn }));
        Assert.Equal("HistoryVector", roundRobin.ParamName);
        Assert.Contains("learned components", roundRobin.Message);
        var historyMmr = Assert.Throws<ArgumentOutOfRangeException>(() =>
            mi.MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, HistoryVector = HistoryVector.Mean }));
        Assert.Equal("HistoryVector", historyMmr.ParamName);
        var undefined = Assert.Throws<ArgumentOutOfRangeException>(() =>
            mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { HistoryVector = (HistoryVector)7 }));
        Assert.Equal("HistoryVector", undefined.ParamName);

        // Fold-in asked of vectors without an ALS objective, with no user vectors to fit one to.
        var keyed = _keys.Transform(_raw);
        var negativeSampling = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var clustered = mi.SphericalKMeans(numberOfClusters: 4).Fit(negativeSampling.Transform(keyed));
        var mixed = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered.Transform(negativeSampling.Transform(keyed)))
            .Transform(clustered.Transform(negativeSampling.Transform(keyed)));
        var noUserVectors = Assert.Throws<ArgumentException>(() => mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
        {
            Candidates = 5, HistoryVector = HistoryVector.FoldIn, UserEmbeddingColumnName = null,
        }).Fit(mixed));
        Assert.Equal("HistoryVector", noUserVectors.ParamName);
        Assert.Contains("carries no implicit-ALS objective", noUserVectors.Message);
    }

    /// <summary>A unimodal stage on the ALS vectors exported to ONNX: the directory, its manifest's path and the manifest to edit.</summary>
    private (string Directory, string Manifest, System.Text.Json.Nodes.JsonObject Json) ExportedUnimodalManifest(string name)
    {
        var fitted = _ml.MultiInterest().UnimodalRetriever(candidates: 5).Fit(_embedded);
        string path = Path.Combine(_directory, name + ".zip"), onnx = Path.Combine(_directory, name + "-onnx");
        _ml.Model.Save(new TransformerChain<ITransformer>(_keys, _embedding, fitted), _raw.Schema, path);
        using (var model = MultiInterestModel.Load(_ml, path)) model.ExportOnnx(onnx);
        string manifest = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        return (onnx, manifest, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject());
    }

    [Fact]
    public void AManifestWhoseFoldInWasEdited_IsRefused()
    {
        var (onnx, manifest, json) = ExportedUnimodalManifest("edited");
        json["history_fold_in_items"] = 0;
        File.WriteAllText(manifest, json.ToJsonString());
        Microsoft.ML.MultiInterest.Tests.Onnx.ServingChecksums.Reseal(Path.GetDirectoryName(manifest)!); // damaged on purpose, to reach the check behind the checksums
        var refused = Assert.Throws<InvalidDataException>(() => OnnxServingManifest.Read(onnx));
        Assert.Contains("history_fold_in_items 0 outside", refused.Message);
    }

    /// <summary>
    /// Regression (format 3): a format-2 manifest (library 1.1.0) names every field but the fold-in's, so it still loads and
    /// serves histories by the mean; one with a field of its version taken out is refused as before format 3, not read as 0.
    /// </summary>
    [Fact]
    public void AFormat2Manifest_LoadsWithoutTheFoldIn_ButOneMissingAFieldOfItsVersionIsRefused()
    {
        var (onnx, manifest, json) = ExportedUnimodalManifest("format2");
        json["format_version"] = 2;
        json["library_version"] = "1.1.0";
        Assert.True(json.Remove("history_fold_in"));
        Assert.True(json.Remove("history_fold_in_items"));
        File.WriteAllText(manifest, json.ToJsonString());
        Microsoft.ML.MultiInterest.Tests.Onnx.ServingChecksums.Reseal(Path.GetDirectoryName(manifest)!); // damaged on purpose, to reach the check behind the checksums
        var read = OnnxServingManifest.Read(onnx);
        Assert.Null(read.HistoryFoldIn);
        Assert.Equal(0, read.HistoryFoldInItems);

        Assert.True(json.Remove("alpha"));
        File.WriteAllText(manifest, json.ToJsonString());
        Microsoft.ML.MultiInterest.Tests.Onnx.ServingChecksums.Reseal(Path.GetDirectoryName(manifest)!); // damaged on purpose, to reach the check behind the checksums
        var refused = Assert.Throws<InvalidDataException>(() => OnnxServingManifest.Read(onnx));
        Assert.Contains("(format version 2) lacks 'alpha'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("history_fold_in", refused.Message, StringComparison.Ordinal);
    }
}
