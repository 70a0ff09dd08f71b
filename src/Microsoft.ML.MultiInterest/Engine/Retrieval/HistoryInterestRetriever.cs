namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// History-interest MMR: MMR whose pool and interest term come from the user's own interests
/// (<see cref="HistoryInterests"/>). An item's relevance is its best score over the user's vector and its interests'
/// vectors, <c>max(⟨u, i⟩, max_c ⟨x_c, i⟩)</c>, so an item close to a minor interest the single vector underrates can
/// enter the pool; the pool (the top N by that score) is re-ranked by
/// <see cref="MmrRetriever.Rerank(RankedLists, int, double, int, InterestProportionality, int)"/>'s rule with the PM-2
/// proportionality term over the interests, each pool item counted for the interest whose vector scores it highest and
/// each interest weighted by its share of the history. With lambda = 1 and nu = 0 the list is the ranking by that
/// best score. The pool is exact by default; <see cref="HistoryPoolOptions"/> can have the interests search an inverted
/// file over the items instead (<see cref="HistoryPoolSearch.Clustered"/>), built once here, or search nothing
/// (<see cref="HistoryPoolSearch.Unimodal"/>: the pool is the user vector's own list, which the interests only re-rank).
/// Thread-safe; the result does not depend on the threads.
/// </summary>
public sealed class HistoryInterestRetriever
{
    private readonly UnimodalRetriever _search;
    private readonly MmrRetriever _mmr;
    private readonly EmbeddingMatrix _items;
    private readonly HistoryPoolOptions _pool;
    private readonly HistoryPoolIndex? _index;

    /// <summary>Creates a retriever over <paramref name="items"/>.</summary>
    /// <param name="items">The item vectors.</param>
    /// <param name="pool">How the pool is searched; null = exact (<see cref="HistoryPoolDefaults"/>). A clustered search
    /// builds its lists here, once.</param>
    /// <exception cref="ArgumentOutOfRangeException">A pool option is out of range (<see cref="HistoryPoolOptions.Validate"/>).</exception>
    public HistoryInterestRetriever(EmbeddingMatrix items, HistoryPoolOptions? pool = null)
        : this(items, pool, search: null, mmr: null)
    {
    }

    /// <summary>
    /// As the public constructor, sharing a caller's exact search and MMR over the same <paramref name="items"/> (each
    /// holds its own copy of the item table: 126 MB apiece for Gowalla at d = 768); null builds them.
    /// </summary>
    /// <param name="items">The item vectors.</param>
    /// <param name="pool">How the pool is searched; null = exact.</param>
    /// <param name="search">The caller's exact search over <paramref name="items"/>, or null.</param>
    /// <param name="mmr">The caller's MMR over <paramref name="items"/>, or null.</param>
    /// <param name="index">
    /// The clustered pool's lists built before over <paramref name="items"/> (those of a model whose items were extended
    /// between two fits, <see cref="HistoryPoolIndex.WithItems"/>); null builds them.
    /// </param>
    /// <param name="skipZeroRows">
    /// Whether the search and lists built here leave zero rows out (<see cref="ZeroItems"/>); false for a table whose every row
    /// is an item (<see cref="UnimodalRetriever(EmbeddingMatrix, bool)"/>).
    /// </param>
    internal HistoryInterestRetriever(EmbeddingMatrix items, HistoryPoolOptions? pool, UnimodalRetriever? search, MmrRetriever? mmr, HistoryPoolIndex? index = null,
        bool skipZeroRows = true)
    {
        ArgumentNullException.ThrowIfNull(items);
        pool?.Validate();
        _search = search ?? new UnimodalRetriever(items, skipZeroRows);
        _mmr = mmr ?? new MmrRetriever(items);
        _items = items;
        _pool = pool?.Clone() ?? new HistoryPoolOptions();
        if (index != null && index.Items != items.Rows)
            throw new ArgumentException($"The pool's lists index {index.Items} items; there are {items.Rows}.", nameof(index));
        if (_pool.Search == HistoryPoolSearch.Clustered) _index = index ?? new HistoryPoolIndex(items, _pool, skipZeroRows);
    }

    /// <summary>The pool search's options (a copy).</summary>
    public HistoryPoolOptions PoolOptions => _pool.Clone();

    /// <summary>Inverted lists of the clustered pool search (0 for the exact search).</summary>
    public int PoolLists => _index?.Lists ?? 0;

