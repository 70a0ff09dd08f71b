using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>
/// Every public engine entry point that takes a <c>threads</c> argument refuses a negative one, naming it; it read as
/// "all cores", so a caller's -1 meant for one thread passed unnoticed.
/// </summary>
public class NegativeThreadsTests
{
    private static readonly (EmbeddingMatrix Items, int[] ItemGroup, BipartiteGraph Graph, int[][] UserGroups) World =
        TestGraphs.TwoInterestUsers(groups: 3, itemsPerGroup: 6, users: 8, itemsPerUserPerGroup: 2);

    public static TheoryData<string> EntryPoints() =>
        ["unimodal", "quota", "round robin", "mmr", "exact neighbours", "mle mixtures", "history interests"];

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void NegativeThreadsAreRefusedByName(string entryPoint)
    {
        var (items, groups, graph, _) = World;
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        var userVectors = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 3);
        var clustering = ItemClustering.Create(groups, 3, items);
        var mixtures = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        var unimodal = new UnimodalRetriever(items);
        Action call = entryPoint switch
        {
            "unimodal" => () => unimodal.Retrieve(userVectors, users, graph, 5, threads: -1),
            "quota" => () => new ClusterQuotaRetriever(items, clustering).Retrieve(mixtures, users, graph, [5], 1.0, null, threads: -1),
            "round robin" => () => new RoundRobinRetriever(items).Retrieve(mixtures, users, graph, [5], threads: -1),
            "mmr" => () => new MmrRetriever(items).Rerank(unimodal.Retrieve(userVectors, users, graph, 10), 5, 0.5, 10, threads: -1),
            "exact neighbours" => () => new ExactNeighborIndex(userVectors).Search(userVectors, null, 3, threads: -1),
            "mle mixtures" => () => MixtureBuilder.BuildMle(graph, clustering, items, 2, threads: -1),
            "history interests" => () => HistoryInterests.Build(graph, items, users, threads: -1),
            _ => throw new ArgumentOutOfRangeException(nameof(entryPoint)),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(call);
        Assert.Equal("threads", e.ParamName);
    }
}
