using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// RankFusion as a pipeline stage: its lists equal the engine's <see cref="RankFusion.Fuse"/> of the source retrievers' lists,
/// on random key lists with duplicates and key 0 as well; the saved model (an ONNX graph) gives the same lists and scores; a
/// model that fuses is not served as if it were one of its sources; bad options and columns fail naming them.
/// </summary>
public sealed class RankFusionMLNetTests : IDisposable
{
    private const int Items = 12;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-fusion-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static UnimodalRetrieverEstimator.Options Unimodal(string prefix, int candidates) => new()
    {
        Candidates = candidates, CandidatesColumnName = prefix + "Candidates", CandidateScoresColumnName = prefix + "Scores", CandidateSourceColumnName = prefix + "Source",
    };

    /// <summary>Embedding, then a unimodal list (8) and an MMR list (6, lambda 0.3), fused into 10 with weights 0.6 / 0.4.</summary>
    private static (MLContext Ml, IDataView Raw, TransformerChain<RankFusionTransformer> Model) Fit(double[] weights)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.UnimodalRetriever(Unimodal("Unimodal", 8)))
            .Append(mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = 6, Lambda = 0.3, PoolSize = 15, CandidatesColumnName = "MmrCandidates", CandidateScoresColumnName = "MmrScores", CandidateSourceColumnName = "MmrSource",
            }))
            .Append(mi.RankFusion(["UnimodalCandidates", "MmrCandidates"], weights, candidates: 10))
            .Fit(raw);
        return (ml, raw, model);
    }

    /// <summary>A retrieval stage's fitted list of every user key, as the engine's lists over item rows (key - 1).</summary>
    private static RankedLists ListsOf(CandidateRetrievalTransformer stage)
    {
        var lists = new RankedLists(stage.UserCount, stage.Candidates);
        for (int u = 0; u < stage.UserCount; u++)
        {
            var items = stage.GetCandidates((uint)u + 1).ItemKeys.TakeWhile(k => k != 0).Select(k => (int)k - 1).ToArray();
            items.CopyTo(lists.IndexSlots(u));
            lists.Counts[u] = items.Length;
        }
        return lists;
    }

    private static uint[][] KeyLists(IDataView view, string column) =>
        view.GetColumn<VBuffer<uint>>(view.Schema[column]).Select(v => v.DenseValues().ToArray()).ToArray();

    /// <summary>The engine's fusion of one row's lists (key vectors, 0 = no item), as keys padded to <paramref name="m"/> with 0, and scores padded with NaN.</summary>
    private static (uint[] Keys, float[] Scores) Reference(IReadOnlyList<uint[]> lists, double[] weights, int m)
    {
        var best = new Dictionary<uint, (double Score, int Source, int Rank)>();
        for (int l = 0; l < lists.Count; l++)
        {
            if (weights[l] == 0) continue;
            for (int r = 0; r < lists[l].Length; r++)
            {
                uint key = lists[l][r];
                var entry = (weights[l] / (r + 1), l, r);
                if (key != 0 && (!best.TryGetValue(key, out var old) || entry.Item1 > old.Score)) best[key] = entry;
            }
        }
        var kept = best.OrderByDescending(p => p.Value.Score).ThenBy(p => p.Value.Source).ThenBy(p => p.Value.Rank).ThenBy(p => p.Key).Take(m).ToArray();
        var keys = new uint[m];
        var scores = Enumerable.Repeat(float.NaN, m).ToArray();
        for (int j = 0; j < kept.Length; j++) (keys[j], scores[j]) = (kept[j].Key, (float)kept[j].Value.Score);
        return (keys, scores);
    }

    [Fact]
    public void PipelineLists_EqualTheEnginesFusion_OfTheSourceRetrievers()
    {
        double[] weights = [0.6, 0.4];
        var (_, raw, model) = Fit(weights);
        var stages = ((IEnumerable<ITransformer>)model).OfType<CandidateRetrievalTransformer>().ToArray();
        var fusion = model.LastTransformer;
        Assert.Equal(["UnimodalCandidates", "MmrCandidates"], fusion.SourceColumnNames);
        Assert.Equal(weights, fusion.Weights);
        int users = stages[0].UserCount;
        var sources = stages.Select(ListsOf).ToArray();
        var expected = RankFusion.Fuse(sources, weights, 10);

        var scored = model.Transform(raw);
        var rowUsers = MLNetTestData.Keys(scored, "User");
        var fused = KeyLists(scored, MultiInterestColumnNames.Candidates);
        var scores = MLNetTestData.Vectors(scored, MultiInterestColumnNames.CandidateScores);
        for (int r = 0; r < fused.Length; r++)
        {
            int u = (int)rowUsers[r] - 1;
            int count = expected.Counts[u];
            Assert.Equal(expected.IndicesOf(u).ToArray(), fused[r][..count].Select(k => (int)k - 1));
            Assert.Equal(expected.ScoresOf(u).ToArray(), scores[r][..count]);
            Assert.All(fused[r][count..], k => Assert.Equal(0u, k));
        }
        // Both sources' items are in the fused lists, and the output keys name the items as the sources do.
        var fusedType = (VectorDataViewType)scored.Schema[MultiInterestColumnNames.Candidates].Type;
        Assert.Equal(((VectorDataViewType)scored.Schema["UnimodalCandidates"].Type).ItemType, fusedType.ItemType);
        Assert.Equal(10, fusedType.Size);
        VBuffer<ReadOnlyMemory<char>> names = default, sourceNames = default;
        scored.Schema[MultiInterestColumnNames.Candidates].GetKeyValues(ref names);
        scored.Schema["UnimodalCandidates"].GetKeyValues(ref sourceNames);
        Assert.Equal(sourceNames.DenseValues().Select(n => n.ToString()), names.DenseValues().Select(n => n.ToString()));
    }

    [Theory]
    [InlineData(0.6, 0.4)]
    [InlineData(0.0, 1.0)]
    public void SavedModel_GivesTheSameListsAndScores_AndRecommendersServeTheFusion(double first, double second)
    {
        var (ml, raw, model) = Fit([first, second]);
        string path = Path.Combine(_directory, $"fused-{first}.zip");
        ml.Model.Save(model, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        var fitted = model.Transform(raw);
        var fromZip = loaded.Transformer.Transform(raw);
        Assert.Equal(KeyLists(fitted, MultiInterestColumnNames.Candidates), KeyLists(fromZip, MultiInterestColumnNames.Candidates));
        Assert.Equal(MLNetTestData.Vectors(fitted, MultiInterestColumnNames.CandidateScores), MLNetTestData.Vectors(fromZip, MultiInterestColumnNames.CandidateScores));

        var saved = Assert.Single(loaded.RankFusions);
        Assert.Equal(["UnimodalCandidates", "MmrCandidates"], saved.SourceColumnNames);
        Assert.Equal([first, second], saved.Weights);
        Assert.Equal(10, saved.Candidates);
        // One stage's serving paths would return one source's lists: they refuse.
        var error = Assert.Throws<InvalidOperationException>(() => loaded.ServingStage);
        Assert.Contains("RankFusion over UnimodalCandidates, MmrCandidates", error.Message);
        // ONNX: each weighted source's directory (the unimodal scorer alone; MMR's pool and re-ranking), fused as the stage fuses.
        string onnx = Path.Combine(_directory, $"fused-onnx-{first}");
        var manifest = loaded.ExportOnnx(onnx);
        Assert.Equal(first > 0 ? ["Unimodal", "Mmr"] : ["Mmr"], manifest.Sources!.Select(s => s.Method));
        using (var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxFusionScorer.Open(onnx, batchSize: 3))
        {
            var embedding = ((IEnumerable<ITransformer>)model).OfType<GraphEmbeddingTransformer>().First();
            int[] rows = [.. Enumerable.Range(0, embedding.UserIds.Count)];
            var served = scorer.Retrieve(rows, loaded.TrainingHistory());
            // Thread-safe, as documented: one scorer shared by concurrent callers gives each the same lists.
            var history = loaded.TrainingHistory();
            Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            {
                var again = scorer.Retrieve(rows, history);
                Assert.Equal(served.Indices, again.Indices);
                Assert.Equal(served.Scores, again.Scores);
            });
            var recommender = ml.MultiInterest().CreateRecommender(loaded);
            for (int u = 0; u < rows.Length; u++)
            {
                var live = recommender.Recommend(embedding.UserIds[u]);
                Assert.Equal(live.Items.Select(i => i.ItemId), served.IndicesOf(u).ToArray().Select(i => embedding.ItemIds[i]));
                Assert.Equal(live.Items.Select(i => i.Score), served.ScoresOf(u).ToArray());
            }
            // New users known by a history: the unimodal directory's vector scorer and MMR's pool rank the history's mean
            // item vector, as the recommender does; an empty history gets no list there (the popular items live).
            Assert.True(scorer.ServesHistories);
            int[][] histories = [[0, 4, 7], [2], [1, 3, 5, 8, 9, 10], []];
            var fresh = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
            for (int q = 0; q < histories.Length; q++)
            {
                var live = recommender.Recommend("someone-new", histories[q].Select(i => embedding.ItemIds[i]));
                if (histories[q].Length == 0)
                {
                    Assert.Equal(CandidateSource.Popular, live.Source);
                    Assert.Equal(0, fresh.Counts[q]);
                    continue;
                }
                Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(i => embedding.ItemIds[i]));
                Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
                Assert.DoesNotContain(fresh.IndicesOf(q).ToArray(), i => histories[q].Contains(i));
            }
        }

        // The recommenders of the fitted chain and of the zip give the Transform's fused lists, and agree on fresh histories.
        AssertRecommendersServeTheFusion(ml, model, loaded, fitted);
    }

    /// <summary>
    /// Both recommenders report <see cref="CandidateMethod.RankFusion"/>, give every trained user its row's fused list and
    /// scores, and give trained and new users with a fresh history the same list, without the history's items.
    /// </summary>
    private static void AssertRecommendersServeTheFusion(MLContext ml, ITransformer model, MultiInterestModel loaded, IDataView scored)
    {
        var fromChain = ml.MultiInterest().CreateRecommender(model);
        var fromZip = ml.MultiInterest().CreateRecommender(loaded);
        Assert.Equal(CandidateMethod.RankFusion, fromChain.Method);
        Assert.Equal(CandidateMethod.RankFusion, fromZip.Method);
        VBuffer<ReadOnlyMemory<char>> userNames = default, itemNames = default;
        scored.Schema["User"].GetKeyValues(ref userNames);
        scored.Schema[MultiInterestColumnNames.Candidates].GetKeyValues(ref itemNames);
        var users = userNames.DenseValues().Select(n => n.ToString()).ToArray();
        var items = itemNames.DenseValues().Select(n => n.ToString()).ToArray();
        var rowUsers = MLNetTestData.Keys(scored, "User");
        var lists = KeyLists(scored, MultiInterestColumnNames.Candidates);
        var scores = MLNetTestData.Vectors(scored, MultiInterestColumnNames.CandidateScores);
        for (int r = 0; r < lists.Length; r++)
        {
            string user = users[rowUsers[r] - 1];
            var recommended = fromChain.Recommend(user);
            Assert.Equal(CandidateSource.Trained, recommended.Source);
            Assert.Equal(lists[r].TakeWhile(k => k != 0).Select(k => items[k - 1]), recommended.Items.Select(i => i.ItemId));
            Assert.Equal(scores[r].Take(recommended.Items.Count), recommended.Items.Select(i => i.Score));
            Assert.Equal(recommended, fromZip.Recommend(user), RecommendationListComparer.Instance);
        }
        var random = new Random(3);
        foreach (string user in users.Take(4).Append("new"))
        {
            var history = items.OrderBy(_ => random.Next()).Take(3).ToArray();
            var a = fromChain.Recommend(user, history);
            Assert.Equal(a, fromZip.Recommend(user, history), RecommendationListComparer.Instance);
            Assert.Empty(a.Items.Select(i => i.ItemId).Intersect(history));
            Assert.Equal(user == "new" ? CandidateSource.History : CandidateSource.Trained, a.Source);
            Assert.Equal(4, fromChain.Recommend(user, history, count: 4).Items.Count);
            // A count beyond the catalogue is capped: every item not seen, once.
            var everything = fromChain.Recommend(user, history, count: int.MaxValue).Items.Select(i => i.ItemId).ToArray();
            Assert.Equal(everything.Length, everything.Distinct().Count());
            Assert.True(everything.Length <= items.Length);
        }
    }

    [Fact]
    public void ThePipelinePageSnippet_FusesHistoryMmrWithWarmStartedDcm_AsTheEngineDoes_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        #region RankFusion
        var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
            .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(mi.GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 16))
            .Append(mi.HistoryInterestMmr(candidates: 10))
            .Append(ml.Transforms.CopyColumns("HistoryMmrCandidates", "Candidates"))   // kept: the next retriever writes Candidates
            .Append(mi.WarmStartedDifferentiableClustering(interests: 4))              // DCM's item vectors start from the ALS ones
            .Append(mi.RoundRobinRetriever(candidates: 10))
            .Append(mi.RankFusion(["HistoryMmrCandidates", "Candidates"], [DcmDefaults.FusionWeight, 1 - DcmDefaults.FusionWeight], candidates: 10));
        var model = pipeline.Fit(train);   // Transform appends the fused Candidates and CandidateScores
        #endregion

        var stages = ((IEnumerable<ITransformer>)model).OfType<CandidateRetrievalTransformer>().ToArray();
        Assert.Equal([CandidateMethod.Mmr, CandidateMethod.RoundRobin], stages.Select(s => s.Method));
        // DCM learned at the ALS dimension: its item vectors started from the ALS ones.
        Assert.Equal(16, ((IEnumerable<ITransformer>)model).OfType<GraphEmbeddingTransformer>().Last().Mixture!.Dimension);
        int users = stages[0].UserCount;
        var sources = stages.Select(ListsOf).ToArray();
        var expected = RankFusion.Fuse(sources, [DcmDefaults.FusionWeight, 1 - DcmDefaults.FusionWeight], 10);
        var scored = model.Transform(train);
        var rowUsers = MLNetTestData.Keys(scored, "User");
        var fused = KeyLists(scored, MultiInterestColumnNames.Candidates);
        for (int r = 0; r < fused.Length; r++)
            Assert.Equal(expected.IndicesOf((int)rowUsers[r] - 1).ToArray(), fused[r].TakeWhile(k => k != 0).Select(k => (int)k - 1));
        // The fusion takes from both lists: some user's fused list holds items outside each source's list.
        Assert.Contains(Enumerable.Range(0, users), u =>
        {
            var f = expected.IndicesOf(u).ToArray();
            return f.Except(sources[0].IndicesOf(u).ToArray()).Any() && f.Except(sources[1].IndicesOf(u).ToArray()).Any();
        });

        string path = Path.Combine(_directory, "snippet.zip");
        ml.Model.Save(model, train.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        Assert.Equal(fused, KeyLists(loaded.Transformer.Transform(train), MultiInterestColumnNames.Candidates));
        // Served live from both: the MMR stage over the ALS vectors, the round robin over the DCM stage's components.
        AssertRecommendersServeTheFusion(ml, model, loaded, scored);

        // And through ONNX: each source's directory and scorer, the lists fused as the stage fuses them.
        string onnx = Path.Combine(_directory, "snippet-onnx");
        var manifest = loaded.ExportOnnx(onnx);
        Assert.Equal(Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.RankFusionRetrieval, manifest.Retrieval);
        Assert.Equal(["Mmr", "RoundRobin"], manifest.Sources!.Select(s => s.Method));
        using (var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxFusionScorer.Open(onnx, batchSize: 4))
        {
            int[] rows = [.. Enumerable.Range(0, users)];
            var served = scorer.Retrieve(rows, loaded.TrainingHistory());
            var recommender = mi.CreateRecommender(loaded);
            var userIds = ((IEnumerable<ITransformer>)model).OfType<GraphEmbeddingTransformer>().First().UserIds;
            var itemIds = ((IEnumerable<ITransformer>)model).OfType<GraphEmbeddingTransformer>().First().ItemIds;
            for (int u = 0; u < users; u++)
            {
                var live = recommender.Recommend(userIds[u]);
                Assert.Equal(live.Items.Select(i => i.ItemId), served.IndicesOf(u).ToArray().Select(i => itemIds[i]));
                Assert.Equal(live.Items.Select(i => i.Score), served.ScoresOf(u).ToArray());
                Assert.Equal(expected.IndicesOf(u).ToArray(), served.IndicesOf(u).ToArray());
            }
            // A new user known by a history: both sources read it (history interests, DCM's soft k-means), then the fusion.
            Assert.True(scorer.ServesHistories);
            int[][] histories = [[2, 5, 9, 14], [1, 3]];
            var fresh = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
            for (int q = 0; q < histories.Length; q++)
            {
                var live = recommender.Recommend("someone-new", histories[q].Select(i => itemIds[i]));
                Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(i => itemIds[i]));
                Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
            }
        }

        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(RankFusionMLNetTests) + ".cs"), "RankFusion", "docs/pipeline.md");
    }

    /// <summary>A row of two source lists of keys over <see cref="Items"/> items, 0 = no item.</summary>
    private sealed class ListsRow
    {
        [KeyType(Items)]
        [VectorType(6)]
        public uint[] A { get; set; } = [];

        [KeyType(Items)]
        [VectorType(4)]
        public uint[] B { get; set; } = [];
    }

    /// <summary>Random lists over few items, with repeats within a list and key 0 anywhere, so every rule of the fusion is used.</summary>
    private static ListsRow[] RandomRows(int seed, int rows)
    {
        var random = new Random(seed);
        uint Key() => random.Next(5) == 0 ? 0u : (uint)random.Next(1, Items + 1);
        return Enumerable.Range(0, rows).Select(_ => new ListsRow { A = Enumerable.Range(0, 6).Select(_ => Key()).ToArray(), B = Enumerable.Range(0, 4).Select(_ => Key()).ToArray() }).ToArray();
    }

    [Theory]
    [InlineData(1.0, 1.0, 5)]
    [InlineData(1.0, 0.5, 12)]
    [InlineData(0.25, 1.0, 3)]
    [InlineData(0.0, 1.0, 8)]
    public void OnRandomLists_TheStageAndItsSavedGraph_EqualTheReference(double wa, double wb, int m)
    {
        var ml = new MLContext(seed: 1);
        var rows = RandomRows(seed: (int)(wa * 8 + wb * 4) + m, rows: 300);
        var data = ml.Data.LoadFromEnumerable(rows);
        double[] weights = [wa, wb];
        var model = ml.MultiInterest().RankFusion(["A", "B"], weights, m).Fit(data);
        string path = Path.Combine(_directory, $"random-{m}.zip");
        ml.Model.Save(model, data.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        foreach (var view in new[] { model.Transform(data), loaded.Transformer.Transform(data) })
        {
            var keys = KeyLists(view, MultiInterestColumnNames.Candidates);
            var scores = MLNetTestData.Vectors(view, MultiInterestColumnNames.CandidateScores);
            for (int r = 0; r < rows.Length; r++)
            {
                var (expectedKeys, expectedScores) = Reference([rows[r].A, rows[r].B], weights, m);
                Assert.Equal(expectedKeys, keys[r]);
                Assert.Equal(expectedScores, scores[r]);
            }
        }
    }

    [Fact]
    public void A_fusion_of_columns_no_retriever_filled_transforms_but_is_not_served_live()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RandomRows(seed: 4, rows: 5));
        var model = ml.MultiInterest().RankFusion(["A", "B"]).Fit(data);
        string path = Path.Combine(_directory, "no-retriever.zip");
        ml.Model.Save(model, data.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        Assert.Contains("'A' was not filled by a retrieval stage", Assert.Throws<ArgumentException>(() => ml.MultiInterest().CreateRecommender(model)).Message);
        Assert.Contains("'A' was not filled by a retrieval stage", Assert.Throws<InvalidOperationException>(() => ml.MultiInterest().CreateRecommender(loaded)).Message);
    }

    [Fact]
    public void A_prediction_engine_fuses_one_row_at_a_time()
    {
        var ml = new MLContext(seed: 1);
        var rows = RandomRows(seed: 9, rows: 20);
        var model = ml.MultiInterest().RankFusion(["A", "B"], candidates: 7).Fit(ml.Data.LoadFromEnumerable(rows));
        var engine = ml.Model.CreatePredictionEngine<ListsRow, FusedRow>(model);
        foreach (var row in rows)
        {
            var (keys, scores) = Reference([row.A, row.B], [1, 1], 7);
            var predicted = engine.Predict(row);
            Assert.Equal(keys, predicted.Candidates);
            Assert.Equal(scores, predicted.CandidateScores);
        }
    }

    private sealed class FusedRow
    {
        [KeyType(Items)]
        public uint[] Candidates { get; set; } = [];

        public float[] CandidateScores { get; set; } = [];
    }

    [Fact]
    public void Bad_options_and_columns_fail_naming_them()
    {
        var mi = new MLContext(seed: 1).MultiInterest();
        Assert.Contains("SourceColumnNames must name at least one", Assert.Throws<ArgumentException>(() => mi.RankFusion([])).Message);
        Assert.Contains("3 weights for 2 source columns", Assert.Throws<ArgumentException>(() => mi.RankFusion(["A", "B"], [1, 1, 1])).Message);
        Assert.Contains("Weights[1]", Assert.Throws<ArgumentOutOfRangeException>(() => mi.RankFusion(["A", "B"], [1, -1])).Message);
        Assert.Contains("Weights[0]", Assert.Throws<ArgumentOutOfRangeException>(() => mi.RankFusion(["A", "B"], [double.NaN, 1])).Message);
        Assert.Contains("at least one positive weight", Assert.Throws<ArgumentException>(() => mi.RankFusion(["A", "B"], [0, 0])).Message);
        Assert.Contains("Candidates", Assert.Throws<ArgumentOutOfRangeException>(() => mi.RankFusion(["A"], candidates: 0)).Message);

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RandomRows(1, 3));
        var missing = Assert.Throws<ArgumentException>(() => ml.MultiInterest().RankFusion(["A", "C"]).Fit(data));
        Assert.Contains("'C' (option SourceColumnNames[1]) was not found", missing.Message);
        var other = ml.Data.LoadFromEnumerable(new[] { new OtherKeys() });
        var cardinality = Assert.Throws<ArgumentException>(() => ml.MultiInterest().RankFusion(["A", "B"]).Fit(other));
        Assert.Contains("'B' (option SourceColumnNames[1]) is a key over 5 items, but 'A' is a key over 12", cardinality.Message);
        var notKeys = Assert.Throws<ArgumentException>(() => ml.MultiInterest().RankFusion(["A", "Scores"]).Fit(other));
        Assert.Contains("Source 'Scores' (option SourceColumnNames[1]) is not a key vector column of candidates", notKeys.Message);
    }

    [Fact]
    public void AScoresColumnGivenAsASource_IsRefusedAsNoCandidates_NotAsAnOutputClash()
    {
        // A retriever's default scores column is named like the fusion's default scores output: the source is what is wrong.
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var pipeline = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(mi.UnimodalRetriever(candidates: 4));
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fit = Assert.Throws<ArgumentException>(() => pipeline.Append(mi.RankFusion(["Candidates", "CandidateScores"])).Fit(raw));
        Assert.Contains("Source 'CandidateScores' (option SourceColumnNames[1]) is not a key vector column of candidates: it is Vector<Single>", fit.Message);
        Assert.DoesNotContain("output column", fit.Message);
        var shape = Assert.Throws<ArgumentException>(() => pipeline.Append(mi.RankFusion(["Candidates", "CandidateScores"])).GetOutputSchema(MLNetTestData.RawShape<MLNetTestData.Edge>(ml)));
        Assert.Contains("Source 'CandidateScores' (option SourceColumnNames[1]) is not a key vector column of candidates", shape.Message);
    }

    [Fact]
    public void ACandidateSourceNamedLikeTheScoresOutput_IsStillRefusedAsAClash()
    {
        // A real key-vector source under the scores output's name: the output would hide it.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RandomRows(1, 3));
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().RankFusion(new RankFusionEstimator.Options { SourceColumnNames = ["A", "B"], CandidateScoresColumnName = "B" }).Fit(data));
        Assert.Contains("CandidateScoresColumnName names the output column 'B', which is the input column of SourceColumnNames[1]", error.Message);
    }

    private sealed class OtherKeys
    {
        [KeyType(Items)]
        [VectorType(2)]
        public uint[] A { get; set; } = [1, 2];

        [KeyType(5)]
        [VectorType(2)]
        public uint[] B { get; set; } = [1, 2];

        [VectorType(2)]
        public float[] Scores { get; set; } = [1, 2];
    }
}
