using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// Whether a test file's columns look swapped against the training file's (a file whose values are swapped under a correct
/// header still reads, with its "users" matched against the training items and the other way round, and most of it unseen),
/// or its ids (or the training file's) padded with spaces or in double quotes where the other file's are not, or in another
/// Unicode normalisation; when none of these readings matches more, which side is unknown.
/// </summary>
internal static class ColumnOrderHint
{
    /// <summary>
    /// A sentence for the unseen-edges warning (or the error when nothing is scoreable), or null: said when most test edges are
    /// unseen, or when reading both files' ids trimmed, or each test line the other way round (item first), would match more of them to the training ids.
    /// </summary>
    /// <param name="testEdges">The test file's edges as read.</param>
    /// <param name="users">The training users' ids.</param>
    /// <param name="items">The training items' ids.</param>
    public static string? For(IReadOnlyList<RawEdge> testEdges, IdMap users, IdMap items)
    {
        // Lines, as read, and read the other way round, whose user and item the training ids both hold.
        int seen = 0, swapped = 0;
        foreach (var e in testEdges)
        {
            if (users.TryGetIndex(e.User, out _) && items.TryGetIndex(e.Item, out _)) seen++;
            if (users.TryGetIndex(e.Item, out _) && items.TryGetIndex(e.User, out _)) swapped++;
        }
        int unseen = testEdges.Count - seen;
        if (unseen == 0) return null;
        // Ids are read raw, spaces included: " u1" is not "u1", whichever file pads them.
        int trimmed = TrimmedSeen(testEdges, users, items);
        if (trimmed > seen)
            return $" With the spaces around their ids removed, {trimmed:N0} of the test edges would be between users and items seen in training, against {seen:N0} "
                + "as read: ids are read exactly as written, so the two files must spell them alike (no padding).";
        // R's write.table quotes every field by default: "2041" is not 2041, whichever file quotes them.
        int unquoted = UnquotedSeen(testEdges, users, items);
        if (unquoted > seen)
            return $" With the double quotes around their ids removed, {unquoted:N0} of the test edges would be between users and items seen in training, against "
                + $"{seen:N0} as read: ids are read exactly as written, so the two files must spell them alike (write both without quotes).";
        if (swapped > seen)
            return $" Read item first, {swapped:N0} of the test edges would be between users and items seen in training, against {seen:N0} as read: "
                + "the test file's columns look swapped (both files must give the user first and the item second).";
        if (NormalizedSeen(testEdges, users, items) is { } normalized && normalized > seen)
            return $" With the ids of both files in one Unicode normalisation (NFC), {normalized:N0} of the test edges would be between users and items seen in "
                + $"training, against {seen:N0} as read: ids are compared code point by code point ('é' as one code point and as 'e' with a combining accent "
                + "are two ids), so normalise both files alike.";
        return unseen > seen ? Unmatched(testEdges, users, items, swapped) : null;
    }

    /// <summary>
    /// Most test edges unseen, and no reading above matches more: which side is unknown, with an example of each, and that
    /// reading item first does not help either. Until 2026-12-07 it advised checking the column order, which the swapped
    /// reading had already ruled out.
    /// </summary>
    private static string Unmatched(IReadOnlyList<RawEdge> testEdges, IdMap users, IdMap items, int swapped)
    {
        var unknownUsers = testEdges.Select(e => e.User).Where(u => !users.TryGetIndex(u, out _)).Distinct(StringComparer.Ordinal).ToArray();
        var unknownItems = testEdges.Select(e => e.Item).Where(i => !items.TryGetIndex(i, out _)).Distinct(StringComparer.Ordinal).ToArray();
        int testUsers = testEdges.Select(e => e.User).Distinct(StringComparer.Ordinal).Count();
        int testItems = testEdges.Select(e => e.Item).Distinct(StringComparer.Ordinal).Count();
        string Side(string[] unknown, int all, string role) => unknown.Length == 0 ? $"every {role} is known"
            : $"{unknown.Length:N0} of its {all:N0} {role}s are not in the training file (the first '{unknown[0]}')";
        return $" Most test edges are unseen: {Side(unknownUsers, testUsers, "user")}, and {Side(unknownItems, testItems, "item")}. "
            + $"Read item first, {swapped:N0} would be seen, so the columns are not swapped: check that both files come from one dataset and spell ids "
            + "alike (a prefix, leading zeros, another id scheme).";
    }

    /// <summary>The test edges whose ids, out of enclosing double quotes, name training ids out of theirs; as read when no id of either is quoted.</summary>
    private static int UnquotedSeen(IReadOnlyList<RawEdge> testEdges, IdMap users, IdMap items)
    {
        static string Unquoted(string id) => id.Length >= 2 && id[0] == '"' && id[^1] == '"' ? id[1..^1] : id;
        static HashSet<string> All(IdMap ids) => Enumerable.Range(0, ids.Count).Select(i => Unquoted(ids[i])).ToHashSet(StringComparer.Ordinal);
        var (userIds, itemIds) = (All(users), All(items));
        return testEdges.Count(e => userIds.Contains(Unquoted(e.User)) && itemIds.Contains(Unquoted(e.Item)));
    }

    /// <summary>
    /// The test edges whose ids, trimmed, name training ids trimmed: the test file's padding, or the training file's (a
    /// training id padded where the test file's is not), or both.
    /// </summary>
    private static int TrimmedSeen(IReadOnlyList<RawEdge> testEdges, IdMap users, IdMap items)
    {
        static bool Padded(string id) => id.Length > 0 && (char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1]));
        static HashSet<string> Trimmed(IdMap ids) =>
            Enumerable.Range(0, ids.Count).Select(i => ids[i].Trim()).ToHashSet(StringComparer.Ordinal);
        if (!Enumerable.Range(0, users.Count).Any(i => Padded(users[i])) && !Enumerable.Range(0, items.Count).Any(i => Padded(items[i])))
            return testEdges.Count(e => users.TryGetIndex(e.User.Trim(), out _) && items.TryGetIndex(e.Item.Trim(), out _));
        var (userIds, itemIds) = (Trimmed(users), Trimmed(items));
        return testEdges.Count(e => userIds.Contains(e.User.Trim()) && itemIds.Contains(e.Item.Trim()));
    }

    /// <summary>
    /// The test edges whose ids, NFC-normalised, name training ids NFC-normalised; null when every id of both is already in
    /// NFC (then normalising changes nothing, and nothing is built).
    /// </summary>
    private static int? NormalizedSeen(IReadOnlyList<RawEdge> testEdges, IdMap users, IdMap items)
    {
        static bool Nfc(string id) => id.IsNormalized(System.Text.NormalizationForm.FormC);
        static HashSet<string> Normalized(IdMap ids) =>
            Enumerable.Range(0, ids.Count).Select(i => ids[i].Normalize(System.Text.NormalizationForm.FormC)).ToHashSet(StringComparer.Ordinal);
        bool anyOther = testEdges.Any(e => !Nfc(e.User) || !Nfc(e.Item))
            || Enumerable.Range(0, users.Count).Any(i => !Nfc(users[i])) || Enumerable.Range(0, items.Count).Any(i => !Nfc(items[i]));
        if (!anyOther) return null;
        var (userIds, itemIds) = (Normalized(users), Normalized(items));
        return testEdges.Count(e => userIds.Contains(e.User.Normalize(System.Text.NormalizationForm.FormC))
            && itemIds.Contains(e.Item.Normalize(System.Text.NormalizationForm.FormC)));
    }
}
