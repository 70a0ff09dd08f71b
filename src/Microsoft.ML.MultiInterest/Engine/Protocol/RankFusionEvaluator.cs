namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scores the <see cref="RankFusion"/> of rows already evaluated under the protocol (e.g. a learned model's round robin
/// and history-interest MMR): each cutoff K fuses the rows' own lists at K, so every cutoff stays its own retrieval.
/// Recall, NDCG and Diversity as for every row (Diversity on the main table's item vectors); the goodness of fit is the
/// representation row's (the <c>representation</c> argument), since a fused list has no representation of its own.
/// </summary>
public static class RankFusionEvaluator
{
    /// <summary>Scores one fused row.</summary>
    /// <param name="name">The row's name in reports.</param>
    /// <param name="train">Training graph (for the activity quartiles).</param>
    /// <param name="test">Held-out graph over the same rows.</param>
    /// <param name="sources">The rows to fuse, scored on the same test users (each must have lists at every cutoff of the first).</param>
    /// <param name="weights">w_l ≥ 0 per source (see <see cref="RankFusion.Fuse"/>).</param>
    /// <param name="representation">The source whose goodness of fit (EMD) the fused row reports.</param>
    /// <param name="referenceItems">The shared item vectors Diversity@K is measured on.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="misses">Held-out edges of unseen users or items, counted as misses, as given to the sources.</param>
    /// <returns>The fused row's figures at each cutoff, with its per-user figures.</returns>
    public static MethodEvaluation Evaluate(string name, BipartiteGraph train, BipartiteGraph test, IReadOnlyList<MethodEvaluation> sources,
        IReadOnlyList<double> weights, MethodEvaluation representation, EmbeddingMatrix referenceItems, int threads, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(representation);
        ArgumentNullException.ThrowIfNull(referenceItems);
        if (sources.Count == 0) throw new ArgumentException("At least one row is needed.", nameof(sources));
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        var byCutoff = new Dictionary<int, RankedLists>();
        foreach (int k in sources[0].Candidates.Keys.Order())
        {
            var lists = sources.Select(s => s.Candidates.TryGetValue(k, out var l) ? l
                : throw new ArgumentException($"Row '{s.Name}' has no lists at K = {k}, row '{sources[0].Name}' has.", nameof(sources))).ToArray();
            foreach (var (l, s) in lists.Zip(sources))
                if (l.QueryCount != testUsers.Length)
                    throw new ArgumentException($"Row '{s.Name}' has {l.QueryCount} lists at K = {k}, the test graph {testUsers.Length} users with held-out edges.", nameof(sources));
            byCutoff[k] = RankFusion.Fuse(lists, weights, k);
        }
        var scorer = ProtocolScorer.ForAddedRow(train, test, testUsers, referenceItems, threads, misses);
        return scorer.Score(name, byCutoff, representation.Mixtures, null, representation);
    }
}
