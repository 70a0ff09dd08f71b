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
        var exposure = ExposureCounts(lists, itemDegrees, out long entries);
        var degrees = itemDegrees.ToArray();
        int[] catalogue = [.. Enumerable.Range(0, degrees.Length).Where(i => degrees[i] > 0)];
        if (catalogue.Length == 0) return new CatalogueExposure(double.NaN, double.NaN, double.NaN);
        int headDegree = HeadDegree(degrees);
        var (tailRecall, tailUsers) = heldOut == null ? (double.NaN, 0) : TailRecall(TailShares(lists, degrees, headDegree, heldOut, users!));
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

    /// <summary>
    /// The long-tail recall of <paramref name="lists"/> against <paramref name="baseline"/>'s, user by user: over the users
    /// holding out a long-tail item (those <see cref="LongTailRecall"/> averages, the same for both since they depend on the
    /// held-out edges alone), the mean of the per-user differences of the share of those items each list holds (lists
    /// minus baseline) and its standard error, as <see cref="PairedComparison"/> pairs Recall@K.
    /// </summary>
    /// <param name="lists">The row's lists, their entries item indices of <paramref name="itemDegrees"/>.</param>
    /// <param name="baseline">The baseline's lists, of the same users in the same order.</param>
    /// <param name="itemDegrees">Each item's training degree; items of degree 0 are outside the catalogue (never recommendable).</param>
    /// <param name="heldOut">The held-out edges, over the same items; a held-out item of training degree 0 is in neither head nor tail.</param>
    /// <param name="users">The row of <paramref name="heldOut"/> of each list, in list order.</param>
    /// <returns>The paired difference over <see cref="LongTailUsers"/> users; NaN over 0 users when none holds out a long-tail item.</returns>
    /// <exception cref="ArgumentException">
    /// The two sets of lists differ in number; a list holds an item outside <paramref name="itemDegrees"/> or of degree 0;
    /// <paramref name="users"/> does not give a row of <paramref name="heldOut"/> per list; the held-out edges name items
    /// outside <paramref name="itemDegrees"/>.
    /// </exception>
    public static PairedDifference LongTailRecallAgainst(RankedLists lists, RankedLists baseline, ReadOnlySpan<int> itemDegrees, BipartiteGraph heldOut,
        IReadOnlyList<int> users)
    {
        var (mine, theirs) = PairedTailShares(lists, baseline, itemDegrees, heldOut, users);
        // The users without a long-tail held-out item (NaN in both) are a group of their own, left out of the comparison.
        int[] holdsTail = [.. mine.Select(share => double.IsNaN(share) ? 0 : 1)];
        return PairedDifference.Of(mine, theirs, stride: 1, column: 0, zeroUsers: 0, holdsTail, group: 1);
    }

    /// <summary>
    /// <see cref="LongTailRecallAgainst"/> within each activity group of the users: element g pairs the users of group g (in
    /// <paramref name="groups"/>, such as <see cref="ActivityQuartiles.Groups"/> of the protocol's test users) holding out a
    /// long-tail item, NaN over 0 users when none does.
    /// </summary>
    /// <param name="lists">The row's lists, their entries item indices of <paramref name="itemDegrees"/>.</param>
    /// <param name="baseline">The baseline's lists, of the same users in the same order.</param>
    /// <param name="itemDegrees">Each item's training degree; items of degree 0 are outside the catalogue.</param>
    /// <param name="heldOut">The held-out edges, over the same items.</param>
    /// <param name="users">The row of <paramref name="heldOut"/> of each list, in list order.</param>
    /// <param name="groups">Each list's group, 0 to <see cref="ActivityQuartiles.Count"/> - 1, in list order.</param>
    /// <exception cref="ArgumentException">As <see cref="LongTailRecallAgainst"/>; or <paramref name="groups"/> does not give a group of 0 to 3 per list.</exception>
    /// <returns>One paired difference per activity group (<see cref="ActivityQuartiles.Count"/> of them).</returns>
    public static PairedDifference[] LongTailRecallByActivity(RankedLists lists, RankedLists baseline, ReadOnlySpan<int> itemDegrees, BipartiteGraph heldOut,
        IReadOnlyList<int> users, IReadOnlyList<int> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count != lists.QueryCount) throw new ArgumentException($"There are {lists.QueryCount} lists but {groups.Count} groups.", nameof(groups));
        for (int q = 0; q < groups.Count; q++)
            if ((uint)groups[q] >= ActivityQuartiles.Count)
                throw new ArgumentException($"List {q} has group {groups[q]}; groups run from 0 to {ActivityQuartiles.Count - 1}.", nameof(groups));
        var (mine, theirs) = PairedTailShares(lists, baseline, itemDegrees, heldOut, users);
        // A user without a long-tail held-out item (NaN in both) is in no group's comparison.
        int[] tailGroups = [.. groups.Select((g, q) => double.IsNaN(mine[q]) ? -1 : g)];
        return [.. Enumerable.Range(0, ActivityQuartiles.Count).Select(g => PairedDifference.Of(mine, theirs, stride: 1, column: 0, zeroUsers: 0, tailGroups, g))];
    }

    /// <summary>Each user's long-tail share of <paramref name="lists"/> and of <paramref name="baseline"/> (NaN for a user holding out no long-tail item), the lists checked as <see cref="Of(RankedLists, ReadOnlySpan{int})"/> checks them.</summary>
    private static (double[] Mine, double[] Theirs) PairedTailShares(RankedLists lists, RankedLists baseline, ReadOnlySpan<int> itemDegrees, BipartiteGraph heldOut,
        IReadOnlyList<int> users)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(users);
        if (lists.QueryCount != baseline.QueryCount)
            throw new ArgumentException($"There are {lists.QueryCount} lists but {baseline.QueryCount} baseline lists; they pair user by user.", nameof(baseline));
        // Checked as Of checks them: the same lists are accepted or refused by both.
        ExposureCounts(lists, itemDegrees, out _);
        ExposureCounts(baseline, itemDegrees, out _);
        var degrees = itemDegrees.ToArray();
        int headDegree = HeadDegree(degrees);
        return (TailShares(lists, degrees, headDegree, heldOut, users), TailShares(baseline, degrees, headDegree, heldOut, users));
    }

    /// <summary>How many lists hold each item, and the entries in all.</summary>
    /// <exception cref="ArgumentException">A list holds an item outside <paramref name="itemDegrees"/> or of degree 0.</exception>
    private static long[] ExposureCounts(RankedLists lists, ReadOnlySpan<int> itemDegrees, out long entries)
    {
        var exposure = new long[itemDegrees.Length];
        entries = 0;
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
        return exposure;
    }

    /// <summary>The head's lowest degree (<see cref="HeadShare"/>); 0 for an empty catalogue, so that no item is long tail.</summary>
    private static int HeadDegree(int[] degrees)
    {
        var catalogue = degrees.Where(d => d > 0).OrderDescending().ToArray();
        return catalogue.Length == 0 ? 0 : catalogue[(int)Math.Ceiling(HeadShare * catalogue.Length) - 1];
    }

    /// <summary>The mean of the per-user shares over the users that have one (<see cref="TailShares"/>), in list order.</summary>
    private static (double Recall, int Users) TailRecall(double[] shares)
    {
        double sum = 0;
        int scored = 0;
        foreach (double share in shares)
        {
            if (double.IsNaN(share)) continue;
            sum += share;
            scored++;
        }
        return (scored == 0 ? double.NaN : sum / scored, scored);
    }

    /// <summary>
    /// Per list, the share of its user's long-tail held-out items (catalogue items of degree below the head's) it holds;
    /// NaN for a user holding out none.
    /// </summary>
    private static double[] TailShares(RankedLists lists, int[] degrees, int headDegree, BipartiteGraph heldOut, IReadOnlyList<int> users)
    {
        if (users.Count != lists.QueryCount)
            throw new ArgumentException($"There are {lists.QueryCount} lists but {users.Count} users.", nameof(users));
        if (heldOut.ItemCount > degrees.Length)
            throw new ArgumentException($"The held-out edges have {heldOut.ItemCount} items, the degrees {degrees.Length}.", nameof(heldOut));
        // Stamps instead of a set per user: entry i holds the last list (q + 1) that listed item i, or the last user that held it out.
        var listed = new int[degrees.Length];
        var counted = new int[degrees.Length];
        var shares = new double[lists.QueryCount];
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
            shares[q] = tail == 0 ? double.NaN : (double)hits / tail;
        }
        return shares;
    }
}
