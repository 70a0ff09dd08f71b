using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>A loaded model served three ways gives the lists fitted in memory: its saved lists, the engine, the exported ONNX graphs.</summary>
public sealed class ServingTests : IDisposable
{
    private readonly FittedStages _stages = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-serving-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private MultiInterestModel SaveAndLoad()
    {
        var s = _stages;
        string path = Path.Combine(_directory, "model.zip");
        s.Ml.Model.Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(s.Keys, s.Embedding, s.KMeans, s.Mixture, s.Quota), s.Raw.Schema, path);
        return MultiInterestModel.Load(s.Ml, path);
    }

    /// <summary>The training edges as a graph over user and item rows (key - 1): what Fit excluded.</summary>
    private BipartiteGraph TrainingGraph()
    {
        var users = MLNetTestData.Keys(_stages.Keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(_stages.Keyed, "Item").Select(k => (int)k - 1).ToArray();
        return BipartiteGraph.FromEdges(_stages.Quota.UserCount, _stages.Quota.ItemCount, users, items);
    }

    private void AssertSameAsFitted(RankedLists lists, int[] userRows)
    {
        for (int q = 0; q < userRows.Length; q++)
        {
            var (keys, scores) = _stages.Quota.GetCandidates((uint)userRows[q] + 1);
            Assert.Equal(keys.Select(k => (int)k - 1), lists.IndicesOf(q).ToArray());
            Assert.Equal(scores.Length, lists.ScoresOf(q).Length);
            for (int r = 0; r < scores.Length; r++) Assert.Equal(scores[r], lists.ScoresOf(q)[r], 1e-5f);
        }
    }

    [Fact]
    public void Engine_OnTheSavedTables_WithTheTrainingItemsExcluded_GivesTheFittedLists()
    {
        var model = SaveAndLoad();
        Assert.Equal(CandidateMethod.ClusterQuota, model.ServingStage.Method);
        int[] users = Enumerable.Range(0, _stages.Quota.UserCount).ToArray();
        AssertSameAsFitted(model.RetrieveWithEngine(users, TrainingGraph(), threads: 1), users);
    }

    /// <summary>
    /// Ids the id files cannot hold (a TAB or a line break inside an id would split its line) are refused before anything is
    /// written, naming the id; so is a file where the directory should be.
    /// </summary>
    [Fact]
    public void ExportOnnx_RefusesIdsTheIdFilesCannotHold_AndAFileForTheDirectory()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        foreach (var e in edges.Where(e => e.User == "u3")) e.User = "u3\tnew";
        var raw = ml.Data.LoadFromEnumerable(edges);
        var pipeline = MLNetTestData.KeyPipeline(ml)
            .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5));
        string path = Path.Combine(_directory, "tab-ids.zip");
        ml.Model.Save(pipeline.Fit(raw), raw.Schema, path);
        using var model = MultiInterestModel.Load(ml, path);
        string onnx = Path.Combine(_directory, "tab-onnx");
        var refused = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(onnx));
        Assert.Contains("u3\\tnew", refused.Message);
        Assert.Contains(MultiInterestModel.UserIdsFileName, refused.Message);
        Assert.False(Directory.Exists(onnx));

        string file = Path.Combine(_directory, "a-file");
        File.WriteAllText(file, "");
        Assert.Contains("is a file", Assert.Throws<IOException>(() => SaveAndLoad().ExportOnnx(file)).Message);
    }

    [Fact]
    public void ExportedOnnxGraphs_InOnnxRuntime_GiveTheFittedLists()
    {
        var model = SaveAndLoad();
        string onnx = Path.Combine(_directory, "onnx");
        var manifest = model.ExportOnnx(onnx);
        Assert.Equal(_stages.Quota.Candidates, manifest.Candidates);
        var ids = File.ReadAllLines(Path.Combine(onnx, MultiInterestModel.ItemIdsFileName)).Skip(1).Select(l => l.Split('\t')[1]);
        Assert.Equal(_stages.Embedding.ItemIds, ids);
        int[] users = Enumerable.Range(0, _stages.Quota.UserCount).ToArray();
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 5);
        var lists = scorer.RetrieveClusterQuota(users, TrainingGraph());
        AssertSameAsFitted(lists, users);
        // And the engine's lists on the saved tables exactly, scores included.
        var engine = model.RetrieveWithEngine(users, TrainingGraph(), threads: 1);
        Assert.Equal(engine.Counts, lists.Counts);
        Assert.Equal(engine.Indices, lists.Indices);
        Assert.Equal(engine.Scores, lists.Scores);
    }

    /// <summary>
    /// The export's popular list is the recommender's fallback for a user it does not know, item for item and degree for degree,
    /// so a client of the graphs alone serves the users <c>user_ids.tsv</c> does not list as the library would.
    /// </summary>
    [Fact]
    public void ExportOnnx_WritesThePopularFallback_AsTheRecommenderServesAnUnknownUser()
    {
        using var model = SaveAndLoad();
        string onnx = Path.Combine(_directory, "onnx-popular");
        model.ExportOnnx(onnx);
        var lines = File.ReadAllLines(Path.Combine(onnx, MultiInterestModel.PopularItemsFileName));
        Assert.Equal("row\titem\tdegree", lines[0]);
        var popular = lines.Skip(1).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(_stages.Quota.ItemCount, popular.Length);
        var itemIds = _stages.Embedding.ItemIds;
        foreach (var row in popular) Assert.Equal(itemIds[int.Parse(row[0], CultureInfo.InvariantCulture)], row[1]);

        var served = _stages.Ml.MultiInterest().CreateRecommender(model).Recommend("a user the model never saw", count: popular.Length);
        Assert.Equal(CandidateSource.Popular, served.Source);
        Assert.Equal(served.Items.Select(i => i.ItemId), popular.Select(r => r[1]));
        Assert.Equal(served.Items.Select(i => (int)i.Score), popular.Select(r => int.Parse(r[2], CultureInfo.InvariantCulture)));
        // The degrees are the training edges' (every edge of the fixture is a training edge).
        Assert.Equal(TrainingGraph().EdgeCount, popular.Sum(r => long.Parse(r[2], CultureInfo.InvariantCulture)));

        // The training history, the exclusion mask's source for a client without the zip: the fixture's training edges exactly.
        var history = File.ReadAllLines(Path.Combine(onnx, MultiInterestModel.TrainingHistoryFileName));
        Assert.Equal("user_row\titem_row", history[0]);
        var edges = history.Skip(1).Select(l => l.Split('\t')).Select(f => (User: int.Parse(f[0], CultureInfo.InvariantCulture), Item: int.Parse(f[1], CultureInfo.InvariantCulture))).ToArray();
        var saved = TrainingGraph();
        Assert.Equal(saved.EdgeCount, edges.Length);
        for (int u = 0; u < saved.UserCount; u++)
            Assert.Equal(saved.ItemsOf(u).ToArray(), edges.Where(e => e.User == u).Select(e => e.Item).ToArray());
    }

    [Fact]
    public void AnOnnxDirectoryOfAnotherModelIsRefusedByName()
    {
        // Two models over the same vectors, cluster quotas and Unimodal: each export opens and runs, so only the stamp tells them apart.
        var s = _stages;
        var quota = SaveAndLoad();
        string unimodalPath = Path.Combine(_directory, "unimodal.zip");
        s.Ml.Model.Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(s.Keys, s.Embedding, s.KMeans, s.Mixture, s.Unimodal), s.Raw.Schema, unimodalPath);
        var unimodal = MultiInterestModel.Load(s.Ml, unimodalPath);
        string quotaOnnx = Path.Combine(_directory, "quota-onnx"), unimodalOnnx = Path.Combine(_directory, "unimodal-onnx");
        var stamped = quota.ExportOnnx(quotaOnnx);
        unimodal.ExportOnnx(unimodalOnnx);
        Assert.Equal(quota.ServingStage.StageId, stamped.ModelStage);
        Assert.Equal(stamped.ModelStage, OnnxServingManifest.Read(quotaOnnx).ModelStage);
        Assert.Equal(stamped.ModelStage, quota.CheckOnnxDirectory(quotaOnnx).ModelStage);
        var refused = Assert.Throws<InvalidDataException>(() => quota.CheckOnnxDirectory(unimodalOnnx));
        Assert.Contains($"'{unimodalOnnx}' was exported from another model", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => unimodal.CheckOnnxDirectory(quotaOnnx));
        // A directory without the stamp (exported before it existed) cannot be told from another fit of the same items and
        // dimension (a walkthrough of upgrades served another seed's lists from one): refused, to be exported again.
        var manifestPath = Path.Combine(quotaOnnx, OnnxServingDirectory.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        Assert.True(json.Remove("model_stage"));
        Robustness.BadInputFixtures.AsFormatVersion1(json);
        File.WriteAllText(manifestPath, json.ToJsonString());
        Microsoft.ML.MultiInterest.Tests.Onnx.ServingChecksums.Reseal(Path.GetDirectoryName(manifestPath)!); // damaged on purpose, to reach the check behind the checksums
        Assert.Null(OnnxServingManifest.Read(quotaOnnx).ModelStage);
        var unstamped = Assert.Throws<InvalidDataException>(() => quota.CheckOnnxDirectory(quotaOnnx));
        Assert.Contains("was exported before exports named the model they serve", unstamped.Message, StringComparison.Ordinal);
        Assert.Contains("export this model's graphs there again", unstamped.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => quota.CheckOnnxDirectory(Path.Combine(_directory, "none")));
    }

    /// <summary>
    /// Regression (a walkthrough of outputs under failure): an export interrupted over an earlier one left one model's encoder
    /// beside the other's scorers under the earlier stamp, and serving took it for an export. The directory is now marked
    /// unfinished until the stamped manifest is written last: serving refuses it, the next export writes over it (the
    /// user's own files kept), and a finished export leaves no mark.
    /// </summary>
    [Fact]
    public void AnUnfinishedExportIsRefusedByServing_AndWrittenOverByTheNextExport()
    {
        var quota = SaveAndLoad();
        string onnx = Path.Combine(_directory, "unfinished");
        quota.ExportOnnx(onnx);
        string marker = Path.Combine(onnx, OnnxServingManifest.UnfinishedMarkerFileName);
        Assert.False(File.Exists(marker));
        File.WriteAllText(Path.Combine(onnx, "notes.txt"), "mine");

        // As a kill mid-export leaves it: the mark, over the earlier export's files.
        File.WriteAllText(marker, "started");
        var refused = Assert.Throws<InvalidDataException>(() => quota.CheckOnnxDirectory(onnx));
        Assert.Contains($"An ONNX export into '{onnx}' did not finish", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));

        quota.ExportOnnx(onnx);
        Assert.False(File.Exists(marker));
        quota.CheckOnnxDirectory(onnx);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(onnx, "notes.txt")));

        // While an export holds the mark, another into the same directory is refused (a review found two exports interleaving).
        using (new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var busy = Assert.Throws<IOException>(() => quota.ExportOnnx(onnx));
            Assert.Contains($"Another export is writing into '{onnx}'", busy.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ServingWithoutTheNeededStages_SaysWhichIsMissing()
    {
        var s = _stages;
        string path = Path.Combine(_directory, "embedding-only.zip");
        s.Ml.Model.Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(s.Keys, s.Embedding), s.Raw.Schema, path);
        var model = MultiInterestModel.Load(s.Ml, path);
        Assert.Contains("no candidate retrieval stage", Assert.Throws<InvalidOperationException>(() => model.ExportOnnx(Path.Combine(_directory, "x"))).Message);
        Assert.Contains("no candidate retrieval stage", Assert.Throws<InvalidOperationException>(() => model.RetrieveWithEngine([0])).Message);
    }
}
