using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A plain MMR stage (<see cref="MmrInterests.Clusters"/>, nu 0 or multi-interest) with <see cref="HistoryVector.Encoder"/>
/// through ONNX: <c>ExportOnnx</c> gives the directory's pool the model's history encoder (the unimodal directory's, manifest
/// format 5, the MMR manifest too); <see cref="OnnxMmrScorer"/> serves a fresh history the recommender's list, item for item
/// and score for score, excluded items and batches of one or many alike; trained users' lists are those of the same stage
/// reading histories by their mean; a directory edited to claim version 4 is refused.
/// </summary>
public sealed class DivideConquerMmrOnnxServingTests : IDisposable
{
    private const int M = 6;

    private static readonly int[][] Histories = DivideConquerWorld.Histories;

    private readonly DivideConquerWorld _world = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dc-mmr-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The MMR pipeline after <paramref name="embedding"/>: with <paramref name="interestWeight"/> above 0 the model's clusters
    /// and kNN-Embed mixtures (m = 2) for the PM-2 term; the stage reads a new user's vector as <paramref name="vector"/> says.
    /// </summary>
    private TransformerChain<ITransformer> MmrChain(GraphEmbeddingTransformer embedding, double interestWeight, HistoryVector vector)
    {
        var mi = _world.Ml.MultiInterest();
        var embedded = embedding.Transform(_world.Keyed);
        var options = new MmrRetrieverEstimator.Options
        {
            Candidates = M, Lambda = 0.6, PoolSize = 12, InterestWeight = interestWeight, HistoryVector = vector, Threads = 1,
        };
        if (interestWeight == 0) return new TransformerChain<ITransformer>(_world.Keys, embedding, mi.MmrRetriever(options).Fit(embedded));
        var clusters = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true, Seed = 1 }).Fit(embedded);
        var clustered = clusters.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        return new TransformerChain<ITransformer>(_world.Keys, embedding, clusters, mixtures, mi.MmrRetriever(options).Fit(mixtures.Transform(clustered)));
    }

    private MultiInterestModel SaveAndLoad(ITransformer chain, string name) => _world.SaveAndLoad(chain, Path.Combine(_directory, name + ".zip"));

    [Theory]
    [InlineData(0.0, DivideConquerEncoder.MeanPooling, 1)]
    [InlineData(0.0, DivideConquerEncoder.AttentionPooling, 64)]
    [InlineData(0.5, DivideConquerEncoder.MeanPooling, 64)]
    [InlineData(0.5, DivideConquerEncoder.AttentionPooling, 1)]
    public void AFreshHistory_GetsTheRecommendersList_FromTheMmrDirectory(double interestWeight, DivideConquerEncoder encoder, int batchSize)
    {
        var embedding = _world.DivideConquer(encoder);
        string name = $"mmr-{interestWeight}-{encoder}-{batchSize}";
        using var model = SaveAndLoad(MmrChain(embedding, interestWeight, HistoryVector.Encoder), name);
        Assert.Equal(HistoryVector.Encoder, model.ServingStage.Settings.HistoryVector);
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string onnx = Path.Combine(_directory, name);
        var manifest = model.ExportOnnx(onnx);

        // The pool is a unimodal directory with the model's history encoder (its query alone); the MMR manifest says the version it needs.
        Assert.Equal(OnnxServingManifest.MmrRetrieval, manifest.Retrieval);
        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, manifest.FormatVersion);
        Assert.Null(manifest.HistoryEncoder);
        string poolDirectory = Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName);
        var pool = OnnxServingManifest.Read(poolDirectory);
        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, pool.FormatVersion);
        Assert.Equal(new[] { MixtureOnnxExporter.UserEmbeddingName }, pool.HistoryEncoder!.Outputs);
        Assert.True(File.Exists(Path.Combine(poolDirectory, OnnxServingDirectory.HistoryEncoderFileName)));

        using var scorer = OnnxMmrScorer.Open(onnx, batchSize: batchSize);
        Assert.True(scorer.ServesHistories);
        string ItemId(int row) => embedding.ItemIds[row];
        // An empty history among them: no list from the directory (the recommender gives the popular items, as documented).
        int[][] histories = [.. Histories, []];
        foreach (int[]? excluded in new int[]?[] { null, [13, 2] })
        {
            var lists = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)], excludeItems: excluded);
            Assert.Equal(0, lists.IndicesOf(histories.Length - 1).Length);
            for (int q = 0; q < Histories.Length; q++)
            {
                var expected = recommender.Recommend("someone-new", Histories[q].Select(ItemId), 0, excluded?.Select(ItemId));
                Assert.Equal(CandidateSource.History, expected.Source);
                Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
                Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
                if (excluded != null) Assert.DoesNotContain(lists.IndicesOf(q).ToArray(), excluded.Contains);
            }
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void TrainedUsers_GetTheListsOfTheSameStageReadingHistoriesByTheirMean(double interestWeight)
    {
        var embedding = _world.DivideConquer();
        using var byEncoder = SaveAndLoad(MmrChain(embedding, interestWeight, HistoryVector.Encoder), $"encoder-{interestWeight}");
        using var byMean = SaveAndLoad(MmrChain(embedding, interestWeight, HistoryVector.Mean), $"mean-{interestWeight}");
        string encoderDir = Path.Combine(_directory, $"encoder-{interestWeight}"), meanDir = Path.Combine(_directory, $"mean-{interestWeight}");
        byEncoder.ExportOnnx(encoderDir);
        var meanManifest = byMean.ExportOnnx(meanDir);
        // A directory without the encoder stays at the version every 1.4 and 1.5 reader serves.
        Assert.Equal(OnnxServingManifest.WrittenFormatVersion, meanManifest.FormatVersion);
        Assert.Null(OnnxServingManifest.Read(Path.Combine(meanDir, OnnxMmrScorer.PoolDirectoryName)).HistoryEncoder);

        using var encoderScorer = OnnxMmrScorer.Open(encoderDir);
        using var meanScorer = OnnxMmrScorer.Open(meanDir);
        int[] users = [.. Enumerable.Range(0, meanManifest.Users)];
        var history = byEncoder.TrainingHistory();
        var fromEncoder = encoderScorer.Retrieve(users, history);
        var fromMean = meanScorer.Retrieve(users, history);
        for (int u = 0; u < users.Length; u++)
        {
            Assert.Equal(fromMean.IndicesOf(u).ToArray(), fromEncoder.IndicesOf(u).ToArray());
            Assert.Equal(fromMean.ScoresOf(u).ToArray(), fromEncoder.ScoresOf(u).ToArray());
        }

        // Fresh histories do differ: the encoder's query is not the mean.
        IReadOnlyList<IReadOnlyList<int>> histories = [.. Histories.Select(h => (IReadOnlyList<int>)h)];
        var freshByEncoder = encoderScorer.RetrieveFromHistories(histories);
        var freshByMean = meanScorer.RetrieveFromHistories(histories);
        Assert.Contains(Enumerable.Range(0, Histories.Length), q => !freshByEncoder.ScoresOf(q).SequenceEqual(freshByMean.ScoresOf(q)));
    }

    [Fact]
    public void AFusionOfAnMmrAndAUnimodalStage_ReadingByTheEncoder_ServesAFreshHistoryTheRecommendersList()
    {
        var embedding = _world.DivideConquer();
        var mi = _world.Ml.MultiInterest();
        var embedded = embedding.Transform(_world.Keyed);
        var mmr = mi.MmrRetriever(new MmrRetrieverEstimator.Options
        {
            Candidates = M, Lambda = 0.6, PoolSize = 12, HistoryVector = HistoryVector.Encoder, Threads = 1,
            CandidatesColumnName = "A", CandidateScoresColumnName = "AS", CandidateSourceColumnName = "ASrc",
        }).Fit(embedded);
        var data = mmr.Transform(embedded);
        var unimodal = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = M, HistoryVector = HistoryVector.Encoder, Threads = 1 }).Fit(data);
        var fusion = mi.RankFusion(["A", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: M).Fit(unimodal.Transform(data));
        using var model = SaveAndLoad(new TransformerChain<ITransformer>(_world.Keys, embedding, mmr, unimodal, fusion), "fusion");
        string onnx = Path.Combine(_directory, "fusion");
        model.ExportOnnx(onnx);
        // The MMR source's pool and the unimodal source carry the encoder.
        Assert.Equal(OnnxServingManifest.MmrRetrieval, OnnxServingManifest.Read(Path.Combine(onnx, "source0")).Retrieval);
        Assert.NotNull(OnnxServingManifest.Read(Path.Combine(onnx, "source0", OnnxMmrScorer.PoolDirectoryName)).HistoryEncoder);
        Assert.NotNull(OnnxServingManifest.Read(Path.Combine(onnx, "source1")).HistoryEncoder);
        using var scorer = OnnxFusionScorer.Open(onnx);
        Assert.True(scorer.ServesHistories);
        var lists = scorer.RetrieveFromHistories([.. Histories.Select(h => (IReadOnlyList<int>)h)]);
        var recommender = mi.CreateRecommender(model);
        string ItemId(int row) => embedding.ItemIds[row];
        for (int q = 0; q < Histories.Length; q++)
        {
            var expected = recommender.Recommend("someone-new", Histories[q].Select(ItemId));
            Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
            Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void AnMmrManifestEditedToVersion4_IsRefused_NamingThePoolsEncoder()
    {
        using var model = SaveAndLoad(MmrChain(_world.DivideConquer(), 0, HistoryVector.Encoder), "edited");
        string onnx = Path.Combine(_directory, "edited");
        model.ExportOnnx(onnx);
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        Assert.Contains("\"format_version\": 5,", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("\"format_version\": 5,", "\"format_version\": 4,", StringComparison.Ordinal));
        Tests.Onnx.ServingChecksums.Reseal(onnx);
        var e = Assert.Throws<InvalidDataException>(() => OnnxMmrScorer.Open(onnx));
        Assert.Contains("(format version 4, retrieval 'mmr') has a pool whose manifest has a history_encoder", e.Message);
        Assert.Contains("format version 5 or later", e.Message);

        // The pool's own manifest edited so (the MMR manifest as exported) is refused by its own check, as a unimodal directory's is.
        File.WriteAllText(path, text);
        string pool = Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName);
        string poolPath = Path.Combine(pool, OnnxServingDirectory.ManifestFileName);
        string poolText = File.ReadAllText(poolPath);
        File.WriteAllText(poolPath, poolText.Replace("\"format_version\": 5,", "\"format_version\": 4,", StringComparison.Ordinal));
        Tests.Onnx.ServingChecksums.Reseal(pool);
        var inPool = Assert.Throws<InvalidDataException>(() => OnnxMmrScorer.Open(onnx));
        Assert.Contains("(format version 4, retrieval 'unimodal') has a history_encoder", inPool.Message);
    }

    [Fact]
    public void AnMmrManifestClaimingTheEncoderItself_IsRefused()
    {
        using var model = SaveAndLoad(MmrChain(_world.DivideConquer(), 0, HistoryVector.Encoder), "claimed");
        string onnx = Path.Combine(_directory, "claimed");
        model.ExportOnnx(onnx);
        // The pool's history_encoder entry copied into the MMR manifest, where no scorer reads it.
        string pool = File.ReadAllText(Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName, OnnxServingDirectory.ManifestFileName));
        int at = pool.IndexOf("\"history_encoder\": {", StringComparison.Ordinal);
        string entry = pool[at..(pool.IndexOf('}', at) + 1)];
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"history_encoder\": null", entry, StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => OnnxMmrScorer.Open(onnx));
        Assert.Contains("retrieval 'mmr') has a history_encoder with outputs [user_embedding]", e.Message);
    }
}
