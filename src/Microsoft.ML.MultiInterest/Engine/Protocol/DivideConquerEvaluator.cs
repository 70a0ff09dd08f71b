using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Evaluates a <see cref="EmbeddingAlgorithm.DivideConquer"/> model under the evaluation protocol: every test user's top-m
/// clusters by intent with their prompted queries (<see cref="DivideConquerModel.BuildMixtures"/>), cluster-quota retrieval
/// inside the model's clustering (<see cref="ClusterQuotaRetriever"/>, alpha), each cutoff its own retrieval, training
/// items excluded, lists the clusters cannot fill completed from the model's shared query. Recall and NDCG as for every
/// row; Diversity@K on the shared reference item vectors; EMD in the model's own space.
/// </summary>
public static class DivideConquerEvaluator
{
    /// <summary>Scores one model; <paramref name="retrievalSeconds"/> receives the serving time (encoding and retrieval of every test user, not the scoring).</summary>
    /// <param name="name">The method's name in reports.</param>
    /// <param name="train">Training graph (the users' histories; its items are excluded).</param>
    /// <param name="test">Held-out graph over the same rows.</param>
    /// <param name="model">The trained model.</param>
    /// <param name="alpha">Quota exponent.</param>
    /// <param name="referenceItems">The shared item vectors Diversity@K is measured on.</param>
    /// <param name="cutoffs">The cutoffs K.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="retrievalSeconds">Wall-clock seconds of encoding and retrieval.</param>
    /// <param name="misses">Held-out edges of unseen users or items to count as misses, as given to <see cref="ProtocolEvaluator.Run"/>.</param>
    /// <returns>The row's figures at each cutoff, with its per-user figures.</returns>
    public static MethodEvaluation Evaluate(string name, BipartiteGraph train, BipartiteGraph test, DivideConquerModel model, double alpha,
        EmbeddingMatrix referenceItems, IReadOnlyList<int> cutoffs, int threads, out double retrievalSeconds, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(referenceItems);
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (train.ItemCount != model.Items.Rows || test.UserCount != train.UserCount)
            throw new ArgumentException($"The model has {model.Items.Rows} items, the training graph {train.ItemCount} (and {train.UserCount} users, the test graph {test.UserCount}).", nameof(model));
        var sorted = cutoffs.Distinct().Order().ToArray();
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        var clock = Stopwatch.StartNew();
        var table = model.BuildMixtures(train, testUsers, threads);
        var retriever = new ClusterQuotaRetriever(model.Items, model.Clustering, skipZeroRows: false);
        var options = new QuotaRetrievalOptions { Alpha = alpha };
        var lists = retriever.Retrieve(table, testUsers, train, sorted, options, null, null, threads);
        // Lists the user's clusters cannot fill are retrieved again with the shared query's unimodal ranking as the fill:
        // computing that ranking for every user would cost as much as the unimodal row itself.
        var shortRows = Enumerable.Range(0, testUsers.Length).Where(q => lists.Select((l, t) => l.Counts[q] < sorted[t]).Any(s => s)).ToArray();
        if (shortRows.Length > 0)
        {
            var shortUsers = shortRows.Select(q => testUsers[q]).ToArray();
            var fallback = new UnimodalRetriever(model.Items, skipZeroRows: false).Retrieve(model.UserQueries(train, threads), shortUsers, train, sorted[^1], threads);
            var refilled = retriever.Retrieve(table, shortUsers, train, sorted, options, fallback, null, threads);
            for (int t = 0; t < sorted.Length; t++)
                for (int j = 0; j < shortRows.Length; j++)
                {
                    int q = shortRows[j];
                    refilled[t].IndexSlots(j).CopyTo(lists[t].IndexSlots(q));
                    refilled[t].ScoreSlots(j).CopyTo(lists[t].ScoreSlots(q));
                    lists[t].Counts[q] = refilled[t].Counts[j];
                }
        }
        retrievalSeconds = clock.Elapsed.TotalSeconds;
        var byCutoff = sorted.Select((k, t) => (k, t)).ToDictionary(p => p.k, p => lists[p.t]);
        var scorer = ProtocolScorer.ForAddedRow(train, test, testUsers, referenceItems, threads, misses, model.Items);
        return scorer.Score(name, byCutoff, table, null);
    }
}
