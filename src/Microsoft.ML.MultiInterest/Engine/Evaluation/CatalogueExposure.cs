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
/// <param name="LongTailRecall">
/// Recall of the long-tail held-out items: per user with at least one, |list ∩ its long-tail held-out items| / their count,
/// averaged over those users (<see cref="LongTailUsers"/>); NaN when no user has one, or when no held-out edges were given.
/// </param>
/// <param name="LongTailUsers">The users <see cref="LongTailRecall"/> averages over.</param>
public sealed record CatalogueExposure(double Coverage, double Gini, double LongTailShare, double LongTailRecall = double.NaN, int LongTailUsers = 0)
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
    public static CatalogueExposure Of(RankedLists lists, ReadOnlySpan<int> itemDegrees) => Of(lists, itemDegrees, null, null);

    /// <summary>
    /// The exposure of <paramref name="lists"/> as <see cref="Of(RankedLists, ReadOnlySpan{int})"/>, and the recall of the
    /// long-tail items among <paramref name="heldOut"/>'s edges (<see cref="LongTailRecall"/>).
    /// </summary>
    /// <param name="lists">The lists, their entries item indices of <paramref name="itemDegrees"/>.</param>
    /// <param name="itemDegrees">Each item's training degree; items of degree 0 are outside the catalogue (never recommendable).</param>
    /// <param name="heldOut">The held-out edges, over the same items; a held-out item of training degree 0 is in neither head nor tail.</param>
    /// <param name="users">The row of <paramref name="heldOut"/> of each list, in list order.</param>
    /// <returns>The figures; coverage, Gini and share NaN when the lists hold no entry or the catalogue is empty.</returns>
    /// <exception cref="ArgumentException">
    /// A list holds an item outside <paramref name="itemDegrees"/> or of degree 0; <paramref name="users"/> does not give a
    /// row of <paramref name="heldOut"/> per list; the held-out edges name items outside <paramref name="itemDegrees"/>.
    /// </exception>
    public static CatalogueExposure Of(RankedLists lists, ReadOnlySpan<int> itemDegrees, BipartiteGraph? heldOut, IReadOnlyList<int>? users)
    {
        ArgumentNullException.ThrowIfNull(lists);
        if ((heldOut == null) != (users == null)) throw new ArgumentException("Give the held-out edges and the users of the lists together, or neither.", nameof(users));
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
        if (catalogue.Length == 0) return new CatalogueExposure(double.NaN, double.NaN, double.NaN);
        int headRank = (int)Math.Ceiling(HeadShare * catalogue.Length);
        int headDegree = catalogue.Select(i => degrees[i]).OrderDescending().ElementAt(headRank - 1);
        var (tailRecall, tailUsers) = heldOut == null ? (double.NaN, 0) : TailRecall(lists, degrees, headDegree, heldOut, users!);
        if (entries == 0) return new CatalogueExposure(double.NaN, double.NaN, double.NaN, tailRecall, tailUsers);

        int reached = catalogue.Count(i => exposure[i] > 0);
        // Gini over the catalogue's exposure counts sorted ascending: Σ (2k − n − 1) x_k / (n Σ x), k = 1..n.
        var counts = catalogue.Select(i => exposure[i]).Order().ToArray();
        double weighted = 0;
        for (int k = 0; k < counts.Length; k++) weighted += (2.0 * (k + 1) - counts.Length - 1) * counts[k];
        double gini = weighted / ((double)counts.Length * entries);

        long tail = catalogue.Where(i => degrees[i] < headDegree).Sum(i => exposure[i]);
        return new CatalogueExposure((double)reached / catalogue.Length, gini, (double)tail / entries, tailRecall, tailUsers);
    }

    /// <summary>The mean recall of the long-tail held-out items (catalogue items of degree below the head's) over the users that have one.</summary>
    private static (double Recall, int Users) TailRecall(RankedLists lists, int[] degrees, int headDegree, BipartiteGraph heldOut, IReadOnlyList<int> users)
    {
        if (users.Count != lists.QueryCount)
            throw new ArgumentException($"There are {lists.QueryCount} lists but {users.Count} users.", nameof(users));
        if (heldOut.ItemCount > degrees.Length)
            throw new ArgumentException($"The held-out edges have {heldOut.ItemCount} items, the degrees {degrees.Length}.", nameof(heldOut));
        // Stamps instead of a set per user: entry i holds the last list (q + 1) that listed item i, or the last user that held it out.
        var listed = new int[degrees.Length];
        var counted = new int[degrees.Length];
        double sum = 0;
        int scored = 0;
        for (int q = 0; q < lists.QueryCount; q++)
        {
            int user = users[q];
            if ((uint)user >= (uint)heldOut.UserCount) throw new ArgumentException($"User {user} of list {q} is not a row of the held-out edges.", nameof(users));
            foreach (int item in lists.IndicesOf(q)) listed[item] = q + 1;
            int tail = 0, hits = 0;
            foreach (int item in heldOut.ItemsOf(user))
            {
                if (degrees[item] == 0 || degrees[item] >= headDegree || counted[item] == q + 1) continue;
                counted[item] = q + 1;
                tail++;
                if (listed[item] == q + 1) hits++;
            }
            if (tail == 0) continue;
            sum += (double)hits / tail;
            scored++;
        }
        return (scored == 0 ? double.NaN : sum / scored, scored);
    }
}
