namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The catalogue ranked by popularity: the number of training users engaging with each item, most first, ties to the lower
/// item row. It is what a user with neither a vector nor a history is served (<c>CandidateSource.Popular</c>) and the
/// protocol's <c>popular</c> row (<see cref="ProtocolSettings.Popular"/>): the floor that shows how much of a graph's
/// recall any personalisation adds (on a graph without personal structure every row sits near it).
/// </summary>
public static class PopularItems
{
    /// <summary>Every item row, most engaged first; equal degrees in item-row order.</summary>
    /// <param name="degrees">Each item's training degree, by item row (<see cref="BipartiteGraph.ItemDegrees"/>).</param>
    /// <returns>A new array of all item rows.</returns>
    public static int[] Rank(ReadOnlySpan<int> degrees)
    {
        var rows = new int[degrees.Length];
        for (int j = 0; j < rows.Length; j++) rows[j] = j;
        return RankAmong(degrees, rows);
    }

    /// <summary>The given item rows in the order of <see cref="Rank"/> (a condition's items, the rows a model serves).</summary>
    /// <param name="degrees">Each item's training degree, by item row.</param>
    /// <param name="rows">Distinct item rows, each below <paramref name="degrees"/>' length.</param>
    /// <returns>A new array of the same rows, most engaged first; equal degrees in item-row order.</returns>
    public static int[] RankAmong(ReadOnlySpan<int> degrees, IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var order = rows.ToArray();
        // Sort by (-degree, row): the keys are distinct, so any sort gives the one order.
        var keys = new long[order.Length];
        for (int j = 0; j < keys.Length; j++) keys[j] = ((long)(int.MaxValue - degrees[order[j]]) << 32) | (uint)order[j];
        Array.Sort(keys, order);
        return order;
    }

    /// <summary>
    /// Each user's top <paramref name="count"/> popular items outside their training items, scored by their training degree.
    /// </summary>
    /// <param name="train">The training graph: its degrees rank the items, and each user's items are left out.</param>
    /// <param name="users">The users (rows of <paramref name="train"/>) to list for, in the order of the lists.</param>
    /// <param name="count">K ≥ 1, the list length (shorter only when a user has seen nearly the whole catalogue).</param>
    /// <returns>One list per user, best first; each score is the item's training degree.</returns>
    public static RankedLists Retrieve(BipartiteGraph train, IReadOnlyList<int> users, int count)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(users);
        RetrievalLimits.Check(count, nameof(count), "The list length K");
        var degrees = train.ItemDegrees();
        var ranked = Rank(degrees);
        var lists = new RankedLists(users.Count, count);
        for (int q = 0; q < users.Count; q++)
        {
            int user = users[q];
            if ((uint)user >= (uint)train.UserCount)
                throw new ArgumentOutOfRangeException(nameof(users), $"User row {user} at position {q} is not below the training graph's {train.UserCount} users.");
            var indices = lists.IndexSlots(q);
            int n = TakeUnseen(ranked, train.ItemsOf(user), indices);
            var scores = lists.ScoreSlots(q);
            for (int r = 0; r < n; r++) scores[r] = degrees[indices[r]];
            lists.Counts[q] = n;
        }
        return lists;
    }

    /// <summary>
    /// The first items of <paramref name="ranked"/> not in <paramref name="seen"/>, written to <paramref name="destination"/>
    /// until it is full or the ranking ends: one user's popular list (the protocol's row, serving's fallback).
    /// </summary>
    /// <param name="ranked">Item rows in the order of <see cref="Rank"/>.</param>
    /// <param name="seen">The user's items, ascending.</param>
    /// <param name="destination">Where the list goes; its length is K.</param>
    /// <returns>How many items were written.</returns>
    internal static int TakeUnseen(ReadOnlySpan<int> ranked, ReadOnlySpan<int> seen, Span<int> destination)
    {
        int n = 0;
        // The head of the ranking is walked until K unseen items: at most K + the user's degree steps.
        for (int r = 0; r < ranked.Length && n < destination.Length; r++)
        {
            int item = ranked[r];
            if (seen.BinarySearch(item) < 0) destination[n++] = item;
        }
        return n;
    }
}
