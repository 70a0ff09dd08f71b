using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A user key type wider than the users with edges (MapValueToKey fitted on a vocabulary of more ids): the ONNX tables have a
/// row per user key, zero for a user without edges, whose list through the graphs would be a ranking of the zero vector (or
/// of no interest). <c>user_ids.tsv</c> leaves such rows out, and every scorer must refuse one passed to it, naming the row,
/// rather than serve that meaningless list; the trained users beside them are served as the engine serves them.
/// </summary>
public sealed class OnnxUserKeysWithoutEdgesTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-onnx-unused-users-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// A saved model over the wide user keys: <paramref name="embedding"/> (the small negative-sampling vectors by default), then
    /// the stages <paramref name="stages"/> fits on its output, exported to ONNX; with its trained user rows and one without edges.
    /// </summary>
    private (MultiInterestModel Model, string Onnx, int[] Trained, int Absent) Exported(string name, Func<MultiInterestCatalog, IDataView, ITransformer[]> stages,
        GraphEmbeddingTrainer.Options? embedding = null)
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideUserKeys.KeyPipeline(_ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = _ml.MultiInterest();
        var vectors = mi.GraphEmbedding(embedding ?? MLNetTestData.SmallEmbedding()).Fit(keyed);
        Assert.False(vectors.UserEmbeddings.IsDense);
        var fitted = stages(mi, vectors.Transform(keyed));
        string path = Path.Combine(_directory, name + ".zip");
        _ml.Model.Save(new TransformerChain<ITransformer>([keys, vectors, .. fitted]), raw.Schema, path);
        var model = MultiInterestModel.Load(_ml, path);
        string onnx = Path.Combine(_directory, name + "-onnx");
        model.ExportOnnx(onnx);
        var users = model.GraphEmbedding!.UserEmbeddings;
        int[] trained = [.. Enumerable.Range(0, users.KeyCount).Where(users.Contains)];
        int absent = Enumerable.Range(0, users.KeyCount).First(r => !users.Contains(r));
        Assert.StartsWith("nobody", model.GraphEmbedding.UserIds[absent], StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadLines(Path.Combine(onnx, MultiInterestModel.UserIdsFileName)), line => line.StartsWith($"{absent}\t", StringComparison.Ordinal));
        return (model, onnx, trained, absent);
    }

    /// <summary>
    /// <paramref name="retrieve"/> serves the trained users as the engine does, and refuses a call holding the user row without
    /// edges (after a trained one), naming the row and its place.
    /// </summary>
    private static void AssertRefusesTheUserWithoutVector(MultiInterestModel model, int[] trained, int absent, Func<int[], BipartiteGraph, RankedLists> retrieve)
    {
        var history = model.TrainingHistory();
        var engine = model.RetrieveWithEngine(trained, threads: 1);
        var served = retrieve(trained, history);
        for (int q = 0; q < trained.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), served.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), served.ScoresOf(q).ToArray());
        }
        AssertRefused(absent, () => retrieve([trained[0], absent], history));
    }

    /// <summary><paramref name="call"/>, whose users are a trained one and then <paramref name="absent"/>, is refused naming that row and its place.</summary>
    private static void AssertRefused(int absent, Action call)
    {
        var refused = Assert.Throws<ArgumentException>(call);
        Assert.Equal("users", refused.ParamName);
        Assert.Contains($"User row {absent} (position 1) has no vector", refused.Message, StringComparison.Ordinal);
        Assert.Contains(MultiInterestModel.UserIdsFileName, refused.Message, StringComparison.Ordinal);
    }


    /// <summary>
    /// A user id file without its header, or listing no user (emptied, cut after the header), is refused at opening naming the
    /// file: it was read as a file leaving those users out, and every call naming the first user (or any user) was refused as
    /// one without training edges.
    /// </summary>
    [Fact]
    public void DamagedUserIdFile_IsRefusedAtOpening()
    {
        var (model, onnx, trained, _) = Exported("damaged", (mi, data) => [mi.UnimodalRetriever(candidates: 10).Fit(data)]);
        using (model)
        {
            string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
            var lines = File.ReadAllLines(ids);
            File.WriteAllLines(ids, lines[1..]);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            Assert.Contains($"Line 1 of '{ids}' is not the header", Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx)).Message, StringComparison.Ordinal);
            File.WriteAllLines(ids, [lines[0]]);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            Assert.Contains($"'{ids}' lists no user row", Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx)).Message, StringComparison.Ordinal);
            File.WriteAllText(ids, "");
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));
            // Cut at a line end: the users it leaves out have vectors in the graphs, so the file is refused rather than them.
            File.WriteAllLines(ids, lines[..^1]);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            string lastRow = lines[^1].Split('\t')[0];
            Assert.Contains($"'{ids}' leaves out user row {lastRow}, which has a vector", Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx)).Message,
                StringComparison.Ordinal);
            // Line endings and a byte order mark an editor may add are not damage.
            File.WriteAllText(ids, string.Join("\r\n", lines) + "\r\n", new System.Text.UTF8Encoding(true));
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            using var scorer = OnnxCandidateScorer.Open(onnx);
            Assert.Equal(trained.Length, scorer.RetrieveUnimodal(trained).Counts.Length);
        }
    }

    /// <summary>
    /// Only a model's export (a stamped manifest) is read for the rows without a user: its user id file missing is refused at
    /// opening (the rows would be served again), and an id file a model's export left in a directory the tables' own export
    /// wrote over is not obeyed (it refused row 0, a user of the new tables).
    /// </summary>
    [Fact]
    public void OnlyAModelsExport_IsReadForItsUsers()
    {
        var (model, onnx, trained, absent) = Exported("stamped", (mi, data) => [mi.UnimodalRetriever(candidates: 10).Fit(data)]);
        using (model)
        {
            string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
            string kept = File.ReadAllText(ids);
            File.Delete(ids);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            var missing = Assert.Throws<FileNotFoundException>(() => OnnxCandidateScorer.Open(onnx));
            Assert.Contains(MultiInterestModel.UserIdsFileName, missing.Message, StringComparison.Ordinal);

            // The tables' own export over the same directory: every row of its tables is a user, the old id file notwithstanding.
            File.WriteAllText(ids, kept);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            var users = model.GraphEmbedding!.UserEmbeddings.DenseView();
            var items = model.GraphEmbedding.ItemEmbeddings.DenseView();
            OnnxServingDirectory.ExportUnimodal(users, items, 10, onnx, exclusionMask: true);
            Assert.True(File.Exists(ids));
            using var scorer = OnnxCandidateScorer.Open(onnx);
            Assert.Equal(10, scorer.RetrieveUnimodal([absent]).Counts[0]);
        }
    }

    /// <summary>
    /// An exclusion graph over fewer users than a row of the call is refused before anything runs, naming the graph (the mask of
    /// the row's batch failed after the batches before it ran, naming <c>users</c>).
    /// </summary>
    [Fact]
    public void ExclusionsWithoutAUsersRow_AreRefusedNamingTheGraph()
    {
        var (model, onnx, trained, _) = Exported("short-exclusions", (mi, data) => [mi.HistoryInterestMmr(candidates: 8).Fit(data)]);
        using (model)
        {
            var small = BipartiteGraph.FromEdges(2, model.TrainingHistory().ItemCount, [0], [0]);
            using (var scorer = OnnxHistoryMmrScorer.Open(onnx, batchSize: 4))
            {
                var refused = Assert.Throws<ArgumentException>(() => scorer.Retrieve(trained, small));
                Assert.Equal("exclusions", refused.ParamName);
                int first = Array.FindIndex(trained, u => u >= 2);
                Assert.Contains($"user row {trained[first]} (position {first}) has no row in it", refused.Message, StringComparison.Ordinal);
            }
        }
        var (unimodalModel, unimodal, unimodalTrained, _) = Exported("short-exclusions-unimodal", (mi, data) => [mi.UnimodalRetriever(candidates: 10).Fit(data)]);
        using (unimodalModel)
        {
            var small = BipartiteGraph.FromEdges(2, unimodalModel.TrainingHistory().ItemCount, [0], [0]);
            using var scorer = OnnxCandidateScorer.Open(unimodal, batchSize: 4);
            Assert.Equal("exclusions", Assert.Throws<ArgumentException>(() => scorer.RetrieveUnimodal(unimodalTrained, small)).ParamName);
        }
    }

    [Fact]
    public void UnimodalScorer_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = Exported("unimodal", (mi, data) => [mi.UnimodalRetriever(candidates: 10).Fit(data)]);
        using (model)
        {
            using (var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 4))
                AssertRefusesTheUserWithoutVector(model, trained, absent, (rows, history) => scorer.RetrieveUnimodal(rows, history));

            // The rows to refuse come from the user id file: a damaged one is refused at opening, naming the file and the line.
            string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
            var lines = File.ReadAllLines(ids);
            File.WriteAllLines(ids, [lines[0], lines[2], lines[1], .. lines[3..]]);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums
            var damaged = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx));
            Assert.Contains($"Line 3 of '{ids}'", damaged.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void QuotaScorer_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = Exported("quota", (mi, data) =>
        {
            var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(data);
            data = kmeans.Transform(data);
            var knn = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(data);
            return [kmeans, knn, mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 8 }).Fit(knn.Transform(data))];
        });
        using (model)
        {
            using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 4);
            AssertRefusesTheUserWithoutVector(model, trained, absent, (rows, history) => scorer.RetrieveClusterQuota(rows, history));
            // The directory's unimodal fallback ranks by the same user rows.
            Assert.Contains($"User row {absent} (position 0) has no vector", Assert.Throws<ArgumentException>(() => scorer.RetrieveUnimodal([absent])).Message,
                StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MmrScorer_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = Exported("mmr", (mi, data) => [mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 8, Lambda = 0.7, PoolSize = 14 }).Fit(data)]);
        using (model)
        {
            using var scorer = OnnxMmrScorer.Open(onnx, batchSize: 4);
            AssertRefusesTheUserWithoutVector(model, trained, absent, (rows, history) => scorer.Retrieve(rows, history));
        }
    }

    [Fact]
    public void HistoryMmrScorer_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = Exported("history-mmr", (mi, data) => [mi.HistoryInterestMmr(candidates: 8).Fit(data)]);
        using (model)
        {
            using var scorer = OnnxHistoryMmrScorer.Open(onnx, batchSize: 4);
            AssertRefusesTheUserWithoutVector(model, trained, absent, (rows, history) => scorer.Retrieve(rows, history));
        }
    }

    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    public void RoundRobinScorer_RefusesAUserWithoutVector(string kind)
    {
        var (model, onnx, trained, absent) = Exported("rr-" + kind,
            (mi, data) => [mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { Candidates = 8 }).Fit(data)], RoundRobinRetrieverMLNetTests.Embedding(kind));
        using (model)
        {
            using var scorer = OnnxRoundRobinScorer.Open(onnx, batchSize: 4);
            AssertRefusesTheUserWithoutVector(model, trained, absent, (rows, history) => scorer.Retrieve(rows, history));
        }
    }

    /// <summary>
    /// A round-robin directory's user id file cut at a line end is refused at opening, naming the file and the row it lost: the
    /// scorer holds no user table, so it read the cut file as one leaving those users out and refused a call naming the last
    /// trained user as a user key without training edges. The encoder's user table says which rows hold a vector.
    /// </summary>
    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    [InlineData("knn")]
    public void RoundRobinScorer_RefusesAUserIdFileCutAtALineEnd(string kind)
    {
        var (model, onnx, trained, _) = kind == "knn"
            ? Exported("rr-cut-knn", (mi, data) =>
            {
                // Round robin over the kNN-Embed mixtures: the encoder's user table is the embedding's user vectors.
                var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(data);
                var knn = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(data = kmeans.Transform(data));
                var roundRobin = mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
                {
                    UserComponentsColumnName = MultiInterestColumnNames.MixtureEmbeddings, UserComponentWeightsColumnName = MultiInterestColumnNames.MixtureWeights,
                    ItemComponentsColumnName = MultiInterestColumnNames.ItemEmbedding, Candidates = 8,
                }).Fit(knn.Transform(data));
                return [kmeans, knn, roundRobin];
            })
            : Exported("rr-cut-" + kind,
                (mi, data) => [mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { Candidates = 8 }).Fit(data)], RoundRobinRetrieverMLNetTests.Embedding(kind));
        using (model)
        {
            // The intact file opens: the rows it leaves out (keys without training edges) are zero in the encoder's user table.
            OnnxRoundRobinScorer.Open(onnx, batchSize: 4).Dispose();
            string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
            string lost = CutLastLine(ids);
            Assert.Equal(trained[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), lost);
            var refused = Assert.Throws<InvalidDataException>(() => OnnxRoundRobinScorer.Open(onnx, batchSize: 4));
            Assert.Contains($"'{ids}' leaves out user row {lost}, which has a vector in the graphs", refused.Message, StringComparison.Ordinal);
            Assert.Contains("export the model again", refused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Cuts the file <paramref name="path"/> after its last line but one, as a copy cut at a line end; returns the row of the line lost.</summary>
    private static string CutLastLine(string path)
    {
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines[..^1]);
        ServingChecksums.Reseal(Path.GetDirectoryName(path)!); // damaged on purpose, to reach the check behind the checksums
        return lines[^1].Split('\t')[0];
    }

    /// <summary>A fusion of a unimodal source (<c>source0</c>) and an MMR one (<c>source1</c>, its pool in <c>source1/pool</c>) over the wide user keys, exported.</summary>
    private (MultiInterestModel Model, string Onnx, int[] Trained, int Absent) ExportedFusion(string name) => Exported(name, (mi, data) =>
    {
        var unimodal = mi.UnimodalRetriever(candidates: 8).Fit(data);
        var copy = _ml.Transforms.CopyColumns("UnimodalCandidates", MultiInterestColumnNames.Candidates).Fit(data = unimodal.Transform(data));
        var mmr = mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 8, Lambda = 0.7, PoolSize = 14 }).Fit(data = copy.Transform(data));
        var fusion = mi.RankFusion(["UnimodalCandidates", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: 8).Fit(mmr.Transform(data));
        return [unimodal, copy, mmr, fusion];
    });

    [Fact]
    public void FusionScorer_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = ExportedFusion("fusion");
        using (model)
        {
            using var scorer = OnnxFusionScorer.Open(onnx, batchSize: 4);
            // The fused lists of the trained users are the recommender's (the engine serves one stage); the row without edges is refused.
            var recommender = _ml.MultiInterest().CreateRecommender(model);
            var served = scorer.Retrieve(trained, model.TrainingHistory());
            for (int q = 0; q < trained.Length; q++)
                Assert.Equal(recommender.Recommend(model.GraphEmbedding!.UserIds[trained[q]]).Items.Select(i => i.ItemId),
                    served.IndicesOf(q).ToArray().Select(r => model.GraphEmbedding.ItemIds[r]));
            AssertRefused(absent, () => scorer.Retrieve([trained[0], absent], model.TrainingHistory()));
        }
    }

    /// <summary>
    /// A fusion's user id file cut at a line end is refused at opening, naming the file and the row it lost (its sources'
    /// manifests are not stamped, so the fusion read the cut file alone and refused the last trained user as one without
    /// training edges); so is a source's own file cut so, against that source's graphs.
    /// </summary>
    [Fact]
    public void FusionScorer_RefusesAUserIdFileCutAtALineEnd()
    {
        var (model, onnx, trained, _) = ExportedFusion("fusion-cut");
        using (model)
        {
            string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
            string kept = File.ReadAllText(ids);
            string lost = CutLastLine(ids);
            var refused = Assert.Throws<InvalidDataException>(() => OnnxFusionScorer.Open(onnx, batchSize: 4));
            string firstSourceIds = Path.Combine(onnx, "source0", MultiInterestModel.UserIdsFileName);
            Assert.Contains($"'{ids}' leaves out user row {lost}, which '{firstSourceIds}' lists", refused.Message, StringComparison.Ordinal);
            Assert.Contains("export the model again", refused.Message, StringComparison.Ordinal);
            File.WriteAllText(ids, kept);
            ServingChecksums.Reseal(Path.GetDirectoryName(ids)!); // damaged on purpose, to reach the check behind the checksums

            string sourceIds = Path.Combine(onnx, "source1", MultiInterestModel.UserIdsFileName);
            lost = CutLastLine(sourceIds);
            Assert.Contains($"'{sourceIds}' leaves out user row {lost}, which has a vector in the graphs",
                Assert.Throws<InvalidDataException>(() => OnnxFusionScorer.Open(onnx, batchSize: 4)).Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A fusion's source directory, and the MMR source's pool, opened directly (not through the fusion's directory) refuse the
    /// user row without edges as the fusion does (their manifests are not stamped: they served it the ranking of its zero
    /// vector), and a source's user id file cut at a line end is refused at opening.
    /// </summary>
    [Fact]
    public void FusionParts_OpenedDirectly_RefuseAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = ExportedFusion("fusion-parts");
        using (model)
        {
            var history = model.TrainingHistory();
            string unimodal = Path.Combine(onnx, "source0"), mmr = Path.Combine(onnx, "source1");
            using (var scorer = OnnxCandidateScorer.Open(unimodal, batchSize: 4))
                AssertRefused(absent, () => scorer.RetrieveUnimodal([trained[0], absent], history));
            using (var scorer = OnnxMmrScorer.Open(mmr + Path.DirectorySeparatorChar, batchSize: 4))
                AssertRefused(absent, () => scorer.Retrieve([trained[0], absent], history));
            using (var scorer = OnnxCandidateScorer.Open(Path.Combine(mmr, OnnxMmrScorer.PoolDirectoryName), batchSize: 4))
                AssertRefused(absent, () => scorer.RetrieveUnimodal([trained[0], absent], history));

            string ids = Path.Combine(unimodal, MultiInterestModel.UserIdsFileName);
            string lost = CutLastLine(ids);
            Assert.Contains($"'{ids}' leaves out user row {lost}, which has a vector in the graphs",
                Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(unimodal)).Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A fusion's source that has its own user id file reads it when opened directly, whatever became of the top directory's:
    /// it refuses the row without edges even with the top file gone (the opening failed, naming the top directory's file).
    /// </summary>
    [Fact]
    public void FusionSource_WithItsOwnIdFile_OpensDirectlyWithoutTheTopDirectorysFile()
    {
        var (model, onnx, trained, absent) = ExportedFusion("fusion-own-file");
        using (model)
        {
            File.Delete(Path.Combine(onnx, MultiInterestModel.UserIdsFileName));
            ServingChecksums.Reseal(onnx); // damaged on purpose, to reach the check behind the checksums
            using var scorer = OnnxCandidateScorer.Open(Path.Combine(onnx, "source0"), batchSize: 4);
            AssertRefused(absent, () => scorer.RetrieveUnimodal([trained[0], absent], model.TrainingHistory()));
            // The fusion itself still needs its own file.
            Assert.Throws<FileNotFoundException>(() => OnnxFusionScorer.Open(onnx));
        }
    }

    /// <summary>
    /// A fusion's source opened through a symbolic link to it (a service's link to the one source it serves) is known as the
    /// part its target is, and refuses the user row without edges as the source opened in place does (it was taken for a
    /// directory of its own, its manifest unstamped, and served that row the ranking of its zero vector).
    /// </summary>
    [Fact]
    public void FusionPart_OpenedThroughALinkToIt_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = ExportedFusion("fusion-link");
        using (model)
        {
            string link = Path.Combine(_directory, "serving-source0");
            Directory.CreateSymbolicLink(link, Path.Combine(onnx, "source0"));
            using var scorer = OnnxCandidateScorer.Open(link, batchSize: 4);
            AssertRefused(absent, () => scorer.RetrieveUnimodal([trained[0], absent], model.TrainingHistory()));
        }
    }

    /// <summary>
    /// The tables' own export (unstamped: every row a user) in a directory whose parent holds a damaged serving manifest (a
    /// null source, a pool scorer without inputs) opens and serves every row: that manifest names no part, and reading it
    /// refuses it as damaged (it threw a NullReferenceException, or an ArgumentNullException, out of the child's opening).
    /// </summary>
    [Theory]
    [InlineData("\"retrieval\": \"rank_fusion\", \"sources\": [null]")]
    [InlineData("\"retrieval\": \"history_mmr\", \"pool_size\": 2, \"pool_scorer\": {\"file\": \"pool.onnx\", \"inputs\": null}")]
    public void UnstampedDirectory_UnderADamagedManifest_Opens(string fields)
    {
        string parent = Path.Combine(_directory, "damaged-parent");
        Directory.CreateDirectory(parent);
        File.WriteAllText(Path.Combine(parent, OnnxServingDirectory.ManifestFileName),
            "{\"format_version\": 1, \"candidates\": 1, \"users\": 1, \"items\": 1, \"components\": 1, \"dimension\": 1, " + fields + "}");
        Assert.Throws<InvalidDataException>(() => OnnxServingManifest.Read(parent));
        var random = new Random(5);
        EmbeddingMatrix Table(int rows) => new(rows, 4, [.. Enumerable.Range(0, rows * 4).Select(_ => (float)random.NextDouble() - 0.5f)]);
        string child = Path.Combine(parent, "source0");
        OnnxServingDirectory.ExportUnimodal(Table(6), Table(9), 3, child);
        using var scorer = OnnxCandidateScorer.Open(child);
        Assert.Equal(3, scorer.RetrieveUnimodal([5]).Counts[0]);
    }

    /// <summary>A merged conditional model over the wide user keys, exported; with its trained user rows and one without edges.</summary>
    private (MultiInterestModel Model, string Onnx, int[] Trained, int Absent) ExportedMerged()
    {
        string path = Path.Combine(_directory, "merged.zip"), onnx = Path.Combine(_directory, "merged-onnx");
        var model = MergedConditionalModel.Saved(_ml, path, wideUsers: true);
        Assert.Equal(OnnxServingManifest.ConditionalMergedRetrieval, model.ExportOnnx(onnx).Retrieval);
        var users = model.GraphEmbedding!.UserEmbeddings;
        int[] trained = [.. Enumerable.Range(0, users.KeyCount).Where(users.Contains)];
        int absent = Enumerable.Range(0, users.KeyCount).First(r => !users.Contains(r));
        return (model, onnx, trained, absent);
    }

    [Fact]
    public void ConditionalMergeScorer_RefusesAUserWithoutVector()
    {
        var (model, onnx, trained, absent) = ExportedMerged();
        using var _ = model;
        using var scorer = OnnxConditionalMergeScorer.Open(onnx, batchSize: 5);
        AssertRefusesTheUserWithoutVector(model, trained, absent, (rows, history) => scorer.Retrieve(rows, history));
        AssertRefused(absent, () => scorer.RetrieveFollowing([trained[0], absent], [["topic1"], ["topic2"]], model.TrainingHistory()));
    }

    /// <summary>
    /// The merged scorer serves a long call in chunks of users; a bad entry past the first chunk is refused before any chunk
    /// runs, naming its place in the caller's list (it named its place in the chunk: position 2 for 2050).
    /// </summary>
    [Fact]
    public void ConditionalMergeScorer_NamesThePlaceInTheWholeCall()
    {
        var (model, onnx, trained, absent) = ExportedMerged();
        using var _ = model;
        using var scorer = OnnxConditionalMergeScorer.Open(onnx, batchSize: 5);
        var history = model.TrainingHistory();
        int[] many = [.. Enumerable.Repeat(trained[0], 2050)];
        Assert.Contains("Unknown user row 999999 (position 2050)", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Retrieve([.. many, 999_999])).Message,
            StringComparison.Ordinal);
        Assert.Contains("History 2050 holds item row -5", Assert.Throws<ArgumentOutOfRangeException>(
            () => scorer.RetrieveFromHistories([.. Enumerable.Repeat<IReadOnlyList<int>>([0], 2050), [-5]])).Message, StringComparison.Ordinal);
        // Followed topics: every user once, the bad topic and the repeated user past the first chunk.
        int[] distinct = [.. Enumerable.Range(0, 2052).Select(q => trained[q % trained.Length])];
        var seen = new HashSet<int>();
        int first = Array.FindIndex(distinct, u => !seen.Add(u));
        Assert.Contains($"is given twice (positions 0 and {first})", Assert.Throws<ArgumentException>(
            () => scorer.RetrieveFollowing(distinct, [.. distinct.Select(_ => (IReadOnlyList<string>)["topic1"])], history)).Message, StringComparison.Ordinal);
        IReadOnlyList<string>[] topics = [.. Enumerable.Range(0, 2051).Select(_ => (IReadOnlyList<string>)["topic1"])];
        topics[2050] = ["no-such-topic"];
        Assert.Contains("(user 2050)", Assert.Throws<ArgumentException>(
            () => scorer.RetrieveFollowingFromHistories([.. Enumerable.Repeat<IReadOnlyList<int>>([0], 2051)], topics)).Message, StringComparison.Ordinal);
        // An exclusion graph without the row of a user is refused naming the graph.
        var small = BipartiteGraph.FromEdges(2, history.ItemCount, [0], [0]);
        Assert.Equal("exclusions", Assert.Throws<ArgumentException>(() => scorer.Retrieve([.. many, trained[^1]], small)).ParamName);
    }
}
