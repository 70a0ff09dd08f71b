namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Negatives of Kuaishou's divide-and-conquer loss (methods.md section 2, Eq. 3): for a positive item of cluster C_k, each
/// negative is drawn uniformly from the whole catalogue with probability <c>globalShare</c> (an "easy" negative, Eq. 2) and
/// otherwise uniformly from C_k (a "hard" negative, Eq. 3); either way never one of the user's own items (I \ I_u,
/// C_k \ I_u). The number of global negatives of a positive is <c>share × N</c> rounded stochastically, so shares 0 and 1
/// are exact. Thread-compatible (the random stream is the caller's); nothing is allocated per call.
/// </summary>
internal sealed class ClusterNegativeSampler
{
    /// <summary>Rejection draws before a cluster (or the catalogue) is scanned for its eligible items instead.</summary>
    private const int Attempts = 16;

    private readonly ItemClustering _clustering;
    private readonly double _globalShare;

    /// <summary>Samples within <paramref name="clustering"/>'s clusters, <paramref name="globalShare"/> of the negatives from the whole catalogue.</summary>
    public ClusterNegativeSampler(ItemClustering clustering, double globalShare)
    {
        ArgumentNullException.ThrowIfNull(clustering);
        if (!(globalShare >= 0 && globalShare <= 1)) throw new ArgumentOutOfRangeException(nameof(globalShare), globalShare, "GlobalNegativeShare must lie in [0, 1].");
        _clustering = clustering;
        _globalShare = globalShare;
    }

    /// <summary>
    /// Fills <paramref name="negatives"/> for a positive of cluster <paramref name="cluster"/> of a user whose items are
    /// <paramref name="userItems"/> (ascending). Returns how many were written: fewer only when the user has every item.
    /// </summary>
    public int Sample(int cluster, ReadOnlySpan<int> userItems, Span<int> negatives, ref EmbeddingRandom random)
    {
        int n = negatives.Length;
        double exact = _globalShare * n;
        int global = (int)Math.Floor(exact);
        if (global < n && random.NextFloat() < exact - global) global++;
        var members = _clustering.MembersOf(cluster);
        int written = 0;
        for (int j = 0; j < n; j++)
        {
            int item = j < global ? -1 : Draw(members, userItems, ref random);
            if (item < 0) item = DrawGlobal(userItems, ref random);
            if (item < 0) break; // the user has every item: nothing is a negative
            negatives[written++] = item;
        }
        return written;
    }

    /// <summary>A uniform member of <paramref name="members"/> not in <paramref name="userItems"/>, or −1 when there is none.</summary>
    private static int Draw(ReadOnlySpan<int> members, ReadOnlySpan<int> userItems, ref EmbeddingRandom random)
    {
        if (members.Length == 0) return -1;
        for (int t = 0; t < Attempts; t++)
        {
            int item = members[random.NextInt(members.Length)];
            if (userItems.BinarySearch(item) < 0) return item;
        }
        // The user holds most of the cluster: pick among the eligible members exactly (both lists are ascending).
        int eligible = CountOutside(members, userItems);
        if (eligible == 0) return -1;
        int target = random.NextInt(eligible);
        int i = 0;
        foreach (int item in members)
        {
            while (i < userItems.Length && userItems[i] < item) i++;
            if (i < userItems.Length && userItems[i] == item) continue;
            if (target-- == 0) return item;
        }
        return -1;
    }

    /// <summary>A uniform item of the catalogue not in <paramref name="userItems"/>, or −1 when the user has them all.</summary>
    private int DrawGlobal(ReadOnlySpan<int> userItems, ref EmbeddingRandom random)
    {
        int count = _clustering.ItemCount;
        if (userItems.Length >= count) return -1;
        for (int t = 0; t < Attempts; t++)
        {
            int item = random.NextInt(count);
            if (userItems.BinarySearch(item) < 0) return item;
        }
        // The k-th item outside the (ascending, distinct) user items.
        int target = random.NextInt(count - userItems.Length);
        int candidate = target;
        foreach (int owned in userItems)
        {
            if (owned <= candidate) candidate++;
            else break;
        }
        return candidate;
    }

    private static int CountOutside(ReadOnlySpan<int> members, ReadOnlySpan<int> userItems)
    {
        int inside = 0, i = 0;
        foreach (int item in members)
        {
            while (i < userItems.Length && userItems[i] < item) i++;
            if (i < userItems.Length && userItems[i] == item) inside++;
        }
        return members.Length - inside;
    }
}
