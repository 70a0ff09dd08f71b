using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public sealed class OnnxCandidateScorerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-serving-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static void AssertIdentical(RankedLists expected, RankedLists got)
    {
        Assert.Equal(expected.Capacity, got.Capacity);
        Assert.Equal(expected.Counts, got.Counts);
        Assert.Equal(expected.Indices, got.Indices);
        Assert.Equal(expected.Scores, got.Scores);
    }

    [Fact]
    public void ServesTheEnginesListsInBatchesFromTheExportedDirectory()
    {
        // Integer embeddings make every score exact, so the lists must be identical slot for slot.
        var w = MixtureWorld.Create(seed: 31, dimension: 3, integers: true);
        const int m = 12;
        const double alpha = 1.5;
        var written = OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, alpha, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows).Reverse(), 3, 3, 0];

        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 7);

        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        var quota = new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, w.Seen, [m], alpha, fallback, threads: 1)[0];
        AssertIdentical(quota, scorer.RetrieveClusterQuota(served, w.Seen));
        AssertIdentical(fallback, scorer.RetrieveUnimodal(served, w.Seen));
        Assert.Contains(quota.Counts, c => c < m); // some lists run short

        // With the mask input but no exclusion graph, nothing is excluded.
        var open = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, null, m, threads: 1);
        AssertIdentical(open, scorer.RetrieveUnimodal(served));
        AssertIdentical(new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, null, [m], alpha, open, threads: 1)[0],
            scorer.RetrieveClusterQuota(served));
        Assert.Equal(0, scorer.RetrieveClusterQuota([]).QueryCount);

        var manifest = scorer.Manifest;
        Assert.Equal((m, alpha, w.Users.Rows, w.Items.Rows, 7, 3, 3), (manifest.Candidates, manifest.Alpha, manifest.Users, manifest.Items, manifest.Clusters, manifest.Components, manifest.Dimension));
        Assert.Equal(ClusterGroupedItems.LargestCluster(w.Clustering), manifest.LargestCluster);
        Assert.True(manifest.ExclusionMask);
        Assert.Equal(written.QuotaScorer.Inputs, manifest.QuotaScorer.Inputs);
        Assert.Equal(["mixture_clusters", "mixture_embeddings", "quotas", "user_embedding", "exclusion_mask"], manifest.QuotaScorer.Inputs);
        Assert.Equal(["user_rows", "exclusion_mask"], manifest.UnimodalScorer.Inputs);
        Assert.Equal("encoder.onnx", manifest.Encoder.File);
        Assert.Contains("\"largest_cluster\"", File.ReadAllText(Path.Combine(_directory, OnnxServingDirectory.ManifestFileName)));
    }

    [Fact]
    public void BatchSizeAndThreadingDoNotChangeTheLists()
    {
        // The mask is updated in place between batches (only the entries that change), so batches of every size,
        // a short last batch and a user served twice in a row must all give the engine's lists.
        var w = MixtureWorld.Create(seed: 35, dimension: 3, integers: true);
        const int m = 10;
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, 1.0, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows), 5, 5, 2, .. Enumerable.Range(0, w.Users.Rows).Reverse()];
        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        var expected = new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, w.Seen, [m], 1.0, fallback, threads: 1)[0];

        var factories = new[]
        {
            new OnnxSessionFactory(),
            new OnnxSessionFactory { IntraOpThreads = 1, AllowSpinning = true },
            new OnnxSessionFactory { IntraOpThreads = 2, AllowSpinning = false },
        };
        foreach (var factory in factories)
        {
            foreach (int batchSize in new[] { 1, 4, 7, OnnxCandidateScorer.DefaultBatchSize, served.Length + 3 })
            {
                using var scorer = OnnxCandidateScorer.Open(_directory, factory, batchSize);
                AssertIdentical(expected, scorer.RetrieveClusterQuota(served, w.Seen));
                AssertIdentical(fallback, scorer.RetrieveUnimodal(served, w.Seen));
            }
        }
    }

    [Fact]
    public void FloatEmbeddingsGiveTheEnginesListsExactly()
    {
        // ONNX Runtime rounds its sums differently; the scorer re-ranks its candidates with the engine's arithmetic, so
        // lists and scores are the engine's for every user, near-ties or not (the plain graphs' own lists differ there).
        var w = MixtureWorld.Create(seed: 32);
        const int m = 15;
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, 1.0, _directory, exclusionMask: true);
        var served = Enumerable.Range(0, w.Users.Rows).ToArray();
        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 5);
        AssertIdentical(w.Expected(served, m, 1.0, excludeSeen: true), scorer.RetrieveClusterQuota(served, w.Seen));
        AssertIdentical(new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1), scorer.RetrieveUnimodal(served, w.Seen));
    }

    [Fact]
    public void MisuseIsRefusedNamingTheArgument()
    {
        var w = MixtureWorld.Create(seed: 33, dimension: 3, integers: true);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, _directory);
        using var scorer = OnnxCandidateScorer.Open(_directory);

        Assert.Equal("exclusions", Assert.Throws<ArgumentException>(() => scorer.RetrieveClusterQuota([0], w.Seen)).ParamName);
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.RetrieveUnimodal([0, w.Users.Rows]));
        Assert.Equal("users", unknown.ParamName);
        Assert.Contains($"Unknown user row {w.Users.Rows}", unknown.Message);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => OnnxCandidateScorer.Open(_directory, batchSize: 0)).ParamName);
        Assert.Throws<FileNotFoundException>(() => OnnxCandidateScorer.Open(Path.Combine(_directory, "missing")));

        scorer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scorer.RetrieveClusterQuota([0]));
    }

    /// <summary>
    /// Regression (a walkthrough of a service swapping models): Dispose freed the native sessions under calls still running
    /// on other threads, and the process died with a segmentation fault. Dispose now waits for them; later calls are refused.
    /// </summary>
    [Fact]
    public void DisposeWaitsForTheRunningCallsAndRefusesLaterOnes()
    {
        var w = MixtureWorld.Create(seed: 35, dimension: 3, integers: true);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, _directory, exclusionMask: true);
        int[] users = [.. Enumerable.Range(0, w.Users.Rows)];
        var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 2);
        var quota = scorer.RetrieveClusterQuota(users, w.Seen);
        var unimodal = scorer.RetrieveUnimodal(users, w.Seen);
        int finished = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var started = new CountdownEvent(4);
        var callers = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            started.Signal();
            try
            {
                while (true)
                {
                    if (t % 2 == 0) AssertIdentical(quota, scorer.RetrieveClusterQuota(users, w.Seen));
                    else AssertIdentical(unimodal, scorer.RetrieveUnimodal(users, w.Seen));
                    Interlocked.Increment(ref finished);
                }
            }
            catch (ObjectDisposedException)
            {
                // The one way a call may end once Dispose has begun.
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToArray();
        foreach (var caller in callers) caller.Start();
        started.Wait();
        SpinWait.SpinUntil(() => Volatile.Read(ref finished) >= 8, TimeSpan.FromSeconds(30));
        scorer.Dispose();
        foreach (var caller in callers) caller.Join();
        Assert.Empty(failures); // a freed session's errors, or lists that differ
        Assert.True(finished >= 8);
        Assert.Throws<ObjectDisposedException>(() => scorer.RetrieveUnimodal(users));
        scorer.Dispose(); // twice is allowed
    }

    [Fact]
    public void AnExclusionGraphOverOtherItemsIsRefused()
    {
        var w = MixtureWorld.Create(seed: 34, dimension: 3, integers: true);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, _directory, exclusionMask: true);
        using var scorer = OnnxCandidateScorer.Open(_directory);
        var other = BipartiteGraph.FromEdges(w.Users.Rows, w.Items.Rows + 1, [0], [w.Items.Rows]);
        Assert.Contains("has 61 items", Assert.Throws<ArgumentException>(() => scorer.RetrieveClusterQuota([0], other)).Message);
    }
}
