namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Round-robin KNN retrieval over several vectors per user (methods.md, section 1): for each user component c, fetch the
/// K × C_d nearest item components by dot product (the user's training items excluded); an item's score for c is the sum
/// of its fetched components' scores; items are ranked per component by that score; the final score of item d is
/// <c>max_c w_c / rank_c(d)</c>, and the top K items are returned, each once. Works for learned mixtures
/// (<see cref="MixtureEmbeddingResult.ToMixtureTable"/>, C_d from the model) and for kNN-Embed or Mixture tables (C_d = 1,
/// the item embeddings). An item whose every component is zero is never fetched nor listed: a key without edges in a table
/// spread back to a key range (<see cref="GraphEmbeddingTransformer.Mixture"/> over a wide item key type) has such rows, which
/// would score 0, ahead of every real component of negative score. Thread-safe.
/// </summary>
/// <remarks>
/// Ties: per component, equal sums go to the lower item row (within <see cref="TopKSelector.RelativeTolerance"/>); in
/// the final list, equal scores go to the item whose best component comes first in the mixture (higher weight first),
/// then to the lower item row. An item's best component is the first one reaching its maximum. Every cutoff is its own
/// retrieval, but one search at the largest cutoff serves them all: nearest-neighbour lists are prefix-stable, so the
/// K × C_d nearest components are the first K × C_d of a longer list.
/// </remarks>
public sealed class RoundRobinRetriever
{
    private readonly TiledTopKSearch _search;
    private readonly int _components;

    /// <summary>Per item, whether its every component is zero (no item behind the row); null when there is none.</summary>
    private readonly bool[]? _absent;

    /// <summary>
    /// Merge scratch kept between calls (each about 17 bytes per item): a request of one user would otherwise allocate it
    /// whole. At most <see cref="KeptMergeScratch"/> are kept (their bytes stay with the retriever); a call takes one whose
    /// sizes match, or makes one.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<MergeScratch> _mergeScratch = [];

    /// <summary>How many merge scratches <see cref="_mergeScratch"/> holds (counted apart: the bag's Count locks it whole).</summary>
    private int _keptMergeScratch;

    /// <summary>The most merge scratches kept between calls: the cores, at most 4 (about 68 bytes per item in all).</summary>
    private static readonly int KeptMergeScratch = Math.Min(Environment.ProcessorCount, 4);

    /// <summary>Creates a retriever over item components (packed into a copy).</summary>
    /// <param name="itemComponents">Rows <c>i × C_d + l</c>: component l of item i (for single-vector items, the item embeddings).</param>
    /// <param name="destinationComponents">C_d ≥ 1, components per item.</param>
    public RoundRobinRetriever(EmbeddingMatrix itemComponents, int destinationComponents = 1)
    {
        ArgumentNullException.ThrowIfNull(itemComponents);
        if (destinationComponents < 1) throw new ArgumentOutOfRangeException(nameof(destinationComponents), destinationComponents, "destinationComponents must be at least 1.");
        if (itemComponents.Rows % destinationComponents != 0)
            throw new ArgumentException($"{itemComponents.Rows} item component rows are not a whole number of items with {destinationComponents} components each.", nameof(itemComponents));
        itemComponents.ThrowIfNotFinite("item components");
        _search = new TiledTopKSearch(itemComponents);
        _components = destinationComponents;
        ItemCount = itemComponents.Rows / destinationComponents;
        _absent = ZeroItems.Flags(itemComponents, destinationComponents);
    }

    /// <summary>Number of items.</summary>
    public int ItemCount { get; }

    /// <summary>Retrieves, for each cutoff K, the top K items of every user in <paramref name="users"/>.</summary>
    /// <param name="mixtures">Each user's components (embeddings) and weights; a user without components gets an empty list.</param>
    /// <param name="users">The users to serve.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned.</param>
    /// <param name="cutoffs">The list lengths K (each at least 1).</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One <see cref="RankedLists"/> per cutoff (in the given order), one list per entry of <paramref name="users"/>; scores are <c>w_c / rank_c</c>.</returns>
    public RankedLists[] Retrieve(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, IReadOnlyList<int> cutoffs, int threads = 0) =>
        RetrieveCore(mixtures, users, exclusions, cutoffs, threads, components: null);

