namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The diversified single-vector baseline: the unimodal top-N (the pool) re-ranked by maximal marginal relevance
/// (Carbonell and Goldstein, 1998). Greedily, the next candidate is the pool item maximising
/// <c>lambda * rel(i) - (1 - lambda) * max_{j picked} cos(i, j)</c>, where <c>rel(i)</c> is the item's dot product with
/// the user vector rescaled to [0, 1] over the user's pool (min-max; 1 for every item when all scores are equal), and
/// cos the cosine of the item embeddings. Equal values go to the item earlier in the pool, so <c>lambda = 1</c> returns
/// the unimodal ranking itself. The greedy order does not depend on M, so one re-ranking serves every cutoff (a cutoff's
/// list is its prefix, as for the unimodal ranking). Scores are the items' dot products with the user vector. Thread-safe.
/// </summary>
public sealed class MmrRetriever
{
    private readonly EmbeddingMatrix _unitItems;

    /// <summary>Creates a re-ranker over <paramref name="items"/> (a unit-length copy is kept for the cosines).</summary>
    /// <param name="items">One row per item, all values finite; not kept (a normalized copy is).</param>
    public MmrRetriever(EmbeddingMatrix items)
    {
        ArgumentNullException.ThrowIfNull(items);
        items.ThrowIfNotFinite("item embeddings");
        _unitItems = items.Normalized();
    }

    /// <summary>The items at unit length (<see cref="EmbeddingMatrix.Normalized"/>), for a caller that needs them too.</summary>
    internal EmbeddingMatrix UnitItems => _unitItems;

    /// <summary>Re-ranks each pool list and keeps its first <paramref name="candidates"/> entries.</summary>
    /// <param name="pool">Each user's unimodal ranking, best first (already without excluded items), e.g. from <see cref="UnimodalRetriever"/>.</param>
    /// <param name="candidates">M, the list length, at least 1; at most the pool's length is returned.</param>
    /// <param name="lambda">Relevance weight in [0, 1]: 1 keeps the pool's order, 0 picks for novelty alone after the first item.</param>
    /// <param name="poolSize">How many of each pool list's first entries are re-ranked, at least 1 (the rest is ignored).</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One list per pool list.</returns>
    public RankedLists Rerank(RankedLists pool, int candidates, double lambda = MmrRetrieverDefaults.Lambda, int poolSize = MmrRetrieverDefaults.PoolSize, int threads = 0) =>
        Rerank(pool, candidates, lambda, poolSize, null, threads);

    /// <summary>
    /// Re-orders the first <paramref name="length"/> entries of each list by MMR and keeps nothing else: the pool is the
    /// list itself, so each result holds the same items as the list's prefix, in a more varied order (the protocol's
    /// <see cref="ProtocolEvaluator.ReorderMmrName"/> row).
    /// </summary>
    /// <param name="lists">Each user's ranking, best first (already without excluded items).</param>
    /// <param name="length">How many of each list's first entries are re-ordered and returned, at least 1.</param>
    /// <param name="lambda">Relevance weight in [0, 1]: 1 keeps the order.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One list per list of <paramref name="lists"/>, at most <paramref name="length"/> items each.</returns>
    public RankedLists Reorder(RankedLists lists, int length, double lambda, int threads = 0) => Rerank(lists, length, lambda, length, threads);

