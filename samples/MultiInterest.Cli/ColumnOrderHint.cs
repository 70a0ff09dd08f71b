using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// Whether a test file's columns look swapped against the training file's (a file whose values are swapped under a correct
/// header still reads, with its "users" matched against the training items and the other way round, and most of it unseen),
/// or its ids padded with spaces the training file's are not.
/// </summary>
internal static class ColumnOrderHint
{
    /// <summary>
    /// A sentence for the unseen-edges warning (or the error when nothing is scoreable), or null: said when most test edges are
    /// unseen, or when reading each test line with its ids trimmed, or the other way round (item first), would match more of them to the training ids.
    /// </summary>
    /// <param name="testEdges">The test file's edges as read.</param>
    /// <param name="users">The training users' ids.</param>
    /// <param name="items">The training items' ids.</param>
    public static string? For(IReadOnlyList<RawEdge> testEdges, IdMap users, IdMap items)
    {
        // Lines, as read, read the other way round, and with their ids trimmed, whose user and item the training ids both hold.
        int seen = 0, swapped = 0, trimmed = 0;
        foreach (var e in testEdges)
        {
            if (users.TryGetIndex(e.User, out _) && items.TryGetIndex(e.Item, out _)) seen++;
            if (users.TryGetIndex(e.Item, out _) && items.TryGetIndex(e.User, out _)) swapped++;
            if (users.TryGetIndex(e.User.Trim(), out _) && items.TryGetIndex(e.Item.Trim(), out _)) trimmed++;
        }
        int unseen = testEdges.Count - seen;
        if (unseen == 0) return null;
        // Ids are read raw, spaces included: " u1" is not "u1".
        if (trimmed > seen)
            return $" With the spaces around their ids removed, {trimmed:N0} of the test edges would be between users and items seen in training, against {seen:N0} "
                + "as read: ids are read exactly as written, so the two files must spell them alike (no padding).";
        if (swapped > seen)
            return $" Read item first, {swapped:N0} of the test edges would be between users and items seen in training, against {seen:N0} as read: "
                + "the test file's columns look swapped (both files must give the user first and the item second).";
        return unseen > seen ? " Most test edges are unseen: check that both files give the user first and the item second." : null;
    }
}