    /// <summary>
    /// <see cref="Retrieve(MixtureTable, IReadOnlyList{int}, BipartiteGraph?, IReadOnlyList{int}, int)"/> at one cutoff
    /// <paramref name="k"/>, also writing which user component placed each item: entry q's slot r of the list is
    /// <paramref name="components"/>[q * k + r], the item's best component (the first reaching its <c>max_c w_c / rank_c</c>,
    /// the component the merge ranks it by); -1 after the list's end. The lists are the same.
    /// </summary>
    internal RankedLists RetrieveWithComponents(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, int k, int threads, out int[] components)
    {
        components = new int[checked(users.Count * k)];
        Array.Fill(components, -1);
        return RetrieveCore(mixtures, users, exclusions, [k], threads, components)[0];
    }

    private RankedLists[] RetrieveCore(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, IReadOnlyList<int> cutoffs, int threads, int[]? components)
    {
        ArgumentNullException.ThrowIfNull(mixtures);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (cutoffs.Count == 0) throw new ArgumentException("At least one cutoff is needed.", nameof(cutoffs));
        foreach (int k in cutoffs) RetrievalLimits.Check(k, nameof(cutoffs), "Every cutoff K");
        if (mixtures.Dimension != _search.Dimension)
            throw new ArgumentException($"The mixtures have dimension {mixtures.Dimension}, the item components {_search.Dimension}.", nameof(mixtures));
        // The final selection orders (component, item) pairs by one index, component × items + item.
        if ((long)mixtures.MaxComponents * ItemCount > int.MaxValue)
            throw new ArgumentException($"{mixtures.MaxComponents} components × {ItemCount} items exceed the index range of the merge.", nameof(mixtures));
        if (exclusions != null && exclusions.ItemCount != ItemCount)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items, the retriever {ItemCount}.", nameof(exclusions));
        foreach (int u in users)
            if (exclusions != null && (uint)u >= (uint)exclusions.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} is not in the exclusion graph.");

        // Flatten (user, component) into queries of the nearest-component search.
        var queryOwner = new List<int>();
        var firstQuery = new int[users.Count + 1];
        for (int q = 0; q < users.Count; q++)
        {
            firstQuery[q] = queryOwner.Count;
            for (int c = 0; c < mixtures.ComponentCount(users[q]); c++) queryOwner.Add(q);
        }
        firstQuery[users.Count] = queryOwner.Count;
        int maxCutoff = cutoffs.Max();
        int fetch = checked(maxCutoff * _components);
        var nearest = SearchComponents(mixtures, users, queryOwner.ToArray(), firstQuery, exclusions, fetch, threads);

        var results = cutoffs.Select(k => new RankedLists(users.Count, k)).ToArray();
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, users.Count, parallel, () => RentMergeScratch(fetch, maxCutoff), (q, _, s) =>
        {
            var weights = mixtures.Weights(users[q]);
            // Marked in use while merging: a merge cut short by an exception leaves it dirty, and it is not kept.
            s.Clean = false;
            for (int t = 0; t < cutoffs.Count; t++)
                results[t].Counts[q] = Merge(nearest, firstQuery[q], weights, cutoffs[t], _components, ItemCount, results[t].IndexSlots(q), results[t].ScoreSlots(q), s,
                    components == null ? default : components.AsSpan(q * cutoffs[t], cutoffs[t]));
            s.Clean = true;
            return s;
        }, ReturnMergeScratch);
        return results;
    }

    /// <summary>A kept merge scratch of these sizes, or a new one.</summary>
    private MergeScratch RentMergeScratch(int fetch, int maxCutoff)
    {
        // One of other sizes (another cutoff) is dropped: a service asks for one length, so they rarely differ.
        while (_mergeScratch.TryTake(out var kept))
        {
            Interlocked.Decrement(ref _keptMergeScratch);
            if (kept.Fetch == fetch && kept.MaxCutoff == maxCutoff) return kept;
        }
        return new MergeScratch(ItemCount, fetch, maxCutoff);
    }

    /// <summary>Keeps a clean merge scratch for the next call, up to <see cref="KeptMergeScratch"/>.</summary>
    private void ReturnMergeScratch(MergeScratch scratch)
    {
        if (!scratch.Clean) return;
        if (Interlocked.Increment(ref _keptMergeScratch) <= KeptMergeScratch) _mergeScratch.Add(scratch);
        else Interlocked.Decrement(ref _keptMergeScratch);
    }

    /// <summary>The nearest <paramref name="fetch"/> unseen item components of every flattened query.</summary>
    private RankedLists SearchComponents(MixtureTable mixtures, IReadOnlyList<int> users, int[] queryOwner, int[] firstQuery,
        BipartiteGraph? exclusions, int fetch, int threads)
    {
        int queries = queryOwner.Length, d = _search.Dimension;
        var nearest = new RankedLists(queries, fetch);
        int blocks = (queries + TiledTopKSearch.QueryBlock - 1) / TiledTopKSearch.QueryBlock;
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, blocks, parallel, () => new SearchBlockScratch(_search, fetch, queries), (block, _, s) =>
        {
            int start = block * TiledTopKSearch.QueryBlock, count = Math.Min(TiledTopKSearch.QueryBlock, queries - start);
            for (int j = 0; j < count; j++)
            {
                int query = start + j, owner = queryOwner[query];
                mixtures.Embedding(users[owner], query - firstQuery[owner]).CopyTo(s.Queries.AsSpan(j * d, d));
                s.Selectors[j].Reset(_search.ListLength(fetch));
            }
            var filter = new UnseenItemComponents(exclusions, users, queryOwner, _components, _absent);
            _search.SearchBlock(s.Queries, count, start, s.Selectors, ref filter, s.Candidates);
            for (int j = 0; j < count; j++)
                nearest.Counts[start + j] = s.Selectors[j].Drain(nearest.IndexSlots(start + j), nearest.ScoreSlots(start + j));
            return s;
        }, _ => { });
        return nearest;
    }

    /// <summary>
    /// The nearest <paramref name="fetch"/> item components of one query, those of the items <paramref name="excluded"/>
    /// left out, best first: the list <see cref="Retrieve(MixtureTable, IReadOnlyList{int}, BipartiteGraph?, IReadOnlyList{int}, int)"/> fetches for a user component (the same kernel, selector and
    /// ties, whatever the block). For the ONNX serving path, where ONNX Runtime's candidates cannot prove the list.
    /// </summary>
    /// <param name="query">The user component.</param>
    /// <param name="excluded">The items whose components are never fetched.</param>
    /// <param name="fetch">How many to fetch (K x C_d), at least 1.</param>
    /// <param name="s">A per-thread scratch of capacity at least <paramref name="fetch"/>.</param>
    /// <param name="rows">Receives the item component rows.</param>
    /// <param name="scores">Receives their scores.</param>
    /// <returns>How many were written: <paramref name="fetch"/>, or fewer when fewer are eligible.</returns>
    internal int Nearest(ReadOnlySpan<float> query, ItemExclusion excluded, int fetch, NearestScratch s, Span<int> rows, Span<float> scores)
    {
        query.CopyTo(s.Query);
        s.Selector[0].Reset(_search.ListLength(fetch));
        var filter = new UnexcludedItemComponents(excluded, _components, _absent);
        _search.SearchBlock(s.Query, 1, 0, s.Selector, ref filter);
        return s.Selector[0].Drain(rows, scores);
    }

    /// <summary>Creates the scratch of <see cref="Nearest"/> for lists of up to <paramref name="capacity"/> item components.</summary>
    internal NearestScratch CreateNearestScratch(int capacity) => new(_search.CreateQueryBuffer(1), [new TopKSelector(_search.ListLength(capacity))]);

    /// <summary>
    /// One user's round-robin list of length <paramref name="k"/> from its components' nearest item-component lists
    /// (queries <paramref name="firstQuery"/>.. of <paramref name="nearest"/>, one per weight, best first); returns its length.
    /// Shared with the ONNX serving path (<see cref="Onnx.RoundRobinOnnxMerge"/>), so both merge identically. When
    /// <paramref name="placedBy"/> is not empty, it receives each listed item's best component (index into
    /// <paramref name="weights"/>), which the final selection orders ties by.
    /// </summary>
    internal static int Merge(RankedLists nearest, int firstQuery, ReadOnlySpan<double> weights, int k, int components, int itemCount,
        Span<int> indices, Span<float> scores, MergeScratch s, Span<int> placedBy = default)
    {
        int fetch = k * components;
        for (int c = 0; c < weights.Length; c++)
        {
            // Sum the item's fetched components, then rank the items of this component.
            var rows = nearest.IndicesOf(firstQuery + c);
            var values = nearest.ScoresOf(firstQuery + c);
            int n = Math.Min(fetch, rows.Length);
            for (int t = 0; t < n; t++)
            {
                int item = rows[t] / components;
                if (!s.Summed[item]) { s.Summed[item] = true; s.Sum[item] = 0f; s.Touched[s.TouchedCount++] = item; }
                s.Sum[item] += values[t];
            }
            s.Ranking.Reset(s.TouchedCount);
            for (int t = 0; t < s.TouchedCount; t++) s.Ranking.Offer(s.Sum[s.Touched[t]], s.Touched[t]);
            int ranked = s.Ranking.Drain(s.Ranked, default);
            for (int t = 0; t < s.TouchedCount; t++) s.Summed[s.Touched[t]] = false;
            s.TouchedCount = 0;

            // Keep each item's best w_c / rank_c (the first component reaching it).
            for (int r = 0; r < ranked; r++)
            {
                int item = s.Ranked[r];
                float score = (float)(weights[c] / (r + 1));
                if (s.BestComponent[item] < 0) { s.Candidates[s.CandidateCount++] = item; s.BestComponent[item] = c; s.Best[item] = score; }
                else if (score > s.Best[item]) { s.BestComponent[item] = c; s.Best[item] = score; }
            }
        }

        // Top K by score, ties to the earlier best component, then the lower item row.
        s.Final.Reset(Math.Min(k, s.CandidateCount));
        for (int t = 0; t < s.CandidateCount; t++)
        {
            int item = s.Candidates[t];
            s.Final.Offer(s.Best[item], s.BestComponent[item] * itemCount + item);
            s.BestComponent[item] = -1;
        }
        s.CandidateCount = 0;
        int count = s.Final.Drain(indices, scores);
        // The selection's index is best component x items + item: the component is its quotient.
        for (int t = 0; t < count && !placedBy.IsEmpty; t++) placedBy[t] = indices[t] / itemCount;
        for (int t = 0; t < count; t++) indices[t] %= itemCount;
        return count;
    }

    /// <summary>Keeps a user's training items out of its components' lists.</summary>
    private readonly struct UnseenItemComponents(BipartiteGraph? exclusions, IReadOnlyList<int> users, int[] queryOwner, int components, bool[]? absent) : ICandidateFilter
    {
        public bool Accepts(int query, int row) =>
            (absent == null || !absent[row / components]) && (exclusions == null || !exclusions.Contains(users[queryOwner[query]], row / components));
    }

    /// <summary>Keeps the excluded items' components out of one query's list.</summary>
    private readonly struct UnexcludedItemComponents(ItemExclusion excluded, int components, bool[]? absent) : ICandidateFilter
    {
        public bool Accepts(int query, int row) => !excluded[row / components] && (absent == null || !absent[row / components]);
    }

    /// <summary>The query buffer (one block, the query in its first row) and the one selector of <see cref="Nearest"/>.</summary>
    internal sealed record NearestScratch(float[] Query, TopKSelector[] Selector);

    /// <summary>Per-thread merge state, reset item by item after each use (never cleared whole).</summary>
    internal sealed class MergeScratch
    {
        public MergeScratch(int itemCount, int fetch, int maxCutoff)
        {
            Fetch = fetch;
            MaxCutoff = maxCutoff;
            Sum = new float[itemCount];
            Summed = new bool[itemCount];
            Best = new float[itemCount];
            BestComponent = new int[itemCount];
            Array.Fill(BestComponent, -1);
            Touched = new int[fetch];
            Ranked = new int[fetch];
            Ranking = new TopKSelector(fetch);
            Candidates = new int[itemCount];
            Final = new TopKSelector(maxCutoff);
        }

        /// <summary>The fetch length the scratch was made for.</summary>
        public int Fetch { get; }

        /// <summary>The longest list the scratch was made for.</summary>
        public int MaxCutoff { get; }

        /// <summary>Whether every per-item entry is back at its reset value (false while a merge runs).</summary>
        public bool Clean { get; set; } = true;

        public float[] Sum { get; }
        public bool[] Summed { get; }
        public float[] Best { get; }
        public int[] BestComponent { get; }
        public int[] Touched { get; }
        public int TouchedCount { get; set; }
        public int[] Ranked { get; }
        public TopKSelector Ranking { get; }
        public int[] Candidates { get; }
        public int CandidateCount { get; set; }
        public TopKSelector Final { get; }
    }
}
