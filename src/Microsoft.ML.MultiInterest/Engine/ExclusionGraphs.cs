namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The exclusions of one call: items no user of the call may get, added to each user's own exclusions.</summary>
internal static class ExclusionGraphs
{
    /// <summary>
    /// The rows of <paramref name="excludeItems"/> (a call's items never to return), ascending and distinct; empty for null.
    /// </summary>
    /// <param name="excludeItems">Item rows, in any order, repeats allowed.</param>
    /// <param name="items">The item rows there are.</param>
    /// <param name="where">What item rows are, for the message (e.g. "the rows of item_ids.tsv").</param>
    /// <exception cref="ArgumentOutOfRangeException">A row is not an item row; named with its position.</exception>
    public static int[] SortedItems(IReadOnlyCollection<int>? excludeItems, int items, string where)
    {
        if (excludeItems == null || excludeItems.Count == 0) return [];
        int position = 0;
        foreach (int item in excludeItems)
        {
            if ((uint)item >= (uint)items)
                throw new ArgumentOutOfRangeException(nameof(excludeItems), $"excludeItems holds item row {item} (position {position}), which is not an item of the "
                    + $"model: item rows are 0 to {items - 1}, {where}.");
            position++;
        }
        return [.. excludeItems.Distinct().Order()];
    }

    /// <summary>
    /// Refuses an exclusion graph a call cannot read whole: over another item range, or without a row for one of
    /// <paramref name="users"/>. Checked once for every stage, so none reads a missing row as "no exclusions" or drops an item row.
    /// </summary>
    /// <param name="exclusions">The call's exclusion graph (user rows x item rows).</param>
    /// <param name="users">The user rows served.</param>
    /// <param name="items">The item rows there are.</param>
    /// <param name="parameter">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentException">The graph has another item count, or no row for a user served.</exception>
    public static void RequireCovers(BipartiteGraph exclusions, IReadOnlyList<int> users, int items, string parameter)
    {
        if (exclusions.ItemCount != items)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items, the model {items}: its item rows must be the model's (item key - 1), "
                + "as MultiInterestModel.TrainingHistory gives them.", parameter);
        for (int q = 0; q < users.Count; q++)
        {
            if (users[q] >= exclusions.UserCount)
                throw new ArgumentException($"The exclusion graph has {exclusions.UserCount} users, so user row {users[q]} (position {q}) has no row in it: "
                    + "pass a graph over all the model's user rows (typically MultiInterestModel.TrainingHistory, or its union with fresh history).", parameter);
        }
    }

    /// <summary>
    /// <paramref name="exclusions"/> with <paramref name="excluded"/> (ascending, distinct) added to the row of every
    /// user of <paramref name="users"/>: the graph a call's lists exclude. Only those rows are read, so only they are built;
    /// <paramref name="exclusions"/> itself when nothing is added.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A user row is beyond <paramref name="exclusions"/>' users.</exception>
    public static BipartiteGraph? WithItemsForUsers(BipartiteGraph? exclusions, IReadOnlyList<int> users, int[] excluded, int items)
    {
        if (excluded.Length == 0) return exclusions;
        int rows = exclusions?.UserCount ?? 0;
        var called = new bool[Math.Max(rows, users.Count == 0 ? 0 : users.Max() + 1)];
        foreach (int user in users)
        {
            if ((uint)user >= (uint)called.Length || (exclusions != null && user >= exclusions.UserCount))
                throw new ArgumentOutOfRangeException(nameof(users), exclusions == null ? $"User row {user} is negative."
                    : $"User row {user} is not in the exclusion graph, which has {exclusions.UserCount} users.");
            called[user] = true;
        }
        // Laid out row by row, each called user's own items merged with the excluded ones (both ascending): no edge list to sort.
        var offsets = new int[called.Length + 1];
        for (int u = 0; u < called.Length; u++)
            offsets[u + 1] = offsets[u] + (called[u] ? MergedCount(exclusions == null ? default : exclusions.ItemsOf(u), excluded) : 0);
        var merged = new int[offsets[^1]];
        for (int u = 0; u < called.Length; u++)
            if (called[u]) Merge(exclusions == null ? default : exclusions.ItemsOf(u), excluded, merged.AsSpan(offsets[u], offsets[u + 1] - offsets[u]));
        return BipartiteGraph.FromSortedRows(items, offsets, merged);
    }

    /// <summary>
    /// One row per entry of <paramref name="own"/> (each ascending and distinct; empty rows for none) merged with
    /// <paramref name="excluded"/> (ascending, distinct): fresh histories' exclusions, laid out without an edge list to sort.
    /// </summary>
    public static BipartiteGraph ForRows(IReadOnlyList<int[]> own, int[] excluded, int items)
    {
        var offsets = new int[own.Count + 1];
        for (int q = 0; q < own.Count; q++) offsets[q + 1] = offsets[q] + MergedCount(own[q], excluded);
        var merged = new int[offsets[^1]];
        for (int q = 0; q < own.Count; q++) Merge(own[q], excluded, merged.AsSpan(offsets[q], offsets[q + 1] - offsets[q]));
        return BipartiteGraph.FromSortedRows(items, offsets, merged);
    }

    /// <summary>The size of the union of two ascending, distinct sets.</summary>
    private static int MergedCount(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int i = 0, j = 0, count = 0;
        while (i < a.Length && j < b.Length)
        {
            int step = a[i].CompareTo(b[j]);
            if (step <= 0) i++;
            if (step >= 0) j++;
            count++;
        }
        return count + a.Length - i + b.Length - j;
    }

    /// <summary>Writes the union of two ascending, distinct sets to <paramref name="into"/>, ascending (its length is <see cref="MergedCount"/>).</summary>
    private static void Merge(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> into)
    {
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            int step = a[i].CompareTo(b[j]);
            into[k++] = step <= 0 ? a[i] : b[j];
            if (step <= 0) i++;
            if (step >= 0) j++;
        }
        a[i..].CopyTo(into[k..]);
        b[j..].CopyTo(into[(k + a.Length - i)..]);
    }
}
