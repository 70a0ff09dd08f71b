using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>
/// An item row of zeros holds no item (a key without edges in a table spread back to a key range): it scores 0 for every
/// query, ahead of every real item scored below 0, so no engine retriever lists it, however short the real items run.
/// </summary>
public sealed class ZeroItemRowsTests
{
    /// <summary>Rows 0 and 3 zero; rows 1, 2, 4, 5 score -1, -2, -3, -4 for the query (1, 0).</summary>
    private static EmbeddingMatrix Items() => new(6, 2, [0, 0, -1, 0, -2, 0, 0, 0, -3, 0, -4, 0]);

    private static readonly int[] Real = [1, 2, 4, 5];

    private static MixtureTable OneComponent(int cluster)
    {
        var table = new MixtureTable(1, 1, 2);
        table.SetCount(0, 1);
        table.WritableClusters(0)[0] = cluster;
        table.WritableWeights(0)[0] = 1;
        table.WritableEmbedding(0, 0)[0] = 1;
        return table;
    }

    [Fact]
    public void Unimodal_NeverListsAZeroRow()
    {
        var user = new EmbeddingMatrix(1, 2, [1, 0]);
        var list = new UnimodalRetriever(Items()).Retrieve(user, [0], null, 6, threads: 1);
        Assert.Equal(Real, list.IndicesOf(0).ToArray());
        Assert.Equal([-1f, -2f, -3f, -4f], list.ScoresOf(0).ToArray());
    }

    [Fact]
    public void ClusterQuotas_NeverRankAZeroRowInItsCluster()
    {
        var clustering = ItemClustering.Create([0, 0, 0, 0, 0, 0], 1, Items());
        var list = new ClusterQuotaRetriever(Items(), clustering).Retrieve(OneComponent(0), [0], null, [6], threads: 1)[0];
        Assert.Equal(Real, list.IndicesOf(0).ToArray());
    }

    [Fact]
    public void Conditional_NeverRanksAZeroRowInItsCondition()
    {
        var conditions = ItemConditions.Create([0, 0, 0, 0, 0, 0], 1);
        var list = new ConditionalRetriever(Items(), conditions).Retrieve(OneComponent(0), null, [0], null, [6], threads: 1)[0];
        Assert.Equal(Real, list.IndicesOf(0).ToArray());
    }

    [Fact]
    public void HistoryInterestMmr_PoolsNoZeroRow()
    {
        var items = Items();
        var user = new EmbeddingMatrix(1, 2, [1, 0]);
        var history = BipartiteGraph.FromEdges(1, items.Rows, [0], [1]);
        var interests = HistoryInterests.Build(history, items, [0], new HistoryInterestOptions(), threads: 1, userEmbeddings: user);
        var list = new HistoryInterestRetriever(items).Retrieve(user, interests, history, 4, lambda: 0.6, interestWeight: 0.3, poolSize: 4, threads: 1);
        Assert.All(list.IndicesOf(0).ToArray(), r => Assert.Contains(r, Real));
        Assert.Equal(3, list.Counts[0]);
    }
}
