namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A (user, item) pair belongs to one relation: the graph merges a repeated pair's edges, and one edge has one relation.
/// A pair given in two is refused here, naming its raw ids and relations, before the graph would name dense indices.
/// </summary>
internal static class RelationPairs
{
    /// <summary>Throws naming the first pair that occurs in two relations (the same pair in one relation is fine: merged).</summary>
    /// <param name="schema">The fit data's schema, whose key columns name the ids.</param>
    /// <param name="rows">The edge rows read from it.</param>
    /// <param name="users">Each edge's user key row.</param>
    /// <param name="items">Each edge's item key row.</param>
    /// <param name="relations">Each edge's relation key row.</param>
    /// <param name="userColumn">The user key column.</param>
    /// <param name="itemColumn">The item key column.</param>
    /// <param name="relationColumn">The relation key column (option RelationColumnName).</param>
    /// <exception cref="ArgumentException">A pair occurs in two relations.</exception>
    public static void RefuseRepeats(DataViewSchema schema, EdgeRows rows, int[] users, int[] items, int[] relations, string userColumn, string itemColumn, string relationColumn)
    {
        var relationOf = new Dictionary<long, int>(users.Length);
        for (int e = 0; e < users.Length; e++)
        {
            long pair = (long)users[e] * rows.ItemCount + items[e];
            if (relationOf.TryAdd(pair, relations[e]) || relationOf[pair] is var first && first == relations[e]) continue;
            string Name(string column, int count, int row) => KeyNames.Describe(schema[column], count, row);
            throw new ArgumentException($"The pair (user {Name(userColumn, rows.UserCount, users[e])}, item {Name(itemColumn, rows.ItemCount, items[e])}) "
                + $"occurs in relations {Name(relationColumn, rows.RelationCount, first)} and {Name(relationColumn, rows.RelationCount, relations[e])} "
                + $"of column '{relationColumn}' (option RelationColumnName): a pair belongs to one relation. Keep one row per pair first "
                + "(e.g. the strongest relation: a purchase over a view).", "RelationColumnName");
        }
    }
}
