using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>A model without item clusters is served by the unimodal scorer alone (<see cref="OnnxServingDirectory.ExportUnimodal"/>).</summary>
public sealed class OnnxUnimodalOnlyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-unimodal-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void TheUnimodalListsAreTheEnginesNearTiesIncluded_AndQuotaRetrievalIsRefused()
    {
        var w = NearTieWorld.Create(seed: 61);
        const int m = 10;
        var manifest = OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, m, _directory, exclusionMask: true);
        Assert.Equal(OnnxServingManifest.UnimodalRetrieval, manifest.Retrieval);
        Assert.Equal([OnnxServingDirectory.ManifestFileName, OnnxServingDirectory.UnimodalScorerFileName, OnnxServingDirectory.VectorScorerFileName],
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order());
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 9);
        var search = new UnimodalRetriever(w.Items);
        EngineLists.AssertIdentical(search.Retrieve(w.Users, served, w.Seen, m, threads: 1), scorer.RetrieveUnimodal(served, w.Seen));
        EngineLists.AssertIdentical(search.Retrieve(w.Users, served, null, m, threads: 1), scorer.RetrieveUnimodal(served));
        Assert.Contains("RetrieveUnimodal", Assert.Throws<InvalidOperationException>(() => scorer.RetrieveClusterQuota(served)).Message);

        // Fresh histories (here the users' seen items): the vector scorer ranks each history's mean item vector; the lists
        // are the engine's search with that vector, the history excluded. An empty history has no vector and no list.
        Assert.True(scorer.ServesUnimodalHistories);
        int[] withHistory = [.. served.Where(u => w.Seen.ItemsOf(u).Length > 0)];
        var means = new EmbeddingMatrix(w.Users.Rows, w.Items.Dimension);
        foreach (int u in withHistory) w.Items.MeanOf(w.Seen.ItemsOf(u), means.Row(u));
        var histories = withHistory.Select(u => (IReadOnlyList<int>)w.Seen.ItemsOf(u).ToArray()).ToArray();
        EngineLists.AssertIdentical(search.Retrieve(means, withHistory, w.Seen, m, threads: 1), scorer.RetrieveUnimodalFromHistories(histories));
        EngineLists.AssertIdentical(search.Retrieve(means, withHistory, null, m, threads: 1), scorer.RetrieveUnimodalFromHistories(histories, excludeHistory: false));
        Assert.Equal(0, scorer.RetrieveUnimodalFromHistories([Array.Empty<int>()]).Counts[0]);
    }
}
