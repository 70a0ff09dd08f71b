using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A conditional stage (<see cref="ConditionalRetrieverEstimator"/>, plain and merged with implicit components) with
/// <see cref="HistoryVector.Encoder"/> through ONNX: <c>ExportOnnx</c> writes the model's history encoder beside the condition
/// model (the plain directory's, and both parts of a merged one; manifests of format 5, the merged one's too); a fresh history
/// gets the recommender's list from the directory, item for item and score for score, its conditions' queries over the
/// encoder's query, with excluded items, followed topics and batches of one or many; trained users' lists are the engine's;
/// a fusion with a conditional source serves it too; manifests edited to misplace the encoder or lower the version are refused.
/// </summary>
public sealed class DivideConquerConditionalOnnxServingTests : IDisposable
{
    private const int M = 6;

    private static readonly int[][] Histories = DivideConquerWorld.Histories;

    private readonly DivideConquerWorld _world = new(topics: true);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dc-conditional-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The conditional pipeline after <paramref name="embedding"/> (up to 2 conditions, head 0.2): with <paramref name="implicitShare"/>
    /// above 0 merged with kNN-Embed components (m = 2) over the model's clusters, queried by <paramref name="implicitQuery"/>;
    /// the stage reads a new user's vector as <paramref name="vector"/> says; <paramref name="columns"/> names its output columns
    /// (null: the defaults).
    /// </summary>
    private TransformerChain<ITransformer> ConditionalChain(GraphEmbeddingTransformer embedding, double implicitShare, HistoryVector vector,
        QuotaQuery implicitQuery = QuotaQuery.Component, string? columns = null) =>
        new([_world.Keys, embedding, .. ConditionalStages(embedding.Transform(_world.Keyed), implicitShare, vector, implicitQuery, columns)]);

