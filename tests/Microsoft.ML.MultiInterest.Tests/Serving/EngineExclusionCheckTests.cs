using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="MultiInterestModel.RetrieveWithEngine"/> refuses an exclusion graph over another item range on a cluster-quota
/// stage, whether or not a list needs the unimodal fill (whose search once made the only check, and now runs for short lists alone);
/// and on every stage, also those served through the live tables (history-interest MMR, conditional), a graph over another item
/// range or without a row for a user served, naming the parameter.
/// </summary>
public sealed class EngineExclusionCheckTests
{
    [Fact]
    public void OnAQuotaStage_AnExclusionGraphOverAnotherItemRange_IsAnArgumentError()
    {
        using var world = new ServingWorld();
        var model = world.Loaded;
        int users = model.GraphEmbedding!.UserEmbeddings.KeyCount, items = model.GraphEmbedding.ItemEmbeddings.KeyCount;
        var rows = Enumerable.Range(0, users).ToArray();
        var wider = BipartiteGraph.FromEdges(users, items + 3, [0], [items + 2]);
        Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => model.RetrieveWithEngine(rows, wider, threads: 1)));
        var narrower = BipartiteGraph.FromEdges(users, 1, [0], [0]);
        Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => model.RetrieveWithEngine(rows, narrower, threads: 1)));
    }

    /// <summary>
    /// History-interest MMR is served through the live tables, whose exclusions were read user by user and item by item: a
    /// user row beyond the graph was served as if it had no exclusions (its training items back in its list) and an item row
    /// beyond the model was dropped, where the other stages refuse both.
    /// </summary>
    [Theory]
    [InlineData("quota")]
    [InlineData("history-mmr")]
    public void AnExclusionGraphThatDoesNotCoverTheCall_IsRefusedNamingExclusions(string retriever)
    {
        using var world = retriever == "quota" ? new ServingWorld() : new ServingWorld(mi => mi.HistoryInterestMmr(candidates: 5));
        var model = world.Loaded;
        int users = model.GraphEmbedding!.UserEmbeddings.KeyCount, items = model.GraphEmbedding.ItemEmbeddings.KeyCount;
        var rows = Enumerable.Range(0, users).ToArray();

        var fewerUsers = BipartiteGraph.FromEdges(2, items, [0], [0]);
        var missing = Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => model.RetrieveWithEngine(rows, fewerUsers, threads: 1)));
        Assert.Equal("exclusions", missing.ParamName);
        Assert.Contains("The exclusion graph has 2 users, so user row 2 (position 2) has no row in it", missing.Message, StringComparison.Ordinal);

        var wider = BipartiteGraph.FromEdges(users, items + 3, [0], [items + 2]);
        var range = Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => model.RetrieveWithEngine(rows, wider, threads: 1)));
        Assert.Equal("exclusions", range.ParamName);
        Assert.Contains($"The exclusion graph has {items + 3} items, the model {items}", range.Message, StringComparison.Ordinal);
    }
}