    /// <summary>The clustered pool's index (null for the exact search), for reports.</summary>
    internal HistoryPoolIndex? PoolIndex => _index;

    /// <summary>Retrieves <paramref name="candidates"/> items for each user of <paramref name="interests"/>.</summary>
    /// <param name="userEmbeddings">The users' own vectors (rows of the training graph).</param>
    /// <param name="interests">The users' history interests; its users are the lists' users, in order.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned (the training graph).</param>
    /// <param name="candidates">M, the list length, at least 1.</param>
    /// <param name="lambda">MMR relevance weight in [0, 1].</param>
    /// <param name="interestWeight">nu ≥ 0, the weight of the proportionality term (0 = MMR on the best-score pool).</param>
    /// <param name="poolSize">How many best-scoring items are re-ranked, at least 1.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="userLists">
    /// Optional: each user's own ranking by its vector alone (at least <paramref name="poolSize"/> long, or all its unseen
    /// items; same users, order and exclusions), e.g. <see cref="UnimodalRetriever"/>'s, reused instead of searched again.
    /// Without them the user's vector is searched exactly, or, by a clustered pool search with
    /// <see cref="HistoryPoolOptions.UserProbes"/> above 0, through its lists with the interests.
    /// </param>
    /// <returns>One list per entry of <paramref name="interests"/>, at most <paramref name="candidates"/> items each, best first.</returns>
    public RankedLists Retrieve(EmbeddingMatrix userEmbeddings, HistoryInterests interests, BipartiteGraph? exclusions, int candidates,
        double lambda = HistoryInterestDefaults.MmrLambda, double interestWeight = HistoryInterestDefaults.InterestWeight,
        int poolSize = MmrRetrieverDefaults.PoolSize, int threads = 0, RankedLists? userLists = null) =>
        RetrieveWithHistoryLists(userEmbeddings, interests, exclusions, candidates, lambda, interestWeight, poolSize, threads, userLists, historyLists: null);

    /// <summary>
    /// As <see cref="Retrieve"/>,
    /// with <paramref name="historyLists"/> the graph whose items of each user pick a clustered pool's history lists
    /// (<see cref="HistoryPoolOptions.HistoryLists"/>; null for <paramref name="exclusions"/>): items a request excludes without
    /// their being the user's history must not widen the search.
    /// </summary>
    internal RankedLists RetrieveWithHistoryLists(EmbeddingMatrix userEmbeddings, HistoryInterests interests, BipartiteGraph? exclusions, int candidates,
        double lambda, double interestWeight, int poolSize, int threads, RankedLists? userLists, BipartiteGraph? historyLists)
    {
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(interests);
        if (!double.IsFinite(interestWeight) || interestWeight < 0)
            throw new ArgumentOutOfRangeException(nameof(interestWeight), interestWeight, "The interest weight (nu) must be finite and non-negative.");
        RetrievalLimits.Check(poolSize, nameof(poolSize), "PoolSize");
        // The re-ranking lists at most its pool: a smaller pool would return lists of the pool's length, short of M without a word.
        if (poolSize < candidates)
            throw new ArgumentOutOfRangeException(nameof(poolSize), poolSize, $"PoolSize ({poolSize}) is below Candidates (M = {candidates}): the lists would hold "
                + $"{poolSize} items. Use a pool of at least M.");
        if (interests.Dimension != _items.Dimension)
            throw new ArgumentException($"The interests have dimension {interests.Dimension}, the items {_items.Dimension}.", nameof(interests));
        if (userLists != null && userLists.QueryCount != interests.Users.Count)
            throw new ArgumentException($"There are {userLists.QueryCount} user lists for {interests.Users.Count} users.", nameof(userLists));
        if (userLists != null && userLists.Capacity < poolSize)
            throw new ArgumentException($"The user lists hold {userLists.Capacity} items, fewer than the pool's {poolSize}.", nameof(userLists));
        var (pool, term) = Pool(userEmbeddings, interests, exclusions, poolSize, interestWeight, threads, userLists, historyLists: historyLists);
        return Rerank(pool, term, candidates, lambda, poolSize, threads);
    }

    /// <summary>
    /// MMR over a pool from <see cref="Pool"/>: what <see cref="Retrieve"/> returns for that lambda. The pool does not depend
    /// on lambda, so a sweep over lambdas searches once and re-ranks many times.
    /// </summary>
    internal RankedLists Rerank(RankedLists pool, HistoryInterestTerm term, int candidates, double lambda, int poolSize, int threads) =>
        _mmr.Rerank(pool, candidates, lambda, poolSize, term, threads);