    /// <summary>The stages of <see cref="ConditionalChain"/> after the embedding, fitted on <paramref name="embedded"/>.</summary>
    private ITransformer[] ConditionalStages(IDataView embedded, double implicitShare, HistoryVector vector, QuotaQuery implicitQuery, string? columns)
    {
        var mi = _world.Ml.MultiInterest();
        var options = new ConditionalRetrieverEstimator.Options
        {
            Candidates = M, MaxConditions = 2, Alpha = 0.5, HeadShare = 0.2, ImplicitShare = implicitShare, ImplicitQuery = implicitQuery, Beta = 0.5,
            Epochs = 2, Seed = 4, HistoryVector = vector, Threads = 1,
        };
        if (columns != null) (options.CandidatesColumnName, options.CandidateScoresColumnName, options.CandidateSourceColumnName) = (columns, columns + "S", columns + "Src");
        if (implicitShare == 0) return [mi.ConditionalRetriever(options).Fit(embedded)];
        var clusters = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true, Seed = 1 }).Fit(embedded);
        var clustered = clusters.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        return [clusters, mixtures, mi.ConditionalRetriever(options).Fit(mixtures.Transform(clustered))];
    }

    private MultiInterestModel SaveAndLoad(ITransformer chain, string name) => _world.SaveAndLoad(chain, Path.Combine(_directory, name + ".zip"));

    /// <summary>The manifest of a directory (or part) that reads a fresh history's vector by the encoder: format 5, the query alone.</summary>
    /// <summary>The first <paramref name="count"/> lists of <paramref name="served"/> are <paramref name="expected"/>'s, item for item and score for score.</summary>
    private static void AssertSameLists(RankedLists expected, RankedLists served, int count)
    {
        for (int u = 0; u < count; u++)
        {
            Assert.Equal(expected.IndicesOf(u).ToArray(), served.IndicesOf(u).ToArray());
            Assert.Equal(expected.ScoresOf(u).ToArray(), served.ScoresOf(u).ToArray());
        }
    }

    private static void AssertCarriesTheEncoder(string directory)
    {
        var manifest = OnnxServingManifest.Read(directory);
        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, manifest.FormatVersion);
        Assert.Equal(new[] { MixtureOnnxExporter.UserEmbeddingName }, manifest.HistoryEncoder!.Outputs);
        Assert.Null(manifest.HistoryQuotaScorer);
        Assert.True(File.Exists(Path.Combine(directory, OnnxServingDirectory.HistoryEncoderFileName)));
    }

    /// <summary>
    /// Asserts that <paramref name="lists"/> (one per history of <paramref name="histories"/>, an empty history last) are the
    /// recommender's lists of a new user with that history (following <paramref name="topics"/>[q] where given), excluding
    /// <paramref name="excluded"/>, items and scores.
    /// </summary>
    private static void AssertRecommendersLists(MultiInterestRecommender recommender, GraphEmbeddingTransformer embedding, int[][] histories, RankedLists lists,
        int[]? excluded, IReadOnlyList<string>[]? topics = null)
    {
        string ItemId(int row) => embedding.ItemIds[row];
        for (int q = 0; q < histories.Length; q++)
        {
            if (histories[q].Length == 0)
            {
                Assert.Equal(0, lists.IndicesOf(q).Length);
                continue;
            }
            var history = histories[q].Select(ItemId);
            var expected = topics == null
                ? recommender.Recommend("someone-new", history, 0, excluded?.Select(ItemId))
                : recommender.RecommendFollowing("someone-new", topics[q], history, 0, excluded?.Select(ItemId));
            Assert.Equal(CandidateSource.History, expected.Source);
            Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(ItemId));
            Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
            if (excluded != null) Assert.DoesNotContain(lists.IndicesOf(q).ToArray(), excluded.Contains);
        }
    }

    /// <summary>Followed topics per history: one, both, one again (a name given twice), ...</summary>
    private static IReadOnlyList<string>[] TopicsFor(int count) =>
        [.. Enumerable.Range(0, count).Select(q => (IReadOnlyList<string>)(q % 3 == 0 ? ["t1"] : q % 3 == 1 ? ["t0", "t1"] : ["t0", "t0"]))];

    private static IReadOnlyList<IReadOnlyList<int>> AsLists(int[][] histories) => [.. histories.Select(h => (IReadOnlyList<int>)h)];

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, 1)]
    [InlineData(DivideConquerEncoder.AttentionPooling, 64)]
    public void AFreshHistory_GetsTheRecommendersList_FromThePlainConditionalDirectory(DivideConquerEncoder encoder, int batchSize)
    {
        var embedding = _world.DivideConquer(encoder);
        string name = $"plain-{encoder}-{batchSize}";
        using var model = SaveAndLoad(ConditionalChain(embedding, 0, HistoryVector.Encoder), name);
        Assert.Equal(HistoryVector.Encoder, model.ServingStage.Settings.HistoryVector);
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string onnx = Path.Combine(_directory, name);
        var manifest = model.ExportOnnx(onnx);
        Assert.Equal(OnnxServingManifest.ConditionalRetrieval, manifest.Retrieval);
        Assert.NotNull(manifest.ConditionModel);
        AssertCarriesTheEncoder(onnx);

        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: batchSize);
        Assert.True(scorer.ServesQuotaHistories);
        // Trained users: the engine's lists, as before.
        int[] users = [.. Enumerable.Range(0, manifest.Users)];
        AssertSameLists(model.RetrieveWithEngine(users, threads: 1), scorer.RetrieveClusterQuota(users, model.TrainingHistory()), users.Length);
        // New users, by their history alone and following topics now: the recommender's lists.
        int[][] histories = [.. Histories, []];
        foreach (int[]? excluded in new int[]?[] { null, [13, 2] })
        {
            AssertRecommendersLists(recommender, embedding, histories, scorer.RetrieveClusterQuotaFromHistories(AsLists(histories), excludeItems: excluded), excluded);
            var topics = TopicsFor(Histories.Length);
            AssertRecommendersLists(recommender, embedding, Histories, scorer.RetrieveFollowingFromHistories(AsLists(Histories), topics, excludeItems: excluded), excluded, topics);
        }
    }

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, 64, QuotaQuery.Blend)]
    [InlineData(DivideConquerEncoder.AttentionPooling, 1, QuotaQuery.Component)]
    public void AFreshHistory_GetsTheRecommendersList_FromTheMergedConditionalDirectory(DivideConquerEncoder encoder, int batchSize, QuotaQuery implicitQuery)
    {
        var embedding = _world.DivideConquer(encoder);
        string name = $"merged-{encoder}-{batchSize}";
        using var model = SaveAndLoad(ConditionalChain(embedding, 0.5, HistoryVector.Encoder, implicitQuery), name);
        var recommender = _world.Ml.MultiInterest().CreateRecommender(model);
        string onnx = Path.Combine(_directory, name);
        var manifest = model.ExportOnnx(onnx);
        // Both parts read the history's vector by the encoder; the merged manifest names none itself, and says the version its parts need.
        Assert.Equal(OnnxServingManifest.ConditionalMergedRetrieval, manifest.Retrieval);
        Assert.Equal(OnnxServingManifest.DivideConquerHistoryFormatVersion, manifest.FormatVersion);
        Assert.Null(manifest.HistoryEncoder);
        AssertCarriesTheEncoder(Path.Combine(onnx, OnnxConditionalMergeScorer.ExplicitDirectoryName));
        AssertCarriesTheEncoder(Path.Combine(onnx, OnnxConditionalMergeScorer.ImplicitDirectoryName));

        using var scorer = OnnxConditionalMergeScorer.Open(onnx, batchSize: batchSize);
        Assert.True(scorer.ServesHistories);
        int[] users = [.. Enumerable.Range(0, manifest.Users)];
        AssertSameLists(model.RetrieveWithEngine(users, threads: 1), scorer.Retrieve(users, model.TrainingHistory()), users.Length);
        int[][] histories = [.. Histories, []];
        foreach (int[]? excluded in new int[]?[] { null, [13, 2] })
        {
            AssertRecommendersLists(recommender, embedding, histories, scorer.RetrieveFromHistories(AsLists(histories), excludeItems: excluded), excluded);
            var topics = TopicsFor(Histories.Length);
            AssertRecommendersLists(recommender, embedding, Histories, scorer.RetrieveFollowingFromHistories(AsLists(Histories), topics, excludeItems: excluded), excluded, topics);
        }
    }

    [Fact]
    public void FreshHistories_AreReadByTheEncoder_NotByTheirMean()
    {
        var embedding = _world.DivideConquer();
        using var byEncoder = SaveAndLoad(ConditionalChain(embedding, 0, HistoryVector.Encoder), "encoder");
        using var byMean = SaveAndLoad(ConditionalChain(embedding, 0, HistoryVector.Mean), "mean");
        string encoderDir = Path.Combine(_directory, "encoder"), meanDir = Path.Combine(_directory, "mean");
        byEncoder.ExportOnnx(encoderDir);
        var meanManifest = byMean.ExportOnnx(meanDir);
        // A directory without the encoder stays at the version every 1.4 and 1.5 reader serves.
        Assert.Equal(OnnxServingManifest.WrittenFormatVersion, meanManifest.FormatVersion);
        Assert.Null(meanManifest.HistoryEncoder);
        using var encoderScorer = OnnxCandidateScorer.Open(encoderDir);
        using var meanScorer = OnnxCandidateScorer.Open(meanDir);
        var freshByEncoder = encoderScorer.RetrieveClusterQuotaFromHistories(AsLists(Histories));
        var freshByMean = meanScorer.RetrieveClusterQuotaFromHistories(AsLists(Histories));
        Assert.Contains(Enumerable.Range(0, Histories.Length), q => !freshByEncoder.ScoresOf(q).SequenceEqual(freshByMean.ScoresOf(q)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void AFusionWithAConditionalSource_ReadingByTheEncoder_ServesAFreshHistoryTheRecommendersList(double implicitShare)
    {
        var embedding = _world.DivideConquer();
        var mi = _world.Ml.MultiInterest();
        var embedded = embedding.Transform(_world.Keyed);
        var conditional = ConditionalStages(embedded, implicitShare, HistoryVector.Encoder, QuotaQuery.Blend, columns: "A");
        var data = conditional.Aggregate(embedded, (view, stage) => stage.Transform(view));
        var unimodal = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = M, HistoryVector = HistoryVector.Encoder, Threads = 1 }).Fit(data);
        var fusion = mi.RankFusion(["A", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: M).Fit(unimodal.Transform(data));
        string name = $"fusion-{implicitShare}";
        using var model = SaveAndLoad(new TransformerChain<ITransformer>([_world.Keys, embedding, .. conditional, unimodal, fusion]), name);
        string onnx = Path.Combine(_directory, name);
        model.ExportOnnx(onnx);
        // The conditional source (or its two parts) and the unimodal source carry the encoder.
        string source0 = Path.Combine(onnx, "source0");
        if (implicitShare == 0) AssertCarriesTheEncoder(source0);
        else
        {
            Assert.Equal(OnnxServingManifest.ConditionalMergedRetrieval, OnnxServingManifest.Read(source0).Retrieval);
            AssertCarriesTheEncoder(Path.Combine(source0, OnnxConditionalMergeScorer.ExplicitDirectoryName));
            AssertCarriesTheEncoder(Path.Combine(source0, OnnxConditionalMergeScorer.ImplicitDirectoryName));
        }
        AssertCarriesTheEncoder(Path.Combine(onnx, "source1"));
        using var scorer = OnnxFusionScorer.Open(onnx);
        Assert.True(scorer.ServesHistories);
        AssertRecommendersLists(mi.CreateRecommender(model), embedding, Histories, scorer.RetrieveFromHistories(AsLists(Histories)), excluded: null);
    }

    /// <summary>Edits the manifest of <paramref name="directory"/> as JSON and reseals it (and its enclosing directory's), as someone editing it by hand would.</summary>
    private static void Edit(string directory, Action<JsonObject> edit)
    {
        string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
        Tests.Onnx.ServingChecksums.Reseal(directory);
    }

    [Fact]
    public void APlainConditionalManifestEdited_BelowVersion5OrClaimingTheMixture_IsRefused()
    {
        using var model = SaveAndLoad(ConditionalChain(_world.DivideConquer(), 0, HistoryVector.Encoder), "edited-plain");
        string onnx = Path.Combine(_directory, "edited-plain");
        model.ExportOnnx(onnx);
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string exported = File.ReadAllText(path);

        // Version 4 over the encoder: a 1.5.0 reader would serve the mean.
        Edit(onnx, json => json["format_version"] = 4);
        var below = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains("(format version 4, retrieval 'conditional') has a history_encoder with outputs [user_embedding]", below.Message);
        Assert.Contains("or a conditional directory of format version 5 or later reading a fresh history's vector (user_embedding) by it", below.Message);

        // The mixture claimed: a conditional directory reads a history's conditions with its condition model, never the model's mixture.
        File.WriteAllText(path, exported);
        Edit(onnx, json => json["history_encoder"]!["outputs"] = new JsonArray("mixture_clusters", "mixture_weights", "mixture_embeddings", "user_embedding"));
        var mixture = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains("retrieval 'conditional') has a history_encoder with outputs [mixture_clusters, mixture_weights, mixture_embeddings, user_embedding]", mixture.Message);
    }

    [Fact]
    public void AMergedConditionalManifestEdited_BelowVersion5_ClaimingTheEncoder_OrOverPartsThatDisagree_IsRefused()
    {
        using var model = SaveAndLoad(ConditionalChain(_world.DivideConquer(), 0.5, HistoryVector.Encoder), "edited-merged");
        string onnx = Path.Combine(_directory, "edited-merged");
        model.ExportOnnx(onnx);
        string Snapshot(string part) => File.ReadAllText(Path.Combine(onnx, part, OnnxServingDirectory.ManifestFileName));
        var exported = new[] { "", OnnxConditionalMergeScorer.ExplicitDirectoryName, OnnxConditionalMergeScorer.ImplicitDirectoryName }.ToDictionary(p => p, Snapshot);
        void Restore()
        {
            foreach (var (part, text) in exported) File.WriteAllText(Path.Combine(onnx, part, OnnxServingDirectory.ManifestFileName), text);
        }

        // The merged manifest at version 4 over parts with the encoder.
        Edit(onnx, json => json["format_version"] = 4);
        var below = Assert.Throws<InvalidDataException>(() => OnnxConditionalMergeScorer.Open(onnx).Dispose());
        Assert.Contains("(format version 4, retrieval 'conditional_merged') has parts whose manifests have a history_encoder", below.Message);
        Assert.Contains("which only a conditional_merged directory of format version 5 or later holds", below.Message);

        // The merged manifest naming an encoder itself (its explicit part's entry copied in), where no scorer reads one.
        Restore();
        var entry = JsonNode.Parse(exported[OnnxConditionalMergeScorer.ExplicitDirectoryName])!["history_encoder"]!.DeepClone();
        Edit(onnx, json => json["history_encoder"] = entry);
        var claimed = Assert.Throws<InvalidDataException>(() => OnnxConditionalMergeScorer.Open(onnx).Dispose());
        Assert.Contains("retrieval 'conditional_merged') has a history_encoder with outputs [user_embedding]", claimed.Message);

        // The implicit part's encoder taken out: its fresh histories would be read by their mean, the explicit part's by the encoder.
        Restore();
        Edit(Path.Combine(onnx, OnnxConditionalMergeScorer.ImplicitDirectoryName), json => json["history_encoder"] = null);
        var disagree = Assert.Throws<InvalidDataException>(() => OnnxConditionalMergeScorer.Open(onnx).Dispose());
        Assert.Contains("'explicit' reads a fresh history's vector by the divide-and-conquer encoder and 'implicit' does not", disagree.Message);
    }
}
