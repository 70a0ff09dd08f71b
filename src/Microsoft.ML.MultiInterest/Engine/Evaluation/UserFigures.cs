namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A row's per-user figures as <see cref="MetricsScorer"/> computed them (user-major, one value per cutoff), kept so that
/// two rows scored on the same users can be compared user by user (<see cref="PairedComparison"/>).
/// </summary>
/// <param name="Users">The scored users' rows (the protocol's test users, the ML.NET evaluator's user keys - 1), in the tables' order.</param>
/// <param name="Cutoffs">The cutoffs K, ascending: the tables' columns.</param>
/// <param name="Recall">Recall@K per user and cutoff.</param>
/// <param name="Ndcg">NDCG@K per user and cutoff.</param>
/// <param name="Diversity">Diversity@K per user and cutoff.</param>
/// <param name="MissedUsers">Further users with no list, 0 in Recall and NDCG (and in no table).</param>
/// <param name="HeldOut">
/// A fingerprint of what the figures were measured against (<see cref="Fingerprint"/>): each user's held-out items and the
/// unseen ones counted as misses, so that rows scored against another held-out view, or under another unseen rule, are
/// told apart from rows of the same users.
/// </param>
/// <param name="Groups">Each user's activity quartile (<see cref="ActivityQuartiles.Groups"/>), or null when not broken down.</param>
internal sealed record UserFigures(IReadOnlyList<int> Users, int[] Cutoffs, double[] Recall, double[] Ndcg, double[] Diversity, int MissedUsers, ulong HeldOut,
    IReadOnlyList<int>? Groups = null)
{
    /// <summary>Paired differences of every figure, this row minus <paramref name="baseline"/>, per cutoff.</summary>
    /// <exception cref="ArgumentException">The rows were not scored at the same cutoffs, on the same users and held-out items; the message says which differs.</exception>
    public PairedComparison Against(UserFigures baseline)
    {
        if (Why(baseline) is { } reason) throw new ArgumentException($"The two rows cannot be paired user by user: {reason}.", nameof(baseline));
        // Missed users have no list in either row: 0 in both rows' Recall and NDCG (so a difference of 0), in neither's
        // Diversity, and in no activity quartile.
        bool byActivity = Groups != null && baseline.Groups != null && (ReferenceEquals(Groups, baseline.Groups) || Groups.SequenceEqual(baseline.Groups));
        var quartiles = byActivity
            ? Enumerable.Range(0, ActivityQuartiles.Count).Select(g => Compare(baseline, 0, Groups, g, null)).ToList()
            : null;
        return Compare(baseline, MissedUsers, null, 0, quartiles);
    }

    /// <summary>The comparison over the users of <paramref name="group"/> (all with null <paramref name="groups"/>) and <paramref name="zeroUsers"/> missed ones.</summary>
    private PairedComparison Compare(UserFigures baseline, int zeroUsers, IReadOnlyList<int>? groups, int group, IReadOnlyList<PairedComparison>? byActivity)
    {
        int stride = Cutoffs.Length;
        Dictionary<int, PairedDifference> Column(double[] mine, double[] theirs, int zeros) =>
            Cutoffs.Select((k, c) => (k, c)).ToDictionary(p => p.k, p => PairedDifference.Of(mine, theirs, stride, p.c, zeros, groups, group));
        return new PairedComparison(Column(Recall, baseline.Recall, zeroUsers), Column(Ndcg, baseline.Ndcg, zeroUsers), Column(Diversity, baseline.Diversity, 0), byActivity);
    }

    /// <summary>One cutoff's column of <paramref name="table"/> (<see cref="Recall"/>, <see cref="Ndcg"/> or <see cref="Diversity"/>), one value per user.</summary>
    /// <exception cref="ArgumentException">The figures were not scored at <paramref name="k"/>.</exception>
    public double[] At(double[] table, int k)
    {
        int c = Array.IndexOf(Cutoffs, k);
        if (c < 0) throw new ArgumentException($"The figures were scored at {string.Join(", ", Cutoffs)}, not at {k}.", nameof(k));
        var column = new double[Users.Count];
        for (int q = 0; q < column.Length; q++) column[q] = table[q * Cutoffs.Length + c];
        return column;
    }

    /// <summary>What keeps the two rows from pairing, or null when they pair.</summary>
    internal string? Why(UserFigures other)
    {
        if (!Cutoffs.AsSpan().SequenceEqual(other.Cutoffs))
            return $"they were scored at different cutoffs ({string.Join(", ", Cutoffs)} and {string.Join(", ", other.Cutoffs)})";
        if (Users.Count != other.Users.Count) return $"they scored {Users.Count} and {other.Users.Count} users";
        if (!ReferenceEquals(Users, other.Users))
            for (int q = 0; q < Users.Count; q++)
                if (Users[q] != other.Users[q]) return $"they scored different users (position {q}: user rows {Users[q]} and {other.Users[q]})";
        if (MissedUsers != other.MissedUsers)
            return $"they counted {MissedUsers} and {other.MissedUsers} missed users (another held-out view or unseen rule)";
        if (HeldOut != other.HeldOut)
            return "the same users were scored against different held-out items or unseen counts (another held-out view, or Miss against Drop)";
        return null;
    }

    /// <summary>
    /// A 64-bit FNV-1a fingerprint of the scored users' held-out items and of the unseen held-out items counted for each
    /// (what every Recall and NDCG denominator reads), in user order.
    /// </summary>
    public static ulong Fingerprint(IReadOnlyList<int> users, MetricsScorer.HeldOutSource heldOut, Func<int, int> unseenItems)
    {
        ulong hash = 14695981039346656037UL;
        void Mix(int value)
        {
            for (int shift = 0; shift < 32; shift += 8)
                hash = (hash ^ (uint)((value >> shift) & 0xFF)) * 1099511628211UL;
        }
        for (int q = 0; q < users.Count; q++)
        {
            var items = heldOut(q);
            Mix(users[q]);
            Mix(items.Length);
            foreach (int item in items) Mix(item);
            Mix(unseenItems(q));
        }
        return hash;
    }
}
