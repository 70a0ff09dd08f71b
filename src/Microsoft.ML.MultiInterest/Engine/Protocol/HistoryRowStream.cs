namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The protocol's history-interest MMR row, block of test users by block: each block's interests are read, its pools
/// searched, its lists re-ranked and its goodness of fit measured while its interest vectors exist, and then the vectors are
/// let go. The stage so holds one block's vectors (MaxInterests x d floats per user) instead of every test user's: 0.5 GB
/// on Gowalla's 29,858 users at d = 768. Every step reads one user's history, vectors and lists alone, so the lists, pools,
/// interest terms and fits are those of one pass over all users, bit for bit, whatever the block size.
/// </summary>
internal sealed class HistoryRowStream
{
    private HistoryRowStream(RankedLists lists, IReadOnlyDictionary<int, (RankedLists Pool, HistoryInterestTerm Term)> pools, HistoryInterests interests, double[] fits)
    {
        Lists = lists;
        Pools = pools;
        Interests = interests;
        Fits = fits;
    }

    /// <summary>The row's lists, one per test user, as long as the largest cutoff.</summary>
    public RankedLists Lists { get; }

    /// <summary>The pools kept for later sweeps (the frontier's), by size, with their interest terms over <see cref="Interests"/>.</summary>
    public IReadOnlyDictionary<int, (RankedLists Pool, HistoryInterestTerm Term)> Pools { get; }

    /// <summary>Every test user's interests, counts and weights only (<see cref="HistoryInterests.WeightsOnly"/>), with the options they were read with.</summary>
    public HistoryInterests Interests { get; }

    /// <summary>Each test user's goodness of fit (<see cref="ProtocolScorer.FitHistoryInterests"/>), in test-user order.</summary>
    public double[] Fits { get; }

    /// <summary>Runs the row over <paramref name="testUsers"/>.</summary>
    /// <param name="retriever">The row's retriever (its pool search).</param>
    /// <param name="scorer">Measures each block's goodness of fit; its test users are <paramref name="testUsers"/>.</param>
    /// <param name="train">The training graph: the histories, and the items excluded from the lists.</param>
    /// <param name="itemEmbeddings">The item vectors.</param>
    /// <param name="userEmbeddings">The users' own vectors.</param>
    /// <param name="testUsers">The users, in the scorer's order.</param>
    /// <param name="row">The row's settings.</param>
    /// <param name="ownLists">The users' own ranked lists, aligned with <paramref name="testUsers"/>, or null to search them (<see cref="ProtocolEvaluator.OwnLists"/>).</param>
    /// <param name="searchedPool">The pool searched for the row (its first <paramref name="rowPool"/> entries are re-ranked).</param>
    /// <param name="rowPool">The pool the row re-ranks.</param>
    /// <param name="candidates">The lists' length.</param>
    /// <param name="keptPools">
    /// Pool sizes kept whole for later sweeps: <paramref name="searchedPool"/> is kept as searched, any other size is
    /// searched for it (as a pool the row's search cannot share, <see cref="HistoryPoolSearch.Unimodal"/>'s).
    /// </param>
    /// <param name="blockUsers">Users per block, at least 1.</param>
    /// <param name="threads">Degree of parallelism; the results do not depend on it.</param>
    public static HistoryRowStream Run(HistoryInterestRetriever retriever, ProtocolScorer scorer, BipartiteGraph train, EmbeddingMatrix itemEmbeddings,
        EmbeddingMatrix userEmbeddings, int[] testUsers, HistoryMmrRowSettings row, RankedLists? ownLists, int searchedPool, int rowPool, int candidates,
        IReadOnlyCollection<int> keptPools, int blockUsers, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockUsers, 1);
        int users = testUsers.Length;
        var builder = HistoryInterests.BuilderFor(train, itemEmbeddings, testUsers, row.Interests, threads, userEmbeddings);
        var lists = new RankedLists(users, candidates);
        var fits = new double[users];
        var counts = new int[users];
        var weights = new List<double>();
        var kept = keptPools.Distinct().ToDictionary(size => size, size => (Pool: new RankedLists(users, size), Assignment: new int[users * size]));
        for (int start = 0; start < users; start += blockUsers)
        {
            int count = Math.Min(blockUsers, users - start);
            var blockUsersList = new ArraySegment<int>(testUsers, start, count);
            var interests = builder.Build(train, blockUsersList, threads, userEmbeddings);
            var own = ownLists?.Rows(start, count);
            var (pool, term) = retriever.Pool(userEmbeddings, interests, train, searchedPool, row.InterestWeight, threads, own);
            retriever.Rerank(pool, term, candidates, row.MmrLambda, rowPool, threads).CopyRowsTo(lists, start);
            foreach (var (size, whole) in kept)
            {
                var (keptPool, keptTerm) = size == searchedPool ? (pool, term)
                    : retriever.Pool(userEmbeddings, interests, train, size, row.InterestWeight, threads, own);
                keptPool.CopyRowsTo(whole.Pool, start);
                keptTerm.Assignment.CopyTo(whole.Assignment.AsSpan(start * size));
            }
            scorer.FitHistoryInterests(interests, start, fits);
            for (int q = 0; q < count; q++)
            {
                counts[start + q] = interests.InterestCount(q);
                foreach (double weight in interests.Weights(q)) weights.Add(weight);
            }
        }
        var lean = HistoryInterests.WeightsOnly(testUsers, builder.Options.MaxInterests, itemEmbeddings.Dimension, counts, weights.ToArray(), builder.Options);
        var pools = kept.ToDictionary(p => p.Key, p => (p.Value.Pool, new HistoryInterestTerm(lean, p.Value.Assignment, p.Key, row.InterestWeight)));
        return new HistoryRowStream(lists, pools, lean, fits);
    }
}
