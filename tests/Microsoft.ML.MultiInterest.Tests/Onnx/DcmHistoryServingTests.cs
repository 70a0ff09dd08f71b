using System.Text.Json.Nodes;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A DCM pipeline (GraphEmbedding with DifferentiableClustering + RoundRobinRetriever), saved, loaded and exported to ONNX,
/// fitted once for the class: 16 users with two planted interests each over 24 items, 3 interests (weights: masses^0.5), K = 5.
/// </summary>
public sealed class DcmServingWorld : IDisposable
{
    public DcmServingWorld()
    {
        Ml = new MLContext(seed: 1);
        var raw = Ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = Ml.MultiInterest();
        var options = RoundRobinRetrieverMLNetTests.Embedding("dcm");
        options.Dcm.WeightExponent = 0.5f; // not the masses themselves: the exponent must survive save, load and export
        Fitted = MLNetTestData.KeyPipeline(Ml).Append(mi.GraphEmbedding(options))
            .Append(mi.RoundRobinRetriever(candidates: 5)).Fit(raw);
        string zip = Path.Combine(Root, "dcm.zip");
        Ml.Model.Save(Fitted, raw.Schema, zip);
        Loaded = MultiInterestModel.Load(Ml, zip);
        Manifest = Loaded.ExportOnnx(Directory);
    }

    public string Root { get; } = System.IO.Directory.CreateTempSubdirectory("mi-dcm-onnx-").FullName;

    public string Directory => Path.Combine(Root, "onnx");

    public MLContext Ml { get; }

    public ITransformer Fitted { get; }

    public MultiInterestModel Loaded { get; }

    public OnnxServingManifest Manifest { get; }

    /// <summary>Each trained user's training items, as item rows of the exported directory.</summary>
    public int[][] TrainingHistories()
    {
        var history = Loaded.TrainingHistory();
        return Enumerable.Range(0, history.UserCount).Select(u => history.ItemsOf(u).ToArray()).ToArray();
    }

