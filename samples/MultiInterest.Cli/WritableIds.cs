using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// Refuses, before a TSV is written, an id it cannot hold (empty, or holding a TAB or a line break: the library's
/// <see cref="TabSeparatedId"/> rule). The files the CLI reads cannot give such an id, but a model fitted through the API
/// can (MapValueToKey takes any text); written as it is, it would split its line and the file would read back otherwise.
/// </summary>
internal static class WritableIds
{
    /// <summary>What the refusal advises for a model's ids.</summary>
    private const string ModelAdvice = " The model was fitted on such ids: serve it through the API (MultiInterestRecommender), or map its ids to ones "
        + "without before MapValueToKey and fit it again.";

    /// <summary>Throws naming <paramref name="file"/> (as the user gave it), <paramref name="what"/>, the id and <paramref name="where"/>, if <paramref name="id"/> cannot be written.</summary>
    public static void Require(string file, string what, string id, string? where = null)
    {
        if (TabSeparatedId.Problem(id) is { } problem) throw new NotSupportedException(TabSeparatedId.Refusal(file, what, id, problem, where) + ModelAdvice);
    }

    /// <summary>Every id of <paramref name="ids"/>, named as <paramref name="what"/> (e.g. "user id").</summary>
    public static void Require(string file, string what, IdMap ids)
    {
        if (TabSeparatedId.FirstRefusal(file, ids.Ids, what, r => $"of row {r}") is { } refusal)
            throw new NotSupportedException(refusal + " Give the command files whose ids hold no TAB or line break.");
    }

    /// <summary>
    /// The ids <c>recommend</c> writes to <paramref name="candidates"/> (users, listed items, explained lists' closest history
    /// items) and, with <c>--interests</c>, to <paramref name="interests"/> (the interests' history items).
    /// </summary>
    public static void Require(string candidates, string? interests, IEnumerable<ServedList> lists)
    {
        foreach (var list in lists)
        {
            Require(candidates, "user id", list.User);
            for (int r = 0; r < list.Items.Length; r++)
            {
                Require(candidates, "item id", list.Items[r], $"(rank {r + 1} of user '{TabSeparatedId.Escaped(list.User)}')");
                // An empty closest item means the list has no history to be close to: written so on purpose.
                if (list.Explanation?.Items[r].ClosestHistoryItemId is { Length: > 0 } closest)
                    Require(candidates, "closest history item id", closest, $"(rank {r + 1} of user '{TabSeparatedId.Escaped(list.User)}')");
            }
            if (interests != null && list.Explanation is { } e)
                foreach (var interest in e.Interests)
                    foreach (string item in interest.HistoryItemIds)
                        Require(interests, "history item id", item, $"(an interest of user '{TabSeparatedId.Escaped(list.User)}')");
        }
    }
}
