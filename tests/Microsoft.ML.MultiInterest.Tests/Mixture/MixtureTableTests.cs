using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Mixture;

public class MixtureTableTests
{
    [Fact]
    public void ATableForSomeUsersStoresOnlyThemAndReadsEveryOtherUserAsEmpty()
    {
        var table = MixtureTable.ForUsers(1000, [7, 3, 7], 2, 4);
        Assert.Equal(1000, table.UserCount);
        Assert.Equal(2, table.StoredUsers);
        table.SetCount(7, 1);
        table.WritableClusters(7)[0] = 5;
        table.WritableWeights(7)[0] = 1;
        table.WritableEmbedding(7, 0).Fill(0.5f);
        Assert.Equal(1, table.ComponentCount(7));
        Assert.Equal(new[] { 5 }, table.Clusters(7).ToArray());
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f, 0.5f }, table.Embedding(7, 0).ToArray());
        Assert.Equal(0, table.ComponentCount(3));
        Assert.Equal(0, table.ComponentCount(999));
        Assert.True(table.Clusters(999).IsEmpty && table.Weights(999).IsEmpty && table.Embeddings(999).IsEmpty);
        Assert.Throws<InvalidOperationException>(() => table.SetCount(8, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.ComponentCount(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Embedding(3, 0).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => MixtureTable.ForUsers(10, [10], 2, 4));
    }

    [Fact]
    public void SmoothingStoresRowsForTheSmoothedUsersOnly()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 5, users: 40);
        var clustering = ItemClustering.Create(groups, 5, items);
        var mle = MixtureBuilder.BuildMleWeights(graph, clustering, 3);
        int[] users = [4, 9, 30];
        var neighbors = new RankedLists(users.Length, 2);
        for (int q = 0; q < users.Length; q++)
        {
            neighbors.IndexSlots(q)[0] = (users[q] + 1) % 40;
            neighbors.IndexSlots(q)[1] = (users[q] + 2) % 40;
            neighbors.Counts[q] = 2;
        }
        var smoothed = KnnSmoother.Smooth(graph, clustering, items, mle, users, neighbors, 0.5);
        Assert.Equal(3, smoothed.StoredUsers);
        Assert.All(users, u => Assert.True(smoothed.ComponentCount(u) > 0));
        Assert.Equal(0, smoothed.ComponentCount(5));
    }

    /// <summary>
    /// Regression (a review): 100,000,000 components, accepted as an option (at least 1), overflowed the table's length in an
    /// OverflowException naming nothing, in the engine, the ML.NET stage and a sweep alike.
    /// </summary>
    [Fact]
    public void ATablePastTheLargestArray_IsRefusedNamingTheComponents()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureTable(40, 100_000_000, 8));
        Assert.Equal("maxComponents", error.ParamName);
        Assert.Contains("40 users x 100,000,000 components x 8 dimensions needs 32,000,000,000 entries", error.Message, StringComparison.Ordinal);
        Assert.Contains("use fewer components", error.Message, StringComparison.Ordinal);
        // Clusters and weights only (dimension 0) are counted as one entry per component.
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureTable(40, 100_000_000, 0));

        var s = new Persistence.FittedStages();
        var stage = s.Ml.MultiInterest().KnnSmoothedMixture(components: 100_000_000, neighbors: 3);
        var viaMlNet = Assert.Throws<ArgumentOutOfRangeException>(() => stage.Fit(s.Clustered));
        Assert.Contains("use fewer components (Components, m;", viaMlNet.Message, StringComparison.Ordinal);
    }
}