    /// <summary>As <see cref="Rerank"/> for several lambdas at once, sharing each pool's pairwise cosines (<see cref="MmrRetriever"/>).</summary>
    internal RankedLists[] RerankMany(RankedLists pool, HistoryInterestTerm term, int candidates, IReadOnlyList<double> lambdas, int poolSize, int threads) =>
        _mmr.RerankMany(pool, candidates, lambdas, poolSize, term, threads);

    /// <summary>
    /// Each user's top <paramref name="poolSize"/> items by best score, and the item-to-interest assignment. Exact: an
    /// item among a user's top N by the maximum over its vectors is among the top N of the vector attaining that maximum,
    /// so the union of the vectors' own top-N lists, re-scored by the maximum, holds the pool. The clustered search finds
    /// each interest's top N (and with <see cref="HistoryPoolOptions.UserProbes"/>, unless <paramref name="userLists"/> are
    /// given, the user vector's) among the lists it searches only; the union is re-scored the same way. With
    /// <paramref name="search"/> = <see cref="HistoryPoolSearch.Unimodal"/> (or that pool option) no interest is searched.
    /// </summary>
    internal (RankedLists Pool, HistoryInterestTerm Term) Pool(EmbeddingMatrix userEmbeddings, HistoryInterests interests,
        BipartiteGraph? exclusions, int poolSize, double interestWeight, int threads, RankedLists? userLists = null, HistoryPoolSearch? search = null,
        BipartiteGraph? historyLists = null)
    {
        int d = _items.Dimension, count = interests.Users.Count;
        if (userEmbeddings.Dimension != d)
            throw new ArgumentException($"User embeddings have dimension {userEmbeddings.Dimension}, items {d}.", nameof(userEmbeddings));
        foreach (int u in interests.Users)
        {
            if ((uint)u >= (uint)userEmbeddings.Rows) throw new ArgumentOutOfRangeException(nameof(interests), $"Unknown user row {u}: there are {userEmbeddings.Rows} users.");
            if (exclusions != null && u >= exclusions.UserCount) throw new ArgumentOutOfRangeException(nameof(interests), $"User row {u} is not in the exclusion graph.");
        }
        userEmbeddings.ThrowIfNotFinite("user embeddings", interests.Users);
        if (_index != null && exclusions != null && exclusions.ItemCount != _items.Rows)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items, the retriever {_items.Rows}.", nameof(exclusions));
        // Interest vectors one after another, user by user: the interests' own matrix. The users' own lists are exact and
        // separate (searched or given), unless the clustered search probes for them too (UserProbes, no lists given): each
        // own vector then comes first in its user's rows, searched in the same pass over the lists as its interests.
        bool searchInterests = (search ?? _pool.Search) != HistoryPoolSearch.Unimodal;
        int lead = searchInterests && _index != null && userLists == null && _index.UserProbes > 0 ? 1 : 0;
        var (interestQueries, firstInterest) = lead == 0 ? (interests.Matrix, interests.FirstInterests) : WithOwnVectors(userEmbeddings, interests);
        var owners = new int[interestQueries.Rows];
        for (int q = 0; q < count; q++) owners.AsSpan(firstInterest[q], firstInterest[q + 1] - firstInterest[q]).Fill(interests.Users[q]);
        var own = lead == 1 ? null : userLists ?? _search.Retrieve(userEmbeddings, interests.Users, exclusions, poolSize, threads);
        // The Unimodal pool searches no interest: every interest's list is empty, so the union is the user's own list.
        var lists = !searchInterests ? new RankedLists(interestQueries.Rows, poolSize)
            : _index == null ? _search.RetrieveQueries(interestQueries, owners, exclusions, poolSize, threads)
            : _index.Search(interestQueries, firstInterest, interests.Users, exclusions, poolSize, threads, userLead: lead == 1, historyLists: historyLists);
        return MergeLists(userEmbeddings, interests, own, lists, interestQueries, firstInterest, lead, poolSize, interestWeight, threads);
    }

