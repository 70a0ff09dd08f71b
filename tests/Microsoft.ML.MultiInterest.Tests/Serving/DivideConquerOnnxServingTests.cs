using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="HistoryMixture.DivideConquer"/> through ONNX: <c>ExportOnnx</c> of such a quota stage writes the model's history
/// encoder (manifest format 5) and a quota scorer wide enough for its m clusters; <see cref="OnnxCandidateScorer"/> serves a
/// fresh history the recommender's list, item for item and score for score; trained users' lists are those of the same
/// stage exported without it; a directory edited to claim version 4 is refused.
/// </summary>
public sealed class DivideConquerOnnxServingTests : IDisposable
{
    private const int M = 6;

    private static readonly int[][] Histories = DivideConquerWorld.Histories;

    private readonly DivideConquerWorld _world = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dc-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private MultiInterestModel SaveAndLoad(ITransformer chain, string name) => _world.SaveAndLoad(chain, Path.Combine(_directory, name + ".zip"));

    /// <summary>The quota pipeline with the stage's user vectors: a new user's vector (head and fill) is then the fold-in, which a directory records.</summary>
    private TransformerChain<ITransformer> Chain(GraphEmbeddingTransformer embedding, HistoryMixture mixture) =>
        _world.QuotaChain(embedding, mixture, M, userColumn: MultiInterestColumnNames.UserEmbedding);

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, null)]
    [InlineData(DivideConquerEncoder.AttentionPooling, null)]
    [InlineData(DivideConquerEncoder.MeanPooling, 2)]
    [InlineData(DivideConquerEncoder.MeanPooling, 1)]
    public void AFreshHistory_GetsTheRecommendersList_FromTheDirectory(DivideConquerEncoder encoder, int? components)
    {
        var embedding = _world.DivideConquer(encoder, components: components);
        using var model = SaveAndLoad(Chain(embedding, HistoryMixture.DivideConquer), $"dc-{encoder}-{components}");
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string onnx = Path.Combine(_directory, $"onnx-{encoder}-{components}");
        var manifest = model.ExportOnnx(onnx);

        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, manifest.FormatVersion);
        Assert.NotNull(manifest.HistoryFoldIn);
        Assert.Equal(OnnxServingDirectory.HistoryEncoderFileName, manifest.HistoryEncoder?.File);
        // kNN-Embed gives trained users 2 components. The model's mixture takes min(m, K): with the default m, 3, scored by the
        // fresh histories' own scorer; with m = 2 or 1 the trained users' scorer takes it, padded.
        Assert.Equal(2, manifest.Components);
        Assert.Equal(components == null, manifest.HistoryQuotaScorer != null);
        Assert.Equal(components == null, File.Exists(Path.Combine(onnx, OnnxServingDirectory.HistoryQuotaScorerFileName)));

        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 2);
        var lists = scorer.RetrieveClusterQuotaFromHistories([.. Histories.Select(h => (IReadOnlyList<int>)h)]);
        string ItemId(int row) => embedding.ItemIds[row];
        for (int q = 0; q < Histories.Length; q++)
        {
            var expected = recommender.Recommend("someone-new", Histories[q].Select(ItemId));
            Assert.Equal(CandidateSource.History, expected.Source);
            Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
            Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
        }
    }

    [Theory]
    [InlineData(QuotaQuery.User, 0.0, null, 1)]
    [InlineData(QuotaQuery.Blend, 0.0, null, 64)]
    [InlineData(QuotaQuery.Component, 0.5, null, 1)]
    [InlineData(QuotaQuery.Component, 0.5, 2, 3)]
    [InlineData(QuotaQuery.User, 0.34, null, 2)]
    [InlineData(QuotaQuery.Blend, 0.34, 2, 2)]
    public void AFreshHistory_UnderEachQuerySetting_HeadShareAndBatchSize_GetsTheRecommendersList(QuotaQuery query, double headShare, int? components, int batchSize)
    {
        var embedding = _world.DivideConquer(components: components);
        string name = $"{query}-{headShare}-{components}-{batchSize}";
        using var model = SaveAndLoad(_world.QuotaChain(embedding, HistoryMixture.DivideConquer, M, userColumn: MultiInterestColumnNames.UserEmbedding,
            configure: o => (o.Query, o.HeadShare) = (query, headShare)), name);
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string onnx = Path.Combine(_directory, name);
        Assert.Equal(components == null, model.ExportOnnx(onnx).HistoryQuotaScorer != null);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: batchSize);
        string ItemId(int row) => embedding.ItemIds[row];
        // An empty history among them: no list from the directory (the recommender gives the popular items, as documented).
        int[][] histories = [.. Histories, []];
        foreach (int[]? excluded in new int[]?[] { null, [13, 2] })
        {
            var lists = scorer.RetrieveClusterQuotaFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)], excludeItems: excluded);
            Assert.Equal(0, lists.IndicesOf(histories.Length - 1).Length);
            for (int q = 0; q < Histories.Length; q++)
            {
                var expected = recommender.Recommend("someone-new", Histories[q].Select(ItemId), 0, excluded?.Select(ItemId));
                Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
                Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
            }
        }
    }

    [Fact]
    public void AFusionOfAQuotaAndAUnimodalStage_ReadingByTheModel_ServesAFreshHistoryTheRecommendersList()
    {
        var embedding = _world.DivideConquer();
        var mi = _world.Ml.MultiInterest();
        var quota = _world.QuotaChain(embedding, HistoryMixture.DivideConquer, M,
            configure: o => (o.CandidatesColumnName, o.CandidateScoresColumnName, o.CandidateSourceColumnName) = ("A", "AS", "ASrc"));
        var data = quota.Transform(_world.Raw);
        var unimodal = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = M, HistoryVector = HistoryVector.Encoder, Threads = 1 }).Fit(data);
        var fusion = mi.RankFusion(["A", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: M).Fit(unimodal.Transform(data));
        using var model = SaveAndLoad(new TransformerChain<ITransformer>([.. quota, unimodal, fusion]), "fusion");
        string onnx = Path.Combine(_directory, "fusion");
        model.ExportOnnx(onnx);
        // Both sources carry the encoder: the quota source the mixture and the query, the unimodal source the query.
        Assert.All(new[] { "source0", "source1" }, s => Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, OnnxServingManifest.Read(Path.Combine(onnx, s)).FormatVersion));
        using var scorer = OnnxFusionScorer.Open(onnx);
        Assert.True(scorer.ServesHistories);
        var lists = scorer.RetrieveFromHistories([.. Histories.Select(h => (IReadOnlyList<int>)h)]);
        var recommender = mi.CreateRecommender(model);
        string ItemId(int row) => embedding.ItemIds[row];
        for (int q = 0; q < Histories.Length; q++)
            Assert.Equal(recommender.Recommend("someone-new", Histories[q].Select(ItemId)).Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
    }

    [Fact]
    public void ConcurrentRequests_ForFreshHistories_GetTheListsOfOneRequestAtATime()
    {
        var embedding = _world.DivideConquer();
        using var model = SaveAndLoad(_world.QuotaChain(embedding, HistoryMixture.DivideConquer, M), "concurrent");
        string onnx = Path.Combine(_directory, "concurrent");
        Assert.NotNull(model.ExportOnnx(onnx).HistoryQuotaScorer);
        // 200 histories over the 24 items, served in batches of 16: the model's mixture (its own scorer) and the encoder's query.
        IReadOnlyList<int>[] histories = [.. Enumerable.Range(0, 200).Select(q => (IReadOnlyList<int>)[.. Enumerable.Range(0, 24).Where(i => (i * 7 + q) % 5 == 0 || i == q % 24)])];
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 16);
        var quota = scorer.RetrieveClusterQuotaFromHistories(histories);
        var unimodal = scorer.RetrieveUnimodalFromHistories(histories);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var (again, alone) = t % 2 == 0 ? (scorer.RetrieveClusterQuotaFromHistories(histories), quota) : (scorer.RetrieveUnimodalFromHistories(histories), unimodal);
            for (int q = 0; q < histories.Length; q++)
            {
                Assert.Equal(alone.IndicesOf(q).ToArray(), again.IndicesOf(q).ToArray());
                Assert.Equal(alone.ScoresOf(q).ToArray(), again.ScoresOf(q).ToArray());
            }
        });
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string ItemId(int row) => embedding.ItemIds[row];
        for (int q = 0; q < histories.Length; q++)
            Assert.Equal(recommender.Recommend("someone-new", histories[q].Select(ItemId)).Items.Select(r => r.ItemId), quota.IndicesOf(q).ToArray().Select(ItemId));
    }

    /// <summary>How the exported stage reads a fresh history by the model: its mixture, its vector (the encoder's query), or both.</summary>
    public enum Reading { QuotaMixtureAndQuery, QuotaQueryOnly, UnimodalQuery }

    [Theory]
    [InlineData(Reading.QuotaMixtureAndQuery, DivideConquerEncoder.MeanPooling)]
    [InlineData(Reading.QuotaMixtureAndQuery, DivideConquerEncoder.AttentionPooling)]
    [InlineData(Reading.QuotaQueryOnly, DivideConquerEncoder.MeanPooling)]
    [InlineData(Reading.UnimodalQuery, DivideConquerEncoder.MeanPooling)]
    [InlineData(Reading.UnimodalQuery, DivideConquerEncoder.AttentionPooling)]
    public void TheEncodersQuery_IsExportedToo_AndServedAsTheRecommenderServesIt(Reading reading, DivideConquerEncoder encoder)
    {
        var embedding = _world.DivideConquer(encoder);
        var mi = _world.Ml.MultiInterest();
        // A stage without user vectors reads a new user's vector by the encoder's query (HistoryVector Auto), or is told to.
        ITransformer chain = reading switch
        {
            Reading.QuotaMixtureAndQuery => _world.QuotaChain(embedding, HistoryMixture.DivideConquer, M),
            Reading.QuotaQueryOnly => _world.QuotaChain(embedding, HistoryMixture.Counts, M, userColumn: MultiInterestColumnNames.UserEmbedding, vector: HistoryVector.Encoder),
            _ => new TransformerChain<ITransformer>(_world.Keys, embedding,
                mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = M, HistoryVector = HistoryVector.Encoder, Threads = 1 }).Fit(embedding.Transform(_world.Keyed))),
        };
        using var model = SaveAndLoad(chain, $"{reading}-{encoder}");
        Assert.Equal(HistoryVector.Encoder, model.ServingStage.Settings.HistoryVector);
        string onnx = Path.Combine(_directory, $"{reading}-{encoder}");
        var manifest = model.ExportOnnx(onnx);
        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, manifest.FormatVersion);
        Assert.Contains(MixtureOnnxExporter.UserEmbeddingName, manifest.HistoryEncoder!.Outputs);
        Assert.Equal(reading == Reading.QuotaMixtureAndQuery, manifest.HistoryEncoder.Outputs.Contains(MixtureOnnxExporter.MixtureClustersName));
        Assert.Equal(reading == Reading.UnimodalQuery, manifest.Retrieval == OnnxServingManifest.UnimodalRetrieval);

        var recommender = mi.CreateRecommender(model);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 2);
        IReadOnlyList<IReadOnlyList<int>> histories = [.. Histories.Select(h => (IReadOnlyList<int>)h)];
        var lists = reading == Reading.UnimodalQuery ? scorer.RetrieveUnimodalFromHistories(histories) : scorer.RetrieveClusterQuotaFromHistories(histories);
        string ItemId(int row) => embedding.ItemIds[row];
        for (int q = 0; q < Histories.Length; q++)
        {
            var expected = recommender.Recommend("someone-new", Histories[q].Select(ItemId));
            Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
            Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
        }

        // The graph itself, as another client runs it on each history as a set: the engine's query, to rounding.
        int[][] sets = [.. Histories.Select(h => h.Distinct().ToArray())];
        var engine = embedding.DivideConquer!.UserQueries(DivideConquerWorld.HistoryGraph(sets, embedding.ItemIds.Count), threads: 1);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(onnx, OnnxServingDirectory.HistoryEncoderFileName));
        int width = sets.Max(h => h.Length);
        var rows = new long[sets.Length * width];
        Array.Fill(rows, -1L);
        for (int q = 0; q < sets.Length; q++)
            for (int j = 0; j < sets[q].Length; j++) rows[q * width + j] = sets[q][j];
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(rows, [sets.Length, width]);
        using var outputs = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), [DcmOnnxExporter.HistoryRowsInput], [input], [MixtureOnnxExporter.UserEmbeddingName]);
        var queries = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        for (int q = 0; q < sets.Length; q++)
            for (int t = 0; t < engine.Dimension; t++)
                Assert.True(Math.Abs(engine.ReadRow(q)[t] - queries[q * engine.Dimension + t]) < 1e-4, $"history {q} dimension {t}: engine {engine.ReadRow(q)[t]}, onnx {queries[q * engine.Dimension + t]}");
    }

    [Fact]
    public void TheDirectoryServesTheModelsMixture_NotTheCountedOne()
    {
        var embedding = _world.DivideConquer();
        using var byModel = SaveAndLoad(Chain(embedding, HistoryMixture.DivideConquer), "by-model");
        using var counted = SaveAndLoad(Chain(embedding, HistoryMixture.Counts), "counted");
        string modelDir = Path.Combine(_directory, "by-model"), countedDir = Path.Combine(_directory, "counted");
        byModel.ExportOnnx(modelDir);
        var countedManifest = counted.ExportOnnx(countedDir);
        // A directory without the encoder stays at the version every 1.4 and 1.5 reader serves.
        Assert.Equal(OnnxServingManifest.WrittenFormatVersion, countedManifest.FormatVersion);
        Assert.Null(countedManifest.HistoryEncoder);

        IReadOnlyList<IReadOnlyList<int>> histories = [.. Histories.Select(h => (IReadOnlyList<int>)h)];
        using var modelScorer = OnnxCandidateScorer.Open(modelDir);
        using var countedScorer = OnnxCandidateScorer.Open(countedDir);
        var fromModel = modelScorer.RetrieveClusterQuotaFromHistories(histories);
        var fromCounts = countedScorer.RetrieveClusterQuotaFromHistories(histories);
        Assert.Contains(Enumerable.Range(0, Histories.Length), q => !fromModel.IndicesOf(q).SequenceEqual(fromCounts.IndicesOf(q)));

        // Trained users keep their kNN-Embed mixtures and their scorer: the same lists with or without the model's reading.
        int[] users = [.. Enumerable.Range(0, countedManifest.Users)];
        var trainedByModel = modelScorer.RetrieveClusterQuota(users);
        var trainedCounted = countedScorer.RetrieveClusterQuota(users);
        for (int u = 0; u < users.Length; u++)
        {
            Assert.Equal(trainedCounted.IndicesOf(u).ToArray(), trainedByModel.IndicesOf(u).ToArray());
            Assert.Equal(trainedCounted.ScoresOf(u).ToArray(), trainedByModel.ScoresOf(u).ToArray());
        }
    }

    [Fact]
    public void AUnimodalManifestClaimingTheMixture_IsRefused()
    {
        var embedding = _world.DivideConquer();
        var mi = _world.Ml.MultiInterest();
        var chain = new TransformerChain<ITransformer>(_world.Keys, embedding,
            mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = M, HistoryVector = HistoryVector.Encoder, Threads = 1 }).Fit(embedding.Transform(_world.Keyed)));
        using var model = SaveAndLoad(chain, "unimodal-edited");
        string onnx = Path.Combine(_directory, "unimodal-edited");
        model.ExportOnnx(onnx);
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        const string Query = "\"outputs\": [\n      \"user_embedding\"\n    ]";
        Assert.Contains(Query, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(Query, "\"outputs\": [\"mixture_clusters\", \"mixture_weights\", \"mixture_embeddings\", \"user_embedding\"]", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));
        Assert.Contains("retrieval 'unimodal') has a history_encoder with outputs [mixture_clusters, mixture_weights, mixture_embeddings, user_embedding]", e.Message);
    }

    [Fact]
    public void AUnimodalDirectorysEncoderReplacedByASelfAttentionOne_IsRefused_NamingTheDirectoryNotAQuotaOne()
    {
        var graph = PlantedGraph.Create().Train;
        var mean = GraphEmbeddingTrainerEngine.Fit(graph, Tests.DivideConquer.DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, prompts: true, null, epochs: 1)).DivideConquer!;
        string onnx = Path.Combine(_directory, "unimodal-self-attention");
        var users = new EmbeddingMatrix(2, mean.Items.Dimension);
        OnnxServingDirectory.ExportUnimodalWithDivideConquerEncoder(users, mean.Items, M, onnx, exclusionMask: true, mean);
        // Another fit's self-attention encoder over the same items, its checksum recomputed as by hand.
        var options = Tests.DivideConquer.DivideConquerTrainingTests.Small(DivideConquerEncoder.SelfAttention, prompts: true, null, epochs: 1);
        options.DivideConquer.Sequences = [.. Enumerable.Range(0, graph.UserCount).Select(u => graph.ItemsOf(u).ToArray())];
        var selfAttention = GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        using (var file = File.Create(Path.Combine(onnx, OnnxServingDirectory.HistoryEncoderFileName)))
            DivideConquerOnnxExporter.ExportEncoder(selfAttention, file);
        Tests.Onnx.ServingChecksums.Reseal(onnx);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));
        Assert.Contains("is not the divide-and-conquer history encoder of this directory: it is a self-attention encoder, which reads time order the directory's scorers do not keep", e.Message);
        Assert.DoesNotContain("quota", e.Message);
    }

    [Fact]
    public void AHistoryQuotaScorerWithoutTheEncodersMixture_IsRefused()
    {
        using var model = SaveAndLoad(Chain(_world.DivideConquer(), HistoryMixture.DivideConquer), "own-scorer-edited");
        string onnx = Path.Combine(_directory, "own-scorer-edited");
        Assert.NotNull(model.ExportOnnx(onnx).HistoryQuotaScorer);
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        int at = text.IndexOf("\"history_encoder\": {", StringComparison.Ordinal);
        int end = text.IndexOf('}', at);
        File.WriteAllText(path, text[..at] + "\"history_encoder\": null" + text[(end + 1)..]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));
        Assert.Contains("has a history_quota_scorer but no history_encoder giving a fresh history's mixture", e.Message);
    }

    [Fact]
    public void AManifestEditedToVersion4_IsRefused_NamingTheEncoder()
    {
        using var model = SaveAndLoad(Chain(_world.DivideConquer(), HistoryMixture.DivideConquer), "edited");
        string onnx = Path.Combine(_directory, "edited");
        model.ExportOnnx(onnx);
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        Assert.Contains("\"format_version\": 5,", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("\"format_version\": 5,", "\"format_version\": 4,", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));
        Assert.Contains("history_encoder", e.Message);
        Assert.Contains("format version 5 or later", e.Message);
    }

    [Fact]
    public void TheEngineExport_RefusesAModelOverOtherClusters_OrWithoutAHistoryEncoder()
    {
        var embedding = _world.DivideConquer();
        var model = embedding.DivideConquer!;
        var items = model.Items;
        int k = model.Clustering.ClusterCount;
        var users = new EmbeddingMatrix(2, items.Dimension);
        users.Row(0)[0] = users.Row(1)[1] = 1f;
        // Each user one component: cluster 0, weight 1, its query the first item's vector.
        var mixtures = new MixtureTable(2, 1, items.Dimension);
        for (int u = 0; u < 2; u++)
        {
            mixtures.SetCount(u, 1);
            mixtures.WritableWeights(u)[0] = 1;
            items.ReadRow(0).CopyTo(mixtures.WritableEmbedding(u, 0));
        }
        var options = new QuotaRetrievalOptions();
        // Every item moved to the next cluster: the model's mixtures would name clusters the scorer groups otherwise.
        var shifted = ItemClustering.Create([.. Enumerable.Range(0, items.Rows).Select(i => (model.Clustering.ClusterOf(i) + 1) % k)], k, items);
        var other = Assert.Throws<ArgumentException>(() =>
            OnnxServingDirectory.Export(users, items, shifted, mixtures, M, options, Path.Combine(_directory, "other"), false, model));
        Assert.Contains("the quota scorer must group the items by them", other.Message);

        var userVector = _world.DivideConquer(DivideConquerEncoder.UserVector).DivideConquer!;
        var refused = Assert.Throws<NotSupportedException>(() => OnnxServingDirectory.Export(users, userVector.Items, userVector.Clustering, mixtures, M, options,
            Path.Combine(_directory, "user-vector"), false, userVector));
        Assert.Contains("UserVector", refused.Message);
        Assert.False(Directory.Exists(Path.Combine(_directory, "user-vector")));
    }
}
