using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>A call's exclusions with the excluded items added: each called user's own items and those, ascending, once; no other row.</summary>
public sealed class ExclusionGraphsTests
{
    [Fact]
    public void CalledUsers_GetTheirOwnItemsAndTheExcludedOnes_OthersNothing()
    {
        // User 0: {1, 4, 7}; user 1: {}; user 2: {0, 4}; user 3: {9}.
        var own = BipartiteGraph.FromEdges(4, 10, [0, 0, 0, 2, 2, 3], [7, 1, 4, 4, 0, 9]);
        var graph = ExclusionGraphs.WithItemsForUsers(own, [2, 0, 1, 2], [3, 4, 8], 10)!;
        Assert.Equal(4, graph.UserCount);
        Assert.Equal(10, graph.ItemCount);
        Assert.Equal([1, 3, 4, 7, 8], graph.ItemsOf(0).ToArray());
        Assert.Equal([3, 4, 8], graph.ItemsOf(1).ToArray());
        Assert.Equal([0, 3, 4, 8], graph.ItemsOf(2).ToArray());
        Assert.True(graph.ItemsOf(3).IsEmpty); // not called: never read, not built

        // Without a graph of their own, the called users get the excluded items alone, over rows up to the largest.
        var alone = ExclusionGraphs.WithItemsForUsers(null, [5, 2], [3, 4, 8], 10)!;
        Assert.Equal(6, alone.UserCount);
        Assert.Equal([3, 4, 8], alone.ItemsOf(5).ToArray());
        Assert.Equal([3, 4, 8], alone.ItemsOf(2).ToArray());
        Assert.True(alone.ItemsOf(0).IsEmpty);

        // Nothing excluded: the call's own graph as given; a row beyond it is refused naming it.
        Assert.Same(own, ExclusionGraphs.WithItemsForUsers(own, [0, 3], [], 10));
        Assert.Contains("User row 4 is not in the exclusion graph", Assert.Throws<ArgumentOutOfRangeException>(() => ExclusionGraphs.WithItemsForUsers(own, [4], [1], 10)).Message);
    }

    [Fact]
    public void Rows_AreEachOwnSetMergedWithTheExcludedOnes()
    {
        var graph = ExclusionGraphs.ForRows([[0, 5], [], [3, 4, 9]], [3, 6], 10);
        Assert.Equal(3, graph.UserCount);
        Assert.Equal([0, 3, 5, 6], graph.ItemsOf(0).ToArray());
        Assert.Equal([3, 6], graph.ItemsOf(1).ToArray());
        Assert.Equal([3, 4, 6, 9], graph.ItemsOf(2).ToArray());
    }
}
