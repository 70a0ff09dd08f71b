using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.Onnx;
using Microsoft.ML.MultiInterest.Tests.Serving;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The learned multi-vector models served as an ordinary pipeline: GraphEmbedding (mixture embeddings or DCM) followed by
/// RoundRobinRetriever gives the engine's round-robin lists, survives Model.Save and loading, serves fresh histories as
/// documented, and refuses inputs it cannot serve naming the column or option.
/// </summary>
public sealed class RoundRobinRetrieverMLNetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-roundrobin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Mixture embeddings with 3 components per user and 2 per item, or DCM with 3 interests.</summary>
    internal static GraphEmbeddingTrainer.Options Embedding(string kind) => kind == "dcm"
        ? new() { Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 8, Epochs = 2, Threads = 1, UniformNegatives = 4, Seed = 3,
            Dcm = new DcmOptions { Interests = 3, Iterations = 2 } }
        : new() { Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Dimension = 8, Epochs = 3, Threads = 1, UniformNegatives = 5, BatchNegatives = 5, ChunkSize = 10, Seed = 3,
            Mixture = new MixtureEmbeddingOptions { SourceComponents = 3, DestinationComponents = 2 } };

    private static (MLContext Ml, IDataView Raw, TransformerChain<CandidateRetrievalTransformer> Model) Fit(string kind, int candidates = 5)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var model = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(Embedding(kind))).Append(mi.RoundRobinRetriever(candidates: candidates)).Fit(raw);
        return (ml, raw, model);
    }

    private static GraphEmbeddingTransformer EmbeddingOf(ITransformer model) => ((IEnumerable<ITransformer>)model).OfType<GraphEmbeddingTransformer>().Single();

    /// <summary>The training edges as the engine's graph over user rows and item rows (key - 1).</summary>
    private static BipartiteGraph TrainingGraph(IDataView keyed)
    {
        var users = MLNetTestData.Keys(keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(keyed, "Item").Select(k => (int)k - 1).ToArray();
        var userType = (KeyDataViewType)keyed.Schema["User"].Type;
        var itemType = (KeyDataViewType)keyed.Schema["Item"].Type;
        return BipartiteGraph.FromEdges((int)userType.Count, (int)itemType.Count, users, items);
    }

    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    public void PipelineLists_EqualTheEnginesRoundRobin_OnTheSameModel(string kind)
    {
        var (ml, raw, model) = Fit(kind);
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var mixture = EmbeddingOf(model).Mixture!;
        var graph = TrainingGraph(keyed);
        int[] users = Enumerable.Range(0, graph.UserCount).ToArray();
        var expected = new RoundRobinRetriever(mixture.ItemComponents, mixture.DestinationComponents)
            .Retrieve(mixture.ToMixtureTable(users), users, graph, [5], threads: 1)[0];
        var retriever = model.LastTransformer;
        Assert.Equal(CandidateMethod.RoundRobin, retriever.Method);
        Assert.True(double.IsNaN(retriever.Alpha));
        for (int u = 0; u < users.Length; u++)
        {
            var (itemKeys, scores) = retriever.GetCandidates((uint)u + 1);
            Assert.Equal(CandidateSource.Trained, retriever.GetCandidateSource((uint)u + 1));
            Assert.Equal(5, itemKeys.Length);
            Assert.Equal(expected.IndicesOf(u).ToArray(), itemKeys.Select(k => (int)k - 1));
            Assert.Equal(expected.ScoresOf(u).ToArray(), scores);
        }

        // Transform gives every edge row its user's list, and the component columns carry the model.
        var scored = model.Transform(raw);
        var rowUsers = MLNetTestData.Keys(scored, "User");
        var lists = scored.GetColumn<VBuffer<uint>>(scored.Schema[MultiInterestColumnNames.Candidates]).Select(v => v.DenseValues().ToArray()).ToArray();
        var components = MLNetTestData.Vectors(scored, MultiInterestColumnNames.UserComponents);
        for (int r = 0; r < lists.Length; r++)
        {
            int u = (int)rowUsers[r] - 1;
            Assert.Equal(expected.IndicesOf(u).ToArray(), lists[r].Select(k => (int)k - 1));
            Assert.Equal(mixture.ComponentsOfUser(u).ToArray(), components[r]);
        }
    }

    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    public void SaveAndLoad_GiveIdenticalLists_ColumnsAndLiveServing(string kind)
    {
        var (ml, raw, model) = Fit(kind);
        string path = Path.Combine(_directory, kind + ".zip");
        ml.Model.Save(model, raw.Schema, path);
        var loaded = MultiInterestModel.Load(ml, path);
        Assert.Equal(CandidateMethod.RoundRobin, loaded.ServingStage.Method);

        // ML.NET's loaded chain appends the same columns with the same values.
        var fittedView = model.Transform(raw);
        var loadedView = loaded.Transformer.Transform(raw);
        foreach (string column in new[] { MultiInterestColumnNames.UserComponents, MultiInterestColumnNames.ItemComponents, MultiInterestColumnNames.CandidateScores })
            Assert.Equal(MLNetTestData.Vectors(fittedView, column), MLNetTestData.Vectors(loadedView, column));
        Assert.Equal(Doubles(fittedView, MultiInterestColumnNames.UserComponentWeights), Doubles(loadedView, MultiInterestColumnNames.UserComponentWeights));
        Assert.Equal(ServingWorld.Read(fittedView).Select(l => l.Items), ServingWorld.Read(loadedView).Select(l => l.Items));

        // Live serving: trained users alone and with fresh history, new users with history and without.
        var mi = ml.MultiInterest();
        var fitted = mi.CreateRecommender(model);
        var fromZip = mi.CreateRecommender(loaded);
        var edges = MLNetTestData.Edges();
        var itemIds = edges.Select(e => e.Item).Distinct().ToArray();
        var random = new Random(4);
        foreach (string user in edges.Select(e => e.User).Distinct().Append("new"))
        {
            var history = itemIds.OrderBy(_ => random.Next()).Take(3).ToArray();
            foreach (var h in new[] { null, history })
            {
                var a = fitted.Recommend(user, h);
                Assert.Equal(a, fromZip.Recommend(user, h), RecommendationListComparer.Instance);
                Assert.Empty(a.Items.Select(i => i.ItemId).Intersect(h ?? []));
            }
        }

        // The engine on the loaded tables gives the fitted lists.
        var ids = loaded.GraphEmbedding!.UserIds;
        var engine = loaded.RetrieveWithEngine(Enumerable.Range(0, ids.Count).ToArray(), threads: 1);
        for (int u = 0; u < ids.Count; u++)
            Assert.Equal(fitted.Recommend(ids[u]).Items.Select(i => i.ItemId), engine.IndicesOf(u).ToArray().Select(i => loaded.GraphEmbedding.ItemIds[i]));
    }

    [Fact]
    public void A_warm_started_dcm_pipeline_holding_two_embedding_stages_is_served_from_the_dcm_stage()
    {
        // keys -> implicit ALS -> DCM started from it -> round robin: the saved model holds two GraphEmbedding stages, and every
        // serving path of the loaded model must read the DCM one (the one before the retrieval stage), not the first.
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        var als = mi.GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 8).Fit(keys.Transform(raw));
        var vectors = keys.Append(als);
        var model = vectors.Append(mi.DifferentiableClustering(start: als, interests: 3).Append(mi.RoundRobinRetriever(candidates: 5)).Fit(vectors.Transform(raw)));
        string path = Path.Combine(_directory, "warm.zip");
        ml.Model.Save(model, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        Assert.Null(loaded.GraphEmbedding!.Mixture);   // the first stage: ALS

        var fitted = mi.CreateRecommender(model);
        var fromZip = mi.CreateRecommender(loaded);
        var ids = loaded.GraphEmbedding.UserIds;
        var engine = loaded.RetrieveWithEngine(Enumerable.Range(0, ids.Count).ToArray(), threads: 1);
        for (int u = 0; u < ids.Count; u++)
        {
            var list = fitted.Recommend(ids[u]);
            Assert.Equal(list, fromZip.Recommend(ids[u]), RecommendationListComparer.Instance);
            Assert.Equal(list.Items.Select(i => i.ItemId), engine.IndicesOf(u).ToArray().Select(i => loaded.GraphEmbedding.ItemIds[i]));
        }
        Assert.NotNull(loaded.ExportOnnx(Path.Combine(_directory, "warm-onnx")).RoundRobinScorer);
    }

    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    public void LoadedModel_ExportsRoundRobinOnnxGraphs_ThatGiveTheEnginesLists(string kind)
    {
        var (ml, raw, model) = Fit(kind);
        string path = Path.Combine(_directory, kind + "-onnx.zip");
        ml.Model.Save(model, raw.Schema, path);
        var loaded = MultiInterestModel.Load(ml, path);
        string directory = Path.Combine(_directory, kind + "-onnx");
        var manifest = loaded.ExportOnnx(directory);
        Assert.NotNull(manifest.RoundRobinScorer);
        // The manifest names what it serves, as every other kind does, for clients that dispatch on it.
        Assert.Equal(OnnxServingManifest.RoundRobinRetrieval, OnnxServingManifest.Read(directory).Retrieval);
        Assert.True(File.Exists(Path.Combine(directory, MultiInterestModel.UserIdsFileName)));
        var error = Assert.Throws<NotSupportedException>(() => OnnxCandidateScorer.Open(directory));
        Assert.Contains("RoundRobinOnnxMerge", error.Message);

        var sessions = new OnnxSessionFactory();
        using var encoder = sessions.CreateSession(Path.Combine(directory, manifest.Encoder.File));
        using var scorer = sessions.CreateSession(Path.Combine(directory, manifest.RoundRobinScorer!.File));
        int[] rows = Enumerable.Range(0, loaded.GraphEmbedding!.UserIds.Count).ToArray();
        var encoded = MixtureGraphRunner.Encode(encoder, rows);
        int b = rows.Length, m = encoded.Components, d = encoded.Dimension;
        var mask = OnnxExclusionMask.Build(loaded.TrainingHistory(), rows);
        using var embeddings = OrtValue.CreateTensorValueFromMemory(encoded.Embeddings, [b, m, d]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [b, mask.Length / b]);
        using var runOptions = new RunOptions();
        using var outputs = scorer.Run(runOptions, [MixtureOnnxExporter.MixtureEmbeddingsName, MixtureOnnxExporter.ExclusionMaskInput], [embeddings, maskValue],
            [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput]);
        var viaOnnx = RoundRobinOnnxMerge.Merge(encoded.Clusters, encoded.Weights, outputs[0].GetTensorDataAsSpan<long>(), outputs[1].GetTensorDataAsSpan<float>(),
            b, m, manifest.DestinationComponents, manifest.Items, manifest.Candidates);
        var engine = loaded.RetrieveWithEngine(rows, threads: 1);
        for (int q = 0; q < rows.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), viaOnnx.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), viaOnnx.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void WideKeyRanges_GiveTheDenseLists_AndSaveTheKeysInUseOnly()
    {
        const int userStride = 97, itemStride = 89;
        var dense = FitKeyed(1, 1);
        var wide = FitKeyed(userStride, itemStride);
        var denseLists = dense.Model.LastTransformer;
        var wideLists = wide.Model.LastTransformer;
        for (int u = 0; u < 16; u++)
        {
            var a = denseLists.GetCandidates((uint)u + 1);
            var b = wideLists.GetCandidates((uint)(u * userStride) + 1);
            Assert.Equal(a.ItemKeys, b.ItemKeys.Select(k => (k - 1) / (uint)itemStride + 1));
            Assert.Equal(a.Scores, b.Scores);
        }
        // A key in the range without edges reads zero components and no weight, in memory and after loading.
        var loaded = MultiInterestModel.Load(wide.Ml, wide.Path);
        Assert.Equal(EmbeddingOf(wide.Model).Mixture!.UserComponents.Values, loaded.GraphEmbedding!.Mixture!.UserComponents.Values);
        Assert.Equal(EmbeddingOf(wide.Model).Mixture!.UserWeights, loaded.GraphEmbedding.Mixture.UserWeights);
        Assert.Equal(EmbeddingOf(wide.Model).Mixture!.ItemComponents.Values, loaded.GraphEmbedding.Mixture.ItemComponents.Values);
        var scoring = wide.Ml.Data.LoadFromEnumerable(new[] { new KeyEdge { User = 1, Item = 0 }, new KeyEdge { User = userStride, Item = itemStride } }, wide.Schema);
        foreach (var view in new[] { wide.Model.Transform(scoring), loaded.Transformer.Transform(scoring) })
        {
            var weights = Doubles(view, MultiInterestColumnNames.UserComponentWeights);
            var components = MLNetTestData.Vectors(view, MultiInterestColumnNames.UserComponents);
            Assert.All(weights[0], w => Assert.Equal(0, w));
            Assert.All(components[0], v => Assert.Equal(0, v));
            Assert.Equal(EmbeddingOf(wide.Model).Mixture!.ComponentsOfUser(userStride).ToArray(), components[1]);
        }
        // The saved graphs grow with the keys in use (a key list and a LabelEncoder), not with the 97x and 89x wider ranges.
        Assert.True(StageBytes(wide.Path) < StageBytes(dense.Path) + 20_000, $"wide {StageBytes(wide.Path)} bytes, dense {StageBytes(dense.Path)}");
    }

    /// <summary>An edge row over key-typed columns; ML.NET reads a key property as the 0-based index (key = value + 1).</summary>
    private sealed class KeyEdge
    {
        public uint User { get; set; }

        public uint Item { get; set; }
    }

    private (MLContext Ml, SchemaDefinition Schema, TransformerChain<CandidateRetrievalTransformer> Model, string Path) FitKeyed(int userStride, int itemStride)
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges().Select(e => (User: int.Parse(e.User[1..], System.Globalization.CultureInfo.InvariantCulture),
            Item: int.Parse(e.Item[1..], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var schema = SchemaDefinition.Create(typeof(KeyEdge));
        schema[nameof(KeyEdge.User)].ColumnType = new KeyDataViewType(typeof(uint), (edges.Max(e => e.User) + 1) * userStride);
        schema[nameof(KeyEdge.Item)].ColumnType = new KeyDataViewType(typeof(uint), (edges.Max(e => e.Item) + 1) * itemStride);
        var train = ml.Data.LoadFromEnumerable(edges.Select(e => new KeyEdge { User = (uint)(e.User * userStride), Item = (uint)(e.Item * itemStride) }).ToList(), schema);
        var mi = ml.MultiInterest();
        var model = mi.GraphEmbedding(Embedding("mixture")).Append(mi.RoundRobinRetriever(candidates: 5)).Fit(train);
        string path = Path.Combine(_directory, $"keys-{userStride}.zip");
        ml.Model.Save(model, train.Schema, path);
        return (ml, schema, model, path);
    }

    /// <summary>The unpacked bytes of a model zip's ONNX graphs (the library stages' tables).</summary>
    private static long StageBytes(string path)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        return zip.Entries.Where(e => e.Name == "OnnxModel").Sum(e => e.Length);
    }

    [Fact]
    public void DcmNewUser_WithATrainedUsersHistory_GetsThatUsersInterestsAndList()
    {
        var (ml, _, model) = Fit("dcm");
        var recommender = ml.MultiInterest().CreateRecommender(model);
        var edges = MLNetTestData.Edges();
        var dcm = EmbeddingOf(model).DcmClustering!;
        var mixture = EmbeddingOf(model).Mixture!;
        int matched = 0;
        foreach (var group in edges.GroupBy(e => e.User))
        {
            var trained = recommender.Recommend(group.Key);
            var cold = recommender.Recommend("nobody", group.Select(e => e.Item));
            Assert.Equal(CandidateSource.Trained, trained.Source);
            Assert.Equal(CandidateSource.History, cold.Source);
            // The same items are excluded (the history is the training history) and the interests are the trained ones up to rounding.
            if (trained.Items.Select(i => i.ItemId).SequenceEqual(cold.Items.Select(i => i.ItemId))) matched++;
        }
        Assert.Equal(edges.Select(e => e.User).Distinct().Count(), matched);

        // The interests themselves: the soft k-means of a user's history equals the trained components.
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(ml.Data.LoadFromEnumerable(edges)).Transform(ml.Data.LoadFromEnumerable(edges));
        var graph = TrainingGraph(keyed);
        var interests = dcm.InterestsOf(mixture.ItemComponents, graph.ItemsOf(0));
        var table = mixture.ToMixtureTable([0]);
        Assert.Equal(table.Clusters(0).ToArray(), interests.Clusters(0).ToArray());
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(table.Weights(0)[c], interests.Weights(0)[c], 1e-5);
            for (int t = 0; t < 8; t++) Assert.Equal(table.Embedding(0, c)[t], interests.Embedding(0, c)[t], 1e-4f);
        }
    }

    [Fact]
    public void MixtureNewUser_WithHistory_IsServedByTheMeanOfItsItems_AsOneComponent()
    {
        var (ml, _, model) = Fit("mixture");
        var recommender = ml.MultiInterest().CreateRecommender(model);
        var embedding = EmbeddingOf(model);
        var mixture = embedding.Mixture!;
        var itemIds = embedding.ItemIds;
        int[] history = [2, 7, 11];
        var mean = new float[8];
        foreach (int i in history)
            for (int t = 0; t < 8; t++) mean[t] += embedding.ItemEmbeddings.ToDense().ReadRow(i)[t];
        float scale = 1f / history.Length; // as the retriever averages
        for (int t = 0; t < 8; t++) mean[t] *= scale;
        var table = new MixtureTable(1, 1, 8);
        table.SetCount(0, 1);
        table.WritableWeights(0)[0] = 1;
        mean.CopyTo(table.WritableEmbedding(0, 0));
        var seen = BipartiteGraph.FromEdges(1, mixture.ItemCount, new int[history.Length], history);
        var expected = new RoundRobinRetriever(mixture.ItemComponents, 2).Retrieve(table, [0], seen, [5], threads: 1)[0];

        var cold = recommender.Recommend("nobody", history.Select(i => itemIds[i]));
        Assert.Equal(CandidateSource.History, cold.Source);
        Assert.Equal(expected.IndicesOf(0).ToArray().Select(i => itemIds[i]), cold.Items.Select(i => i.ItemId));
        Assert.Equal(expected.ScoresOf(0).ToArray(), cold.Items.Select(i => i.Score));
    }

    [Fact]
    public void ASingleVectorGraphEmbeddingUpstream_IsRefusedNamingTheColumnAndTheAlgorithms()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var pipeline = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(mi.RoundRobinRetriever());
        var error = Assert.Throws<ArgumentException>(() => pipeline.Fit(raw));
        Assert.Contains("'UserComponents' (option UserComponentsColumnName)", error.Message);
        Assert.Contains("Algorithm = MixtureEmbedding or DifferentiableClustering", error.Message);
        // The estimator alone, on the data, says the same.
        var embedded = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Fit(raw).Transform(raw);
        error = Assert.Throws<ArgumentException>(() => mi.RoundRobinRetriever().Fit(embedded));
        Assert.Contains("'UserComponentWeights' (option UserComponentWeightsColumnName)", error.Message);
    }

    [Fact]
    public void ComponentColumnsOfTheWrongSizeOrType_AreRefusedNamingThem()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var embedded = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(Embedding("mixture"))).Fit(raw).Transform(raw);
        // C_s = 3 weights, but the item components hold 2 x 8 values.
        var error = Assert.Throws<ArgumentException>(() => mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
        {
            UserComponentsColumnName = MultiInterestColumnNames.ItemComponents,
        }).Fit(embedded));
        Assert.Contains("'ItemComponents' (option UserComponentsColumnName) has vectors of length 16", error.Message);
        Assert.Contains("C_s x d = 3 x 8 = 24", error.Message);
        // Item components that are not whole components of the item embeddings' dimension.
        var odd = ml.Transforms.Conversion.ConvertType("Odd", MultiInterestColumnNames.UserComponentWeights, DataKind.Single).Fit(embedded).Transform(embedded);
        error = Assert.Throws<ArgumentException>(() => mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { ItemComponentsColumnName = "Odd" }).Fit(odd));
        Assert.Contains("'Odd' (option ItemComponentsColumnName) has vectors of length 3", error.Message);
        Assert.Contains("not a whole number", error.Message);
        // Weights of another type.
        error = Assert.Throws<ArgumentException>(() => mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
        {
            UserComponentWeightsColumnName = MultiInterestColumnNames.ItemEmbedding,
        }).Fit(embedded));
        Assert.Contains("'ItemEmbedding' (option UserComponentWeightsColumnName) must be a known-size vector of Double", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => mi.RoundRobinRetriever(candidates: 0));
        Assert.Throws<ArgumentException>(() => mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { ItemComponentsColumnName = " " }));
    }

    [Fact]
    public void AUserWithEdgesButNoComponents_IsRefusedNamingTheWeightsColumn()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        // Embeddings fitted on half the users, the retriever on every user's edges.
        var half = keys.Transform(ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Where(e => int.Parse(e.User[1..], System.Globalization.CultureInfo.InvariantCulture) < 8)));
        var embedding = mi.GraphEmbedding(Embedding("mixture")).Fit(half);
        var error = Assert.Throws<ArgumentException>(() => mi.RoundRobinRetriever().Fit(embedding.Transform(keys.Transform(raw))));
        Assert.Contains("has training edges but no components", error.Message);
        Assert.Contains("'UserComponentWeights' (option UserComponentWeightsColumnName)", error.Message);
    }

    [Fact]
    public void ThePipelinePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        string path = Path.Combine(_directory, "snippet.zip");
        var mi = ml.MultiInterest();
        {
            #region RoundRobin
            var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.MixtureEmbedding(sourceComponents: 3, dimension: 16, epochs: 5))   // + UserComponents, UserComponentWeights, ItemComponents
                .Append(mi.RoundRobinRetriever(candidates: 10));                             // + Candidates, CandidateScores, CandidateSource
            var model = pipeline.Fit(train);
            ml.Model.Save(model, train.Schema, path);

            using var loaded = MultiInterestModel.Load(ml, path);                        // dispose: it holds ONNX sessions and temp files
            var recommender = mi.CreateRecommender(loaded);
            RecommendationList known = recommender.Recommend("u1");                      // Trained: its 3 components
            RecommendationList cold = recommender.Recommend("new-user", ["i3", "i7"]);   // History: one component, the mean of i3, i7
            #endregion
            Assert.Equal(CandidateSource.Trained, known.Source);
            Assert.Equal(CandidateSource.History, cold.Source);
            Assert.Equal(10, known.Items.Count);
            Assert.Equal(known, mi.CreateRecommender(model).Recommend("u1"), RecommendationListComparer.Instance);
        }

        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(RoundRobinRetrieverMLNetTests) + ".cs"), "RoundRobin", "docs/pipeline.md");
    }

    private static double[][] Doubles(IDataView data, string column) =>
        data.GetColumn<VBuffer<double>>(data.Schema[column]).Select(v => v.DenseValues().ToArray()).ToArray();
}
