using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Runs the evaluation protocol's comparison on fixed embeddings and clusters: Unimodal, Mixture
/// (lambda = 0) and kNN-Embed, each retrieved separately at every cutoff, scored by Recall@K,
/// NDCG@K, Diversity@K and exact EMD, averaged over test users (users with a held-out edge).
/// </summary>
public static class ProtocolEvaluator
{
    /// <summary>Names of the three methods, in report order.</summary>
    public static readonly string[] MethodNames = ["unimodal", "mixture", "knn_embed"];

    /// <summary>Runs the comparison.</summary>
    /// <param name="train">Training graph (its items are excluded from retrieval).</param>
    /// <param name="test">Held-out graph over the same user and item rows.</param>
    /// <param name="userEmbeddings">One row per user.</param>
    /// <param name="itemEmbeddings">One row per item.</param>
    /// <param name="clustering">Item clusters.</param>
    /// <param name="settings">m, k, lambda, alpha, cutoffs, threads.</param>
    /// <param name="neighborIndex">Optional user index; the exact one over users with a training edge by default.</param>
    /// <param name="misses">
    /// Held-out edges left out of <paramref name="test"/> because their user or item is unseen in training, to count as misses
    /// (<see cref="UnseenHeldOut.Miss"/>, see <see cref="Data.GraphData.BuildHeldOut"/>); null to leave them out of the figures.
    /// </param>
    public static ProtocolResult Run(BipartiteGraph train, BipartiteGraph test, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings,
        ItemClustering clustering, ProtocolSettings settings, INeighborIndex? neighborIndex = null, HeldOutMisses? misses = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (test.UserCount > train.UserCount || test.ItemCount > train.ItemCount)
            throw new ArgumentException("The test graph must use the training graph's user and item rows.", nameof(test));
        if (userEmbeddings.Rows != train.UserCount)
            throw new ArgumentException($"There are {userEmbeddings.Rows} user embeddings for {train.UserCount} users.", nameof(userEmbeddings));
        userEmbeddings.ThrowIfNotFinite("user embeddings");
        itemEmbeddings.ThrowIfNotFinite("item embeddings");

        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        int threads = settings.Threads;
        var cutoffs = settings.Cutoffs.Distinct().Order().ToArray();
        int maxCutoff = cutoffs[^1];
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        if (testUsers.Length == 0)
            throw new ArgumentException("The test graph has no edge of a user and an item seen in training: there is nothing to evaluate.", nameof(test));
        misses ??= HeldOutMisses.None;
        int missedUsers = misses.UnseenUsers + misses.UsersWithOnlyUnseenItems(test.UserCount, u => test.DegreeOf(u) > 0);

        // Unimodal: one ranking of twice the largest cutoff serves every cutoff and the quota fill.
        var unimodal = new UnimodalRetriever(itemEmbeddings).Retrieve(userEmbeddings, testUsers, train, 2 * maxCutoff, threads);
        var unimodalLists = cutoffs.ToDictionary(k => k, k => Prefix(unimodal, k));
        seconds["unimodal_retrieval"] = Lap(clock);

        var mle = MixtureBuilder.BuildMle(train, clustering, itemEmbeddings, settings.Components, threads);
        seconds["mixture"] = Lap(clock);

        var eligible = new bool[train.UserCount];
        for (int u = 0; u < train.UserCount; u++) eligible[u] = train.DegreeOf(u) > 0;
        neighborIndex ??= new ExactNeighborIndex(userEmbeddings, eligible);
        var queries = new EmbeddingMatrix(testUsers.Length, userEmbeddings.Dimension);
        for (int j = 0; j < testUsers.Length; j++) userEmbeddings.ReadRow(testUsers[j]).CopyTo(queries.Row(j));
        var neighbors = neighborIndex.Search(queries, testUsers, settings.Neighbors, threads);
        seconds["neighbors"] = Lap(clock);
        var smoothed = KnnSmoother.Smooth(train, clustering, itemEmbeddings, mle, testUsers, neighbors, settings.Lambda, threads);
        seconds["smoothing"] = Lap(clock);

        var retriever = new ClusterQuotaRetriever(itemEmbeddings, clustering);
        var mixtureLists = Zip(cutoffs, retriever.Retrieve(mle, testUsers, train, cutoffs, settings.Alpha, unimodal, threads));
        var knnLists = Zip(cutoffs, retriever.Retrieve(smoothed, testUsers, train, cutoffs, settings.Alpha, unimodal, threads));
        seconds["quota_retrieval"] = Lap(clock);

        var scorer = new ProtocolScorer(test, testUsers, itemEmbeddings, threads, misses, missedUsers);
        var methods = new List<MethodEvaluation>
        {
            scorer.Score("unimodal", unimodalLists, null, userEmbeddings),
            scorer.Score("mixture", mixtureLists, mle, null),
            scorer.Score("knn_embed", knnLists, smoothed, null),
        };
        seconds["metrics"] = Lap(clock);
        return new ProtocolResult(testUsers, methods, seconds, missedUsers);
    }

    private static Dictionary<int, RankedLists> Zip(int[] cutoffs, RankedLists[] lists) =>
        cutoffs.Select((k, t) => (k, t)).ToDictionary(p => p.k, p => lists[p.t]);

    /// <summary>The first <paramref name="k"/> entries of every list (the unimodal ranking is prefix-stable).</summary>
    internal static RankedLists Prefix(RankedLists lists, int k)
    {
        var result = new RankedLists(lists.QueryCount, k);
        for (int q = 0; q < lists.QueryCount; q++)
        {
            int n = Math.Min(k, lists.Counts[q]);
            lists.IndicesOf(q)[..n].CopyTo(result.IndexSlots(q));
            lists.ScoresOf(q)[..n].CopyTo(result.ScoreSlots(q));
            result.Counts[q] = n;
        }
        return result;
    }

    private static double Lap(Stopwatch clock)
    {
        double s = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return s;
    }
}
