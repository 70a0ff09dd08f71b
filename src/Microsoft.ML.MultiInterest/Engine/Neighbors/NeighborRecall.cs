namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How many of the reference (exact) neighbours an approximate search found.</summary>
internal static class NeighborRecall
{
    /// <summary>
    /// The fraction of each query's reference neighbours that appear in its approximate list, averaged over the queries
    /// with at least one reference neighbour (1 when there are none).
    /// </summary>
    /// <param name="reference">The exact lists.</param>
    /// <param name="approximate">The lists to grade, for the same queries.</param>
    /// <exception cref="ArgumentException">The two hold different numbers of queries.</exception>
    public static double Mean(RankedLists reference, RankedLists approximate)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(approximate);
        if (reference.QueryCount != approximate.QueryCount)
            throw new ArgumentException($"The reference has {reference.QueryCount} queries, the approximate lists {approximate.QueryCount}.", nameof(approximate));
        double sum = 0;
        int graded = 0;
        for (int q = 0; q < reference.QueryCount; q++)
        {
            var exact = reference.IndicesOf(q);
            if (exact.Length == 0) continue;
            var found = approximate.IndicesOf(q);
            int hits = 0;
            foreach (int row in exact)
            {
                if (found.Contains(row)) hits++;
            }
            sum += (double)hits / exact.Length;
            graded++;
        }
        return graded == 0 ? 1 : sum / graded;
    }
}
