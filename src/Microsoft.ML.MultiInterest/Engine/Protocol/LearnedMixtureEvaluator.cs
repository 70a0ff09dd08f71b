namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Evaluates a model with its own vectors (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/>, or its single-component
/// control) under the evaluation protocol: round-robin retrieval over the user's components with their post-hoc weights
/// (with one component, plain top-K by cosine), each cutoff its own retrieval, training items excluded. Recall and NDCG
/// as for every row; Diversity@K on the shared reference item vectors (the main table's), so rows compare; EMD in the
/// model's own space (the components with their weights against the held-out items' own vectors).
/// </summary>
public static class LearnedMixtureEvaluator
{
    /// <summary>Scores one learned model.</summary>
    /// <param name="name">The method's name in reports.</param>
    /// <param name="train">Training graph (its items are excluded).</param>
    /// <param name="test">Held-out graph over the same rows.</param>
    /// <param name="model">The learned components.</param>
    /// <param name="referenceItems">The shared item vectors Diversity@K is measured on.</param>
    /// <param name="cutoffs">The cutoffs K.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="misses">Held-out edges of unseen users or items to count as misses, as given to <see cref="ProtocolEvaluator.Run"/>.</param>
    /// <returns>The row's figures at each cutoff, with its per-user figures.</returns>
    public static MethodEvaluation Evaluate(string name, BipartiteGraph train, BipartiteGraph test, MixtureEmbeddingResult model,
        EmbeddingMatrix referenceItems, IReadOnlyList<int> cutoffs, int threads, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(referenceItems);
        ArgumentNullException.ThrowIfNull(cutoffs);
        var sorted = cutoffs.Distinct().Order().ToArray();
        var (testUsers, scorer) = Scoring(train, test, model, referenceItems, threads, misses);
        var table = model.ToMixtureTable(testUsers);
        var lists = new RoundRobinRetriever(model.ItemComponents, model.DestinationComponents).Retrieve(table, testUsers, train, sorted, threads);
        var byCutoff = sorted.Select((k, t) => (k, t)).ToDictionary(p => p.k, p => lists[p.t]);
        return scorer.Score(name, byCutoff, table, null);
    }

    /// <summary>
    /// What every learned row is scored with: the test users (a held-out edge), and a scorer measuring diversity on
    /// <paramref name="referenceItems"/> and the fit in the model's own space, with activity quartiles and misses.
    /// </summary>
    internal static (int[] TestUsers, ProtocolScorer Scorer) Scoring(BipartiteGraph train, BipartiteGraph test, MixtureEmbeddingResult model,
        EmbeddingMatrix referenceItems, int threads, HeldOutMisses? misses)
    {
        if (model.UserCount != train.UserCount || model.ItemCount != train.ItemCount)
            throw new ArgumentException($"The model has {model.UserCount} users and {model.ItemCount} items, the graph {train.UserCount} and {train.ItemCount}.", nameof(model));
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        return (testUsers, ProtocolScorer.ForAddedRow(train, test, testUsers, referenceItems, threads, misses, OwnItems(model)));
    }

    /// <summary>One vector per item in the model's space: the item itself for C_d = 1, else the mean of its components.</summary>
    private static EmbeddingMatrix OwnItems(MixtureEmbeddingResult model)
    {
        int cd = model.DestinationComponents;
        if (cd == 1) return model.ItemComponents;
        var mean = new EmbeddingMatrix(model.ItemCount, model.Dimension);
        for (int i = 0; i < model.ItemCount; i++)
            for (int l = 0; l < cd; l++) System.Numerics.Tensors.TensorPrimitives.Add(mean.Row(i), model.ItemComponents.ReadRow(i * cd + l), mean.Row(i));
        return mean;
    }
}
