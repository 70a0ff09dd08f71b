using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

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

    // Item rows (= item key - 1), one history with a repeat, one of a single item.
    private static readonly int[][] Histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], [4, 4, 10], [1, 6, 8, 12, 13, 15, 16, 18, 19]];

    private readonly DivideConquerWorld _world = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dc-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private MultiInterestModel SaveAndLoad(ITransformer chain, string name) => _world.SaveAndLoad(chain, Path.Combine(_directory, name + ".zip"));

    /// <summary>The quota pipeline with the stage's user vectors: a new user's vector (head and fill) is then the fold-in, which a directory records.</summary>
    private TransformerChain<ITransformer> Chain(GraphEmbeddingTransformer embedding, HistoryMixture mixture) =>
        _world.QuotaChain(embedding, mixture, M, userColumn: MultiInterestColumnNames.UserEmbedding);

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling)]
    [InlineData(DivideConquerEncoder.AttentionPooling)]
    public void AFreshHistory_GetsTheRecommendersList_FromTheDirectory(DivideConquerEncoder encoder)
    {
        var embedding = _world.DivideConquer(encoder);
        using var model = SaveAndLoad(Chain(embedding, HistoryMixture.DivideConquer), $"dc-{encoder}");
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string onnx = Path.Combine(_directory, $"onnx-{encoder}");
        var manifest = model.ExportOnnx(onnx);

        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, manifest.FormatVersion);
        Assert.NotNull(manifest.HistoryFoldIn);
        Assert.Equal(OnnxServingDirectory.HistoryEncoderFileName, manifest.HistoryEncoder?.File);
        // kNN-Embed gives trained users 2 components; the model's mixture takes min(m, K) = 3, so the scorer was widened.
        Assert.Equal(3, manifest.Components);

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

        // Trained users keep their kNN-Embed mixtures: the widened scorer lists them as the narrower one does.
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
