using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class BipartiteGraphTests
{
    [Fact]
    public void SortsRowsAndMergesDuplicates()
    {
        var g = BipartiteGraph.FromEdges(3, 5, [2, 0, 0, 2, 0], [4, 3, 1, 4, 3], [1f, 2f, 3f, 4f, 5f]);
        Assert.Equal(new[] { 1, 3 }, g.ItemsOf(0).ToArray());
        Assert.Equal(new[] { 3f, 7f }, g.WeightsOf(0).ToArray());
        Assert.Equal(0, g.DegreeOf(1));
        Assert.Equal(new[] { 4 }, g.ItemsOf(2).ToArray());
        Assert.Equal(5f, g.WeightsOf(2)[0]);
        Assert.Equal(3, g.EdgeCount);
        Assert.True(g.Contains(0, 3));
        Assert.False(g.Contains(0, 2));
    }

    [Fact]
    public void RejectsOutOfRangeIdsAndBadWeights()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => BipartiteGraph.FromEdges(2, 2, [0, 2], [0, 1]));
        Assert.Contains("user index 2", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => BipartiteGraph.FromEdges(2, 2, [0], [1], [float.NaN]));
        Assert.Contains("weight", e2.Message);
        // Each weight finite, their sum not: refused, not trained on as infinity (an SVD failed inside its solver on it).
        var e3 = Assert.Throws<ArgumentException>(() => BipartiteGraph.FromEdges(2, 2, [1, 1, 0], [0, 0, 1], [2e38f, 2e38f, 1f]));
        Assert.Contains("The weights of the repeated edge (user 1, item 0) add up to more than a float holds", e3.Message, StringComparison.Ordinal);
    }
}
