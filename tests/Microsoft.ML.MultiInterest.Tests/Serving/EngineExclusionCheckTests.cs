using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="MultiInterestModel.RetrieveWithEngine"/> refuses an exclusion graph over another item range on a cluster-quota
/// stage, whether or not a list needs the unimodal fill (whose search once made the only check, and now runs for short lists alone).
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
}
