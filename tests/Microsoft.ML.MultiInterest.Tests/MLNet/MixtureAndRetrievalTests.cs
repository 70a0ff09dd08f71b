using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

public class MixtureAndRetrievalTests
{
    /// <summary>Edges with embeddings and clusters, plus the engine's view of the same data.</summary>
    private static (MLContext Ml, IDataView Data, BipartiteGraph Graph, EmbeddingMatrix Users, EmbeddingMatrix Items, ItemClustering Clustering) Clustered()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var embedding = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var embedded = embedding.Transform(keyed);
        var kmeans = ml.MultiInterest().SphericalKMeans(numberOfClusters: 4).Fit(embedded);
        var data = kmeans.Transform(embedded);
        var users = MLNetTestData.Keys(data, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(data, "Item").Select(k => (int)k - 1).ToArray();
        var graph = BipartiteGraph.FromEdges(16, 24, users, items);
        var assignments = Enumerable.Range(1, 24).Select(k => kmeans.ClusterOfItem((uint)k)).ToArray();
        var clustering = ItemClustering.Create(assignments, 4, embedding.ItemEmbeddings.ToDense());
        return (ml, data, graph, embedding.UserEmbeddings.ToDense(), embedding.ItemEmbeddings.ToDense(), clustering);
    }

    [Fact]
    public void KnnSmoothedMixture_MatchesTheEngine()
    {
        var (ml, data, graph, userVectors, items, clustering) = Clustered();
        var model = ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 3, lambda: 0.8).Fit(data);
        var output = model.Transform(data);

        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        int[] active = Enumerable.Range(0, 16).ToArray();
        var neighbors = new ExactNeighborIndex(userVectors).Search(userVectors, active, 3);
        var expected = KnnSmoother.Smooth(graph, clustering, items, mle, active, neighbors, 0.8);

        var clusterType = Assert.IsType<VectorDataViewType>(output.Schema["MixtureClusters"].Type);
        Assert.Equal(2, clusterType.Size);
        Assert.Equal(4UL, Assert.IsType<KeyDataViewType>(clusterType.ItemType).Count);
        Assert.Equal(NumberDataViewType.Double, ((VectorDataViewType)output.Schema["MixtureWeights"].Type).ItemType);
        Assert.Equal(16, ((VectorDataViewType)output.Schema["MixtureEmbeddings"].Type).Size);

