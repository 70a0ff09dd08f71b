using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// An item key type wider than the items with edges (MapValueToKey fitted on a vocabulary of more ids): the ONNX tables have a
/// row per key, zero for a key without edges, which the stage never recommends. On vectors whose scores go negative (negative
/// sampling), long lists reach items scored below 0, where a zero row would win: the exported graphs must list only the
/// fitted items, as the engine does, for trained users and fresh histories alike.
/// </summary>
public sealed class OnnxItemKeysWithoutEdgesTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-onnx-unused-items-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A saved model of the stage <paramref name="retriever"/> on negative-sampling vectors over the wide item keys.</summary>
    private MultiInterestModel Saved(string name, Func<MultiInterestCatalog, IDataView, CandidateRetrievalTransformer> retriever)
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideItemKeys.KeyPipeline(_ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = _ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        Assert.False(embedding.ItemEmbeddings.IsDense);
        var fitted = retriever(mi, embedding.Transform(keyed));
        string path = Path.Combine(_directory, name + ".zip");
        _ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, fitted), raw.Schema, path);
        return MultiInterestModel.Load(_ml, path);
    }

    /// <summary>Every trained user's list, by the engine and by ONNX, and whether any list reached a negative score (so the test bites).</summary>
    private static void AssertTrainedUsers(MultiInterestModel model, Func<int[], BipartiteGraph, RankedLists> onnx)
    {
        var users = model.GraphEmbedding!.UserEmbeddings;
        int[] rows = [.. Enumerable.Range(0, users.KeyCount).Where(users.Contains)];
        var history = model.TrainingHistory();
        var engine = model.RetrieveWithEngine(rows, threads: 1);
        var served = onnx(rows, history);
        bool negative = false;
        for (int q = 0; q < rows.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), served.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), served.ScoresOf(q).ToArray());
            negative |= engine.ScoresOf(q).ToArray().Any(s => s < 0);
        }
        Assert.True(negative, "no list reached a negative score: the zero rows could not have shown");
    }

    [Fact]
    public void UnimodalGraphs_ListOnlyFittedItems_ForTrainedUsersAndFreshHistories()
    {
        using var model = Saved("unimodal", (mi, data) => mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 18 }).Fit(data));
        string onnx = Path.Combine(_directory, "unimodal-onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 4);
        AssertTrainedUsers(model, (rows, history) => scorer.RetrieveUnimodal(rows, history));

        // New users: their histories' lists as the recommender gives them.
        var recommender = _ml.MultiInterest().CreateRecommender(model);
        var itemIds = model.GraphEmbedding!.ItemIds;
        var fitted = model.GraphEmbedding.ItemEmbeddings.Rows;
        int absent = Enumerable.Range(0, itemIds.Count).First(r => !model.GraphEmbedding.ItemEmbeddings.Contains(r));
        Assert.StartsWith("unused", itemIds[absent], StringComparison.Ordinal);
        // The last history names an id without edges, which the recommender ignores as unknown: the ONNX scorer must drop it too.
        int[][] histories = [[fitted[1], fitted[3], fitted[5]], [fitted[8]], [fitted[12], fitted[14], fitted[20], fitted[22]], [fitted[2], absent, fitted[6]]];
        var fromOnnx = scorer.RetrieveUnimodalFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", histories[q].Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(r => r.ItemId), fromOnnx.IndicesOf(q).ToArray().Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(r => r.Score), fromOnnx.ScoresOf(q).ToArray());
            Assert.DoesNotContain(live.Items, r => r.ItemId.StartsWith("unused", StringComparison.Ordinal));
        }
        // A history of such ids alone is no history: an empty list here, the popular items from the recommender.
        Assert.Equal(0, scorer.RetrieveUnimodalFromHistories([[absent]]).Counts[0]);
        Assert.Equal(CandidateSource.Popular, recommender.Recommend("someone-new", [itemIds[absent]]).Source);
    }

    [Fact]
    public void MmrGraphs_PoolOnlyFittedItems()
    {
        using var model = Saved("mmr", (mi, data) => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 12, Lambda = 0.7, PoolSize = 18 }).Fit(data));
        string onnx = Path.Combine(_directory, "mmr-onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxMmrScorer.Open(onnx, batchSize: 4);
        AssertTrainedUsers(model, (rows, history) => scorer.Retrieve(rows, history));
    }

    /// <summary>
    /// The graphs that read item clusters (cluster quotas; MMR's interest term) are indexed by item key and have no cluster for
    /// a key without edges: the export is refused, naming which graphs and where to serve the model instead, and that advice
    /// holds (the engine serves it, fitted items only).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GraphsThatReadItemClusters_AreRefused_NamingWhereToServe(bool mmrInterestTerm)
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideItemKeys.KeyPipeline(_ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = _ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedding.Transform(keyed));
        var clustered = kmeans.Transform(embedding.Transform(keyed));
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var mixed = mixture.Transform(clustered);
        var retriever = mmrInterestTerm
            ? mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 6, Lambda = 0.7, InterestWeight = 0.5 }).Fit(mixed)
            : mi.ClusterQuotaRetriever(candidates: 6).Fit(mixed);
        string path = Path.Combine(_directory, $"clusters-{mmrInterestTerm}.zip");
        _ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, kmeans, mixture, retriever), raw.Schema, path);
        using var model = MultiInterestModel.Load(_ml, path);

        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Path.Combine(_directory, $"clusters-{mmrInterestTerm}-onnx")));
        Assert.Contains($"{WideItemKeys.Unused} of the", error.Message, StringComparison.Ordinal);
        Assert.Contains("item key type is wider than the items fitted", error.Message, StringComparison.Ordinal);
        Assert.Contains("The ONNX graphs that read item clusters (cluster quotas, MMR's interest term)", error.Message, StringComparison.Ordinal);
        Assert.Contains("serve it with CreateRecommender, RetrieveWithEngine or Transform", error.Message, StringComparison.Ordinal);

        var users = model.GraphEmbedding!.UserEmbeddings;
        int[] rows = [.. Enumerable.Range(0, users.KeyCount).Where(users.Contains)];
        var lists = model.RetrieveWithEngine(rows, threads: 1);
        for (int q = 0; q < rows.Length; q++)
        {
            Assert.Equal(6, lists.Counts[q]);
            Assert.All(lists.IndicesOf(q).ToArray(), r => Assert.True(model.GraphEmbedding.ItemEmbeddings.Contains(r), $"item row {r} has no edges"));
        }
    }

    [Fact]
    public void TheEnginesScansOfNearTies_SkipTheRowsWithoutAnItem()
    {
        // Near-ties send some rankings to the engine's scan; lists as long as the catalogue run past the eligible items, where
        // a scan over the key table would append the zero rows.
        var w = NearTieWorld.Create(seed: 44, users: 16, clusters: 3, familiesPerCluster: 3);
        var keyRow = new int[w.Items.Rows];
        int keys = 0;
        for (int i = 0; i < w.Items.Rows; i++)
        {
            if (i % 4 == 0) keys++; // a key without an item before every fourth item
            keyRow[i] = keys++;
        }
        var table = new EmbeddingMatrix(keys, w.Items.Dimension);
        for (int i = 0; i < w.Items.Rows; i++) w.Items.ReadRow(i).CopyTo(table.Row(keyRow[i]));
        var keyed = new KeyedEmbeddings(keys, keyRow, w.Items);
        int[] seenUsers = [.. Enumerable.Range(0, w.Seen.UserCount).SelectMany(u => Enumerable.Repeat(u, w.Seen.DegreeOf(u)))];
        int[] seenItems = [.. Enumerable.Range(0, w.Seen.UserCount).SelectMany(u => w.Seen.ItemsOf(u).ToArray()).Select(i => keyRow[i])];
        var seen = BipartiteGraph.FromEdges(w.Seen.UserCount, keys, seenUsers, seenItems);

        int m = w.Items.Rows;
        string directory = Path.Combine(_directory, "near-ties");
        OnnxServingDirectory.ExportUnimodalOverKeys(w.Users, table, m, directory, exclusionMask: true, ItemAbsence.Mask(keyed));
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var expected = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        using var scorer = OnnxCandidateScorer.Open(directory, batchSize: 5);
        var got = scorer.RetrieveUnimodal(served, seen);
        Assert.Equal(expected.Counts, got.Counts);
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(i => keyRow[i]), got.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), got.ScoresOf(q).ToArray());
        }
        Assert.True(scorer.Rescanned > 0, "no ranking was scanned: the scan's exclusions were not exercised");
    }
}
