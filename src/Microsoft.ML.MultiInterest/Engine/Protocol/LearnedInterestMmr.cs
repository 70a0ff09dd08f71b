namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A learned multi-vector model (DCM's interests or the mixture embeddings' components, C_d = 1) served by history-interest
/// MMR instead of round robin: the pool is the union of the best items of each component and of the user's mean vector,
/// scored by the best of them, all in the model's own space; MMR with the PM-2 term over the components, weighted by the
/// model's weights, re-ranks it (<see cref="HistoryInterestRetriever"/>). Scored as <see cref="LearnedMixtureEvaluator"/>
/// scores the round-robin rows: Diversity@K on the shared reference item vectors, EMD in the model's space.
/// </summary>
public static class LearnedInterestMmr
{
    /// <summary>Scores one row per lambda (the pool is searched once and shared).</summary>
    /// <param name="name">The rows' name; each row is <c>name@lambda=X</c>.</param>
    /// <param name="train">Training graph (its items are excluded).</param>
    /// <param name="test">Held-out graph over the same rows.</param>
    /// <param name="model">The learned components (C_d = 1).</param>
    /// <param name="userVectors">Each user's single vector in the model's space (e.g. the fit's mean component).</param>
    /// <param name="referenceItems">The shared item vectors Diversity@K is measured on.</param>
    /// <param name="cutoffs">The cutoffs K.</param>
    /// <param name="lambdas">The MMR relevance weights, each in [0, 1].</param>
    /// <param name="interestWeight">nu, the PM-2 term's weight.</param>
    /// <param name="poolSize">Pool items re-ranked.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="misses">Held-out edges of unseen users or items to count as misses.</param>
    /// <returns>One row per lambda, in the order of <paramref name="lambdas"/>.</returns>
    public static IReadOnlyList<MethodEvaluation> Evaluate(string name, BipartiteGraph train, BipartiteGraph test, MixtureEmbeddingResult model,
        EmbeddingMatrix userVectors, EmbeddingMatrix referenceItems, IReadOnlyList<int> cutoffs, IReadOnlyList<double> lambdas,
        double interestWeight = HistoryInterestDefaults.InterestWeight, int poolSize = MmrRetrieverDefaults.PoolSize, int threads = 0, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(userVectors);
        ArgumentNullException.ThrowIfNull(referenceItems);
        ArgumentNullException.ThrowIfNull(lambdas);
        if (model.DestinationComponents != 1)
            throw new ArgumentException($"The model has {model.DestinationComponents} components per item; MMR over learned interests needs one vector per item.", nameof(model));
        if (userVectors.Rows != model.UserCount || userVectors.Dimension != model.Dimension)
            throw new ArgumentException($"The user vectors are {userVectors.Rows} x {userVectors.Dimension}; the model has {model.UserCount} users of dimension {model.Dimension}.", nameof(userVectors));
        var sorted = cutoffs.Distinct().Order().ToArray();
        var (testUsers, scorer) = LearnedMixtureEvaluator.Scoring(train, test, model, referenceItems, threads, misses);
        var interests = HistoryInterests.FromComponents(model, testUsers);
        var retriever = new HistoryInterestRetriever(model.ItemComponents, null, null, null, skipZeroRows: false);
        int width = Math.Max(poolSize, sorted[^1]);
        var (pool, term) = retriever.Pool(userVectors, interests, train, width, interestWeight, threads);
        var lists = retriever.RerankMany(pool, term, sorted[^1], lambdas, width, threads);
        var table = model.ToMixtureTable(testUsers);
        var rows = new List<MethodEvaluation>();
        for (int t = 0; t < lambdas.Count; t++)
        {
            var byCutoff = sorted.ToDictionary(k => k, k => ProtocolEvaluator.Prefix(lists[t], k));
            string label = $"{name}@lambda={lambdas[t].ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            rows.Add(scorer.Score(label, byCutoff, table, null, rows.Count > 0 ? rows[0] : null));
        }
        return rows;
    }
}
