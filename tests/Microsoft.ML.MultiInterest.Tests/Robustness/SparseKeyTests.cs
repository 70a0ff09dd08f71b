using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// A key type far larger than the ids in use (issue 13: <c>[KeyType(10_000_000)]</c> with 20,000 edges) must give the same
/// mixtures and neighbours as compact keys: the smoothing's neighbour search indexes only the users with edges.
/// </summary>
public class SparseKeyTests
{
    private const int Users = 24, Items = 30, Dimension = 4, Clusters = 3, Spread = 5_000;

    [Fact]
    public void KnnSmoothedMixture_OnSparseKeys_EqualsCompactKeys()
    {
        var dense = Fit(stride: 1);
        var sparse = Fit(stride: Spread);
        for (int u = 0; u < Users; u++)
        {
            Assert.Equal(dense.Mixtures.Clusters(u).ToArray(), sparse.Mixtures.Clusters(u * Spread).ToArray());
            Assert.Equal(dense.Mixtures.Weights(u).ToArray(), sparse.Mixtures.Weights(u * Spread).ToArray());
        }
        for (int q = 0; q < dense.Neighbors.QueryCount; q++)
            Assert.Equal(dense.Neighbors.IndicesOf(q).ToArray().Select(u => u * Spread), sparse.Neighbors.IndicesOf(q).ToArray());
    }

    private static KnnSmoothedMixtureTransformer Fit(int stride)
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(7);
        var users = TestGraphs.RandomMatrix(Users, Dimension, 1);
        var items = TestGraphs.RandomMatrix(Items, Dimension, 2);
        var rows = new List<Row>();
        for (int u = 0; u < Users; u++)
            foreach (int i in Enumerable.Range(0, Items).OrderBy(_ => rng.Next()).Take(6))
                rows.Add(new Row
                {
                    User = (uint)(u * stride),
                    Item = (uint)(i * stride),
                    UserEmbedding = users.ReadRow(u).ToArray(),
                    ItemEmbedding = items.ReadRow(i).ToArray(),
                    ItemCluster = (uint)(i % Clusters),
                });
        var view = stride == 1 ? ml.Data.LoadFromEnumerable(rows) : ml.Data.LoadFromEnumerable(rows.Select(r => r.Sparse()));
        return ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 3).Fit(view);
    }

    private sealed class Row
    {
        [KeyType(Users)]
        public uint User { get; set; }

        [KeyType(Items)]
        public uint Item { get; set; }

        [VectorType(Dimension)]
        public float[] UserEmbedding { get; set; } = [];

        [VectorType(Dimension)]
        public float[] ItemEmbedding { get; set; } = [];

        [KeyType(Clusters)]
        public uint ItemCluster { get; set; }

        public SparseRow Sparse() => new() { User = User, Item = Item, UserEmbedding = UserEmbedding, ItemEmbedding = ItemEmbedding, ItemCluster = ItemCluster };
    }

    private sealed class SparseRow
    {
        [KeyType(Users * Spread)]
        public uint User { get; set; }

        [KeyType(Items * Spread)]
        public uint Item { get; set; }

        [VectorType(Dimension)]
        public float[] UserEmbedding { get; set; } = [];

        [VectorType(Dimension)]
        public float[] ItemEmbedding { get; set; } = [];

        [KeyType(Clusters)]
        public uint ItemCluster { get; set; }
    }
}
