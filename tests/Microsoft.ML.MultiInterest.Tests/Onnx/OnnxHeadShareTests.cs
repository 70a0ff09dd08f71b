using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The hybrid quota list (<see cref="QuotaRetrievalOptions.HeadShare"/>: the unimodal head, then the components' quotas
/// over the other slots, skipping the head's items) through ONNX export: the plain graph and the exact scorer give the
/// engine's lists.
/// </summary>
public sealed class OnnxHeadShareTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-head-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static RankedLists Engine(MixtureWorld w, int[] served, int m, QuotaRetrievalOptions options, bool excludeSeen)
    {
        var seen = excludeSeen ? w.Seen : null;
        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, seen, m, threads: 1);
        return new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, seen, [m], options, fallback, w.Users, threads: 1)[0];
    }

    [Theory]
    [InlineData(0.2, 10)]
    [InlineData(0.5, 10)]
    [InlineData(0.35, 7)]
    [InlineData(1.0, 6)]
    public void TheHeadThenTheQuotasAreServedAsTheEngineRetrievesThem(double headShare, int m)
    {
        // Integer embeddings make every score exact (ties are real and go to the lower row everywhere), so even the plain
        // graph's lists must be the engine's, slot for slot.
        var w = MixtureWorld.Create(seed: 17, dimension: 3, integers: true);
        var options = new QuotaRetrievalOptions { Alpha = 0.5, HeadShare = headShare };
        var manifest = OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, options, _directory, exclusionMask: true);
        Assert.Equal(options.HeadSlots(m), manifest.HeadSlots);
        Assert.Equal(headShare, manifest.HeadShare);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var expected = Engine(w, served, m, options, excludeSeen: true);
        Assert.NotEqual(Engine(w, served, m, new QuotaRetrievalOptions { Alpha = 0.5 }, excludeSeen: true).Indices, expected.Indices); // the head matters here

        EngineLists.AssertPlainQuotaGraphGives(_directory, served, w.Seen, expected, m);

        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 5);
        EngineLists.AssertIdentical(expected, scorer.RetrieveClusterQuota(served, w.Seen));
        EngineLists.AssertIdentical(Engine(w, served, m, options, excludeSeen: false), scorer.RetrieveClusterQuota(served));
    }

    [Fact]
    public void NearTiesAtTheHeadsEndStillGiveTheEnginesLists()
    {
        // Families of near-identical items: ONNX Runtime's head may end on another member of a family than the engine's,
        // and the components' candidates were masked around ONNX Runtime's head; the scorer must notice and rank them again.
        var w = NearTieWorld.Create(seed: 43);
        const int m = 10;
        int[] served = [.. Enumerable.Range(0, w.Users.Rows), 5, 2];
        foreach (double headShare in new[] { 0.3, 0.5 })
        {
            var options = new QuotaRetrievalOptions { HeadShare = headShare };
            OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, options, _directory, exclusionMask: true);
            using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 7);
            EngineLists.AssertIdentical(Engine(w, served, m, options, excludeSeen: true), scorer.RetrieveClusterQuota(served, w.Seen));
            EngineLists.AssertIdentical(Engine(w, served, m, options, excludeSeen: false), scorer.RetrieveClusterQuota(served));
            Assert.True(scorer.ProvedFromCandidates > 50, $"{scorer.ProvedFromCandidates} rankings proved");
        }
    }

    [Fact]
    public void AHeadThatEndsOnAnotherNearTieThanTheEnginesIsNoticed()
    {
        // Items 0 and 1 score 1 and 1 + 1 ulp for the user: one tie for the engine (the lower row, 0, heads the list), two
        // values for ONNX TopK (1 heads its list). The graph masks item 1 out of the component, the engine item 0; the
        // scorer must rank the component with the engine, or the list would hold item 0 twice and miss item 1.
        const int itemCount = 10;
        var items = new EmbeddingMatrix(itemCount, 2);
        items.Row(0)[0] = 1f;
        items.Row(1)[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1f) + 1);
        for (int i = 2; i < itemCount; i++)
        {
            items.Row(i)[0] = 0.5f - 0.05f * i;
            items.Row(i)[1] = 0.1f * i;
        }
        var users = new EmbeddingMatrix(1, 2);
        users.Row(0)[0] = 1f;
        var clustering = ItemClustering.Create([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 2, items);
        var mixtures = new MixtureTable(1, 2, 2);
        mixtures.SetCount(0, 2);
        mixtures.WritableClusters(0)[0] = 0;
        mixtures.WritableClusters(0)[1] = 1;
        mixtures.WritableWeights(0)[0] = 0.6;
        mixtures.WritableWeights(0)[1] = 0.4;
        mixtures.WritableEmbedding(0, 0)[0] = 1f;
        mixtures.WritableEmbedding(0, 1)[1] = 1f;
        var w = new MixtureWorld(users, items, clustering, mixtures, BipartiteGraph.FromEdges(1, itemCount, [], []));
        var options = new QuotaRetrievalOptions { HeadShare = 0.25 };
        OnnxServingDirectory.Export(users, items, clustering, mixtures, 4, options, _directory);
        var expected = Engine(w, [0], 4, options, excludeSeen: false);
        Assert.Equal([0, 1, 2, 9], expected.IndicesOf(0).ToArray());
        using var scorer = OnnxCandidateScorer.Open(_directory);
        EngineLists.AssertIdentical(expected, scorer.RetrieveClusterQuota([0]));
        Assert.Equal(2, scorer.Rescanned); // both components, ranked by the engine
        Assert.Equal(0, scorer.FilledWithEngine); // a head reads the fallback for every list: the whole quota graph ran
    }

    [Fact]
    public void AListNeverHoldsAnItemTwiceNorASeenOne()
    {
        var w = MixtureWorld.Create(seed: 23, users: 30, items: 80);
        const int m = 12;
        var options = new QuotaRetrievalOptions { HeadShare = 0.5, Query = QuotaQuery.Blend, Beta = 0.5 };
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, options, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        using var scorer = OnnxCandidateScorer.Open(_directory);
        var got = scorer.RetrieveClusterQuota(served, w.Seen);
        EngineLists.AssertIdentical(Engine(w, served, m, options, excludeSeen: true), got);
        for (int q = 0; q < served.Length; q++)
        {
            var list = got.IndicesOf(q).ToArray();
            Assert.Equal(list.Length, list.Distinct().Count());
            Assert.DoesNotContain(list, i => w.Seen.ItemsOf(served[q]).Contains(i));
        }
    }
}
