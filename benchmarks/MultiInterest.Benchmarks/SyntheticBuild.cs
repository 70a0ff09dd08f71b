using System.Diagnostics;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>A generated graph with its hold-out split and the seconds each took.</summary>
/// <param name="Graph">The generated graph.</param>
/// <param name="Train">Training part.</param>
/// <param name="Test">Held-out part.</param>
/// <param name="GenerateSeconds">Generation seconds.</param>
/// <param name="SplitSeconds">Split seconds (graph construction included).</param>
internal sealed record SyntheticBuild(SyntheticGraph Graph, BipartiteGraph Train, BipartiteGraph Test, double GenerateSeconds, double SplitSeconds)
{
    /// <summary>Generates and splits a graph.</summary>
    public static SyntheticBuild Create(SyntheticGraphOptions options)
    {
        var clock = Stopwatch.StartNew();
        var graph = SyntheticGraph.Generate(options);
        double generate = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var (train, test) = SyntheticSplit.Split(graph, options.Seed);
        return new SyntheticBuild(graph, train, test, generate, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The graph's shape for the JSON report.</summary>
    public object Describe(SyntheticGraphOptions options)
    {
        var userDegrees = new int[Graph.UserCount];
        var itemDegrees = new int[Graph.ItemCount];
        foreach (int u in Graph.EdgeUsers) userDegrees[u]++;
        foreach (int i in Graph.EdgeItems) itemDegrees[i]++;
        return new
        {
            RequestedEdges = options.Edges,
            Edges = Graph.EdgeCount,
            Users = Graph.UserCount,
            Items = Graph.ItemCount,
            ItemsCreated = options.ItemCount,
            Graph.Communities,
            TrainEdges = Train.EdgeCount,
            TestEdges = Test.EdgeCount,
            TestUsers = Enumerable.Range(0, Test.UserCount).Count(u => Test.DegreeOf(u) > 0),
            UserDegree = DegreeSummary.Of(userDegrees),
            ItemDegree = DegreeSummary.Of(itemDegrees),
            RedrawnDuplicates = Graph.Redrawn,
            DroppedEdges = Graph.Dropped,
            options.Seed,
            DegreeTail = options.DegreeTail,
            ZipfExponent = options.PopularityExponent,
            options.Noise,
            options.MaxInterests,
        };
    }
}
