namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of the protocol's history-interest MMR row (<c>history_mmr</c>, <see cref="HistoryInterestRetriever"/>): each
/// user's interests from its own history, the best score over its vectors as relevance, MMR with the proportionality
/// term over those interests.
/// </summary>
public sealed class HistoryMmrRowSettings
{
    /// <summary>How the interests are read (fold-in objective, items per interest, most interests).</summary>
    public HistoryInterestOptions Interests { get; set; } = new();

    /// <summary>MMR relevance weight in [0, 1]. Default <see cref="HistoryInterestDefaults.MmrLambda"/>.</summary>
    public double MmrLambda { get; set; } = HistoryInterestDefaults.MmrLambda;

    /// <summary>nu ≥ 0, the proportionality term's weight. Default <see cref="HistoryInterestDefaults.InterestWeight"/>.</summary>
    public double InterestWeight { get; set; } = HistoryInterestDefaults.InterestWeight;

    /// <summary>
    /// Re-order the row's own top M instead of re-ranking a wider pool: the pool is then as long as the list (the M items
    /// with the best score over the user's vectors), so MMR only changes their order, the list keeps that ranking's recall at
    /// M and the head gets more diverse. False (the default) re-ranks the protocol's MMR pool
    /// (<see cref="ProtocolSettings.MmrPoolSize"/>). <see cref="HistoryMmrLambdaSelection"/> chooses it with the lambda.
    /// </summary>
    public bool Reorder { get; set; }

    /// <summary>The pool a list of <paramref name="candidates"/> re-ranks: the list's own length when re-ordering, else <paramref name="pool"/>.</summary>
    /// <param name="candidates">The list length M.</param>
    /// <param name="pool">The pool size when not re-ordering.</param>
    /// <returns>The pool size.</returns>
    public int PoolFor(int candidates, int pool) => PoolFor(Reorder, candidates, pool);

    /// <summary>The one rule: re-ordering re-ranks a pool as long as the list (<see cref="HistoryMmrLambdaChoice.PoolFor"/> too).</summary>
    internal static int PoolFor(bool reorder, int candidates, int pool) => reorder ? candidates : pool;

    /// <summary>How each user's pool is searched: exact (the default) or by an inverted file over the items.</summary>
    public HistoryPoolOptions Pool { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Interests, nameof(Interests));
        Interests.Validate();
        ArgumentNullException.ThrowIfNull(Pool, nameof(Pool));
        Pool.Validate();
        if (!(MmrLambda >= 0 && MmrLambda <= 1)) throw new ArgumentOutOfRangeException(nameof(MmrLambda), MmrLambda, "MmrLambda of the history_mmr row must lie in [0, 1].");
        if (!double.IsFinite(InterestWeight) || InterestWeight < 0) throw new ArgumentOutOfRangeException(nameof(InterestWeight), InterestWeight, "InterestWeight (nu) of the history_mmr row must be finite and non-negative.");
    }
}