    /// <summary>
    /// Multi-interest MMR: re-ranks each pool list by <c>lambda * rel(i) - (1 - lambda) * max cos(i, picked)
    /// + interest term</c> (<see cref="InterestProportionality"/>), keeping the first <paramref name="candidates"/> entries.
    /// With a null or zero-weight term it is plain MMR; so it is at lambda 0, below 0.5 the term's weight fading linearly
    /// to nothing (<see cref="MmrRetrieverDefaults.InterestFadeLambda"/>).
    /// </summary>
    /// <param name="pool">Each user's unimodal ranking, best first (already without excluded items).</param>
    /// <param name="candidates">M, the list length, at least 1.</param>
    /// <param name="lambda">Relevance weight in [0, 1].</param>
    /// <param name="poolSize">How many of each pool list's first entries are re-ranked, at least 1.</param>
    /// <param name="interests">The interest term, or null for none; its users align with the pool lists.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One list per pool list, at most <paramref name="candidates"/> items each.</returns>
    public RankedLists Rerank(RankedLists pool, int candidates, double lambda, int poolSize, InterestProportionality? interests, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (interests != null && interests.Users.Count != pool.QueryCount)
            throw new ArgumentException($"The interest term has {interests.Users.Count} users for {pool.QueryCount} pool lists.", nameof(interests));
        if (interests != null && interests.Clustering.ItemCount != _unitItems.Rows)
            throw new ArgumentException($"The interest term's clustering covers {interests.Clustering.ItemCount} items, the retriever {_unitItems.Rows}.", nameof(interests));
        return Rerank(pool, candidates, lambda, poolSize, (IInterestTerm?)interests, threads);
    }

    /// <summary>Re-ranks with any interest term (<see cref="IInterestTerm"/>); the public overloads check their terms first.</summary>
    internal RankedLists Rerank(RankedLists pool, int candidates, double lambda, int poolSize, IInterestTerm? interests, int threads)
    {
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Lambda (MMR relevance weight) must lie in [0, 1].");
        return RerankMany(pool, candidates, [lambda], poolSize, interests, threads)[0];
    }

