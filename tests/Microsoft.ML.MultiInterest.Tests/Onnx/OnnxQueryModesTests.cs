using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>The quota query options through ONNX export: User is served exactly, Blend up to rounding (the hybrid head: OnnxHeadShareTests).</summary>
public sealed class OnnxQueryModesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-query-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void TheUserQueryIsServedAsTheEngineRetrievesIt()
    {
        // Integer embeddings make every score exact, so the lists must be identical slot for slot.
        var w = MixtureWorld.Create(seed: 7, dimension: 3, integers: true);
        const int m = 10;
        var options = new QuotaRetrievalOptions { Alpha = 0.5, Query = QuotaQuery.User };
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, options, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 5);
        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        var expected = new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, w.Seen, [m], options, fallback, w.Users, threads: 1)[0];
        var got = scorer.RetrieveClusterQuota(served, w.Seen);
        Assert.Equal(expected.Counts, got.Counts);
        Assert.Equal(expected.Indices, got.Indices);
        Assert.Equal(expected.Scores, got.Scores);
    }

    [Fact]
    public void TheBlendQueryIsServedUpToRounding()
    {
        var w = MixtureWorld.Create(seed: 9);
        const int m = 8;
        var options = new QuotaRetrievalOptions { Query = QuotaQuery.Blend, Beta = 0.5 };
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, options, _directory);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        using var scorer = OnnxCandidateScorer.Open(_directory);
        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, null, m, threads: 1);
        var expected = new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, null, [m], options, fallback, w.Users, threads: 1)[0];
        var got = scorer.RetrieveClusterQuota(served);
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray().Order(), got.IndicesOf(q).ToArray().Order());
            for (int r = 0; r < expected.Counts[q]; r++) Assert.Equal(expected.ScoresOf(q)[r], got.ScoresOf(q)[r], 1e-4f);
        }
    }
}
