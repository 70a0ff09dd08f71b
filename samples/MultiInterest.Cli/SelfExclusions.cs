using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// <c>recommend --exclude-self</c> for the engine and ONNX Runtime: each trained user's own id (where an item has it) joins
/// that user's exclusions, so their lists are MultiInterestRecommender.ExcludingSelf's.
/// </summary>
internal static class SelfExclusions
{
    /// <summary>
    /// Whether a stage the scorer serves reads the users' exclusions as their own items (a history-interest MMR's clustered
    /// pool that also searches the lists of the user's own items): there an own id added to them would change the pool, so
    /// those users are served live, where it is excluded only.
    /// </summary>
    public static bool ReadAsOwnItems(MultiInterestModel model) =>
        (model.RankFusions.Count > 0 ? model.CandidateLists : [model.ServingStage])
            .Any(s => s.Method == CandidateMethod.Mmr
                && s.Settings is { Interests: MmrInterests.History, PoolSearch: HistoryPoolSearch.Clustered, PoolHistoryLists: true });

    /// <summary>
    /// <paramref name="exclusions"/> (null: none) with each of <paramref name="users"/> whose id is an item's excluding that item;
    /// the count of such users is given in <paramref name="selfItems"/>.
    /// </summary>
    public static BipartiteGraph? Add(BipartiteGraph? exclusions, IEnumerable<string> users, IReadOnlyDictionary<string, int> userRows,
        IReadOnlyDictionary<string, int> itemRows, out int selfItems)
    {
        var own = users.Where(itemRows.ContainsKey).Select(u => new RawEdge(u, u, 1f)).ToList();
        selfItems = own.Count;
        if (own.Count == 0) return exclusions;
        var graph = ServingData.History(own, userRows, itemRows, out _, out _);
        return exclusions == null ? graph : ServingData.Union(exclusions, graph);
    }
}
