namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The unimodal ranking that fills the lists of a quota-style retrieval (cluster quotas, conditional retrieval), searched
/// only for the users who read it. Such a list reads its fallback for a unimodal head, when one is reserved, and to fill the
/// slots its components leave empty; a list its components fill never reads it. A serving path that searched the
/// fallback for every user paid a scan of the catalogue per request on top of the quota search (on cit-HepPh's quota
/// model, 27,052 users: 10.1 s against 1.9 s for the same lists, docs/performance.md, "One request at a time").
/// </summary>
internal static class UnimodalFill
{
    /// <summary>
    /// The lists <paramref name="retrieve"/> gives <paramref name="users"/> with <paramref name="fallbackFor"/>'s ranking as
    /// their fallback, the same lists, with that ranking searched for every user when <paramref name="readsHead"/>, else only
    /// for the users whose lists come out shorter than <paramref name="candidates"/> without it.
    /// </summary>
    /// <param name="users">The users (entries of the tables the callbacks read).</param>
    /// <param name="candidates">M, the list length.</param>
    /// <param name="readsHead">Whether the options reserve a unimodal head (every list reads the fallback).</param>
    /// <param name="retrieve">The retrieval of some users' lists of length M, with a fallback ranking per user or none.</param>
    /// <param name="fallbackFor">The fallback ranking of some users, one list per user in their order.</param>
    /// <param name="checkFallback">
    /// The fallback search's checks of its arguments for all <paramref name="users"/> (their vectors finite, the ranking's
    /// length in bounds), run first: a request is refused the same whether or not its lists come out short.
    /// </param>
    public static RankedLists Lazily(IReadOnlyList<int> users, int candidates, bool readsHead,
        Func<IReadOnlyList<int>, RankedLists?, RankedLists> retrieve, Func<int[], RankedLists> fallbackFor, Action checkFallback)
    {
        if (readsHead) return retrieve(users, fallbackFor(users as int[] ?? [.. users]));
        checkFallback();
        var lists = retrieve(users, null);
        var shortLists = Enumerable.Range(0, users.Count).Where(q => lists.Counts[q] < candidates).ToArray();
        if (shortLists.Length == 0) return lists;
        var shortUsers = Array.ConvertAll(shortLists, q => users[q]);
        var filled = retrieve(shortUsers, fallbackFor(shortUsers));
        for (int k = 0; k < shortLists.Length; k++)
        {
            int q = shortLists[k];
            filled.IndicesOf(k).CopyTo(lists.IndexSlots(q));
            filled.ScoresOf(k).CopyTo(lists.ScoreSlots(q));
            lists.Counts[q] = filled.Counts[k];
        }
        return lists;
    }
}