    public void Dispose()
    {
        Loaded.Dispose();
        System.IO.Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// The DCM history encoder in the exported serving directory: written and listed by <see cref="MultiInterestModel.ExportOnnx"/>,
/// over the scorer's item rows, computing the engine's interests, and serving a new user through
/// <see cref="OnnxRoundRobinScorer"/> with the list <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives.
/// </summary>
public sealed class DcmHistoryServingTests(DcmServingWorld world) : IClassFixture<DcmServingWorld>
{
    [Fact]
    public void ExportOnnx_OfADcmModel_WritesTheHistoryEncoder_OverTheScorersItemRows_AndListsIt()
    {
        var manifest = world.Manifest;
        var encoder = Assert.IsType<OnnxServingGraph>(manifest.HistoryEncoder);
        Assert.Equal(OnnxServingDirectory.HistoryEncoderFileName, encoder.File);
        Assert.Equal([DcmOnnxExporter.HistoryRowsInput], encoder.Inputs);
        Assert.Equal([MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName], encoder.Outputs);

        // Round trip: the manifest read back lists the same graph.
        var read = OnnxServingManifest.Read(world.Directory);
        Assert.Equal(encoder.File, read.HistoryEncoder!.File);
        Assert.Equal(encoder.Inputs, read.HistoryEncoder.Inputs);
        Assert.Equal(encoder.Outputs, read.HistoryEncoder.Outputs);
        Assert.Equal(manifest.Components, read.Components);

        // The encoder's item table has one row per row of the scorer and of item_ids.tsv, and the scorer's C_d is 1.
        var items = ReadInitializerShape(Path.Combine(world.Directory, encoder.File), "items");
        Assert.Equal([manifest.Items, manifest.Dimension], items);
        Assert.Equal(1, manifest.DestinationComponents);
        var idLines = File.ReadAllLines(Path.Combine(world.Directory, MultiInterestModel.ItemIdsFileName));
        Assert.Equal(manifest.Items, idLines.Length - 1);
        Assert.Equal(world.Loaded.GraphEmbedding!.ItemIds, idLines.Skip(1).Select(l => l.Split('\t')[1]));
    }

    [Fact]
    public void HistoryEncoderInterests_EqualTheEnginesDcmInterests_ForTrainedUsersGivenAsHistories()
    {
        var histories = world.TrainingHistories();
        var stage = world.Loaded.ServingStage;
        var mixture = world.Loaded.GraphEmbedding!.Mixture!;
        var dcm = stage.Dcm!;
        Assert.Equal(0.5f, dcm.WeightExponent);
        int k = world.Manifest.Components, d = world.Manifest.Dimension, width = histories.Max(h => h.Length);
        Assert.Equal(3, k);
        var rows = new long[histories.Length * width];
        Array.Fill(rows, -1L);
        for (int q = 0; q < histories.Length; q++)
            for (int p = 0; p < histories[q].Length; p++) rows[q * width + p] = histories[q][p];
        using var session = new OnnxSessionFactory().CreateSession(Path.Combine(world.Directory, world.Manifest.HistoryEncoder!.File));
        using var input = OrtValue.CreateTensorValueFromMemory(rows, [histories.Length, width]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, world.Manifest.HistoryEncoder.Inputs, [input], world.Manifest.HistoryEncoder.Outputs);
        var clusters = outputs[0].GetTensorDataAsSpan<long>().ToArray();
        var weights = outputs[1].GetTensorDataAsSpan<double>().ToArray();
        var embeddings = outputs[2].GetTensorDataAsSpan<float>().ToArray();
        var trained = mixture.ToMixtureTable(Enumerable.Range(0, histories.Length).ToArray());
        for (int q = 0; q < histories.Length; q++)
        {
            // The engine's interests of this history (what MultiInterestRecommender serves a new user), and the trained user's own.
            var engine = dcm.InterestsOf(mixture.ItemComponents, histories[q]);
            foreach (var (table, row) in new[] { (engine, 0), (trained, q) })
            {
                Assert.Equal(table.Clusters(row).ToArray(), clusters.AsSpan(q * k, k).ToArray().Select(c => (int)c));
                for (int j = 0; j < k; j++)
                {
                    Assert.True(Math.Abs(table.Weights(row)[j] - weights[q * k + j]) < 1e-5, $"user {q} interest {j}: weight {weights[q * k + j]}, engine {table.Weights(row)[j]}");
                    for (int t = 0; t < d; t++)
                        Assert.True(Math.Abs(table.Embedding(row, j)[t] - embeddings[(q * k + j) * d + t]) < 1e-5, $"user {q} interest {j} dim {t}");
                }
            }
        }
    }

    [Fact]
    public void NewUsers_ServedThroughTheExportedDirectory_GetTheRecommendersLists()
    {
        var recommender = world.Ml.MultiInterest().CreateRecommender(world.Fitted);
        var itemIds = world.Loaded.GraphEmbedding!.ItemIds;
        var random = new Random(7);
        // Every trained user's history, and random histories of 1 to 8 items (duplicates and any order: read as a set).
        var histories = world.TrainingHistories().Select(h => h.Reverse().ToArray())
            .Concat(Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(itemIds.Count)).ToArray()))
            .ToArray();
        using var scorer = OnnxRoundRobinScorer.Open(world.Directory, batchSize: 7);
        Assert.True(scorer.HasHistoryEncoder);
        var lists = scorer.RetrieveFromHistories(histories);
        for (int q = 0; q < histories.Length; q++)
        {
            var expected = recommender.Recommend("new-user", histories[q].Select(i => itemIds[i]));
            Assert.Equal(CandidateSource.History, expected.Source);
            Assert.Equal(expected.Items.Select(r => r.ItemId), lists.IndicesOf(q).ToArray().Select(i => itemIds[i]));
            // Bit for bit: the interests are the engine's soft k-means, not the history encoder's float sums.
            Assert.Equal(expected.Items.Select(r => r.Score), lists.ScoresOf(q).ToArray());
            Assert.Empty(lists.IndicesOf(q).ToArray().Intersect(histories[q]));
        }

        // Trained users by row, with their training history excluded: the engine's lists.
        int[] users = Enumerable.Range(0, world.Manifest.Users).ToArray();
        var byRow = scorer.Retrieve(users, world.Loaded.TrainingHistory());
        var engine = world.Loaded.RetrieveWithEngine(users, threads: 1);
        for (int q = 0; q < users.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), byRow.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), byRow.ScoresOf(q).ToArray());
        }

        // Without excluding the history, a user's own items come back (the mask was what removed them).
        var kept = scorer.RetrieveFromHistories(histories, excludeHistory: false);
        Assert.Contains(Enumerable.Range(0, histories.Length), q => kept.IndicesOf(q).ToArray().Intersect(histories[q]).Any());
    }

    [Fact]
    public void AnEmptyHistory_GetsTheSeedsWithEqualWeights()
    {
        using var scorer = OnnxRoundRobinScorer.Open(world.Directory);
        var lists = scorer.RetrieveFromHistories([Array.Empty<int>()]);
        var dcm = world.Loaded.ServingStage.Dcm!;
        var mixture = world.Loaded.GraphEmbedding!.Mixture!;
        var expected = new RoundRobinRetriever(mixture.ItemComponents, 1)
            .Retrieve(dcm.InterestsOf(mixture.ItemComponents, []), [0], null, [world.Manifest.Candidates], threads: 1)[0];
        Assert.Equal(expected.IndicesOf(0).ToArray(), lists.IndicesOf(0).ToArray());
    }

    [Fact]
    public void BadHistories_AreRefusedNamingTheHistoryTheRowAndTheItemFile()
    {
        using var scorer = OnnxRoundRobinScorer.Open(world.Directory);
        int items = world.Manifest.Items;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.RetrieveFromHistories([[0, 1], [2, items]]));
        Assert.Contains($"History 1 holds item row {items} (position 1)", error.Message);
        Assert.Contains($"item rows are 0 to {items - 1}", error.Message);
        Assert.Contains(MultiInterestModel.ItemIdsFileName, error.Message);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.RetrieveFromHistories([[-1]]));
        Assert.Contains("item row -1", error.Message);
        Assert.Contains("History 0 is null", Assert.Throws<ArgumentNullException>(() => scorer.RetrieveFromHistories([null!])).Message);
        Assert.Contains("Unknown user row", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Retrieve([world.Manifest.Users])).Message);
    }

    [Fact]
    public void AManifestWithoutTheHistoryEncoder_StillOpens_AndRefusesHistoriesSayingWhy()
    {
        // A directory exported before the history encoder: the same files, the manifest without its entry.
        string old = Path.Combine(world.Root, "old");
        Directory.CreateDirectory(old);
        foreach (var file in Directory.GetFiles(world.Directory).Where(f => Path.GetFileName(f) != OnnxServingDirectory.HistoryEncoderFileName))
            File.Copy(file, Path.Combine(old, Path.GetFileName(file)), overwrite: true);
        string manifestPath = Path.Combine(old, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        Assert.True(json.Remove("history_encoder"));
        Robustness.BadInputFixtures.AsFormatVersion1(json);
        File.WriteAllText(manifestPath, json.ToJsonString());
        ServingChecksums.Reseal(Path.GetDirectoryName(manifestPath)!); // damaged on purpose, to reach the check behind the checksums

        var manifest = OnnxServingManifest.Read(old);
        Assert.Null(manifest.HistoryEncoder);
        Assert.Equal(1, manifest.FormatVersion);
        Assert.Null(manifest.LibraryVersion);
        using var scorer = OnnxRoundRobinScorer.Open(old);
        Assert.False(scorer.HasHistoryEncoder);
        var error = Assert.Throws<InvalidOperationException>(() => scorer.RetrieveFromHistories([[0]]));
        Assert.Contains("no DCM history encoder", error.Message);
        // Trained users are served as before.
        Assert.Equal(world.Manifest.Candidates, scorer.Retrieve([0]).Counts[0]);

        // A manifest that lists the encoder whose file is missing names the file.
        File.WriteAllText(manifestPath, File.ReadAllText(Path.Combine(world.Directory, OnnxServingDirectory.ManifestFileName)));
        ServingChecksums.Reseal(Path.GetDirectoryName(manifestPath)!); // damaged on purpose, to reach the check behind the checksums
        var missing = Assert.Throws<FileNotFoundException>(() => OnnxRoundRobinScorer.Open(old));
        Assert.Contains(OnnxServingDirectory.HistoryEncoderFileName, missing.Message);
    }

    [Fact]
    public void AMixtureEmbeddingModel_GetsNoHistoryEncoder_ServesNewUsersByTheirMean_AndAQuotaDirectoryIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var model = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")))
            .Append(mi.RoundRobinRetriever(candidates: 5)).Fit(raw);
        string zip = Path.Combine(world.Root, "mixture.zip"), directory = Path.Combine(world.Root, "mixture-onnx");
        ml.Model.Save(model, raw.Schema, zip);
        using var loaded = MultiInterestModel.Load(ml, zip);
        var manifest = loaded.ExportOnnx(directory);
        Assert.Null(manifest.HistoryEncoder);
        Assert.False(File.Exists(Path.Combine(directory, OnnxServingDirectory.HistoryEncoderFileName)));
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(directory, OnnxServingDirectory.ManifestFileName)))!["history_encoder"]);
        // Its new users get one component, the mean of their items' vectors, as the recommender serves them.
        Assert.True(manifest.HistoryMean);
        using (var scorer = OnnxRoundRobinScorer.Open(directory))
        {
            Assert.True(scorer.ServesHistories);
            var recommender = mi.CreateRecommender(loaded);
            var itemIds = loaded.GraphEmbedding!.ItemIds;
            int[][] histories = [[0, 2, 5], [7], []];
            var fresh = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
            for (int q = 0; q < histories.Length; q++)
            {
                var live = recommender.Recommend("someone-new", histories[q].Select(i => itemIds[i]));
                if (histories[q].Length == 0)
                {
                    Assert.Equal(0, fresh.Counts[q]);
                    continue;
                }
                Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(i => itemIds[i]));
                Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
            }
        }

        // A history encoder that does not fit the model is refused before anything is written.
        var dcm = world.Loaded.ServingStage.Dcm!;
        var mixture = world.Loaded.GraphEmbedding!.Mixture!;
        var wrong = new DcmModel(new EmbeddingMatrix(mixture.ItemCount + 1, mixture.Dimension), dcm.Seeds, dcm.Temperature, dcm.PriorWeight, dcm.Iterations, dcm.WeightExponent);
        var error = Assert.Throws<ArgumentException>(() => OnnxServingDirectory.ExportRoundRobin(mixture, 5, Path.Combine(world.Root, "never"), dcm: wrong));
        Assert.Contains("must read the scorer's item rows", error.Message);
        Assert.False(Directory.Exists(Path.Combine(world.Root, "never")));

        // A quota directory is not a round-robin one.
        var users = new EmbeddingMatrix(2, 2, [1, 0, 0, 1]);
        var items = new EmbeddingMatrix(3, 2, [1, 0, 0, 1, 1, 1]);
        var clustering = ItemClustering.Create([0, 1, 0], 2, items);
        var mixtures = MixtureBuilder.BuildMle(BipartiteGraph.FromEdges(2, 3, [0, 1], [0, 1]), clustering, items, 2, threads: 1);
        string quota = Path.Combine(world.Root, "quota");
        OnnxServingDirectory.Export(users, items, clustering, mixtures, 2, 1.0, quota);
        Assert.Contains("OnnxCandidateScorer", Assert.Throws<NotSupportedException>(() => OnnxRoundRobinScorer.Open(quota)).Message);
    }

    [Fact]
    public void OnAWideKeyRange_TheEncoderReadsItemRowsByKey_AsTheScorerAndTheItemFileDo()
    {
        // Item keys 1, 6, 11, ... (every fifth), user keys every third: most keys have no vector.
        const int userStride = 3, itemStride = 5;
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges().Select(e => (User: int.Parse(e.User[1..], System.Globalization.CultureInfo.InvariantCulture),
            Item: int.Parse(e.Item[1..], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(KeyEdge));
        schema[nameof(KeyEdge.User)].ColumnType = new Microsoft.ML.Data.KeyDataViewType(typeof(uint), (edges.Max(e => e.User) + 1) * userStride);
        schema[nameof(KeyEdge.Item)].ColumnType = new Microsoft.ML.Data.KeyDataViewType(typeof(uint), (edges.Max(e => e.Item) + 1) * itemStride);
        var train = ml.Data.LoadFromEnumerable(edges.Select(e => new KeyEdge { User = (uint)(e.User * userStride), Item = (uint)(e.Item * itemStride) }).ToList(), schema);
        var mi = ml.MultiInterest();
        var model = mi.GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("dcm")).Append(mi.RoundRobinRetriever(candidates: 5)).Fit(train);
        string zip = Path.Combine(world.Root, "wide.zip"), directory = Path.Combine(world.Root, "wide-onnx");
        ml.Model.Save(model, train.Schema, zip);
        using var loaded = MultiInterestModel.Load(ml, zip);
        var manifest = loaded.ExportOnnx(directory);
        int items = (edges.Max(e => e.Item) + 1) * itemStride;
        Assert.Equal(items, manifest.Items);
        Assert.Equal([items, manifest.Dimension], ReadInitializerShape(Path.Combine(directory, manifest.HistoryEncoder!.File), "items"));
        Assert.Equal(items + 1, File.ReadAllLines(Path.Combine(directory, MultiInterestModel.ItemIdsFileName)).Length);

        // Each trained user's history, as item rows (key - 1), gives its trained interests through the exported encoder.
        var history = loaded.TrainingHistory();
        var trained = Enumerable.Range(0, history.UserCount).Where(u => history.DegreeOf(u) > 0).ToArray();
        Assert.Equal(edges.Select(e => e.User).Distinct().Count(), trained.Length);
        Assert.All(trained, u => Assert.Equal(0, u % userStride));
        Assert.All(trained.SelectMany(u => history.ItemsOf(u).ToArray()), i => Assert.Equal(0, i % itemStride));
        int width = trained.Max(history.DegreeOf), k = manifest.Components, d = manifest.Dimension;
        var rows = new long[trained.Length * width];
        Array.Fill(rows, -1L);
        for (int q = 0; q < trained.Length; q++)
        {
            var seen = history.ItemsOf(trained[q]);
            for (int p = 0; p < seen.Length; p++) rows[q * width + p] = seen[p];
        }
        using var session = new OnnxSessionFactory().CreateSession(Path.Combine(directory, manifest.HistoryEncoder.File));
        using var input = OrtValue.CreateTensorValueFromMemory(rows, [trained.Length, width]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, manifest.HistoryEncoder.Inputs, [input], manifest.HistoryEncoder.Outputs);
        var embeddings = outputs[2].GetTensorDataAsSpan<float>().ToArray();
        var table = loaded.GraphEmbedding!.Mixture!.ToMixtureTable(trained);
        for (int q = 0; q < trained.Length; q++)
        {
            Assert.Equal(table.Clusters(trained[q]).ToArray(), outputs[0].GetTensorDataAsSpan<long>().Slice(q * k, k).ToArray().Select(c => (int)c));
            for (int j = 0; j < k; j++)
                for (int t = 0; t < d; t++)
                    Assert.True(Math.Abs(table.Embedding(trained[q], j)[t] - embeddings[(q * k + j) * d + t]) < 1e-5, $"user row {trained[q]} interest {j} dim {t}");
        }
    }

    /// <summary>An edge row over key-typed columns; ML.NET reads a key property as the 0-based index (key = value + 1).</summary>
    private sealed class KeyEdge
    {
        public uint User { get; set; }

        public uint Item { get; set; }
    }

    /// <summary>The shape of initializer <paramref name="name"/> of the model at <paramref name="path"/>.</summary>
    private static int[] ReadInitializerShape(string path, string name)
    {
        var model = Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return OnnxTensorReader.Shape(OnnxTensorReader.Find(model, name));
    }
}