    /// <summary>
    /// Re-ranks every pool list once per lambda: element t is exactly what <see cref="Rerank(RankedLists, int, double, int, IInterestTerm?, int)"/>
    /// returns for <paramref name="lambdas"/>[t]. The pool's pairwise cosines are computed once per user and shared by the
    /// lambdas, so a sweep costs about one re-ranking plus a cheap greedy pass per lambda.
    /// </summary>
    internal RankedLists[] RerankMany(RankedLists pool, int candidates, IReadOnlyList<double> lambdas, int poolSize, IInterestTerm? interests, int threads)
    {
        RetrievalLimits.Check(candidates, nameof(candidates), "Candidates (M)");
        foreach (double lambda in lambdas)
            if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambdas), lambda, "Lambda (MMR relevance weight) must lie in [0, 1].");
        RetrievalLimits.Check(poolSize, nameof(poolSize), "PoolSize");
        int width = Math.Min(poolSize, pool.Capacity);
        // Checked here, not met as an index error inside a worker (a pool ranked over another catalogue).
        for (int q = 0; q < pool.QueryCount; q++)
            foreach (int item in pool.IndicesOf(q)[..Math.Min(width, pool.Counts[q])])
                if ((uint)item >= (uint)_unitItems.Rows)
                    throw new ArgumentException($"Pool list {q} holds item row {item}, but the retriever has {_unitItems.Rows} items: rank the pool over the same item table.", nameof(pool));
        var results = lambdas.Select(_ => new RankedLists(pool.QueryCount, candidates)).ToArray();
        var parallel = Parallelism.Options(threads);
        int components = interests?.MaxComponents ?? 0;
        // One lambda computes each picked item's cosines as it goes (fewer than the whole table: the picked are skipped).
        bool table = lambdas.Count > 1 && width <= CosineTableWidth;
        Parallel.For(0, pool.QueryCount, parallel, () => new Scratch(width, components, table), (q, _, s) =>
        {
            RerankOne(pool, q, width, candidates, lambdas, interests, results, s);
            return s;
        }, _ => { });
        return results;
    }

    private void RerankOne(RankedLists pool, int q, int width, int candidates, IReadOnlyList<double> lambdas, IInterestTerm? interests, RankedLists[] results, Scratch s)
    {
        var items = pool.IndicesOf(q);
        var scores = pool.ScoresOf(q);
        int n = Math.Min(width, items.Length);
        int m = Math.Min(candidates, n);
        if (n == 0)
        {
            foreach (var result in results) result.Counts[q] = 0;
            return;
        }
        float top = scores[0], bottom = scores[0];
        for (int r = 1; r < n; r++)
        {
            top = Math.Max(top, scores[r]);
            bottom = Math.Min(bottom, scores[r]);
        }
        double range = (double)top - bottom;
        var relevance = s.Relevance.AsSpan(0, n);
        for (int r = 0; r < n; r++) relevance[r] = range > 0 ? (scores[r] - bottom) / range : 1.0;
        // The pool's order is the unimodal ranking with its tie rule (near-equal scores to the lower row), so relevance
        // never rises along it: lambda = 1 then reproduces that ranking exactly.
        for (int r = 1; r < n; r++) relevance[r] = Math.Min(relevance[r], relevance[r - 1]);

        // The interest term: each pool item's component (-1 outside the user's mixture) and each component's weight.
        double nu = interests?.Weight ?? 0;
        int components = 0;
        var component = s.Component.AsSpan(0, n);
        ReadOnlySpan<double> weights = default;
        if (nu > 0)
        {
            components = interests!.Assign(q, items[..n], component);
            weights = interests.Weights(q);
        }

        // Pairwise cosines of the pool, once for every lambda that reads them (lambda = 1 without the term never does); with
        // one lambda or a pool too wide for the table, the picked item's row is computed at each pick instead (the same values).
        bool anyRedundancy = false;
        foreach (double lambda in lambdas) anyRedundancy |= !(lambda >= 1 && InterestWeightAt(nu, lambda) == 0);
        var cosines = s.Cosines.AsSpan(0, s.Cosines.Length == 0 ? 0 : n * n);
        if (anyRedundancy && m > 1 && !cosines.IsEmpty)
        {
            for (int a = 0; a < n; a++)
            {
                _unitItems.DotRows(_unitItems.ReadRow(items[a]), items[(a + 1)..n], cosines.Slice(a * n + a + 1, n - a - 1));
                for (int b = a + 1; b < n; b++) cosines[b * n + a] = cosines[a * n + b];
            }
        }

        for (int t = 0; t < lambdas.Count; t++)
            Greedy(items, scores, n, m, lambdas[t], InterestWeightAt(nu, lambdas[t]), components, component, weights, cosines, results[t], q, s);
    }

    /// <summary>
    /// The interest term's weight at <paramref name="lambda"/>: <paramref name="nu"/> from
    /// <see cref="MmrRetrieverDefaults.InterestFadeLambda"/> up, fading linearly to 0 at lambda 0, where the term (which,
    /// like relevance, says what the user wants) would otherwise still pull picks away from spread alone.
    /// </summary>
    internal static double InterestWeightAt(double nu, double lambda) =>
        lambda >= MmrRetrieverDefaults.InterestFadeLambda ? nu : nu * lambda / MmrRetrieverDefaults.InterestFadeLambda;

    /// <summary>Pools at most this wide keep their pairwise cosines in a table (256 x 256 floats, 256 KB per thread).</summary>
    internal const int CosineTableWidth = 256;

    /// <summary>The greedy MMR pass for one lambda over a prepared pool (relevance, interests and cosines in <paramref name="s"/>).</summary>
    private void Greedy(ReadOnlySpan<int> items, ReadOnlySpan<float> scores, int n, int m, double lambda, double nu, int components,
        ReadOnlySpan<int> component, ReadOnlySpan<double> weights, ReadOnlySpan<float> cosines, RankedLists result, int q, Scratch s)
    {
        var relevance = s.Relevance.AsSpan(0, n);
        var redundancy = s.Redundancy.AsSpan(0, n);
        var picked = s.Picked.AsSpan(0, n);
        var pickedMask = s.PickedMask.AsSpan(0, n);
        var picks = s.Picks.AsSpan(0, components);
        var bonus = s.Bonus.AsSpan(0, components);
        var addend = s.Addend.AsSpan(0, nu > 0 ? n : 0);
        var hasAddend = s.HasAddend.AsSpan(0, n);
        picked.Clear();
        pickedMask.Clear();
        picks.Clear();
        redundancy.Fill(double.NegativeInfinity);
        if (nu > 0)
            for (int r = 0; r < n; r++) hasAddend[r] = component[r] >= 0 ? -1L : 0L;
        // Without the table, the pool positions not yet picked, in any order (a pick swaps in the last one).
        var unpicked = s.Unpicked.AsSpan(0, cosines.IsEmpty ? n : 0);
        for (int r = 0; r < unpicked.Length; r++) unpicked[r] = r;
        var outItems = result.IndexSlots(q);
        var outScores = result.ScoreSlots(q);
        // The last pick's cosines with the pool, raised into the redundancy by the next slot's sweep (none before the first).
        ReadOnlySpan<float> lastPickCosines = default;
        for (int slot = 0; slot < m; slot++)
        {
            double topQuotient = 0;
            for (int j = 0; j < components; j++) topQuotient = Math.Max(topQuotient, weights[j] / (2 * picks[j] + 1));
            // Each component's interest bonus for this slot, computed once (the same expression as per item, so the same bits).
            bool withBonus = nu > 0 && topQuotient > 0;
            if (withBonus)
            {
                for (int j = 0; j < components; j++) bonus[j] = nu * weights[j] / (2 * picks[j] + 1) / topQuotient;
                for (int r = 0; r < n; r++) addend[r] = component[r] >= 0 ? bonus[component[r]] : 0;
            }
            // With lambda = 1 and no interest term the redundancy is never raised, so after the first slot every value is
            // 1 * rel - 0 * (-inf), not a number, and the greedy rule takes the first unpicked item: the pool's order.
            int best = slot > 0 && lambda >= 1 && nu == 0
                ? picked.IndexOf(false)
                : MmrGreedy.Best(relevance, redundancy, lastPickCosines, withBonus ? addend : default, hasAddend, pickedMask, lambda, first: slot == 0);
            picked[best] = true;
            pickedMask[best] = -1;
            if (nu > 0 && component[best] >= 0) picks[component[best]]++;
            outItems[slot] = items[best];
            outScores[slot] = scores[best];
            if (slot + 1 == m || (lambda >= 1 && nu == 0)) continue;
            if (cosines.IsEmpty)
            {
                int at = unpicked.IndexOf(best);
                unpicked[at] = unpicked[^1];
                unpicked = unpicked[..^1];
                lastPickCosines = CosineRow(items, best, unpicked, s.Row);
            }
            else lastPickCosines = cosines.Slice(best * n, n);
        }
        result.Counts[q] = m;
    }

    /// <summary>
    /// The cosines of the chosen pool item with the items not yet picked (<paramref name="unpicked"/>, pool positions; the
    /// others' entries are not read), four at a time: a list instead of a test per item, whose picked pattern no branch
    /// predictor follows. Not through <see cref="EmbeddingMatrix.DotRows"/>: gathering the rows for it and scattering its
    /// results made the pass 12-18 % slower.
    /// </summary>
    private float[] CosineRow(ReadOnlySpan<int> items, int chosenAt, ReadOnlySpan<int> unpicked, float[] row)
    {
        var chosen = _unitItems.ReadRow(items[chosenAt]);
        int i = 0;
        for (; i + 4 <= unpicked.Length; i += 4)
        {
            int a = unpicked[i], b = unpicked[i + 1], c = unpicked[i + 2], d = unpicked[i + 3];
            VectorMath.DotFour(chosen, _unitItems.ReadRow(items[a]), _unitItems.ReadRow(items[b]), _unitItems.ReadRow(items[c]), _unitItems.ReadRow(items[d]),
                out row[a], out row[b], out row[c], out row[d]);
        }
        for (; i < unpicked.Length; i++) row[unpicked[i]] = VectorMath.Dot(chosen, _unitItems.ReadRow(items[unpicked[i]]));
        return row;
    }

    private sealed class Scratch(int width, int components, bool table)
    {
        public int[] Component { get; } = new int[width];
        public int[] Picks { get; } = new int[components];
        public double[] Bonus { get; } = new double[components];
        public double[] Relevance { get; } = new double[width];
        public double[] Redundancy { get; } = new double[width];
        public bool[] Picked { get; } = new bool[width];
        public long[] PickedMask { get; } = new long[width];
        public long[] HasAddend { get; } = new long[width];
        public double[] Addend { get; } = new double[width];
        public float[] Cosines { get; } = table ? new float[width * width] : [];
        public float[] Row { get; } = table ? [] : new float[width];
        public int[] Unpicked { get; } = table ? [] : new int[width];
    }
}
