using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Whom a run's test figures average over, written under the same keys by every file that holds test figures
/// (metrics.json, sweep.json): the users with lists, those with no held-out item seen in training (missed: 0 in Recall
/// and NDCG under --unseen miss) and those --unseen drop left out.
/// </summary>
/// <param name="Scored">Test users with a list.</param>
/// <param name="Missed">Users scored 0 in Recall and NDCG for want of a list.</param>
/// <param name="LeftOut">Users --unseen drop left out of every figure.</param>
internal readonly record struct TestUserCounts(int Scored, int Missed, int LeftOut)
{
    /// <summary>The counts of <paramref name="result"/>, with <paramref name="leftOut"/> users left out before it was scored.</summary>
    public static TestUserCounts Of(ProtocolResult result, int leftOut) => new(result.TestUsers.Count, result.MissedUsers, leftOut);

    /// <summary>Users Recall and NDCG average over (the missed ones count as zeros).</summary>
    public int RecallUsers => Scored + Missed;

    /// <summary>The JSON keys and their values, in the order the files write them.</summary>
    public IEnumerable<KeyValuePair<string, int>> Fields =>
    [
        new("test_users", Scored),
        new("test_users_missed", Missed),
        // Under --unseen drop the users no list could score are left out instead of missed: how many.
        new("test_users_left_out", LeftOut),
        // The users each figure is averaged over (missed users count as zeros in Recall and NDCG only).
        new("users_averaged_recall_ndcg", RecallUsers),
        new("users_averaged_diversity_emd", Scored),
    ];
}
