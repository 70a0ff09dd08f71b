using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

public class ClusterNegativeSamplerTests
{
    /// <summary>The planted graph's item groups as the clustering (4 clusters of 30 items).</summary>
    private static ItemClustering PlantedClusters(int itemCount) =>
        ItemClustering.Create(Enumerable.Range(0, itemCount).Select(PlantedGraph.GroupOfItem).ToArray(), PlantedGraph.Groups, new EmbeddingMatrix(itemCount, 1));

    /// <summary>Samples N negatives for every training edge of the planted graph; counts those outside the positive's cluster and those in the user's items.</summary>
    private static (long Total, long OutsideCluster, long UserItems, double ExpectedOutside) CountAll(double share, int negatives = 10)
    {
        var planted = PlantedGraph.Create();
        var graph = planted.Train;
        var clusters = PlantedClusters(graph.ItemCount);
        var sampler = new ClusterNegativeSampler(clusters, share);
        var random = new EmbeddingRandom(11, 0);
        var buffer = new int[negatives];
        long total = 0, outside = 0, owned = 0;
        double expected = 0;
        for (int u = 0; u < graph.UserCount; u++)
        {
            var items = graph.ItemsOf(u);
            foreach (int positive in items)
            {
                int cluster = clusters.ClusterOf(positive);
                int count = sampler.Sample(cluster, items, buffer, ref random);
                // A global draw is uniform over the items the user does not have: outside the cluster with chance (those outside) / (all of them).
                int eligible = graph.ItemCount - items.Length, eligibleInside = clusters.MembersOf(cluster).Length;
                foreach (int item in items) if (clusters.ClusterOf(item) == cluster) eligibleInside--;
                expected += count * share * (eligible - eligibleInside) / eligible;
                Assert.Equal(negatives, count);
                for (int j = 0; j < count; j++)
                {
                    total++;
                    if (clusters.ClusterOf(buffer[j]) != cluster) outside++;
                    if (graph.Contains(u, buffer[j])) owned++;
                }
            }
        }
        return (total, outside, owned, expected / total);
    }

    [Fact]
    public void WithinClusterNegatives_ComeOnlyFromThePositivesCluster_AndNeverFromTheUsersItems()
    {
        var (total, outside, owned, _) = CountAll(share: 0);
        Assert.True(total > 10_000, $"{total} negatives");
        Assert.Equal(0, outside);
        Assert.Equal(0, owned);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.4)]
    public void GlobalShare_DrawsThatShareFromTheWholeCatalogue_NeverTheUsersItems(double share)
    {
        var (total, outside, owned, expected) = CountAll(share);
        Assert.Equal(0, owned);
        double observed = (double)outside / total;
        Assert.True(Math.Abs(observed - expected) < 0.015, $"share {share}: {observed:F3} of the negatives outside the cluster, expected about {expected:F3}");
    }

    [Fact]
    public void AUserHoldingAllButOneItemOfTheCluster_GetsThatItem_AndAUserHoldingEverythingGetsNone()
    {
        var clusters = ItemClustering.Create([0, 0, 0, 0, 1, 1], 2, new EmbeddingMatrix(6, 1));
        var sampler = new ClusterNegativeSampler(clusters, 0);
        var random = new EmbeddingRandom(3, 0);
        var buffer = new int[20];
        Assert.Equal(20, sampler.Sample(0, [0, 1, 3], buffer, ref random));
        Assert.All(buffer, item => Assert.Equal(2, item));
        // The whole cluster is the user's: negatives come from the rest of the catalogue instead.
        Assert.Equal(20, sampler.Sample(0, [0, 1, 2, 3], buffer, ref random));
        Assert.All(buffer, item => Assert.Contains(item, new[] { 4, 5 }));
        Assert.Equal(0, sampler.Sample(0, [0, 1, 2, 3, 4, 5], buffer, ref random));
    }

    [Fact]
    public void ShareOutsideZeroToOne_IsRejectedByName()
    {
        var options = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.DivideConquer };
        options.DivideConquer.GlobalNegativeShare = 1.5;
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains("DivideConquer.GlobalNegativeShare", e.Message);
    }
}
