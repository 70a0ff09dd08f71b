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
/// the fallback (unimodal) ranking fills what is left. Training items are never returned, no item twice. Thread-safe.
/// </summary>
public sealed class ConditionalRetriever
{
    private readonly ItemConditions _conditions;
    private readonly ItemClustering? _clustering;

    /// <summary>Items with a condition, grouped by condition (<see cref="ItemConditions.MembersStart"/> order): one contiguous scan per component.</summary>
    private readonly EmbeddingMatrix _byCondition;

    /// <summary>All items grouped by cluster, when there is an implicit clustering.</summary>
    private readonly EmbeddingMatrix? _byCluster;

    /// <summary>Creates a retriever over <paramref name="items"/>.</summary>
    /// <param name="items">The item vectors the queries score.</param>
    /// <param name="conditions">The items' conditions (the explicit components' groups).</param>
    /// <param name="implicitClustering">The item clusters of the implicit components; null when there are none.</param>
    public ConditionalRetriever(EmbeddingMatrix items, ItemConditions conditions, ItemClustering? implicitClustering = null)
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
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(ItemCount, width, maxCutoff, Dimension), (q, _, s) =>
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
        int explicitCount = explicitComponents.ComponentCount(user);
        int implicitCount = implicitComponents?.ComponentCount(user) ?? 0;
        // A user with components of one kind only gives them the whole list.
        double explicitFactor = implicitCount == 0 ? 1 : 1 - options.ImplicitShare;
        double implicitFactor = explicitCount == 0 ? 1 : options.ImplicitShare;
        int n = 0;
        for (int j = 0; j < explicitCount && explicitFactor > 0; j++)
        {
            s.Weights[n] = explicitFactor * explicitComponents.Weights(user)[j];
            s.Keys[n] = explicitComponents.Clusters(user)[j];
            s.Source[n++] = j;
        }
        for (int j = 0; j < implicitCount && implicitFactor > 0; j++)
        {
            s.Weights[n] = implicitFactor * implicitComponents!.Weights(user)[j];
            s.Keys[n] = _conditions.Count + implicitComponents.Clusters(user)[j];
            s.Source[n++] = -1 - j;
        }
        SortByWeight(s, n);

        // One ranking per component inside its group, long enough for the largest cutoff.
        for (int k = 0; k < n; k++)
        {
            var selector = s.Selector;
            selector.Reset(s.Capacity);
            ReadOnlySpan<int> members;
            int first;
            EmbeddingMatrix grouped;
            ReadOnlySpan<float> query;
            if (s.Source[k] >= 0)
            {
                int c = s.Keys[k];
                members = _conditions.MembersOf(c);
                first = _conditions.MembersStart(c);
                grouped = _byCondition;
                query = explicitComponents.Embedding(user, s.Source[k]);
            }
            else
            {
                int j = -1 - s.Source[k], c = s.Keys[k] - _conditions.Count;
                members = _clustering!.MembersOf(c);
                first = _clustering.MembersStart(c);
                grouped = _byCluster!;
                query = ComponentSearch.Query(options.ImplicitQuery, options.Beta, implicitComponents!, user, j, userEmbeddings, s.Query);
            }
            ComponentSearch.Rank(query, members, first, grouped, s.Exclusion, selector);
            s.RankCounts[k] = selector.Drain(s.Ranking(k), s.RankScores(k));
        }

