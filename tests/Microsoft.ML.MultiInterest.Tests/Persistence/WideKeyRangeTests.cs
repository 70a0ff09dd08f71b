using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// One small graph twice: with dense keys (KeyType(16) users, KeyType(24) items, every key in use) and with the same ids
/// spread over wide key ranges (every 97th user key, every 89th item key, as a <c>KeyType(N)</c> column of sparse ids is).
/// Every stage and retriever must give the same lists and scores (item keys mapped back), a key without edges the same
/// cold-start fallback as an unknown user, and the same after <c>Model.Save</c> and loading; the saved wide model must not
/// grow with the key range.
/// </summary>
public sealed class WideKeyRangeTests : IDisposable
{
    private const int UserStride = 97, ItemStride = 89;

    private readonly string _directory = Directory.CreateTempSubdirectory("mi-widekeys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>An edge row; ML.NET reads a key-typed property as the 0-based index, so the key is the value + 1 (0 = missing).</summary>
    private sealed class KeyEdge
    {
        public uint User { get; set; }

        public uint Item { get; set; }
    }

    /// <summary>The fitted stages and retrievers on one key layout, and the rows they are scored on.</summary>
    private sealed class Fitted
    {
        public required MLContext Ml { get; init; }

        public required IDataView Train { get; init; }

        public required IDataView Scoring { get; init; }

        public required ITransformer[] Stages { get; init; }

        public required CandidateRetrievalTransformer[] Retrievers { get; init; }
    }

    private static (int Users, int Items, List<(int User, int Item)> Edges) Graph()
    {
        var edges = MLNetTestData.Edges();
        var list = edges.Select(e => (int.Parse(e.User[1..], CultureInfo.InvariantCulture), int.Parse(e.Item[1..], CultureInfo.InvariantCulture))).ToList();
        return (list.Max(e => e.Item1) + 1, list.Max(e => e.Item2) + 1, list);
    }

    private static Fitted Fit(int userStride, int itemStride)
    {
        var (users, items, edges) = Graph();
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(KeyEdge));
        schema[nameof(KeyEdge.User)].ColumnType = new KeyDataViewType(typeof(uint), users * userStride);
        schema[nameof(KeyEdge.Item)].ColumnType = new KeyDataViewType(typeof(uint), items * itemStride);
        uint UserKey(int u) => (uint)(u * userStride);
        uint ItemKey(int i) => (uint)(i * itemStride);
        var train = ml.Data.LoadFromEnumerable(edges.Select(e => new KeyEdge { User = UserKey(e.User), Item = ItemKey(e.Item) }).ToList(), schema);
        // Every user, then key 0 and (wide only) a key in the range without edges: both have no vector.
        var scoringRows = Enumerable.Range(0, users).Select(u => new KeyEdge { User = UserKey(u), Item = ItemKey(u % items) }).ToList();
        scoringRows.Add(new KeyEdge { User = uint.MaxValue, Item = ItemKey(0) });
        scoringRows.Add(new KeyEdge { User = userStride > 1 ? 1u : uint.MaxValue, Item = ItemKey(1) });
        var scoring = ml.Data.LoadFromEnumerable(scoringRows, schema);

        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(train);
        var embedded = embedding.Transform(train);
        // The seed the context gave this stage when the fixture below was saved: then every log line of the embedding's fit took
        // a draw from the context's random source, so the stage's seed depended on it (no longer: Logging draws nothing).
        var kmeans = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, Seed = 181689002 }).Fit(embedded);
        var clustered = kmeans.Transform(embedded);
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var mixed = mixture.Transform(clustered);
        CandidateRetrievalTransformer[] retrievers =
        [
            mi.ClusterQuotaRetriever(candidates: 5).Fit(mixed),
            mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, Query = QuotaQuery.User, HeadShare = 0.2 }).Fit(mixed),
            mi.UnimodalRetriever(candidates: 5).Fit(mixed),
            mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.5, PoolSize = 10 }).Fit(mixed),
            mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.5, PoolSize = 10, InterestWeight = 0.5 }).Fit(mixed),
        ];
        return new Fitted { Ml = ml, Train = train, Scoring = scoring, Stages = [embedding, kmeans, mixture], Retrievers = retrievers };
    }

    private static ITransformer Chain(Fitted f, int retriever) => new TransformerChain<ITransformer>([.. f.Stages, f.Retrievers[retriever]]);

    /// <summary>Each scoring row's candidates as dense item keys (0 pads), scores and source.</summary>
    private static List<(uint[] Items, float[] Scores, string Source)> Lists(IDataView scored, int itemStride)
    {
        // Copied row by row: the cursor reuses its buffers.
        var items = scored.GetColumn<VBuffer<uint>>(MultiInterestColumnNames.Candidates)
            .Select(v => v.DenseValues().Select(k => k == 0 ? 0u : (k - 1) / (uint)itemStride + 1).ToArray()).ToList();
        var scores = scored.GetColumn<VBuffer<float>>(MultiInterestColumnNames.CandidateScores).Select(v => v.DenseValues().ToArray()).ToList();
        var sources = scored.GetColumn<ReadOnlyMemory<char>>(MultiInterestColumnNames.CandidateSource).Select(s => s.ToString()).ToList();
        return items.Select((v, r) => (v, scores[r], sources[r])).ToList();
    }

    private static void AssertSameLists(List<(uint[] Items, float[] Scores, string Source)> expected, List<(uint[] Items, float[] Scores, string Source)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Items, actual[r].Items);
            Assert.Equal(expected[r].Scores, actual[r].Scores);
            Assert.Equal(expected[r].Source, actual[r].Source);
        }
    }

    /// <summary>The unpacked bytes of a model zip's library stages (their ONNX graphs and tables; zip compression would hide zero padding).</summary>
    private static long OnnxBytes(string path)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        return zip.Entries.Where(e => e.Name == "OnnxModel").Sum(e => e.Length);
    }

    /// <summary>The fixtures folder beside the test assembly.</summary>
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", name);

    /// <summary>
    /// A model saved by the library before the per-key tables became tables of the keys in use (format version 1, commit
    /// ab8d0c1: the pipeline of <see cref="Fit"/> with strides 7 and 5 and the cluster-quota retriever with the user query,
    /// written by a program that ran exactly that code) loads with the lists today's fit gives, in ML.NET's chain and in
    /// the typed model with its recommender.
    /// </summary>
    [Fact]
    public void FormatVersion1Zip_OfAWideKeyRange_LoadsWithTheSameLists()
    {
        const int users = 7, items = 5;
        var fitted = Fit(users, items);
        var expected = Lists(Chain(fitted, 1).Transform(fitted.Scoring), items);
        string path = Fixture("format1-wide-keys-quota.zip");
        AssertSameLists(expected, Lists(TestModels.Load(fitted.Ml, path).Transform(fitted.Scoring), items));

        var model = MultiInterestModel.Load(fitted.Ml, path);
        // Version 1 stored a row per key: every key reads as having a vector (zero for those without edges).
        Assert.Equal(16 * users, model.GraphEmbedding!.UserEmbeddings.KeyCount);
        Assert.True(model.GraphEmbedding.UserEmbeddings.IsDense);
        Assert.Equal(16 * users, model.ServingStage.UserCount);
        var recommender = fitted.Ml.MultiInterest().CreateRecommender(model);
        for (int u = 0; u < 16; u++)
        {
            var list = recommender.Recommend((1 + u * users).ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected[u].Items.Where(i => i != 0).Select(i => (1 + (i - 1) * items).ToString(CultureInfo.InvariantCulture)), list.Items.Select(i => i.ItemId));
            Assert.Equal(expected[u].Scores.Where(float.IsFinite), list.Items.Select(i => i.Score));
        }
        Assert.Equal(CandidateSource.Popular, recommender.Recommend("2").Source);
    }

    /// <summary>
    /// The same format-1 zip, saved before candidates could be explained, is explained by the recommender as today's fitted
    /// stage explains its lists: the head of the user-query quota list (HeadShare 0.2) credited to no component, the rest to the
    /// component whose cluster holds the item.
    /// </summary>
    [Fact]
    public void FormatVersion1Zip_ExplainsItsCandidates_AsTodaysFittedStage()
    {
        const int users = 7, items = 5;
        var fitted = Fit(users, items);
        var stage = fitted.Retrievers[1];
        using var model = MultiInterestModel.Load(fitted.Ml, Fixture("format1-wide-keys-quota.zip"));
        var recommender = fitted.Ml.MultiInterest().CreateRecommender(model);
        int placed = 0;
        for (int u = 0; u < 16; u++)
        {
            uint key = (uint)(1 + u * users);
            var explained = recommender.Explain(key.ToString(CultureInfo.InvariantCulture));
            var components = stage.GetCandidateComponents(key);
            Assert.Equal(components, explained.Items.Select(i => i.Interest));
            Assert.Equal(-1, components[0]);
            Assert.Equal(stage.GetCandidateInterests(key).Select(i => (i.Index, i.Weight, i.Cluster, string.Join(",", i.HistoryItemIds))),
                explained.Interests.Select(i => (i.Index, i.Weight, i.Cluster, string.Join(",", i.HistoryItemIds))));
            placed += components.Count(c => c >= 0);
        }
        Assert.True(placed > 16);
    }

    [Fact]
    public void WideKeys_GiveTheDenseLists_InMemory_AndAfterSaveAndLoad()
    {
        var dense = Fit(1, 1);
        var wide = Fit(UserStride, ItemStride);
        var embedding = (GraphEmbeddingTransformer)wide.Stages[0];
        // Vectors only for the ids in use, not for the whole range.
        Assert.Equal(16 * UserStride, embedding.UserEmbeddings.KeyCount);
        Assert.Equal(16, embedding.UserEmbeddings.Count);
        Assert.Equal([1u, 1 + UserStride], wide.Train.GetColumn<uint>(MultiInterestColumnNames.User).Distinct().Order().Take(2));
        Assert.True(embedding.UserEmbeddings.Contains(UserStride));
        Assert.Equal([0u, 2u], wide.Scoring.GetColumn<uint>(MultiInterestColumnNames.User).TakeLast(2));
        Assert.False(embedding.UserEmbeddings.Contains(1));
        Assert.True(((GraphEmbeddingTransformer)dense.Stages[0]).UserEmbeddings.IsDense);

        for (int k = 0; k < wide.Retrievers.Length; k++)
        {
            var expected = Lists(Chain(dense, k).Transform(dense.Scoring), 1);
            var actual = Lists(Chain(wide, k).Transform(wide.Scoring), ItemStride);
            // The dense layout has no key without edges: its last row repeats key 0, the unknown user.
            AssertSameLists(expected, actual);
            Assert.Equal(nameof(CandidateSource.Popular), actual[^1].Source);
            Assert.Equal(nameof(CandidateSource.Trained), actual[0].Source);
            Assert.Contains(actual, l => l.Items.All(i => i != 0));
        }

        // Saved and loaded (every stage's tables): cluster quotas with the user query (mixtures and user vectors), and MMR
        // with the interest term (user vectors and mixtures through the unimodal pool).
        foreach (int k in new[] { 1, 4 })
        {
            var actual = Lists(Chain(wide, k).Transform(wide.Scoring), ItemStride);

            string densePath = Path.Combine(_directory, $"dense{k}.zip"), widePath = Path.Combine(_directory, $"wide{k}.zip");
            dense.Ml.Model.Save(Chain(dense, k), dense.Train.Schema, densePath);
            wide.Ml.Model.Save(Chain(wide, k), wide.Train.Schema, widePath);
            var loaded = TestModels.Load(wide.Ml, widePath);
            AssertSameLists(actual, Lists(loaded.Transform(wide.Scoring), ItemStride));
            // The stages' tables hold the ids in use only: about as large as the dense model's, not 90 times larger. (ML.NET's
            // own term map behind a candidate key column still lists every item key: MapValueToKey is the only public way to
            // make a key column of a given cardinality when loading.)
            Assert.True(OnnxBytes(widePath) < 1.5 * OnnxBytes(densePath), $"wide model tables {OnnxBytes(widePath)} bytes, dense {OnnxBytes(densePath)}");

            var recommender = wide.Ml.MultiInterest().CreateRecommender(MultiInterestModel.Load(wide.Ml, widePath));
            var denseRecommender = dense.Ml.MultiInterest().CreateRecommender(MultiInterestModel.Load(dense.Ml, densePath));
            for (int u = 0; u < 16; u++)
            {
                var w = recommender.Recommend((1 + u * UserStride).ToString(CultureInfo.InvariantCulture));
                var d = denseRecommender.Recommend((1 + u).ToString(CultureInfo.InvariantCulture));
                Assert.Equal(d.Items.Select(i => i.ItemId), w.Items.Select(i => ((int.Parse(i.ItemId, CultureInfo.InvariantCulture) - 1) / ItemStride + 1).ToString(CultureInfo.InvariantCulture)));
                Assert.Equal(d.Items.Select(i => i.Score), w.Items.Select(i => i.Score));
                Assert.Equal(d.Source, w.Source);
                var direct = wide.Retrievers[k].GetCandidates((uint)(1 + u * UserStride)).ItemKeys;
                Assert.True(actual[u].Items.Where(i => i != 0).Select(i => (1 + (i - 1) * ItemStride).ToString(CultureInfo.InvariantCulture)).SequenceEqual(w.Items.Select(i => i.ItemId)),
                    $"k {k} u {u}: transform {string.Join(",", actual[u].Items)} direct {string.Join(",", direct)} recommender {string.Join(",", w.Items.Select(i => i.ItemId))}");
            }
            Assert.Equal(CandidateSource.Popular, recommender.Recommend("2").Source);
        }
    }

    /// <summary>
    /// The engine, the ONNX export and the CLI's scorers on a saved wide model, whose user and item key types are far wider than
    /// the ids with edges: <c>RetrieveWithEngine</c> gives every user key the saved list (a key without edges the popular
    /// fallback, not a ranking of its zero vector), the export lists only users with edges, and <c>recommend --engine</c>
    /// marks a key without edges Popular as the zip does.
    /// </summary>
    [Fact]
    public void WideKeys_RetrieveWithEngine_GivesEveryKeyItsSavedList()
    {
        var wide = Fit(UserStride, ItemStride);
        foreach (int k in new[] { 0, 2, 4 })
        {
            string path = Path.Combine(_directory, $"engine{k}.zip");
            wide.Ml.Model.Save(Chain(wide, k), wide.Train.Schema, path);
            using var model = MultiInterestModel.Load(wide.Ml, path);
            int[] rows = [.. Enumerable.Range(0, model.GraphEmbedding!.UserEmbeddings.KeyCount)];
            var engine = model.RetrieveWithEngine(rows, threads: 1);
            int fallbacks = 0;
            foreach (int row in rows)
            {
                var (keys, scores) = model.ServingStage.GetCandidates((uint)row + 1);
                Assert.Equal(keys.Select(key => (int)key - 1), engine.IndicesOf(row).ToArray());
                Assert.Equal(scores, engine.ScoresOf(row).ToArray());
                if (!model.GraphEmbedding.UserEmbeddings.Contains(row)) fallbacks++;
            }
            Assert.Equal(16 * UserStride - 16, fallbacks);
            Assert.Equal(model.ServingStage.GetCandidates(0).ItemKeys.Select(key => (int)key - 1), engine.IndicesOf(1).ToArray());
            Assert.NotEmpty(engine.IndicesOf(1).ToArray());
        }

        // The unimodal stage exports (its graphs take every key); the id file lists the 16 users with edges only.
        using (var unimodal = MultiInterestModel.Load(wide.Ml, Path.Combine(_directory, "engine2.zip")))
        {
            string onnx = Path.Combine(_directory, "onnx-unimodal");
            unimodal.ExportOnnx(onnx);
            var listed = File.ReadAllLines(Path.Combine(onnx, MultiInterestModel.UserIdsFileName)).Skip(1).Select(l => l.Split('\t')).ToArray();
            Assert.Equal(16, listed.Length);
            Assert.All(listed, f => Assert.True(unimodal.GraphEmbedding!.UserEmbeddings.Contains(int.Parse(f[0], CultureInfo.InvariantCulture))));
        }
        // The quota graphs index clusters by item key, and most item keys have none: refused by name, not a crash deep inside.
        using (var quota = MultiInterestModel.Load(wide.Ml, Path.Combine(_directory, "engine0.zip")))
        {
            var refused = Assert.Throws<NotSupportedException>(() => quota.ExportOnnx(Path.Combine(_directory, "onnx-quota")));
            Assert.Contains("have no training edges", refused.Message);
            Assert.Contains("CreateRecommender, RetrieveWithEngine", refused.Message);
            // Refused over an earlier export, before any file is written: that export stays as it was, servable (a review found
            // it left marked unfinished, without its manifest).
            string earlier = Path.Combine(_directory, "onnx-unimodal");
            Assert.Throws<NotSupportedException>(() => quota.ExportOnnx(earlier));
            Assert.False(File.Exists(Path.Combine(earlier, Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.UnfinishedMarkerFileName)));
            using var unimodal = MultiInterestModel.Load(wide.Ml, Path.Combine(_directory, "engine2.zip"));
            unimodal.CheckOnnxDirectory(earlier);
        }

        // The CLI: key 2 has no edges, key 1 does; every scorer marks them as the zip does.
        string users = Path.Combine(_directory, "users.tsv");
        File.WriteAllLines(users, ["user", "1", "2"]);
        var written = new List<string[]>();
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"], ["--recommender"], ["--onnx"] })
        {
            string output = Path.Combine(_directory, $"cli{scorer.Length}{scorer.FirstOrDefault()}.tsv");
            var run = Microsoft.ML.MultiInterest.Tests.Cli.CliHarness.Run(["recommend", "--model", Path.Combine(_directory, "engine2.zip"), "--users", users, "--out", output, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            var lines = File.ReadAllLines(output).Skip(1).Select(l => l.Split('\t')).ToArray();
            Assert.All(lines.Where(f => f[0] == "1"), f => Assert.Equal("Trained", f[4]));
            Assert.All(lines.Where(f => f[0] == "2"), f => Assert.Equal("Popular", f[4]));
            Assert.Contains(lines, f => f[0] == "2");
            written.Add([.. lines.Select(f => string.Join('\t', f[0], f[1], f[2], f[4]))]);
        }
        Assert.All(written, w => Assert.Equal(written[0], w));
    }
}
