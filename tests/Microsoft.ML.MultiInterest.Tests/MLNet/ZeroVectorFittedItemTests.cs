using Microsoft.ML.Data;
namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// An item with training edges whose vector is all zeros (given from elsewhere, as docs/pipeline.md's "Embeddings trained
/// elsewhere" allows) is a fitted item: it scores 0 for every user and the stage lists it where that score ranks, as the ONNX
/// graphs do (their item_absence mask marks keys without edges only). Only a key without edges holds no item.
/// </summary>
public sealed class ZeroVectorFittedItemTests
{
    private readonly MLContext _ml = new(seed: 1);
    private const int Dimension = 8;

    private sealed class VectorEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        [VectorType(Dimension)]
        public float[] UserEmbedding { get; set; } = [];

        [VectorType(Dimension)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    [Fact]
    public void AFittedItemWithAZeroVector_IsListedWhereItsScoreRanks()
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = _ml.MultiInterest();
        var trained = MLNetTestData.KeyPipeline(_ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Fit(raw).LastTransformer;
        const int zeroRow = 2;
        string zeroId = trained.ItemIds[zeroRow];
        var userRow = trained.UserIds.Select((id, r) => (id, r)).ToDictionary(p => p.id, p => p.r);
        var itemRow = trained.ItemIds.Select((id, r) => (id, r)).ToDictionary(p => p.id, p => p.r);
        var userTable = trained.UserEmbeddings.ToDense();
        var itemTable = trained.ItemEmbeddings.ToDense();
        var edges = MLNetTestData.Edges().Select(e => new VectorEdge
        {
            User = e.User,
            Item = e.Item,
            UserEmbedding = userTable.ReadRow(userRow[e.User]).ToArray(),
            ItemEmbedding = e.Item == zeroId ? new float[Dimension] : itemTable.ReadRow(itemRow[e.Item]).ToArray(),
        }).ToList();
        var withVectors = _ml.Data.LoadFromEnumerable(edges);
        var external = MLNetTestData.KeyPipeline(_ml).Fit(withVectors);
        var data = external.Transform(withVectors);
        var stage = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 18 }).Fit(data);
        // The stage's lists (the engine's retrieval at Fit) list the item where its score 0 ranks.
        // (Each list copied as read: the cursor reuses its buffer.)
        var candidates = stage.Transform(data).GetColumn<VBuffer<uint>>("Candidates").Select(v => v.DenseValues().ToArray()).ToArray();
        var keys = stage.Transform(data).GetColumn<uint>("Item").ToArray();
        uint itemKey = keys[edges.FindIndex(r => r.Item == zeroId)];
        Assert.Contains(candidates, c => c.Contains(itemKey));

        // At the score it has: after the items scored above 0, before those below.
        var scores = stage.Transform(data).GetColumn<VBuffer<float>>("CandidateScores").Select(v => v.DenseValues().ToArray()).ToArray();
        for (int r = 0; r < candidates.Length; r++)
        {
            int at = Array.IndexOf(candidates[r], itemKey);
            if (at < 0) continue;
            Assert.Equal(0f, scores[r][at]);
            Assert.True(scores[r].Take(at).All(s => s >= 0) && scores[r].Skip(at + 1).All(s => s <= 0));
        }
    }
}
