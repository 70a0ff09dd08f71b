using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>The quota query options through ONNX export: User is served exactly, Blend up to rounding (the hybrid head: OnnxHeadShareTests).</summary>
public sealed class OnnxQueryModesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-query-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The engine's quota lists of <paramref name="served"/> with their unimodal fill, as the directory serves them.</summary>
    private static RankedLists EngineLists(MixtureWorld w, QuotaRetrievalOptions options, int m, int[] served, BipartiteGraph? seen)
    {
        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, seen, m, threads: 1);
        return new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, seen, [m], options, fallback, w.Users, threads: 1)[0];
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
        var expected = EngineLists(w, options, m, served, w.Seen);
        var got = scorer.RetrieveClusterQuota(served, w.Seen);
        Assert.Equal(expected.Counts, got.Counts);
        Assert.Equal(expected.Indices, got.Indices);
        Assert.Equal(expected.Scores, got.Scores);
    }

    /// <summary>
    /// Every User query is the user's own vector: the encoder gathers it from the user table and lays it on each component,
    /// rather than storing m copies per user (which were most of a User directory's bytes), and outputs what the stored
    /// table held, bit for bit (padding components zero).
    /// </summary>
    [Fact]
    public void TheUserQueryEncoder_StoresNoCopiesOfTheUserVectors_AndOutputsTheQueriesTheTableHeld()
    {
        var w = MixtureWorld.Create(seed: 11);
        const int m = 8;
        var options = new QuotaRetrievalOptions { Query = QuotaQuery.User, Alpha = 0.7 };
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, options, _directory);
        string encoder = Path.Combine(_directory, OnnxServingDirectory.EncoderFileName);
        var tables = ModelProto.Parser.ParseFrom(File.ReadAllBytes(encoder)).Graph.Initializer;
        Assert.DoesNotContain(tables, t => t.Name == "component_table");
        // The Component query's encoder, over the same mixtures, holds the [U, m, d] table the User encoder does without.
        string component = Path.Combine(_directory, "component");
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, new QuotaRetrievalOptions { Alpha = 0.7 }, component);
        long Bytes(string graph) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph)).Graph.Initializer.Sum(t => (long)t.RawData.Length);
        long saved = Bytes(Path.Combine(component, OnnxServingDirectory.EncoderFileName)) - Bytes(encoder);
        Assert.InRange(saved, (long)w.Users.Rows * w.Mixtures.MaxComponents * w.Users.Dimension * sizeof(float) - 64, long.MaxValue);

        var stored = PaddedMixtures.Create(w.Mixtures, m, options, w.Users);
        int users = w.Users.Rows, components = stored.Components, d = stored.Dimension;
        Assert.Contains(stored.Clusters, c => c == PaddedMixtures.NoCluster); // padding is exercised
        using var session = new InferenceSession(encoder);
        long[] rows = [.. Enumerable.Range(0, users).Select(u => (long)u)];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(MixtureOnnxExporter.UserRowsInput, new DenseTensor<long>(rows, [users]))]);
        var queries = results.First(r => r.Name == MixtureOnnxExporter.MixtureEmbeddingsName).AsEnumerable<float>().ToArray();
        Assert.Equal(users * components * d, queries.Length);
        Assert.Equal(stored.Embeddings.Select(BitConverter.SingleToInt32Bits), queries.Select(BitConverter.SingleToInt32Bits));

        // And the lists are the engine's, item for item and score for score.
        int[] served = [.. Enumerable.Range(0, users)];
        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 3);
        var expected = EngineLists(w, options, m, served, seen: null);
        var got = scorer.RetrieveClusterQuota(served);
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
        var expected = EngineLists(w, options, m, served, seen: null);
        var got = scorer.RetrieveClusterQuota(served);
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray().Order(), got.IndicesOf(q).ToArray().Order());
            for (int r = 0; r < expected.Counts[q]; r++) Assert.Equal(expected.ScoresOf(q)[r], got.ScoresOf(q)[r], 1e-4f);
        }
    }
}
