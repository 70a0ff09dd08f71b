using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>recommend --onnx --follows</c>: topics followed now, served by a conditional directory's condition model as
/// MultiInterestRecommender.RecommendFollowing serves them (trained users over their vector and training history, new users
/// over their --history's vector, its fold-in or mean as the model reads it).
/// </summary>
internal static class OnnxFollowing
{
    /// <summary>Replaces the lists of the known users who follow topics (positions of <paramref name="known"/>) by their followed lists.</summary>
    public static void ServeKnown(OnnxCandidateScorer scorer, ServingData.FollowedTopics topics, IReadOnlyList<string> known, int[] rows, RankedLists ranked,
        BipartiteGraph trainingHistory, BipartiteGraph? exclusions, TextWriter log)
    {
        int[] positions = [.. Enumerable.Range(0, known.Count).Where(q => topics.Of(known[q]).Length > 0)];
        if (positions.Length == 0) return;
        var following = scorer.RetrieveFollowing([.. positions.Select(q => rows[q])], [.. positions.Select(q => (IReadOnlyList<string>)topics.Of(known[q]))],
            trainingHistory, exclusions);
        for (int p = 0; p < positions.Length; p++) Copy(following, p, ranked, positions[p]);
        log.WriteLine($"{positions.Length:N0} known users served with the topics they follow now (--follows), by the exported condition model.");
    }

    /// <summary>
    /// The lists of the users the model does not know, in the order <see cref="RecommendCommand"/> records in
    /// <paramref name="historyLists"/>: from their --history, with the topics they follow where they follow some. Users with
    /// topics and no history get no list here (their topics' popular items are the live recommender's, which
    /// <see cref="RecommendCommand"/> gives them after).
    /// </summary>
    public static RankedLists? ServeNew(OnnxCandidateScorer scorer, ServingData.FollowedTopics topics, IEnumerable<string> unknown, Dictionary<string, int[]> newUsers,
        Dictionary<string, int> historyLists, TextWriter log)
    {
        int topicsOnly = unknown.Count(u => !newUsers.ContainsKey(u) && topics.Of(u).Length > 0);
        if (topicsOnly > 0)
            log.WriteLine($"Unknown to the model, with topics but no --history: {Counted.Of(topicsOnly, "user")}, whom the ONNX graphs do not serve (their topics' popular items are MultiInterestRecommender's; see below).");
        if (newUsers.Count == 0) return null;
        var order = newUsers.Keys.ToArray();
        for (int q = 0; q < order.Length; q++) historyLists[order[q]] = q;
        int[] following = [.. Enumerable.Range(0, order.Length).Where(q => topics.Of(order[q]).Length > 0)];
        int[] plain = [.. Enumerable.Range(0, order.Length).Where(q => topics.Of(order[q]).Length == 0)];
        var followed = scorer.RetrieveFollowingFromHistories([.. following.Select(q => (IReadOnlyList<int>)newUsers[order[q]])],
            [.. following.Select(q => (IReadOnlyList<string>)topics.Of(order[q]))]);
        var unfollowed = scorer.RetrieveClusterQuotaFromHistories([.. plain.Select(q => (IReadOnlyList<int>)newUsers[order[q]])]);
        var result = new RankedLists(order.Length, scorer.Manifest.Candidates);
        for (int p = 0; p < following.Length; p++) Copy(followed, p, result, following[p]);
        for (int p = 0; p < plain.Length; p++) Copy(unfollowed, p, result, plain[p]);
        log.WriteLine($"{order.Length:N0} users unknown to the model served from their --history ({following.Length:N0} with the topics they follow), by the exported condition model.");
        return result;
    }

    private static void Copy(RankedLists from, int source, RankedLists to, int target)
    {
        int count = from.Counts[source];
        from.IndicesOf(source).CopyTo(to.IndexSlots(target));
        from.ScoresOf(source).CopyTo(to.ScoreSlots(target));
        to.Counts[target] = count;
    }
}
