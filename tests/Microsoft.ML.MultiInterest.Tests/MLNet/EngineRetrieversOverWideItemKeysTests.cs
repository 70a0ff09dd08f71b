using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The engine's retrievers on a fitted transformer's tables over an item key type wider than the items with edges
/// (<see cref="KeyedEmbeddings.ToDense"/>, as pipeline.md says to hand them over): the keys without edges are zero rows,
/// which score 0 for every query. Lists long enough to reach the items scored below 0 (negative sampling's vectors) must
/// still be the retrieval stage's, which recommends the fitted items only; before, the engine listed those rows at score 0.
/// </summary>
public sealed class EngineRetrieversOverWideItemKeysTests
{
    /// <summary>M: 20 of the 24 items with edges, past every user's 18 unseen ones, so that every list reaches below 0.</summary>
    private const int M = 20;

    /// <summary>The wide-key edges through embedding, k-means and mixtures, and the engine's view of them over the key range.</summary>
    private sealed class World
    {
        public World()
        {
            Ml = new MLContext(seed: 1);
            var raw = Ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var mi = Ml.MultiInterest();
            var keyed = WideItemKeys.KeyPipeline(Ml).Fit(raw).Transform(raw);
            Embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
            Assert.False(Embedding.ItemEmbeddings.IsDense);
            var embedded = Embedding.Transform(keyed);
            KMeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedded);
            Mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(KMeans.Transform(embedded));
            Data = Mixture.Transform(KMeans.Transform(embedded));
            Items = Embedding.ItemEmbeddings.ToDense();
            Users = Embedding.UserEmbeddings.ToDense();
            var users = MLNetTestData.Keys(keyed, "User").Select(k => (int)k - 1).ToArray();
            var items = MLNetTestData.Keys(keyed, "Item").Select(k => (int)k - 1).ToArray();
            Graph = BipartiteGraph.FromEdges(Users.Rows, Items.Rows, users, items);
            Assert.Equal(WideItemKeys.Unused, Graph.ItemDegrees().Count(d => d == 0));
            Served = [.. Enumerable.Range(0, Users.Rows)];
        }

        public MLContext Ml { get; }

        public GraphEmbeddingTransformer Embedding { get; }

        public SphericalKMeansTransformer KMeans { get; }

        public KnnSmoothedMixtureTransformer Mixture { get; }

        public IDataView Data { get; }

        /// <summary>One row per item key: zero for a key without edges.</summary>
        public EmbeddingMatrix Items { get; }

        public EmbeddingMatrix Users { get; }

        public BipartiteGraph Graph { get; }

        public int[] Served { get; }

        /// <summary>Whether item row <paramref name="row"/> has training edges.</summary>
        public bool Fitted(int row) => Embedding.ItemEmbeddings.Contains(row);
    }

    private static readonly World W = new();

    /// <summary>The engine's lists equal the stage's, item for item and score for score, and never hold a key without edges; some reach below 0.</summary>
    private static void AssertTheStagesLists(CandidateRetrievalTransformer stage, RankedLists engine)
    {
        bool negative = false;
        for (int q = 0; q < W.Served.Length; q++)
        {
            var (keys, scores) = stage.GetCandidates((uint)W.Served[q] + 1);
            int count = keys.TakeWhile(k => k != 0).Count();
            var rows = engine.IndicesOf(q).ToArray();
            Assert.All(rows, r => Assert.True(W.Fitted(r), $"user row {q} was listed item row {r}, a key without edges"));
            Assert.Equal(keys[..count].Select(k => (int)k - 1), rows);
            Assert.Equal(scores[..count], engine.ScoresOf(q).ToArray());
            negative |= scores[..count].Any(s => s < 0);
        }
        Assert.True(negative, "no list reached a negative score: the zero rows could not have shown");
    }

    [Fact]
    public void Unimodal_GivesTheStagesLists()
    {
        var stage = W.Ml.MultiInterest().UnimodalRetriever(candidates: M).Fit(W.Data);
        AssertTheStagesLists(stage, new UnimodalRetriever(W.Items).Retrieve(W.Users, W.Served, W.Graph, M, threads: 1));
    }

    [Fact]
    public void Mmr_GivesTheStagesLists()
    {
        const int pool = 22;
        var stage = W.Ml.MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = M, Lambda = 0.5, PoolSize = pool }).Fit(W.Data);
        var ranking = new UnimodalRetriever(W.Items).Retrieve(W.Users, W.Served, W.Graph, pool, threads: 1);
        AssertTheStagesLists(stage, new MmrRetriever(W.Items).Rerank(ranking, M, 0.5, pool, null, threads: 1));
    }

    [Fact]
    public void ClusterQuotas_GiveTheStagesLists_WithAKeyWithoutEdgesInEveryCluster()
    {
        var stage = W.Ml.MultiInterest().ClusterQuotaRetriever(candidates: M).Fit(W.Data);
        // A key without edges has no fitted cluster: a caller places it somewhere; here each cluster gets some.
        var assignments = Enumerable.Range(0, W.Items.Rows).Select(r => W.Fitted(r) ? W.KMeans.ClusterOfItem((uint)r + 1) : r % 4).ToArray();
        var clustering = ItemClustering.Create(assignments, 4, W.Items);
        var fallback = new UnimodalRetriever(W.Items).Retrieve(W.Users, W.Served, W.Graph, M, threads: 1);
        var engine = new ClusterQuotaRetriever(W.Items, clustering).Retrieve(W.Mixture.Mixtures, W.Served, W.Graph, [M], stage.Alpha, fallback, threads: 1)[0];
        AssertTheStagesLists(stage, engine);
    }

    [Fact]
    public void AZeroUserVector_GetsTheLowestFittedItems()
    {
        // Every item scores 0 for it: ties go to the lower row, which must be a row with an item.
        var zero = new EmbeddingMatrix(1, W.Items.Dimension);
        var list = new UnimodalRetriever(W.Items).Retrieve(zero, [0], null, 5, threads: 1).IndicesOf(0).ToArray();
        Assert.Equal(Enumerable.Range(0, W.Items.Rows).Where(W.Fitted).Take(5), list);
    }
}