    /// <summary>
    /// The pool from each user's own top-N list and its interests' top-N lists, found elsewhere (ONNX Runtime's, proved equal
    /// to the engine's searches): their union re-scored by the best of the user's vectors, as <see cref="Pool"/> builds it.
    /// </summary>
    /// <param name="userEmbeddings">The users' own vectors.</param>
    /// <param name="interests">The users' interests (their users are the pool's, in order).</param>
    /// <param name="own">Each user's own top-N list (one per user of <paramref name="interests"/>).</param>
    /// <param name="interestLists">Each interest's top-N list, user by user, interests in order (<see cref="HistoryInterests.Vectors"/>).</param>
    /// <param name="poolSize">N.</param>
    /// <param name="interestWeight">nu.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    internal (RankedLists Pool, HistoryInterestTerm Term) MergePool(EmbeddingMatrix userEmbeddings, HistoryInterests interests, RankedLists own, RankedLists interestLists,
        int poolSize, double interestWeight, int threads)
    {
        int count = interests.Users.Count, total = interests.FirstInterests[count];
        if (own.QueryCount != count || interestLists.QueryCount != total)
            throw new ArgumentException($"{own.QueryCount} own lists and {interestLists.QueryCount} interest lists for {count} users with {total} interests.");
        return MergeLists(userEmbeddings, interests, own, interestLists, interests.Matrix, interests.FirstInterests, 0, poolSize, interestWeight, threads);
    }

    /// <summary>
    /// The interest each of <paramref name="items"/> is counted for by entry <paramref name="query"/>'s proportionality term
    /// (<see cref="HistoryInterestTerm"/>): the interest whose vector scores the item highest, the first of equal best scores,
    /// with the same kernel the pool's merge scores with; -1 for every item of an entry without interests. An item of the
    /// entry's pool gets the interest the pool assigned it, whichever vector (the user's own or an interest's) put it there.
    /// </summary>
    internal int[] InterestsOf(HistoryInterests interests, int query, ReadOnlySpan<int> items)
    {
        ArgumentNullException.ThrowIfNull(interests);
        int n = items.Length, d = interests.Dimension, count = interests.InterestCount(query);
        var interestOf = new int[n];
        Array.Fill(interestOf, -1);
        if (count == 0 || n == 0) return interestOf;
        var best = new float[n];
        var scores = new float[n];
        Array.Fill(best, float.NegativeInfinity);
        var vectors = interests.Vectors(query);
        for (int j = 0; j < count; j++)
        {
            _items.DotRows(vectors.Slice(j * d, d), items, scores);
            for (int r = 0; r < n; r++)
                if (scores[r] > best[r]) (best[r], interestOf[r]) = (scores[r], j);
        }
        return interestOf;
    }

    /// <summary>Each user's own vector followed by its interests' (the clustered search's rows when the user probes too), and each user's first row.</summary>
    private static (EmbeddingMatrix Queries, int[] FirstRow) WithOwnVectors(EmbeddingMatrix userEmbeddings, HistoryInterests interests)
    {
        int count = interests.Users.Count, d = interests.Dimension;
        var firstRow = new int[count + 1];
        for (int q = 0; q < count; q++) firstRow[q + 1] = firstRow[q] + 1 + interests.InterestCount(q);
        var queries = new EmbeddingMatrix(firstRow[count], d);
        for (int q = 0; q < count; q++)
        {
            userEmbeddings.ReadRow(interests.Users[q]).CopyTo(queries.Row(firstRow[q]));
            interests.Vectors(q).CopyTo(queries.Values.AsSpan((firstRow[q] + 1) * d, interests.InterestCount(q) * d));
        }
        return (queries, firstRow);
    }

    private (RankedLists Pool, HistoryInterestTerm Term) MergeLists(EmbeddingMatrix userEmbeddings, HistoryInterests interests, RankedLists? own, RankedLists lists,
        EmbeddingMatrix interestQueries, int[] firstInterest, int lead, int poolSize, double interestWeight, int threads)
    {
        int count = interests.Users.Count;
        var pool = new RankedLists(count, poolSize);
        var assignment = new int[count * poolSize];
        Parallel.For(0, count, Parallelism.Options(threads), () => new Merge(poolSize * (1 + interests.MaxInterests)), (q, _, m) =>
        {
            var ownList = own == null ? lists.IndicesOf(firstInterest[q]) : own.IndicesOf(q);
            MergeOne(userEmbeddings.ReadRow(interests.Users[q]), ownList, interestQueries, lists, firstInterest[q] + lead, firstInterest[q + 1], q, pool,
                assignment.AsSpan(q * poolSize, poolSize), m);
            return m;
        }, _ => { });
        return (pool, new HistoryInterestTerm(interests, assignment, poolSize, interestWeight));
    }

    private void MergeOne(ReadOnlySpan<float> userVector, ReadOnlySpan<int> ownList, EmbeddingMatrix interestQueries, RankedLists lists,
        int from, int to, int q, RankedLists pool, Span<int> assignment, Merge m)
    {
        int n = 0;
        foreach (int item in ownList[..Math.Min(ownList.Length, pool.Capacity)]) m.Items[n++] = item;
        for (int j = from; j < to; j++)
            foreach (int item in lists.IndicesOf(j)) m.Items[n++] = item;
        Array.Sort(m.Items, 0, n);
        int distinct = 0;
        for (int r = 0; r < n; r++)
            if (distinct == 0 || m.Items[distinct - 1] != m.Items[r]) m.Items[distinct++] = m.Items[r];
        // Best score over every vector of the user (not only those whose list held the item), and the best interest: each
        // vector scores the whole list at once, the interests in order, so the first of equal best scores wins.
        var merged = m.Items.AsSpan(0, distinct);
        var scores = m.Scores.AsSpan(0, distinct);
        var bestInterest = m.BestInterest.AsSpan(0, distinct);
        var interestOf = m.Interest.AsSpan(0, distinct);
        var vectorScores = m.VectorScores.AsSpan(0, distinct);
        _items.DotRows(userVector, merged, scores);
        bestInterest.Fill(float.NegativeInfinity);
        interestOf.Fill(-1);
        for (int j = from; j < to; j++)
        {
            _items.DotRows(interestQueries.ReadRow(j), merged, vectorScores);
            for (int r = 0; r < distinct; r++)
                if (vectorScores[r] > bestInterest[r]) (bestInterest[r], interestOf[r]) = (vectorScores[r], j - from);
        }
        for (int r = 0; r < distinct; r++)
        {
            scores[r] = Math.Max(scores[r], bestInterest[r]);
            m.Order[r] = r;
        }
        // Descending score; equal scores to the lower item row (the items are sorted by row).
        Array.Sort(m.Order, 0, distinct, m.ByScore);
        int kept = Math.Min(distinct, pool.Capacity);
        var outItems = pool.IndexSlots(q);
        var outScores = pool.ScoreSlots(q);
        for (int r = 0; r < kept; r++)
        {
            int at = m.Order[r];
            outItems[r] = m.Items[at];
            outScores[r] = m.Scores[at];
            assignment[r] = m.Interest[at];
        }
        pool.Counts[q] = kept;
    }

    private sealed class Merge
    {
        public Merge(int size)
        {
            Items = new int[size];
            Scores = new float[size];
            Interest = new int[size];
            BestInterest = new float[size];
            VectorScores = new float[size];
            Order = new int[size];
            ByScore = new DescendingScore(Scores);
        }

        public int[] Items { get; }
        public float[] Scores { get; }
        public int[] Interest { get; }
        public float[] BestInterest { get; }
        public float[] VectorScores { get; }
        public int[] Order { get; }

        /// <summary>Orders positions by descending <see cref="Scores"/>, equal scores by position (one per scratch, not per user).</summary>
        public IComparer<int> ByScore { get; }
    }

    private sealed class DescendingScore(float[] scores) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            int c = scores[b].CompareTo(scores[a]);
            return c != 0 ? c : a.CompareTo(b);
        }
    }
}

/// <summary>The proportionality term over history interests: each pool item's interest was fixed when the pool was built.</summary>
internal sealed class HistoryInterestTerm(HistoryInterests interests, int[] assignment, int poolSize, double weight) : IInterestTerm
{
    public double Weight { get; } = weight;

    public int MaxComponents => interests.MaxInterests;

    public int Assign(int query, ReadOnlySpan<int> items, Span<int> component)
    {
        assignment.AsSpan(query * poolSize, items.Length).CopyTo(component);
        return interests.InterestCount(query);
    }

    public ReadOnlySpan<double> Weights(int query) => interests.Weights(query);

    /// <summary>Each entry's interest per pool slot (-1: none), <see cref="PoolSize"/> slots per entry, entry after entry.</summary>
    internal ReadOnlySpan<int> Assignment => assignment;

    /// <summary>The pool slots per entry the assignment holds.</summary>
    internal int PoolSize => poolSize;
}
