namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The single-vector baseline: for each user, the top M items by dot(u, i) over the whole catalogue,
/// excluding the user's training items; equal scores go to the lower item row. An item row of zeros holds no item (a key
/// without edges in a table spread back to a key range, <see cref="KeyedEmbeddings.ToDense"/>) and is never listed, as the
/// ML.NET stages and the ONNX graphs never list it (<see cref="ZeroItems"/>). Exact brute force, blocks of users
/// against packed panels of items (<see cref="TiledTopKSearch"/>). Thread-safe.
/// </summary>
public sealed class UnimodalRetriever
{
    private readonly TiledTopKSearch _search;

    /// <summary>Per item, whether its row is zero (no item behind it); null when none is.</summary>
    private readonly bool[]? _absent;

    /// <summary>Creates a retriever over <paramref name="items"/> (packed into a copy; the matrix is not kept).</summary>
    /// <param name="items">One row per item; all-zero rows are never retrieved.</param>
    public UnimodalRetriever(EmbeddingMatrix items)
        : this(items, skipZeroRows: true)
    {
    }

    /// <summary>
    /// As the public constructor; <paramref name="skipZeroRows"/> false lists a zero row as any item, for a table whose every
    /// row is an item (an ML.NET stage's fitted items, where a vector given from elsewhere may be zero; an ONNX directory's,
    /// whose rows without an item the caller excludes by its mask).
    /// </summary>
    internal UnimodalRetriever(EmbeddingMatrix items, bool skipZeroRows)
    {
        ArgumentNullException.ThrowIfNull(items);
        items.ThrowIfNotFinite("item embeddings");
        _search = new TiledTopKSearch(items);
        _absent = skipZeroRows ? ZeroItems.Flags(items) : null;
    }

    /// <summary>Retrieves the top <paramref name="candidates"/> items for each user in <paramref name="users"/>.</summary>
    /// <param name="userEmbeddings">User vectors, one row per user index.</param>
    /// <param name="users">The users (rows of <paramref name="userEmbeddings"/>) to serve.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned.</param>
    /// <param name="candidates">M, the list length.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One list per entry of <paramref name="users"/>.</returns>
    public RankedLists Retrieve(EmbeddingMatrix userEmbeddings, IReadOnlyList<int> users, BipartiteGraph? exclusions, int candidates, int threads = 0)
    {
        Check(userEmbeddings, users, exclusions, candidates);
        return Search(userEmbeddings, users, users, exclusions, candidates, threads);
    }

    /// <summary>
    /// What <see cref="Retrieve"/> checks of its arguments, without the search: a quota-style retrieval that searches its
    /// fallback only for the users whose lists come out short refuses a request the same whichever users those are.
    /// </summary>
    internal void Check(EmbeddingMatrix userEmbeddings, IReadOnlyList<int> users, BipartiteGraph? exclusions, int candidates)
    {
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(users);
        RetrievalLimits.Check(candidates, nameof(candidates), "Candidates (M)");
        if (userEmbeddings.Dimension != _search.Dimension)
            throw new ArgumentException($"User embeddings have dimension {userEmbeddings.Dimension}, items {_search.Dimension}.", nameof(userEmbeddings));
        if (exclusions != null && exclusions.ItemCount != _search.Rows)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items, the retriever {_search.Rows}.", nameof(exclusions));
        foreach (int u in users)
        {
            if ((uint)u >= (uint)userEmbeddings.Rows) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {userEmbeddings.Rows} users.");
            if (exclusions != null && u >= exclusions.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} is not in the exclusion graph.");
        }
        userEmbeddings.ThrowIfNotFinite("user embeddings", users);
    }

    /// <summary>
    /// The top <paramref name="candidates"/> items of every row of <paramref name="queries"/>, row j excluding the items of
    /// user <paramref name="owners"/>[j] (several queries may share an owner). Inputs are the caller's to check.
    /// </summary>
    internal RankedLists RetrieveQueries(EmbeddingMatrix queries, IReadOnlyList<int> owners, BipartiteGraph? exclusions, int candidates, int threads) =>
        Search(queries, Enumerable.Range(0, queries.Rows).ToArray(), owners, exclusions, candidates, threads);