        for (int t = 0; t < cutoffs.Count; t++)
        {
            int slots = cutoffs[t];
            var outIndices = results[t].IndexSlots(q);
            var outScores = results[t].ScoreSlots(q);
            s.Taken.Clear();
            Array.Clear(s.Cursor, 0, n);
            int written = 0, leftover = 0;
            // The unimodal head: the fallback's first round(share × M) items.
            if (options.HeadShare > 0)
            {
                var head = fallback!.IndicesOf(q)[..Math.Min(options.HeadSlots(slots), fallback.Counts[q])];
                head.CopyTo(outIndices);
                fallback.ScoresOf(q)[..head.Length].CopyTo(outScores);
                foreach (int item in head) s.Taken.Add(item);
                written = head.Length;
            }
            var take = s.Take.AsSpan(0, n);
            QuotaAllocator.Allocate(s.Weights.AsSpan(0, n), s.Keys.AsSpan(0, n), options.Alpha, slots - written, take);
            for (int k = 0; k < n; k++)
            {
                int got = Take(s, k, take[k], outIndices, outScores, ref written);
                leftover += take[k] - got;
            }
            // Short components hand their slots on in weight order.
            for (int k = 0; k < n && leftover > 0; k++) leftover -= Take(s, k, leftover, outIndices, outScores, ref written);
            if (fallback != null)
            {
                var candidates = fallback.IndicesOf(q);
                var candidateScores = fallback.ScoresOf(q);
                for (int r = 0; r < candidates.Length && written < slots; r++)
                {
                    if (s.Taken[candidates[r]]) continue;
                    s.Taken.Add(candidates[r]);
                    outIndices[written] = candidates[r];
                    outScores[written++] = candidateScores[r];
                }
            }
            results[t].Counts[q] = written;
        }
    }

    /// <summary>Appends up to <paramref name="wanted"/> not-yet-taken items of component <paramref name="k"/>'s ranking; returns how many.</summary>
    private static int Take(Scratch s, int k, int wanted, Span<int> indices, Span<float> scores, ref int written)
    {
        var ranking = s.Ranking(k);
        var rankScores = s.RankScores(k);
        int got = 0;
        ref int r = ref s.Cursor[k];
        for (; got < wanted && r < s.RankCounts[k]; r++)
        {
            int item = ranking[r];
            if (s.Taken[item]) continue;
            s.Taken.Add(item);
            indices[written] = item;
            scores[written++] = rankScores[r];
            got++;
        }
        return got;
    }

    /// <summary>Components by descending weight; ties to explicit ones, then the lower condition or cluster (insertion sort: a few components).</summary>
    private static void SortByWeight(Scratch s, int n)
    {
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && Before(s, b, b - 1); b--)
            {
                (s.Weights[b], s.Weights[b - 1]) = (s.Weights[b - 1], s.Weights[b]);
                (s.Keys[b], s.Keys[b - 1]) = (s.Keys[b - 1], s.Keys[b]);
                (s.Source[b], s.Source[b - 1]) = (s.Source[b - 1], s.Source[b]);
            }
    }

    private static bool Before(Scratch s, int a, int b)
    {
        int byWeight = WeightTies.Compare(s.Weights[a], s.Weights[b]);
        if (byWeight != 0) return byWeight > 0;
        return s.Keys[a] < s.Keys[b];
    }

    private sealed class Scratch
    {
        private readonly int[] _ranking;
        private readonly float[] _rankScores;

        public Scratch(int items, int components, int capacity, int dimension)
        {
            components = Math.Max(components, 1);
            Capacity = capacity;
            Exclusion = new ItemExclusion(items);
            Taken = new ItemExclusion(items);
            Selector = new TopKSelector(capacity);
            _ranking = new int[components * capacity];
            _rankScores = new float[components * capacity];
            RankCounts = new int[components];
            Take = new int[components];
            Cursor = new int[components];
            Weights = new double[components];
            Keys = new int[components];
            Source = new int[components];
            Query = new float[dimension];
        }

        public int Capacity { get; }
        public ItemExclusion Exclusion { get; }
        public ItemExclusion Taken { get; }
        public TopKSelector Selector { get; }
        public int[] RankCounts { get; }
        public int[] Take { get; }
        public int[] Cursor { get; }
        public double[] Weights { get; }
        public int[] Keys { get; }

        /// <summary>Explicit component j as j, implicit component j as −1 − j.</summary>
        public int[] Source { get; }

        public float[] Query { get; }
        public Span<int> Ranking(int component) => _ranking.AsSpan(component * Capacity, Capacity);
        public Span<float> RankScores(int component) => _rankScores.AsSpan(component * Capacity, Capacity);
    }
}
