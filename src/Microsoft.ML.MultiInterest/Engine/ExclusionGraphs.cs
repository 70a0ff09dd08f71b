namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The exclusions of one call: items no user of the call may get, added to each user's own exclusions.</summary>
internal static class ExclusionGraphs
{
    /// <summary>
    /// <paramref name="exclusions"/> with <paramref name="excluded"/> (ascending, distinct) added to the row of every
    /// user of <paramref name="users"/>: the graph a call's lists exclude. Only those rows are read, so only they are built;
    /// <paramref name="exclusions"/> itself when nothing is added.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A user row is beyond <paramref name="exclusions"/>' users.</exception>
    public static BipartiteGraph? WithItemsForUsers(BipartiteGraph? exclusions, IReadOnlyList<int> users, int[] excluded, int items)
    {
        if (excluded.Length == 0) return exclusions;
        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        int rows = exclusions?.UserCount ?? 0;
        foreach (int user in users.Distinct())
        {
            if (exclusions != null && (uint)user >= (uint)exclusions.UserCount)
                throw new ArgumentOutOfRangeException(nameof(users), $"User row {user} is not in the exclusion graph, which has {exclusions.UserCount} users.");
            rows = Math.Max(rows, user + 1);
            foreach (int item in exclusions == null ? excluded : [.. exclusions.ItemsOf(user).ToArray().Union(excluded)])
            {
                edgeUsers.Add(user);
                edgeItems.Add(item);
            }
        }
        return BipartiteGraph.FromEdges(rows, items, [.. edgeUsers], [.. edgeItems]);
    }
}
