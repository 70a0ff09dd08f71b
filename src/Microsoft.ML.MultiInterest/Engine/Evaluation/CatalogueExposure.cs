namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How one method's lists of every test user spread over the catalogue (docs/evaluation-protocol.md, "Catalogue
/// exposure"): the share of the catalogue they reach, how unequally they expose it, and how much of them is long tail.
/// Diversity@K measures one list's spread of item vectors; these measure the lists together against item popularity.
/// </summary>
/// <param name="Coverage">Distinct items in the lists over the catalogue (the items with a training edge).</param>
/// <param name="Gini">
/// Gini coefficient of the catalogue items' exposure counts (how many lists hold each item, 0 for items in none): 0 when
/// every item is in as many lists, towards 1 when a few items fill every list.
/// </param>
/// <param name="LongTailShare">The share of the lists' entries that are long-tail items (outside the head: <see cref="HeadShare"/>).</param>
public sealed record CatalogueExposure(double Coverage, double Gini, double LongTailShare)
{
    /// <summary>
    /// The head's share of the catalogue: the head is the items whose training degree is at least the degree of the item
    /// ranked ⌈0.2 n⌉ by degree (n catalogue items, most engaged first), so items tied at that degree are all head.
    /// </summary>
    public const double HeadShare = 0.2;

    /// <summary>The exposure of <paramref name="lists"/> (one row per user) over the items of <paramref name="itemDegrees"/> with a training edge.</summary>
    /// <param name="lists">The lists, their entries item indices of <paramref name="itemDegrees"/>.</param>
    /// <param name="itemDegrees">Each item's training degree; items of degree 0 are outside the catalogue (never recommendable).</param>
    /// <returns>The figures; all NaN when the lists hold no entry or the catalogue is empty.</returns>
    /// <exception cref="ArgumentException">A list holds an item outside <paramref name="itemDegrees"/> or of degree 0.</exception>
    public static CatalogueExposure Of(RankedLists lists, ReadOnlySpan<int> itemDegrees)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var exposure = new long[itemDegrees.Length];
        long entries = 0;
        for (int q = 0; q < lists.QueryCount; q++)
        {
            foreach (int item in lists.IndicesOf(q))
            {
                if ((uint)item >= (uint)itemDegrees.Length || itemDegrees[item] == 0)
                    throw new ArgumentException($"List {q} holds item {item}, which is not a catalogue item (an item with a training edge).", nameof(lists));
                exposure[item]++;
                entries++;
            }
        }
        var degrees = itemDegrees.ToArray();
        int[] catalogue = [.. Enumerable.Range(0, degrees.Length).Where(i => degrees[i] > 0)];
        if (entries == 0 || catalogue.Length == 0) return new CatalogueExposure(double.NaN, double.NaN, double.NaN);

        int reached = catalogue.Count(i => exposure[i] > 0);
        // Gini over the catalogue's exposure counts sorted ascending: Σ (2k − n − 1) x_k / (n Σ x), k = 1..n.
        var counts = catalogue.Select(i => exposure[i]).Order().ToArray();
        double weighted = 0;
        for (int k = 0; k < counts.Length; k++) weighted += (2.0 * (k + 1) - counts.Length - 1) * counts[k];
        double gini = weighted / ((double)counts.Length * entries);

        int headRank = (int)Math.Ceiling(HeadShare * catalogue.Length);
        int headDegree = catalogue.Select(i => degrees[i]).OrderDescending().ElementAt(headRank - 1);
        long tail = catalogue.Where(i => degrees[i] < headDegree).Sum(i => exposure[i]);
        return new CatalogueExposure((double)reached / catalogue.Length, gini, (double)tail / entries);
    }
}