        var rowUsers = MLNetTestData.Keys(output, "User");
        var clusters = output.GetColumn<VBuffer<uint>>("MixtureClusters").Select(v => v.DenseValues().ToArray()).ToArray();
        var weights = output.GetColumn<VBuffer<double>>("MixtureWeights").Select(v => v.DenseValues().ToArray()).ToArray();
        var embeddings = MLNetTestData.Vectors(output, "MixtureEmbeddings");
        for (int r = 0; r < rowUsers.Length; r++)
        {
            int u = (int)rowUsers[r] - 1;
            int n = expected.ComponentCount(u);
            Assert.Equal(expected.Clusters(u).ToArray().Select(c => (uint)c + 1), clusters[r].Take(n));
            Assert.Equal(expected.Weights(u).ToArray(), weights[r].Take(n));
            Assert.All(weights[r].Skip(n), w => Assert.Equal(0, w));
            Assert.Equal(expected.Embeddings(u).ToArray(), embeddings[r].Take(n * 8));
        }
    }

    [Fact]
    public void KnnSmoothedMixture_ClusteredIndexWithAllProbes_MatchesExact()
    {
        var (ml, data, _, _, _, _) = Clustered();
        var exact = ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 3, lambda: 0.8).Fit(data).Mixtures;
        var clustered = ml.MultiInterest().KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options
        {
            Components = 2,
            Neighbors = 3,
            Lambda = 0.8,
            NeighborIndex = NeighborIndexKind.Clustered,
            NeighborLists = 4,
            NeighborProbes = 4,
        }).Fit(data).Mixtures;
        for (int u = 0; u < 16; u++)
        {
            Assert.Equal(exact.Clusters(u).ToArray(), clustered.Clusters(u).ToArray());
            Assert.Equal(exact.Weights(u).ToArray(), clustered.Weights(u).ToArray());
            Assert.Equal(exact.Embeddings(u).ToArray(), clustered.Embeddings(u).ToArray());
        }
    }

    [Fact]
    public void KnnSmoothedMixture_ClusteredIndex_IsSeededByNeighborSeed()
    {
        // Until NeighborSeed existed the estimator's clustered index always took seed 0, so the CLI's --seed left it unchanged.
        var (ml, data, graph, userVectors, items, clustering) = Clustered();
        int[] active = Enumerable.Range(0, 16).ToArray();
        var mle = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        RankedLists Neighbors(int seed) => new ClusteredNeighborIndex(userVectors, null,
            new ClusteredNeighborIndexOptions { Lists = 4, Probes = 1, Seed = seed }).Search(userVectors, active, 3);
        static int[] Flat(RankedLists lists) => [.. Enumerable.Range(0, lists.QueryCount).SelectMany(q => lists.IndicesOf(q).ToArray())];
        int seed = Enumerable.Range(1, 20).First(s => !Flat(Neighbors(s)).SequenceEqual(Flat(Neighbors(0))));
        var expected = KnnSmoother.Smooth(graph, clustering, items, mle, active, Neighbors(seed), 0.8);

        var fitted = ml.MultiInterest().KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options
        {
            Components = 2,
            Neighbors = 3,
            Lambda = 0.8,
            NeighborIndex = NeighborIndexKind.Clustered,
            NeighborLists = 4,
            NeighborProbes = 1,
            NeighborSeed = seed,
        }).Fit(data).Mixtures;
        for (int u = 0; u < 16; u++)
        {
            Assert.Equal(expected.Clusters(u).ToArray(), fitted.Clusters(u).ToArray());
            Assert.Equal(expected.Weights(u).ToArray(), fitted.Weights(u).ToArray());
            Assert.Equal(expected.Embeddings(u).ToArray(), fitted.Embeddings(u).ToArray());
        }
    }

    [Fact]
    public void KnnSmoothedMixture_BadNeighborIndexOptions_ThrowNamingThem()
    {
        var mi = new MLContext().MultiInterest();
        Assert.Equal("NeighborLists", Assert.Throws<ArgumentOutOfRangeException>(() => mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { NeighborLists = -1 })).ParamName);
        Assert.Equal("NeighborProbes", Assert.Throws<ArgumentOutOfRangeException>(() => mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { NeighborProbes = 0 })).ParamName);
        Assert.Equal("NeighborIndex", Assert.Throws<ArgumentOutOfRangeException>(() => mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { NeighborIndex = (NeighborIndexKind)7 })).ParamName);
    }

    [Fact]
    public void ClusterQuotaRetriever_MatchesTheEngine_AndExcludesTrainingItems()
    {
        var (ml, data, graph, userVectors, items, clustering) = Clustered();
        var mixture = ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 3, lambda: 0.5).Fit(data);
        var withMixtures = mixture.Transform(data);
        var model = ml.MultiInterest().ClusterQuotaRetriever(candidates: 5).Fit(withMixtures);
        var output = model.Transform(withMixtures);

        int[] active = Enumerable.Range(0, 16).ToArray();
        var fallback = new UnimodalRetriever(items).Retrieve(userVectors, active, graph, 5);
        var expected = new ClusterQuotaRetriever(items, clustering).Retrieve(mixture.Mixtures, active, graph, [5], 1.0, fallback)[0];

        var type = Assert.IsType<VectorDataViewType>(output.Schema["Candidates"].Type);
        Assert.Equal(5, type.Size);
        Assert.Equal(24UL, Assert.IsType<KeyDataViewType>(type.ItemType).Count);
        var rowUsers = MLNetTestData.Keys(output, "User");
        var candidates = output.GetColumn<VBuffer<uint>>("Candidates").Select(v => v.DenseValues().ToArray()).ToArray();
        var scores = MLNetTestData.Vectors(output, "CandidateScores");
        for (int r = 0; r < rowUsers.Length; r++)
        {
            int u = (int)rowUsers[r] - 1;
            var keys = candidates[r];
            Assert.Equal(expected.IndicesOf(u).ToArray().Select(i => (uint)i + 1), keys);
            Assert.Equal(expected.ScoresOf(u).ToArray(), scores[r]);
            Assert.All(keys, k => Assert.False(graph.Contains(u, (int)k - 1)));
        }

        // Candidates inherit the item names, so MapKeyToValue gives raw ids back.
        var named = ml.Transforms.Conversion.MapKeyToValue("CandidateIds", "Candidates").Fit(output).Transform(output);
        var ids = named.GetColumn<VBuffer<ReadOnlyMemory<char>>>("CandidateIds").First().DenseValues().Select(v => v.ToString()).ToArray();
        Assert.All(ids, id => Assert.StartsWith("i", id));
    }

    [Fact]
    public void UnimodalRetriever_MatchesTheEngine()
    {
        var (ml, data, graph, userVectors, items, _) = Clustered();
        var model = ml.MultiInterest().UnimodalRetriever(candidates: 4).Fit(data);
        var expected = new UnimodalRetriever(items).Retrieve(userVectors, Enumerable.Range(0, 16).ToArray(), graph, 4);
        for (uint key = 1; key <= 16; key++)
        {
            var (itemKeys, scores) = model.GetCandidates(key);
            Assert.Equal(expected.IndicesOf((int)key - 1).ToArray().Select(i => (uint)i + 1), itemKeys);
            Assert.Equal(expected.ScoresOf((int)key - 1).ToArray(), scores);
        }
    }

    [Fact]
    public void WholeChain_AppendsEveryStage()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var pipeline = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(candidates: 5));

        // Schema propagation before any data is seen.
        var rawShape = MLNetTestData.RawShape<MLNetTestData.Edge>(ml);
        var shape = pipeline.GetOutputSchema(rawShape);
        var names = shape.Select(c => c.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "UserEmbedding", "ItemEmbedding", "ItemCluster", "MixtureClusters", "Candidates", "CandidateScores" }, names);

        var model = pipeline.Fit(raw);
        var output = model.Transform(raw);
        Assert.Equal(output.GetRowCount() ?? output.GetColumn<uint>("User").Count(), MLNetTestData.Edges().Count);
        Assert.All(output.GetColumn<VBuffer<uint>>("Candidates"), c => Assert.Equal(5, c.DenseValues().Distinct().Count()));

        // The row-to-row path (prediction engines) gives the same answer.
        var engine = ml.Model.CreatePredictionEngine<MLNetTestData.Edge, Prediction>(model);
        var first = engine.Predict(MLNetTestData.Edges()[0]);
        Assert.Equal(output.GetColumn<VBuffer<uint>>("Candidates").First().DenseValues().ToArray(), first.Candidates);
    }

    private sealed class Prediction
    {
        [KeyType(24)]
        public uint[] Candidates { get; set; } = [];
    }
}
