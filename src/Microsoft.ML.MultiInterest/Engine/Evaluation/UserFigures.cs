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
internal sealed record UserFigures(IReadOnlyList<int> Users, int[] Cutoffs, double[] Recall, double[] Ndcg, double[] Diversity, int MissedUsers)
{
    /// <summary>Paired differences of every figure, this row minus <paramref name="baseline"/>, per cutoff.</summary>
    /// <exception cref="ArgumentException">The rows were not scored on the same users, cutoffs and missed users.</exception>
    public PairedComparison Against(UserFigures baseline)
    {
        if (!Cutoffs.AsSpan().SequenceEqual(baseline.Cutoffs))
            throw new ArgumentException($"The rows were scored at different cutoffs ({string.Join(", ", Cutoffs)} and {string.Join(", ", baseline.Cutoffs)}).", nameof(baseline));
        if (MissedUsers != baseline.MissedUsers || !(ReferenceEquals(Users, baseline.Users) || Users.SequenceEqual(baseline.Users)))
            throw new ArgumentException("The rows were not scored on the same users: a paired comparison needs both rows' figures for every user.", nameof(baseline));
        int stride = Cutoffs.Length;
        Dictionary<int, PairedDifference> Column(double[] mine, double[] theirs, int zeroUsers) =>
            Cutoffs.Select((k, c) => (k, c)).ToDictionary(p => p.k, p => PairedDifference.Of(mine, theirs, stride, p.c, zeroUsers));
        // Missed users have no list in either row: 0 in both rows' Recall and NDCG (so a difference of 0), in neither's Diversity.
        return new PairedComparison(Column(Recall, baseline.Recall, MissedUsers), Column(Ndcg, baseline.Ndcg, MissedUsers), Column(Diversity, baseline.Diversity, 0));
    }
}
