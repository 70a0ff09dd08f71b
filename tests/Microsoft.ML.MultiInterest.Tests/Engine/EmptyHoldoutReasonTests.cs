using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>
/// A graph whose users all have enough edges for a validation hold-out, but whose items are each engaged by one user: every
/// drawn edge is its item's last and goes back to training, so the hold-out comes out empty. Until 2026-12-06 every
/// message then said that no user had 3 edges (each of these has 4).
/// </summary>
public class EmptyHoldoutReasonTests
{
    private const string Reason = "was its item's last training edge, and went back to training";

    /// <summary>Five users with four items each, no item shared.</summary>
    private static BipartiteGraph ItemsEngagedOnce() => BipartiteGraph.FromEdges(5, 20,
        Enumerable.Range(0, 20).Select(e => e / 4).ToArray(), Enumerable.Range(0, 20).ToArray());

    [Fact]
    public void HistoryLambdaSelection_SaysWhyTheHoldoutIsEmpty_AndWhyNoHoldoutForetellsIt()
    {
        var graph = ItemsEngagedOnce();
        var embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 2, Threads = 1 };
        var e = Assert.Throws<ArgumentException>(() => HistoryMmrLambdaSelection.Choose(graph, embedding, new HistoryMmrRowSettings()));
        Assert.Contains("Every edge drawn from the 5 users with 3 or more training edges " + Reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("there is no validation hold-out to choose lambda on", e.Message, StringComparison.Ordinal);
        Assert.Equal("train", e.ParamName);
        Assert.Contains(Reason, HistoryMmrLambdaSelection.WhyNoHoldout(graph), StringComparison.Ordinal);

        // One shared item gives the hold-out an edge to keep: then there is no reason.
        var shared = BipartiteGraph.FromEdges(5, 20, [.. Enumerable.Range(0, 20).Select(e => e / 4), 1], [.. Enumerable.Range(0, 20), 0]);
        Assert.Null(HistoryMmrLambdaSelection.WhyNoHoldout(shared, new HistoryMmrSelectionOptions { Seed = 1 }));
        // Too few edges per user: the reason the callers gave before, unchanged.
        var sparse = BipartiteGraph.FromEdges(2, 2, [0, 0, 1], [0, 1, 1]);
        Assert.Equal("no user of the 2 has 3 or more training edges", HistoryMmrLambdaSelection.WhyNoHoldout(sparse));
    }

    [Fact]
    public void Sweep_SaysWhyTheHoldoutIsEmpty()
    {
        var space = new SweepSearchSpace().Add("lambda", 0, 0.5);
        var e = Assert.Throws<ArgumentException>(() => SweepRunner.Run(ItemsEngagedOnce(), space, new SweepOptions { Cutoff = 2, Threads = 1 }));
        Assert.Contains("The validation hold-out is empty: every edge drawn from the 5 users", e.Message, StringComparison.Ordinal);
        Assert.Contains(Reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoFallback_SaysWhyTheHoldoutIsEmpty()
    {
        var result = GraphEmbeddingTrainerEngine.Fit(ItemsEngagedOnce(), new GraphEmbeddingOptions { Threads = 1 });
        Assert.Equal(EmbeddingAlgorithm.ImplicitAls, result.Algorithm);
        Assert.Contains("(Auto's fallback: every edge drawn from the 5 users with 3 or more training edges " + Reason, result.Settings, StringComparison.Ordinal);
        Assert.DoesNotContain("no user has", result.Settings, StringComparison.Ordinal);
    }
}
