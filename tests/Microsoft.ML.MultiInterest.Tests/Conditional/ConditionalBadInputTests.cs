using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Conditional;

/// <summary>Bad input to conditional retrieval gets an exception naming what was wrong.</summary>
public class ConditionalBadInputTests
{
    private static (BipartiteGraph Graph, EmbeddingMatrix Items, EmbeddingMatrix Users) Small()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 3, itemsPerGroup: 6, users: 9, itemsPerUserPerGroup: 2);
        return (graph, items, TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 4));
    }

    [Fact]
    public void UnknownConditionsAreNamed()
    {
        var (graph, items, users) = Small();
        var conditions = ItemConditions.Create(Enumerable.Range(0, graph.ItemCount).Select(i => i / 6).ToArray(), 3, ["rock", "jazz", "folk"]);
        var e = Assert.Throws<ArgumentException>(() => conditions.IndexOf("metal"));
        Assert.Contains("Unknown condition 'metal'", e.Message);
        Assert.Contains("'rock', 'jazz', 'folk'", e.Message);
        var model = ConditionalModel.Fit(graph, users, items, conditions, new ConditionalOptions { Epochs = 1 });
        e = Assert.Throws<ArgumentException>(() => model.Represent(graph, users, items, [0, 1], followed: [null, [0, 7]]));
        Assert.Contains("User row 1 follows unknown condition 7: there are 3 conditions", e.Message);
        var oor = Assert.Throws<ArgumentOutOfRangeException>(() => ItemConditions.Create([0, 1, 3], 3));
        Assert.Contains("Item 2 has condition 3, outside 0..2", oor.Message);
        oor = Assert.Throws<ArgumentOutOfRangeException>(() => ItemConditions.FromEdges(3, [0, 1], [0, 5], 2));
        Assert.Contains("Edge 1 has condition 5", oor.Message);
        e = Assert.Throws<ArgumentException>(() => ItemConditions.Create([0, 1], 2, ["a", "a"]));
        Assert.Contains("distinct", e.Message);
    }

    [Fact]
    public void MismatchedInputsAndOptionsAreNamed()
    {
        var (graph, items, users) = Small();
        var none = ItemConditions.Create(Enumerable.Repeat(ItemConditions.None, graph.ItemCount).ToArray(), 2);
        var e = Assert.Throws<ArgumentException>(() => ConditionalModel.Fit(graph, users, items, none));
        Assert.Contains("No training edge's item has a condition", e.Message);
        var conditions = ItemConditions.Create(Enumerable.Range(0, graph.ItemCount).Select(i => i % 2).ToArray(), 2);
        e = Assert.Throws<ArgumentException>(() => ConditionalModel.Fit(graph, users, TestGraphs.RandomMatrix(graph.ItemCount, 3, 1), conditions));
        Assert.Contains("dimension", e.Message);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => ConditionalModel.Fit(graph, users, items, conditions, new ConditionalOptions { HardNegatives = 0, GlobalNegatives = 0 }));
        Assert.Contains("Conditional.GlobalNegatives", bad.Message);
        bad = Assert.Throws<ArgumentOutOfRangeException>(() => ConditionalModel.Fit(graph, users, items, conditions, new ConditionalOptions { Temperature = 0 }));
        Assert.Contains("Conditional.Temperature", bad.Message);
        var model = ConditionalModel.Fit(graph, users, items, conditions, new ConditionalOptions { Epochs = 1 });
        var table = model.Represent(graph, users, items, [0, 1]);
        var retriever = new ConditionalRetriever(items, conditions);
        bad = Assert.Throws<ArgumentOutOfRangeException>(() => retriever.Retrieve(table, null, [0], graph, [5], new ConditionalRetrievalOptions { ImplicitShare = 1.5 }));
        Assert.Contains("ImplicitShare", bad.Message);
        e = Assert.Throws<ArgumentException>(() => retriever.Retrieve(table, table, [0], graph, [5]));
        Assert.Contains("implicit item clustering", e.Message);
        // A table built over more conditions than the retriever knows.
        var wide = ItemConditions.Create(Enumerable.Range(0, graph.ItemCount).Select(i => i % 5).ToArray(), 5);
        var wideTable = ConditionalModel.Fit(graph, users, items, wide, new ConditionalOptions { Epochs = 1 }).Represent(graph, users, items, [0, 1, 2, 3]);
        e = Assert.Throws<ArgumentException>(() => retriever.Retrieve(wideTable, null, [0, 1, 2, 3], graph, [5]));
        Assert.Contains("unknown condition", e.Message);
    }
}
