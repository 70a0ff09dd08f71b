using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.Data;

public class GraphDataTests
{
    [Fact]
    public void BuildKnown_LeavesOutAndCountsEdgesOfUnseenUsersAndItems()
    {
        var users = new IdMap(["u1", "u2"]);
        var items = new IdMap(["a", "b", "c"]);
        RawEdge[] test = [new("u1", "b", 1), new("u1", "z", 1), new("u3", "a", 1), new("u2", "c", 1), new("u2", "a", 1)];

        var (graph, unseen) = GraphData.BuildKnown(test, users, items, "test.tsv");

        Assert.Equal(2, unseen);
        Assert.Equal((2, 3, 3), (graph.UserCount, graph.ItemCount, graph.EdgeCount));
        Assert.Equal([1], graph.ItemsOf(0).ToArray());
        Assert.Equal([0, 2], graph.ItemsOf(1).ToArray());
        // The maps are not extended.
        Assert.Equal((2, 3), (users.Count, items.Count));
        // Build without the filter still names the unknown id and the file.
        var e = Assert.Throws<KeyNotFoundException>(() => GraphData.Build(test, users, items, extendIds: false, "test.tsv"));
        Assert.Contains("test.tsv", e.Message);
        Assert.Contains("'z'", e.Message);
    }
}
