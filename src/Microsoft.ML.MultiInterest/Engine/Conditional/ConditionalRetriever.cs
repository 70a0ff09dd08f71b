namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Conditional retrieval merged with implicit interests under one quota policy (Pinterest's explicit and implicit
/// interests; docs/concepts.md, "Conditional retrieval"). A user's explicit components are its conditions (a
/// <see cref="MixtureTable"/> from <see cref="ConditionalModel.Represent"/>: condition, share, unit(e_u^c)); each searches
/// only its condition's items. Its implicit components (kNN-Embed, Mixture or learned mixtures over item clusters) search
/// their cluster. The union gets the M slots by <see cref="QuotaAllocator"/>, <c>M_k = M w_k^α / Σ w^α</c>, with weights
/// scaled by <see cref="ConditionalRetrievalOptions.ImplicitShare"/>; components fill their quotas in descending weight
/// order, skipping items an earlier component took (a condition and a cluster may share items) or the optional unimodal
/// head holds (<see cref="ConditionalRetrievalOptions.HeadShare"/>), short ones hand their slots on in weight order, and
/// the fallback (unimodal) ranking fills what is left. Training items are never returned, no item twice, nor an item whose
/// row is zero (no item behind it: a key without edges in a table spread back to a key range, <see cref="ZeroItems"/>). Thread-safe.
/// </summary>
public sealed class ConditionalRetriever
{
    private readonly ItemConditions _conditions;
    private readonly ItemClustering? _clustering;

    /// <summary>Items with a condition, grouped by condition (<see cref="ItemConditions.MembersStart"/> order): one contiguous scan per component.</summary>
    private readonly EmbeddingMatrix _byCondition;

    /// <summary>All items grouped by cluster, when there is an implicit clustering.</summary>
    private readonly EmbeddingMatrix? _byCluster;

    /// <summary>The items whose row is zero, ascending: excluded for every user.</summary>
    private readonly int[] _absent;

    /// <summary>Creates a retriever over <paramref name="items"/>.</summary>
    /// <param name="items">The item vectors the queries score.</param>
    /// <param name="conditions">The items' conditions (the explicit components' groups).</param>
    /// <param name="implicitClustering">The item clusters of the implicit components; null when there are none.</param>
    public ConditionalRetriever(EmbeddingMatrix items, ItemConditions conditions, ItemClustering? implicitClustering = null)
        : this(items, conditions, implicitClustering, skipZeroRows: true)
    {
    }

    /// <summary>As the public constructor; <paramref name="skipZeroRows"/> false ranks a zero row as any item (every row an item: <see cref="UnimodalRetriever(EmbeddingMatrix, bool)"/>).</summary>
    internal ConditionalRetriever(EmbeddingMatrix items, ItemConditions conditions, ItemClustering? implicitClustering, bool skipZeroRows)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.ItemCount != items.Rows)
            throw new ArgumentException($"The conditions cover {conditions.ItemCount} items, the embeddings {items.Rows}.", nameof(conditions));
        if (implicitClustering != null && implicitClustering.ItemCount != items.Rows)
            throw new ArgumentException($"The implicit clustering covers {implicitClustering.ItemCount} items, the embeddings {items.Rows}.", nameof(implicitClustering));
        items.ThrowIfNotFinite("item embeddings");
        _conditions = conditions;
        _clustering = implicitClustering;
        ItemCount = items.Rows;
        Dimension = items.Dimension;
        _absent = skipZeroRows ? ZeroItems.Indices(ZeroItems.Flags(items)) : [];
        _byCondition = new EmbeddingMatrix(conditions.AssignedItems, items.Dimension);
        for (int c = 0; c < conditions.Count; c++)
        {
            int row = conditions.MembersStart(c);
            foreach (int item in conditions.MembersOf(c)) items.ReadRow(item).CopyTo(_byCondition.Row(row++));
        }
        if (implicitClustering != null)
        {
            _byCluster = new EmbeddingMatrix(items.Rows, items.Dimension);
            for (int c = 0; c < implicitClustering.ClusterCount; c++)
            {
                int row = implicitClustering.MembersStart(c);
                foreach (int item in implicitClustering.MembersOf(c)) items.ReadRow(item).CopyTo(_byCluster.Row(row++));
            }
        }
    }

    /// <summary>Number of items.</summary>
    public int ItemCount { get; }

    /// <summary>Dimension of the item vectors.</summary>
    public int Dimension { get; }

    /// <summary>Retrieves one list per user for each cutoff (each cutoff its own retrieval, quotas recomputed).</summary>
    /// <param name="explicitComponents">The users' conditions (<see cref="ConditionalModel.Represent"/>): clusters are condition indices.</param>
    /// <param name="implicitComponents">Optional implicit mixtures over the retriever's implicit clustering.</param>
    /// <param name="users">The users to serve.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned.</param>
    /// <param name="cutoffs">List lengths M.</param>
    /// <param name="options">Alpha, ImplicitShare, ImplicitQuery, Beta, HeadShare; defaults when null.</param>
    /// <param name="fallback">Optional ranking per entry of <paramref name="users"/> (without excluded items) that fills short lists.</param>
    /// <param name="userEmbeddings">The users' own vectors; required by the User and Blend implicit queries.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One <see cref="RankedLists"/> per cutoff, in the order of <paramref name="cutoffs"/>.</returns>
    public RankedLists[] Retrieve(MixtureTable explicitComponents, MixtureTable? implicitComponents, IReadOnlyList<int> users, BipartiteGraph? exclusions,
        IReadOnlyList<int> cutoffs, ConditionalRetrievalOptions? options = null, RankedLists? fallback = null, EmbeddingMatrix? userEmbeddings = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(explicitComponents);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(cutoffs);
        options ??= new ConditionalRetrievalOptions();
        options.Validate();
        if (cutoffs.Count == 0) throw new ArgumentException("At least one cutoff is needed.", nameof(cutoffs));
        foreach (int cutoff in cutoffs)
            if (cutoff < 1) throw new ArgumentOutOfRangeException(nameof(cutoffs), cutoff, "Candidates (M) must be at least 1.");
        if (!explicitComponents.HasEmbeddings || explicitComponents.Dimension != Dimension)
            throw new ArgumentException($"The conditional components must carry queries of dimension {Dimension} (ConditionalModel.Represent), not {explicitComponents.Dimension}.", nameof(explicitComponents));
        bool needsUser = false;
        if (implicitComponents != null)
        {
            if (_clustering == null)
                throw new ArgumentException("Implicit components need the implicit item clustering: pass it to the constructor.", nameof(implicitComponents));
            needsUser = options.ImplicitQuery != QuotaQuery.Component;
            if (!needsUser && (!implicitComponents.HasEmbeddings || implicitComponents.Dimension != Dimension))
                throw new ArgumentException($"The implicit components must carry embeddings of dimension {Dimension}, not {implicitComponents.Dimension}.", nameof(implicitComponents));
            if (options.ImplicitQuery == QuotaQuery.Blend && (!implicitComponents.HasEmbeddings || implicitComponents.Dimension != Dimension))
                throw new ArgumentException("The Blend implicit query needs the implicit components' embeddings.", nameof(implicitComponents));
            if (needsUser && (userEmbeddings == null || userEmbeddings.Dimension != Dimension))
                throw new ArgumentException($"ImplicitQuery {options.ImplicitQuery} searches with the user's own vector: pass user embeddings of dimension {Dimension}.", nameof(userEmbeddings));
        }
        if (fallback != null && fallback.QueryCount != users.Count)
            throw new ArgumentException("The fallback ranking must have one list per user.", nameof(fallback));
        if (options.HeadShare > 0 && fallback == null)
            throw new ArgumentException($"HeadShare {options.HeadShare} reserves a unimodal head: pass the unimodal ranking as the fallback.", nameof(fallback));
        foreach (int u in users)
        {
            if ((uint)u >= (uint)explicitComponents.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {explicitComponents.UserCount} users.");
            if (implicitComponents != null && u >= implicitComponents.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} has no implicit mixture row.");
            if (exclusions != null && u >= exclusions.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} is not in the exclusion graph.");
            if (needsUser && u >= userEmbeddings!.Rows) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} has no user embedding.");
            foreach (int c in explicitComponents.Clusters(u))
                if ((uint)c >= (uint)_conditions.Count) throw new ArgumentException($"User row {u} has a component on unknown condition {c}: there are {_conditions.Count} conditions.", nameof(explicitComponents));
            if (implicitComponents != null)
                foreach (int c in implicitComponents.Clusters(u))
                    if ((uint)c >= (uint)_clustering!.ClusterCount) throw new ArgumentException($"User row {u} has an implicit component on unknown cluster {c}: there are {_clustering.ClusterCount} clusters.", nameof(implicitComponents));
        }

        int maxCutoff = cutoffs.Max();
        int width = explicitComponents.MaxComponents + (implicitComponents?.MaxComponents ?? 0);
        var results = cutoffs.Select(c => new RankedLists(users.Count, c)).ToArray();
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(ItemCount, _absent, width, maxCutoff, Dimension), (q, _, s) =>
        {
            RetrieveOne(explicitComponents, implicitComponents, users[q], q, exclusions, cutoffs, options, fallback, userEmbeddings, results, s);
            return s;
        }, _ => { });
        return results;
    }

    private void RetrieveOne(MixtureTable explicitComponents, MixtureTable? implicitComponents, int user, int q, BipartiteGraph? exclusions, IReadOnlyList<int> cutoffs,
        ConditionalRetrievalOptions options, RankedLists? fallback, EmbeddingMatrix? userEmbeddings, RankedLists[] results, Scratch s)
    {
        s.Exclusion.Load(exclusions == null ? default : exclusions.ItemsOf(user));
        var layout = s.Layout;
        int n = Components(explicitComponents.Clusters(user), explicitComponents.Weights(user), implicitComponents == null ? default : implicitComponents.Clusters(user),
            implicitComponents == null ? default : implicitComponents.Weights(user), _conditions.Count, options.ImplicitShare, layout);

        // One ranking per component inside its group, long enough for the largest cutoff.
        for (int k = 0; k < n; k++)
        {
            var selector = s.Selector;
            selector.Reset(layout.Capacity);
            ReadOnlySpan<int> members;
            int first;
            EmbeddingMatrix grouped;
            ReadOnlySpan<float> query;
            if (layout.Source[k] >= 0)
            {
                int c = layout.Keys[k];
                members = _conditions.MembersOf(c);
                first = _conditions.MembersStart(c);
                grouped = _byCondition;
                query = explicitComponents.Embedding(user, layout.Source[k]);
            }
            else
            {
                int j = -1 - layout.Source[k], c = layout.Keys[k] - _conditions.Count;
                members = _clustering!.MembersOf(c);
                first = _clustering.MembersStart(c);
                grouped = _byCluster!;
                query = ComponentSearch.Query(options.ImplicitQuery, options.Beta, implicitComponents!, user, j, userEmbeddings, s.Query);
            }
            ComponentSearch.Rank(query, members, first, grouped, s.Exclusion, selector);
            layout.RankCounts[k] = selector.Drain(layout.Ranking(k), layout.RankScores(k));
        }

        for (int t = 0; t < cutoffs.Count; t++)
        {
            var candidates = fallback == null ? default : fallback.IndicesOf(q);
            var candidateScores = fallback == null ? default : fallback.ScoresOf(q);
            results[t].Counts[q] = layout.Write(cutoffs[t], n, options, candidates, candidateScores, fallback != null, results[t].IndexSlots(q), results[t].ScoreSlots(q));
        }
    }

    /// <summary>
    /// Writes a user's components into <paramref name="layout"/> (weights scaled by their kind's share: a user with
    /// components of one kind only gives them the whole list) in the layout's order, an implicit component's key
    /// <paramref name="conditions"/> plus its cluster; returns how many.
    /// </summary>
    internal static int Components(ReadOnlySpan<int> explicitConditions, ReadOnlySpan<double> explicitWeights, ReadOnlySpan<int> implicitClusters,
        ReadOnlySpan<double> implicitWeights, int conditions, double implicitShare, ConditionalListLayout layout)
    {
        double explicitFactor = implicitClusters.IsEmpty ? 1 : 1 - implicitShare;
        double implicitFactor = explicitConditions.IsEmpty ? 1 : implicitShare;
        int n = 0;
        for (int j = 0; j < explicitConditions.Length && explicitFactor > 0; j++)
        {
            layout.Weights[n] = explicitFactor * explicitWeights[j];
            layout.Keys[n] = explicitConditions[j];
            layout.Source[n++] = j;
        }
        for (int j = 0; j < implicitClusters.Length && implicitFactor > 0; j++)
        {
            layout.Weights[n] = implicitFactor * implicitWeights[j];
            layout.Keys[n] = conditions + implicitClusters[j];
            layout.Source[n++] = -1 - j;
        }
        layout.Order(n);
        return n;
    }

    private sealed class Scratch(int items, int[] absent, int components, int capacity, int dimension)
    {
        public ItemExclusion Exclusion { get; } = new(items, absent);
        public TopKSelector Selector { get; } = new(capacity);
        public ConditionalListLayout Layout { get; } = new(items, components, capacity);
        public float[] Query { get; } = new float[dimension];
    }
}
