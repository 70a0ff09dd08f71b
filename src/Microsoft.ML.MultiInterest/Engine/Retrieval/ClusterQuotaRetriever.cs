namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Multi-interest retrieval with per-component quotas (Zhang et al., as the evaluation protocol defines
/// it): component c of a user's mixture gets M_c of the M slots (<see cref="QuotaAllocator"/>) and fills
/// them with the top items <em>of its own cluster</em> by dot(u^c, i), training items excluded. A cluster
/// with too few eligible items hands its leftover to the other components in weight order; what is still
/// missing comes from a fallback ranking (the unimodal one). No item appears twice. A member whose row is zero holds no
/// item (a key without edges in a table spread back to a key range) and is never ranked (<see cref="ZeroItems"/>). Thread-safe.
/// </summary>
/// <remarks>
/// The item vectors are copied once, grouped by cluster, so a component's scan reads its cluster as one contiguous
/// block instead of gathering rows scattered over the whole table (a cache miss per item on large catalogues).
/// </remarks>
public sealed class ClusterQuotaRetriever
{
    private readonly ItemClustering _clustering;

    /// <summary>The item vectors in cluster order: the members of cluster c, in <see cref="ItemClustering.MembersOf"/> order, from row <see cref="ItemClustering.MembersStart"/>(c).</summary>
    private readonly EmbeddingMatrix _grouped;

    /// <summary>The items whose row is zero, ascending: excluded for every user.</summary>
    private readonly int[] _absent;

    /// <summary>Creates a retriever over <paramref name="items"/> grouped by <paramref name="clustering"/>.</summary>
    /// <param name="items">One row per item; all-zero rows are never retrieved.</param>
    /// <param name="clustering">The items' clusters, over the same item indices.</param>
    public ClusterQuotaRetriever(EmbeddingMatrix items, ItemClustering clustering)
        : this(items, clustering, skipZeroRows: true)
    {
    }

    /// <summary>As the public constructor; <paramref name="skipZeroRows"/> false ranks a zero row as any item (every row an item: <see cref="UnimodalRetriever(EmbeddingMatrix, bool)"/>).</summary>
    internal ClusterQuotaRetriever(EmbeddingMatrix items, ItemClustering clustering, bool skipZeroRows)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(clustering);
        if (clustering.ItemCount != items.Rows)
            throw new ArgumentException($"The clustering covers {clustering.ItemCount} items, the embeddings {items.Rows}.", nameof(clustering));
        items.ThrowIfNotFinite("item embeddings");
        _clustering = clustering;
        _absent = skipZeroRows ? ZeroItems.Indices(ZeroItems.Flags(items)) : [];
        _grouped = new EmbeddingMatrix(items.Rows, items.Dimension);
        for (int c = 0; c < clustering.ClusterCount; c++)
        {
            int row = clustering.MembersStart(c);
            foreach (int item in clustering.MembersOf(c)) items.ReadRow(item).CopyTo(_grouped.Row(row++));
        }
    }

    /// <summary>
    /// Retrieves one list per user for each cutoff; each cutoff is its own retrieval with M = cutoff
    /// (quotas recomputed), as the protocol requires.
    /// </summary>
    /// <param name="mixtures">The users' mixtures.</param>
    /// <param name="users">The users (rows of <paramref name="mixtures"/>) to serve.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned.</param>
    /// <param name="cutoffs">List lengths M, e.g. 10, 20, 50.</param>
    /// <param name="alpha">Quota exponent (1 = proportional to the weights).</param>
    /// <param name="fallback">Optional ranking per entry of <paramref name="users"/> (best built without excluded items: any it holds are skipped) that fills lists the clusters cannot; without one, a list holds what the clusters give, which may be fewer than M.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One <see cref="RankedLists"/> per cutoff, in the order of <paramref name="cutoffs"/>.</returns>
    public RankedLists[] Retrieve(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, IReadOnlyList<int> cutoffs,
        double alpha = ClusterQuotaRetrieverDefaults.Alpha, RankedLists? fallback = null, int threads = 0) =>
        Retrieve(mixtures, users, exclusions, cutoffs, new QuotaRetrievalOptions { Alpha = alpha }, fallback, null, threads);

    /// <summary>
    /// Retrieves one list per user for each cutoff with the given options (query inside a cluster, quota exponent,
    /// unimodal head); each cutoff is its own retrieval with M = cutoff.
    /// </summary>
    /// <param name="mixtures">The users' mixtures (kNN-Embed or unsmoothed Mixture weights alike).</param>
    /// <param name="users">The users (rows of <paramref name="mixtures"/>) to serve.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned.</param>
    /// <param name="cutoffs">List lengths M, e.g. 10, 20, 50.</param>
    /// <param name="options">Alpha, Query, Beta and HeadShare.</param>
    /// <param name="fallback">
    /// Ranking per entry of <paramref name="users"/> (e.g. the unimodal one, best built without excluded items: any it holds are skipped): the head of
    /// the list when <see cref="QuotaRetrievalOptions.HeadShare"/> is positive (then required, at least M long to honour
    /// the share), and the fill of lists the clusters cannot complete.
    /// </param>
    /// <param name="userEmbeddings">The users' own vectors, one row per user row; required by the User and Blend queries.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One <see cref="RankedLists"/> per cutoff, in the order of <paramref name="cutoffs"/>.</returns>
    public RankedLists[] Retrieve(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, IReadOnlyList<int> cutoffs,
        QuotaRetrievalOptions options, RankedLists? fallback, EmbeddingMatrix? userEmbeddings, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RetrieveMany(mixtures, users, exclusions, cutoffs, [options], fallback, userEmbeddings, threads)[0];
    }

    /// <summary>
    /// The lists of <see cref="Retrieve(MixtureTable, IReadOnlyList{int}, BipartiteGraph?, IReadOnlyList{int}, QuotaRetrievalOptions, RankedLists?, EmbeddingMatrix?, int)"/>
    /// at one length with <paramref name="unimodal"/>'s ranking of <paramref name="userEmbeddings"/> as the fallback, the same
    /// lists, but that ranking is searched only for the users who need it: all of them when the options reserve a unimodal
    /// head, else those whose clusters leave the list short (a few per cent on cit-HepPh), since a list the clusters fill never
    /// reads its fallback (<see cref="UnimodalFill"/>). A serving path's request then costs the quota search, not a scan of the
    /// catalogue as well.
    /// </summary>
    internal RankedLists RetrieveWithUnimodalFill(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, int candidates,
        QuotaRetrievalOptions options, UnimodalRetriever unimodal, EmbeddingMatrix userEmbeddings, int threads = 0)
        => UnimodalFill.Lazily(users, candidates, options.HeadShare > 0,
            (some, fallback) => Retrieve(mixtures, some, exclusions, [candidates], options, fallback, userEmbeddings, threads)[0],
            some => unimodal.Retrieve(userEmbeddings, some, exclusions, candidates, threads),
            () => unimodal.Check(userEmbeddings, users, exclusions, candidates));

    /// <summary>
    /// As <see cref="Retrieve(MixtureTable, IReadOnlyList{int}, BipartiteGraph?, IReadOnlyList{int}, QuotaRetrievalOptions, RankedLists?, EmbeddingMatrix?, int)"/>
    /// for several option sets that differ only in the quotas (<see cref="QuotaRetrievalOptions.Alpha"/>,
    /// <see cref="QuotaRetrievalOptions.HeadShare"/>): each component's ranking inside its cluster, the costly part, is
    /// searched once and shared (a frontier sweep). Result [set][cutoff], each as one retrieval with those options.
    /// </summary>
    internal RankedLists[][] RetrieveMany(MixtureTable mixtures, IReadOnlyList<int> users, BipartiteGraph? exclusions, IReadOnlyList<int> cutoffs,
        IReadOnlyList<QuotaRetrievalOptions> optionSets, RankedLists? fallback, EmbeddingMatrix? userEmbeddings, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(mixtures);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(optionSets);
        if (optionSets.Count == 0) throw new ArgumentException("At least one option set is needed.", nameof(optionSets));
        foreach (var set in optionSets) set.Validate();
        var options = optionSets[0];
        if (optionSets.Any(o => o.Query != options.Query || o.Beta != options.Beta))
            throw new ArgumentException("The option sets share the component rankings: they must have the same Query and Beta.", nameof(optionSets));
        // Checked here, as every retriever checks its exclusions: the fallback's search, which once made this check for every call, now runs for short lists only.
        if (exclusions != null && exclusions.ItemCount != _grouped.Rows)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items, the retriever {_grouped.Rows}.", nameof(exclusions));
        if (fallback == null && optionSets.FirstOrDefault(o => o.HeadShare > 0) is { } headed)
            throw new ArgumentException($"HeadShare {headed.HeadShare} reserves a unimodal head: pass the unimodal ranking as the fallback.", nameof(fallback));
        if (cutoffs.Count == 0) throw new ArgumentException("At least one cutoff is needed.", nameof(cutoffs));
        foreach (int cutoff in cutoffs)
            RetrievalLimits.Check(cutoff, nameof(cutoffs), "Candidates (M)");
        if (!mixtures.HasEmbeddings && options.Query != QuotaQuery.User)
            throw new ArgumentException("The mixtures hold clusters and weights only (dimension 0); retrieval needs component embeddings (MixtureBuilder.BuildMle or KnnSmoother.Smooth).", nameof(mixtures));
        if (mixtures.HasEmbeddings && mixtures.Dimension != _grouped.Dimension)
            throw new ArgumentException($"Mixtures have dimension {mixtures.Dimension}, items {_grouped.Dimension}.", nameof(mixtures));
        if (fallback != null && fallback.QueryCount != users.Count)
            throw new ArgumentException("The fallback ranking must have one list per user.", nameof(fallback));
        if (options.NeedsUserVectors)
        {
            if (userEmbeddings == null)
                throw new ArgumentException($"Query {options.Query} searches with the user's own vector: pass the user embeddings.", nameof(userEmbeddings));
            if (userEmbeddings.Dimension != _grouped.Dimension)
                throw new ArgumentException($"User embeddings have dimension {userEmbeddings.Dimension}, items {_grouped.Dimension}.", nameof(userEmbeddings));
            userEmbeddings.ThrowIfNotFinite("user embeddings", users);
        }
        foreach (int u in users)
        {
            if ((uint)u >= (uint)mixtures.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {mixtures.UserCount} users.");
            if (exclusions != null && u >= exclusions.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} is not in the exclusion graph.");
            if (options.NeedsUserVectors && u >= userEmbeddings!.Rows) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} has no user embedding.");
            foreach (int c in mixtures.Clusters(u))
            {
                if ((uint)c >= (uint)_clustering.ClusterCount)
                    throw new ArgumentException($"User row {u}'s mixture names cluster {c}, but the retriever's clustering has {_clustering.ClusterCount} clusters: build the mixtures over the retriever's clustering.", nameof(mixtures));
            }
        }

        int maxCutoff = cutoffs.Max();
        var results = optionSets.Select(_ => cutoffs.Select(c => new RankedLists(users.Count, c)).ToArray()).ToArray();
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, users.Count, parallel, () => new Scratch(_grouped.Rows, _absent, mixtures.MaxComponents, maxCutoff, _grouped.Dimension), (q, _, s) =>
        {
            RankComponents(mixtures, users[q], exclusions, options, userEmbeddings, s);
            for (int o = 0; o < optionSets.Count; o++)
                Assemble(mixtures, users[q], q, cutoffs, optionSets[o], fallback, exclusions, results[o], s);
            return s;
        }, _ => { });
        return results;
    }

    /// <summary>One ranking per component of <paramref name="user"/>, long enough for the largest cutoff, into the scratch.</summary>
    private void RankComponents(MixtureTable mixtures, int user, BipartiteGraph? exclusions, QuotaRetrievalOptions options, EmbeddingMatrix? userEmbeddings, Scratch s)
    {
        int n = mixtures.ComponentCount(user);
        var clusters = mixtures.Clusters(user);
        s.Exclusion.Load(exclusions == null ? default : exclusions.ItemsOf(user));
        for (int j = 0; j < n; j++)
        {
            var selector = s.Selector;
            selector.Reset(s.Capacity);
            var query = ComponentSearch.Query(options.Query, options.Beta, mixtures, user, j, userEmbeddings, s.Query);
            RankCluster(query, clusters[j], s.Exclusion, selector);
            s.RankCounts[j] = selector.Drain(s.Ranking(j), s.RankScores(j));
        }
    }

    /// <summary>The user's list at every cutoff from the component rankings in the scratch: head, quotas, hand-off, fill.</summary>
    private static void Assemble(MixtureTable mixtures, int user, int q, IReadOnlyList<int> cutoffs, QuotaRetrievalOptions options,
        RankedLists? fallback, BipartiteGraph? exclusions, RankedLists[] results, Scratch s)
    {
        // The fallback should come without the excluded items; the few it lends are checked (Fill), so a ranking built
        // without the exclusions never brings a user's training item into the list.
        int n = mixtures.ComponentCount(user);
        var clusters = mixtures.Clusters(user);
        var weights = mixtures.Weights(user);
        for (int t = 0; t < cutoffs.Count; t++)
        {
            int slots = cutoffs[t];
            var outIndices = results[t].IndexSlots(q);
            var outScores = results[t].ScoreSlots(q);
            int written = 0;
            // The unimodal head: the fallback's first round(share * M) items.
            if (fallback != null && options.HeadShare > 0)
                written = Fill(fallback.IndicesOf(q), fallback.ScoresOf(q), outIndices, outScores, 0, options.HeadSlots(slots), exclusions, user);
            var headItems = outIndices[..written];
            Span<int> take = s.Take.AsSpan(0, n);
            Span<int> available = s.Available.AsSpan(0, n);
            for (int j = 0; j < n; j++) available[j] = written == 0 ? s.RankCounts[j] : CountNotIn(s.Ranking(j)[..s.RankCounts[j]], headItems);
            QuotaAllocator.Allocate(weights, clusters, options.Alpha, slots - written, take);
            HandOff(take, available);

            int headCount = written;
            for (int j = 0; j < n; j++)
            {
                var ranking = s.Ranking(j);
                var rankScores = s.RankScores(j);
                for (int r = 0, taken = 0; taken < take[j]; r++)
                {
                    if (headCount > 0 && outIndices[..headCount].Contains(ranking[r])) continue;
                    outIndices[written] = ranking[r];
                    outScores[written] = rankScores[r];
                    written++;
                    taken++;
                }
            }
            if (written < slots && fallback != null)
                written = Fill(fallback.IndicesOf(q), fallback.ScoresOf(q), outIndices, outScores, written, slots, exclusions, user);
            results[t].Counts[q] = written;
        }
    }

    /// <summary>How many of <paramref name="ranking"/>'s items are not in <paramref name="head"/> (both short).</summary>
    private static int CountNotIn(ReadOnlySpan<int> ranking, ReadOnlySpan<int> head)
    {
        int count = 0;
        foreach (int item in ranking)
            if (!head.Contains(item)) count++;
        return count;
    }

    /// <summary>
    /// Offers every member of <paramref name="cluster"/> not in <paramref name="excluded"/> to <paramref name="selector"/>,
    /// scored by <paramref name="query"/>: one component's ranking, as <see cref="Retrieve(MixtureTable, IReadOnlyList{int}, BipartiteGraph?, IReadOnlyList{int}, QuotaRetrievalOptions, RankedLists?, EmbeddingMatrix?, int)"/>
    /// computes it (the ONNX serving path scans with it where its candidates cannot prove the order).
    /// </summary>
    internal void RankCluster(ReadOnlySpan<float> query, int cluster, ItemExclusion excluded, TopKSelector selector) =>
        ComponentSearch.Rank(query, _clustering.MembersOf(cluster), _clustering.MembersStart(cluster), _grouped, excluded, selector);

    /// <summary>
    /// Cuts each component's slots (<paramref name="take"/>, the allocated quotas on entry) to what its ranking holds
    /// (<paramref name="available"/>) and hands the shortfall on to the components in order (they are stored by weight),
    /// each taking what it has to spare.
    /// </summary>
    internal static void HandOff(Span<int> take, ReadOnlySpan<int> available)
    {
        int leftover = 0;
        for (int j = 0; j < take.Length; j++)
        {
            int granted = Math.Min(take[j], available[j]);
            leftover += take[j] - granted;
            take[j] = granted;
        }
        for (int j = 0; j < take.Length && leftover > 0; j++)
        {
            int extra = Math.Min(leftover, available[j] - take[j]);
            take[j] += extra;
            leftover -= extra;
        }
    }

    /// <summary>
    /// Appends fallback items (<paramref name="candidates"/>, best first) not yet in the list, nor excluded for
    /// <paramref name="user"/> by <paramref name="exclusions"/>, until it holds <paramref name="slots"/> entries.
    /// </summary>
    internal static int Fill(ReadOnlySpan<int> candidates, ReadOnlySpan<float> candidateScores, Span<int> indices, Span<float> scores, int written, int slots,
        BipartiteGraph? exclusions = null, int user = 0)
    {
        if (exclusions != null && user >= exclusions.UserCount) exclusions = null;
        for (int r = 0; r < candidates.Length && written < slots; r++)
        {
            // Lists are short (M <= a few hundred), so a scan beats a hash set here.
            if (indices[..written].Contains(candidates[r]) || exclusions?.Contains(user, candidates[r]) == true) continue;
            indices[written] = candidates[r];
            scores[written] = candidateScores[r];
            written++;
        }
        return written;
    }

    private sealed class Scratch
    {
        private readonly int[] _ranking;
        private readonly float[] _rankScores;

        public Scratch(int items, int[] absent, int components, int capacity, int dimension)
        {
            Query = new float[dimension];
            Available = new int[components];
            Capacity = capacity;
            Exclusion = new ItemExclusion(items, absent);
            Selector = new TopKSelector(capacity);
            _ranking = new int[components * capacity];
            _rankScores = new float[components * capacity];
            RankCounts = new int[components];
            Take = new int[components];
        }

        public int Capacity { get; }
        public ItemExclusion Exclusion { get; }
        public TopKSelector Selector { get; }
        public int[] RankCounts { get; }
        public int[] Take { get; }
        public int[] Available { get; }
        public float[] Query { get; }
        public Span<int> Ranking(int component) => _ranking.AsSpan(component * Capacity, Capacity);
        public Span<float> RankScores(int component) => _rankScores.AsSpan(component * Capacity, Capacity);
    }
}
