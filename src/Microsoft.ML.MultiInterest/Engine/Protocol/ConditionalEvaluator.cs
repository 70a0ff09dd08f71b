namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scores a conditional-retrieval row under the evaluation protocol, as <see cref="ProtocolEvaluator.Run"/> scores its rows:
/// each test user's conditions (<see cref="ConditionalModel.Represent"/>) searched inside their items, optionally merged
/// with implicit components under one quota policy (<see cref="ConditionalRetriever"/>), the unimodal ranking as the fill,
/// each cutoff its own retrieval, training items excluded. Recall, NDCG and Diversity as every row; the EMD of the
/// conditional queries with their shares (the implicit components are not part of it; a user without a conditioned item
/// counts with its unit user vector).
/// </summary>
public static class ConditionalEvaluator
{
    /// <summary>Scores one conditional row.</summary>
    /// <param name="name">The method's name in reports.</param>
    /// <param name="train">Training graph (its items are excluded).</param>
    /// <param name="test">Held-out graph over the same rows.</param>
    /// <param name="userEmbeddings">One row per user.</param>
    /// <param name="itemEmbeddings">One row per item (also the vectors Diversity@K is measured on).</param>
    /// <param name="model">The trained conditional model.</param>
    /// <param name="maxConditions">Conditions per user from its history.</param>
    /// <param name="options">Quota exponent and the implicit components' share and query.</param>
    /// <param name="cutoffs">The cutoffs K.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="implicitMixtures">Optional implicit mixtures of the test users (e.g. the kNN-Embed row's <see cref="MethodEvaluation.Mixtures"/>).</param>
    /// <param name="implicitClustering">The item clusters of <paramref name="implicitMixtures"/>.</param>
    /// <param name="misses">Held-out edges of unseen users or items, counted as misses.</param>
    /// <returns>The row's figures at each cutoff, with its per-user figures.</returns>
    public static MethodEvaluation Evaluate(string name, BipartiteGraph train, BipartiteGraph test, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings,
        ConditionalModel model, int maxConditions, ConditionalRetrievalOptions options, IReadOnlyList<int> cutoffs, int threads,
        MixtureTable? implicitMixtures = null, ItemClustering? implicitClustering = null, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cutoffs);
        if ((implicitMixtures == null) != (implicitClustering == null))
            throw new ArgumentException("Implicit mixtures and their item clustering go together.", nameof(implicitClustering));
        var sorted = cutoffs.Distinct().Order().ToArray();
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        var table = model.Represent(train, userEmbeddings, itemEmbeddings, testUsers, maxConditions, null, threads);
        var fallback = new UnimodalRetriever(itemEmbeddings, skipZeroRows: false).Retrieve(userEmbeddings, testUsers, train, ConditionalDefaults.FillLength(sorted[^1], itemEmbeddings.Rows), threads);
        var lists = new ConditionalRetriever(itemEmbeddings, model.Conditions, implicitClustering, skipZeroRows: false)
            .Retrieve(table, implicitMixtures, testUsers, train, sorted, options, fallback, userEmbeddings, threads);
        // A user without a conditioned item is served by the fill alone: its goodness of fit is the unimodal one (set after retrieval).
        foreach (int u in testUsers)
        {
            if (table.ComponentCount(u) > 0) continue;
            table.SetCount(u, 1);
            table.WritableWeights(u)[0] = 1;
            var row = table.WritableEmbedding(u, 0);
            userEmbeddings.ReadRow(u).CopyTo(row);
            VectorMath.NormalizeInPlace(row);
        }
        var byCutoff = sorted.Select((k, t) => (k, t)).ToDictionary(p => p.k, p => lists[p.t]);
        var scorer = ProtocolScorer.ForAddedRow(train, test, testUsers, itemEmbeddings, threads, misses);
        return scorer.Score(name, byCutoff, table, null);
    }
}
