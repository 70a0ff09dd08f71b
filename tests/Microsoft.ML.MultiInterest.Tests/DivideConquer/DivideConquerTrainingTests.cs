using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

public class DivideConquerTrainingTests
{
    internal static GraphEmbeddingOptions Small(DivideConquerEncoder encoder, bool prompts, int[]? clusters, int epochs = 10) => new()
    {
        Algorithm = EmbeddingAlgorithm.DivideConquer,
        Dimension = 8,
        Epochs = epochs,
        UniformNegatives = 5,
        LearningRate = 0.1f,
        Threads = 1,
        Seed = 3,
        DivideConquer = new DivideConquerOptions { Encoder = encoder, Prompts = prompts, ItemClusters = clusters, Clusters = 4 },
    };

    private static int[] PlantedClusters(BipartiteGraph graph) => Enumerable.Range(0, graph.ItemCount).Select(PlantedGraph.GroupOfItem).ToArray();

    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, true)]
    [InlineData(DivideConquerEncoder.AttentionPooling, true)]
    [InlineData(DivideConquerEncoder.UserVector, false)]
    public void LearnsThePlantedCommunities_DeterministicallyWithOneThread(DivideConquerEncoder encoder, bool prompts)
    {
        var planted = PlantedGraph.Create();
        var options = Small(encoder, prompts, PlantedClusters(planted.Train));
        // Across-cluster ranking is learned from global negatives only (the planted clusters are the communities, and the
        // held-out items would be within-cluster negatives), so this checks the Eq. 2 loss: all negatives global.
        options.DivideConquer.GlobalNegativeShare = 1;
        var a = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        var b = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        Assert.Equal(EmbeddingAlgorithm.DivideConquer, a.Algorithm);
        Assert.Equal(a.ItemEmbeddings.Values, b.ItemEmbeddings.Values);
        Assert.Equal(a.UserEmbeddings.Values, b.UserEmbeddings.Values);
        double auc = planted.HeldOutAuc(a);
        Assert.True(auc > 0.8, $"{encoder}: held-out AUC {auc:F3}");
        var model = a.DivideConquer!;
        Assert.Equal(prompts, model.Prompts != null);
        if (model.Prompts != null) Assert.Contains(model.Prompts.Values, v => Math.Abs(v - 1f) > 1e-3f); // prompts moved from their all-ones start
    }

    [Theory]
    [InlineData(5, 1.0)]
    [InlineData(10, 1.0)]
    [InlineData(20, 0.5)]
    [InlineData(30, 2.0)]
    public void Quotas_SumToM_FollowTheIntentDistribution_AndListsHoldNoSeenOrDuplicateItem(int m, double alpha)
    {
        var (_, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 40, itemsPerUserPerGroup: 4);
        var fit = GraphEmbeddingTrainerEngine.Fit(graph, Small(DivideConquerEncoder.MeanPooling, true, itemGroup, epochs: 3));
        var model = fit.DivideConquer!;
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        var mixtures = model.BuildMixtures(graph, users, threads: 1);
        var lists = new ClusterQuotaRetriever(model.Items, model.Clustering)
            .Retrieve(mixtures, users, graph, [m], new QuotaRetrievalOptions { Alpha = alpha }, null, null, threads: 1)[0];
        foreach (int u in users)
        {
            var clusters = mixtures.Clusters(u).ToArray();
            var weights = mixtures.Weights(u).ToArray();
            Assert.Equal(4, clusters.Length);
            Assert.Equal(1.0, weights.Sum(), 9);
            // The user's two planted interests are its two most likely clusters.
            Assert.Equal(userGroups[u].Order(), clusters[..2].Order());
            var quotas = new int[clusters.Length];
            QuotaAllocator.Allocate(weights, clusters, alpha, m, quotas);
            Assert.Equal(m, quotas.Sum());
            var list = lists.IndicesOf(u).ToArray();
            Assert.Equal(m, list.Length);
            Assert.Equal(m, list.Distinct().Count());
            Assert.DoesNotContain(list, item => graph.Contains(u, item));
            // Where every cluster can fill its quota (8 unseen items in an interest, 12 elsewhere), it holds exactly its quota.
            bool fits = true;
            for (int j = 0; j < clusters.Length; j++) fits &= quotas[j] <= (userGroups[u].Contains(clusters[j]) ? 8 : 12);
            if (!fits) continue;
            for (int j = 0; j < clusters.Length; j++)
                Assert.Equal(quotas[j], list.Count(item => itemGroup[item] == clusters[j]));
        }
    }

    [Fact]
    public void WithoutGivenClusters_ClustersAFirstPassItself_AndServesANewHistory()
    {
        var planted = PlantedGraph.Create();
        var options = Small(DivideConquerEncoder.AttentionPooling, true, null, epochs: 3);
        var fit = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        var model = fit.DivideConquer!;
        Assert.Equal(4, model.Clustering.ClusterCount);
        Assert.Null(options.DivideConquer.ItemClusters); // the caller's options are not changed
        // A new user (not in training) with three items of group 2 is served from that history alone.
        var fresh = BipartiteGraph.FromEdges(1, planted.Train.ItemCount, [0, 0, 0], [60, 61, 62]);
        var mixture = model.BuildMixtures(fresh, [0], threads: 1);
        Assert.Equal(model.Clustering.ClusterOf(60), mixture.Clusters(0)[0]);
        var lists = new ClusterQuotaRetriever(model.Items, model.Clustering).Retrieve(mixture, [0], fresh, [10], threads: 1)[0];
        Assert.Equal(10, lists.Counts[0]);
        Assert.DoesNotContain(60, lists.IndicesOf(0).ToArray());
    }

    [Fact]
    public void BadInput_NamesTheOption()
    {
        var planted = PlantedGraph.Create();
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, Small(DivideConquerEncoder.MeanPooling, true, [0, 1, 2])));
        Assert.Contains("DivideConquer.ItemClusters", e.Message);
        var negative = Small(DivideConquerEncoder.MeanPooling, true, PlantedClusters(planted.Train).Select(c => c - 1).ToArray());
        Assert.Contains("DivideConquer.ItemClusters", Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(planted.Train, negative)).Message);
        var mf = GraphEmbeddingTrainerEngine.Fit(planted.Train, Small(DivideConquerEncoder.UserVector, false, PlantedClusters(planted.Train), epochs: 1));
        var fresh = BipartiteGraph.FromEdges(planted.Train.UserCount + 1, planted.Train.ItemCount, [planted.Train.UserCount], [3]);
        Assert.Contains("UserVector", Assert.Throws<ArgumentOutOfRangeException>(() => mf.DivideConquer!.BuildMixtures(fresh, [planted.Train.UserCount])).Message);
    }
}
