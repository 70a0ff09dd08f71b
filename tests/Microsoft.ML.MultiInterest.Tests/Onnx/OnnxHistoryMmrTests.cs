using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// History-interest MMR through ONNX (<see cref="OnnxServingDirectory.ExportHistoryMmr"/>, <see cref="OnnxHistoryMmrScorer"/>):
/// ONNX Runtime ranks the catalogue per vector, the engine proves those rankings, merges the pool and re-ranks it; the lists
/// are <see cref="HistoryInterestRetriever.Retrieve"/>'s, near-ties included.
/// </summary>
public sealed class OnnxHistoryMmrTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-history-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Every user row's interests, from its seen items as history (two items per interest, so most users have several).</summary>
    private static HistoryInterests Interests(MixtureWorld w) =>
        HistoryInterests.Build(w.Seen, w.Items, [.. Enumerable.Range(0, w.Users.Rows)], new HistoryInterestOptions { ItemsPerInterest = 2, MaxInterests = 4 }, threads: 1);

    [Theory]
    [InlineData(0.75, 0.5, 10, 30)]
    [InlineData(1.0, 0.0, 6, 6)]
    [InlineData(0.3, 1.0, 8, 40)]
    public void TheListsAreTheEnginesWithNearTiesInTheRankings(double lambda, double nu, int m, int pool)
    {
        // Families of items 1-3 ulps apart: ONNX Runtime's float sums order them otherwise than the engine's kernel.
        var w = NearTieWorld.Create(seed: 53);
        var interests = Interests(w);
        Assert.Contains(Enumerable.Range(0, w.Users.Rows), u => interests.InterestCount(u) > 1);
        OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, m, pool, lambda, nu, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows), 3];
        var retriever = new HistoryInterestRetriever(w.Items);
        var rowsOf = HistoryInterests.Build(w.Seen, w.Items, served, new HistoryInterestOptions { ItemsPerInterest = 2, MaxInterests = 4 }, threads: 1);
        var expected = retriever.Retrieve(w.Users, rowsOf, w.Seen, m, lambda, nu, pool, threads: 1);
        using var scorer = OnnxHistoryMmrScorer.Open(_directory, batchSize: 7);
        EngineLists.AssertIdentical(expected, scorer.Retrieve(served, w.Seen));
        Assert.True(scorer.ProvedFromCandidates > served.Length, $"{scorer.ProvedFromCandidates} rankings proved");

        // Nothing excluded: the mask stays zero, and the engine's lists without exclusions come out.
        var open = retriever.Retrieve(w.Users, rowsOf, null, m, lambda, nu, pool, threads: 1);
        EngineLists.AssertIdentical(open, scorer.Retrieve(served));
    }

    [Fact]
    public void APoolAsLargeAsTheCatalogueAndUsersWithoutInterestsStillMatch()
    {
        var w = MixtureWorld.Create(seed: 19, users: 15, items: 40, dimension: 6);
        var interests = Interests(w);
        Assert.Contains(Enumerable.Range(0, w.Users.Rows), u => interests.InterestCount(u) == 0);   // users who have seen nothing
        OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 10, w.Items.Rows, 0.6, 0.5, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var expected = new HistoryInterestRetriever(w.Items).Retrieve(w.Users, interests, w.Seen, 10, 0.6, 0.5, w.Items.Rows, threads: 1);
        using var scorer = OnnxHistoryMmrScorer.Open(_directory);
        EngineLists.AssertIdentical(expected, scorer.Retrieve(served, w.Seen));
    }

    [Fact]
    public void AUnimodalPoolRanksWithTheUserVectorAloneAndStillGivesTheEnginesLists()
    {
        var w = NearTieWorld.Create(seed: 59);
        var interests = Interests(w);
        Assert.Contains(Enumerable.Range(0, w.Users.Rows), u => interests.InterestCount(u) > 1);
        var manifest = OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 8, 8, 0.5, 0.5, _directory, exclusionMask: true, unimodalPool: true);

        // The graph takes the user's vector (and the mask), not the interests, and gives one ranking per user.
        Assert.Equal([HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.ExclusionMaskInput], manifest.PoolScorer!.Inputs);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(_directory, OnnxServingDirectory.PoolScorerFileName)))
        {
            Assert.Equal([HistoryMmrGraphs.ExclusionMaskInput, HistoryMmrGraphs.UserEmbeddingName], session.InputMetadata.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(2, session.OutputMetadata[UnimodalOnnxExporter.CandidateRowsOutput].Dimensions.Length);   // [batch, k]: the vector scorer
        }

        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var engine = new HistoryInterestRetriever(w.Items, new HistoryPoolOptions { Search = HistoryPoolSearch.Unimodal });
        var expected = engine.Retrieve(w.Users, interests, w.Seen, 8, 0.5, 0.5, 8, threads: 1);
        using var scorer = OnnxHistoryMmrScorer.Open(_directory, batchSize: 5);
        EngineLists.AssertIdentical(expected, scorer.Retrieve(served, w.Seen));
        Assert.Equal(served.Length, scorer.ProvedFromCandidates + scorer.Rescanned);   // every user ranked once

        // A directory written before this graph (every vector ranked, unimodal_pool set) still serves the same lists.
        using (var file = File.Create(Path.Combine(_directory, OnnxServingDirectory.PoolScorerFileName)))
            HistoryMmrGraphs.BuildPoolScorer(w.Items, interests.MaxInterests, 8, exclusionMask: true).WriteTo(file);
        string manifestPath = Path.Combine(_directory, OnnxServingDirectory.ManifestFileName);
        EditManifest(manifestPath, m =>
        {
            m["pool_scorer"]!["inputs"] = new System.Text.Json.Nodes.JsonArray(
                HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName, HistoryMmrGraphs.QueryMaskName, HistoryMmrGraphs.ExclusionMaskInput);
            m["pool_scorer"]!["outputs"] = new System.Text.Json.Nodes.JsonArray(HistoryMmrGraphs.CandidateRowsOutput, HistoryMmrGraphs.CandidateScoresOutput);
        });
        using var older = OnnxHistoryMmrScorer.Open(_directory, batchSize: 5);
        EngineLists.AssertIdentical(expected, older.Retrieve(served, w.Seen));

        // A pool scorer without the interests is read as a Unimodal pool only when the manifest says so.
        EditManifest(manifestPath, m =>
        {
            m["pool_scorer"]!["inputs"] = new System.Text.Json.Nodes.JsonArray(HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.ExclusionMaskInput);
            m.AsObject().Remove("unimodal_pool");
        });
        Assert.Contains("unimodal_pool", Assert.Throws<InvalidDataException>(() => OnnxHistoryMmrScorer.Open(_directory)).Message);
    }

    [Theory]
    // probes, the user vector's probes, the history's lists too
    [InlineData(1, 0, false)]
    [InlineData(2, 0, true)]
    [InlineData(1, 2, false)]
    [InlineData(0, 1, true)]
    public void AClusteredPoolRanksTheListsEachUserSearchesAndGivesTheEnginesLists(int probes, int userProbes, bool historyLists)
    {
        var w = NearTieWorld.Create(seed: 61);
        var interests = Interests(w);
        var pool = new HistoryPoolOptions { Search = HistoryPoolSearch.Clustered, Lists = 5, Probes = probes, UserProbes = userProbes, HistoryLists = historyLists };
        var engine = new HistoryInterestRetriever(w.Items, pool);
        var manifest = OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 8, 12, 0.5, 0.5, _directory, exclusionMask: true, clusteredPool: engine);
        Assert.Equal((5, probes, userProbes, historyLists), (manifest.PoolListCount, manifest.PoolProbes, manifest.PoolUserProbes, manifest.PoolHistoryLists));
        Assert.Contains(HistoryMmrGraphs.ListMaskInput, manifest.PoolScorer!.Inputs);

        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var expected = engine.Retrieve(w.Users, interests, w.Seen, 8, 0.5, 0.5, 12, threads: 1);
        // Some user's vectors leave lists unsearched (so the masks are doing something).
        var searched = new bool[5];
        var scratch = engine.PoolIndex!.CreateScratch();
        Assert.Contains(served, q =>
        {
            var rows = userProbes > 0 ? new EmbeddingMatrix(1 + interests.InterestCount(q), w.Users.Dimension) : interests.Matrix;
            if (userProbes > 0)
            {
                w.Users.ReadRow(q).CopyTo(rows.Row(0));
                interests.Vectors(q).CopyTo(rows.Values.AsSpan(w.Users.Dimension));
            }
            int from = userProbes > 0 ? 0 : interests.FirstInterests[q], to = userProbes > 0 ? rows.Rows : interests.FirstInterests[q + 1];
            engine.PoolIndex.MarkSearchedLists(rows, from, to, userProbes > 0, historyLists ? w.Seen.ItemsOf(q) : default, searched, scratch);
            return searched.Contains(false);
        });
        using var scorer = OnnxHistoryMmrScorer.Open(_directory, batchSize: 4);
        EngineLists.AssertIdentical(expected, scorer.Retrieve(served, w.Seen));
        Assert.True(scorer.ProvedFromCandidates > served.Length, $"{scorer.ProvedFromCandidates} rankings proved");
        Assert.True(scorer.Rescanned > 0, "the near-ties send some rankings to the engine's clustered search, which must give the same lists");

        // The list scorer gives each vector's centroid scores, from which a client outside .NET picks the lists.
        using var lists = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(_directory, OnnxServingDirectory.PoolListsFileName));
        var index = engine.PoolIndex!;
        using var user = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(Microsoft.ML.OnnxRuntime.OrtMemoryInfo.DefaultInstance, w.Users.Values.AsMemory(0, w.Users.Dimension), [1, w.Users.Dimension]);
        var interestRows = new float[manifest.Components * w.Users.Dimension];
        interests.Vectors(0).CopyTo(interestRows);
        using var interest = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(Microsoft.ML.OnnxRuntime.OrtMemoryInfo.DefaultInstance, interestRows.AsMemory(), [1, manifest.Components, w.Users.Dimension]);
        using var scores = lists.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), [HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName], [user, interest],
            [HistoryMmrGraphs.ListScoresOutput]);
        var listScores = scores[0].GetTensorDataAsSpan<float>();
        for (int l = 0; l < 5; l++)
            Assert.Equal(VectorMath.Dot(w.Users.ReadRow(0), index.Centroids.ReadRow(l)), listScores[l], 1e-4f);

        // A manifest naming the lists over a pool scorer without the list mask is refused by name, not served unmasked.
        EditManifest(Path.Combine(_directory, OnnxServingDirectory.ManifestFileName), m => m["pool_scorer"]!["inputs"] = new System.Text.Json.Nodes.JsonArray(
            HistoryMmrGraphs.UserEmbeddingName, HistoryMmrGraphs.InterestEmbeddingsName, HistoryMmrGraphs.QueryMaskName, HistoryMmrGraphs.ExclusionMaskInput));
        Assert.Contains(HistoryMmrGraphs.ListMaskInput, Assert.Throws<InvalidDataException>(() => OnnxHistoryMmrScorer.Open(_directory)).Message);
    }

    private static void EditManifest(string path, Action<System.Text.Json.Nodes.JsonNode> edit)
    {
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
        ServingChecksums.Reseal(Path.GetDirectoryName(path)!); // damaged on purpose, to reach the check behind the checksums
    }

    [Fact]
    public void BadArgumentsAreRefusedNamingThem()
    {
        var w = MixtureWorld.Create(seed: 5);
        var interests = Interests(w);
        Assert.Equal("poolSize", Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 5, w.Items.Rows + 1, 0.5, 0.5, _directory)).ParamName);
        Assert.Equal("candidates", Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 20, 10, 0.5, 0.5, _directory)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 5, 10, 1.5, 0.5, _directory)).ParamName);
        // A clustered pool's lists come from a retriever with a clustered pool over these items, and not with a Unimodal pool.
        Assert.Equal("clusteredPool", Assert.Throws<ArgumentException>(() =>
            OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 5, 10, 0.5, 0.5, _directory, clusteredPool: new HistoryInterestRetriever(w.Items))).ParamName);
        var clustered = new HistoryInterestRetriever(w.Items, new HistoryPoolOptions { Search = HistoryPoolSearch.Clustered, Lists = 3 });
        Assert.Equal("clusteredPool", Assert.Throws<ArgumentException>(() =>
            OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 5, 10, 0.5, 0.5, _directory, unimodalPool: true, clusteredPool: clustered)).ParamName);
        var otherItems = new EmbeddingMatrix(w.Items.Rows - 1, w.Items.Dimension, w.Items.Values[..((w.Items.Rows - 1) * w.Items.Dimension)]);
        Assert.Equal("clusteredPool", Assert.Throws<ArgumentException>(() => OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 5, 10, 0.5, 0.5,
            _directory, clusteredPool: new HistoryInterestRetriever(otherItems, new HistoryPoolOptions { Search = HistoryPoolSearch.Clustered, Lists = 3 }))).ParamName);
        var some = HistoryInterests.Build(w.Seen, w.Items, [0, 2, 1], threads: 1);
        Assert.Contains("user rows 0..", Assert.Throws<ArgumentException>(() =>
            OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, some, 5, 10, 0.5, 0.5, _directory)).Message);
        Assert.False(Directory.Exists(_directory));

        OnnxServingDirectory.ExportHistoryMmr(w.Users, w.Items, interests, 5, 10, 0.5, 0.5, _directory);
        using var scorer = OnnxHistoryMmrScorer.Open(_directory);
        Assert.Equal("exclusions", Assert.Throws<ArgumentException>(() => scorer.Retrieve([0], w.Seen)).ParamName);   // exported without the mask
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Retrieve([w.Users.Rows])).ParamName);
    }
}