    /// <summary>
    /// The top <paramref name="candidates"/> items of each user for several rescalings of the items at once: list s ranks
    /// items by <paramref name="itemScales"/>[s][i] x dot(u, i), in one scan (<see cref="TiledTopKSearch.SearchBlockScaled{TFilter}"/>).
    /// Inputs are the caller's to check.
    /// </summary>
    internal RankedLists[] RetrieveScaled(EmbeddingMatrix userEmbeddings, int[] users, BipartiteGraph? exclusions, int candidates, IReadOnlyList<float[]> itemScales,
        int threads)
    {
        var results = itemScales.Select(_ => new RankedLists(users.Length, candidates)).ToArray();
        int blocks = (users.Length + TiledTopKSearch.QueryBlock - 1) / TiledTopKSearch.QueryBlock;
        int d = _search.Dimension, kept = _search.ListLength(candidates), perBlock = Math.Min(TiledTopKSearch.QueryBlock, users.Length);
        Parallel.For(0, blocks, Parallelism.Options(threads),
            () => (Queries: _search.CreateQueryBuffer(perBlock),
                Selectors: itemScales.Select(_ => Enumerable.Range(0, perBlock).Select(_ => new TopKSelector(kept)).ToArray()).ToArray()),
            (block, _, s) =>
            {
                int start = block * TiledTopKSearch.QueryBlock, count = Math.Min(TiledTopKSearch.QueryBlock, users.Length - start);
                for (int j = 0; j < count; j++)
                {
                    userEmbeddings.ReadRow(users[start + j]).CopyTo(s.Queries.AsSpan(j * d, d));
                    foreach (var selectors in s.Selectors) selectors[j].Reset(kept);
                }
                var filter = new UnseenItems(exclusions, users, _absent);
                _search.SearchBlockScaled(s.Queries, count, start, itemScales, s.Selectors, ref filter);
                for (int t = 0; t < results.Length; t++)
                    for (int j = 0; j < count; j++)
                        results[t].Counts[start + j] = s.Selectors[t][j].Drain(results[t].IndexSlots(start + j), results[t].ScoreSlots(start + j));
                return s;
            }, _ => { });
        return results;
    }

    private RankedLists Search(EmbeddingMatrix vectors, IReadOnlyList<int> rows, IReadOnlyList<int> owners, BipartiteGraph? exclusions, int candidates, int threads)
    {
        // An array, so that the filter, asked for every candidate, indexes it directly.
        var ownerRows = owners as int[] ?? owners.ToArray();
        var result = new RankedLists(rows.Count, candidates);
        int blocks = (rows.Count + TiledTopKSearch.QueryBlock - 1) / TiledTopKSearch.QueryBlock;
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, blocks, parallel, () => new SearchBlockScratch(_search, candidates, rows.Count), (block, _, s) =>
        {
            int start = block * TiledTopKSearch.QueryBlock;
            SearchBlock(vectors, rows, ownerRows, exclusions, start, Math.Min(TiledTopKSearch.QueryBlock, rows.Count - start), result, s);
            return s;
        }, _ => { });
        return result;
    }

    private void SearchBlock(EmbeddingMatrix vectors, IReadOnlyList<int> rows, int[] owners, BipartiteGraph? exclusions, int start, int count, RankedLists result, SearchBlockScratch s)
    {
        int d = _search.Dimension;
        for (int j = 0; j < count; j++)
        {
            vectors.ReadRow(rows[start + j]).CopyTo(s.Queries.AsSpan(j * d, d));
            s.Selectors[j].Reset(_search.ListLength(result.Capacity));
        }
        var filter = new UnseenItems(exclusions, owners, _absent);
        _search.SearchBlock(s.Queries, count, start, s.Selectors, ref filter, s.Candidates);
        for (int j = 0; j < count; j++)
            result.Counts[start + j] = s.Selectors[j].Drain(result.IndexSlots(start + j), result.ScoreSlots(start + j));
    }

    /// <summary>
    /// Keeps a user's training items (a binary search in the user's sorted items) and the rows without an item out of its
    /// list, asked only for scores that could enter.
    /// </summary>
    private readonly struct UnseenItems(BipartiteGraph? exclusions, int[] users, bool[]? absent) : ICandidateFilter
    {
        public bool Accepts(int query, int row) => (absent == null || !absent[row]) && (exclusions == null || !exclusions.Contains(users[query], row));
    }

}
