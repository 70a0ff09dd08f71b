using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>What <see cref="RetrievalStages.Run"/> measured.</summary>
/// <param name="SetupSeconds">One-off index builds (not per user): neighbour index, quota retriever, unimodal panels.</param>
/// <param name="Stages">Per-user stages in run order: mixtures (all users), neighbours, smoothing, quota retrieval, unimodal, history interests and history-interest MMR.</param>
/// <param name="QuotaWork">Dot products per user of quota retrieval against the catalogue size.</param>
/// <param name="ShortQuotaLists">Quota lists shorter than M (no unimodal fallback is used, so nothing fills them).</param>
/// <param name="RecallAtM">Mean Recall@M of the kNN-Embed quota lists and the unimodal lists over the timed users (with a test graph).</param>
/// <param name="NeighborIndex">With the clustered index: its shape and its neighbour recall@k against the exact index.</param>
/// <param name="HistoryPool">With the clustered history pool: its lists and the share of the exact pool it finds.</param>
internal sealed record RetrievalReport(
    IReadOnlyDictionary<string, double> SetupSeconds,
    IReadOnlyDictionary<string, StageTiming> Stages,
    QuotaWork QuotaWork,
    int ShortQuotaLists,
    [property: JsonPropertyName("recall_at_m")] IReadOnlyDictionary<string, double>? RecallAtM,
    NeighborIndexReport? NeighborIndex,
    HistoryPoolReport? HistoryPool = null);

/// <summary>The clustered history pool against the exact one, over the timed users (computed outside the timed stages).</summary>
/// <param name="Lists">Inverted lists over the items.</param>
/// <param name="Probes">Lists each interest probes.</param>
/// <param name="UserProbes">Lists the user's own vector probes (0 = its exact list).</param>
/// <param name="HistoryLists">Whether the lists of the user's training items are searched too.</param>
/// <param name="PoolRecall">Share of the exact pool's items in the clustered pool, averaged over the users.</param>
/// <param name="SameTopM">Share of users whose M-item history-interest MMR list equals the exact pool's.</param>
/// <param name="MeanItemsScanned">Items in the lists a user's interests search, averaged over the users.</param>
/// <param name="MeanInterests">Interest vectors per user.</param>
internal sealed record HistoryPoolReport(int Lists, int Probes, int UserProbes, bool HistoryLists, double PoolRecall, double SameTopM, double MeanItemsScanned, double MeanInterests);

/// <summary>The clustered neighbour index as built and graded.</summary>
/// <param name="Lists">Inverted lists built.</param>
/// <param name="Probes">Lists scanned per query.</param>
/// <param name="LargestList">Rows in the largest list.</param>
/// <param name="MeanRowsScanned">Indexed rows in the probed lists, averaged over the timed queries (graded pass).</param>
/// <param name="RecallAtK">Fraction of the exact k neighbours found, averaged over the timed queries.</param>
/// <param name="ExactSeconds">Seconds of the exact reference search of the same queries (run outside the timed stages).</param>
/// <param name="GradingSeconds">Seconds of the whole grading (exact search, list sizes, recall), outside the timed stages.</param>
internal sealed record NeighborIndexReport(int Lists, int Probes, int LargestList, double MeanRowsScanned,
    [property: JsonPropertyName("recall_at_k")] double RecallAtK, double ExactSeconds, double GradingSeconds);

/// <summary>
/// Times the serving side of kNN-Embed as the protocol chains it (see ProtocolEvaluator), stage by stage, for a set of
/// query users: MLE mixtures of every user (clusters and weights only unless <see cref="RetrievalSettings.MleEmbeddings"/>), exact user neighbours (cosine, k), kNN smoothing, cluster-quota retrieval
/// of M candidates without the unimodal fallback, and the exact unimodal top-M over all items as the brute-force
/// baseline (with the training items excluded, as the protocol does, and without, as FAISS does). Every stage runs
/// <see cref="RetrievalSettings.Repeats"/> times, after an untimed warm-up on a few users.
/// </summary>
internal static class RetrievalStages
{
    private const int WarmupUsers = 64;

    /// <summary>Runs and times the stages.</summary>
    /// <param name="train">Training graph (exclusions and mixtures).</param>
    /// <param name="test">Optional held-out graph, for Recall@M.</param>
    /// <param name="queryUsers">The users to serve.</param>
    /// <param name="users">User embeddings.</param>
    /// <param name="items">Item embeddings.</param>
    /// <param name="clustering">Item clusters.</param>
    /// <param name="s">Settings.</param>
    /// <param name="memory">Optional: receives a memory snapshot after every stage (taken outside the timed spans).</param>
    public static RetrievalReport Run(BipartiteGraph train, BipartiteGraph? test, int[] queryUsers, EmbeddingMatrix users, EmbeddingMatrix items,
        ItemClustering clustering, RetrievalSettings s, IDictionary<string, MemorySnapshot>? memory = null)
    {
        var setup = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        var eligible = new bool[train.UserCount];
        for (int u = 0; u < train.UserCount; u++) eligible[u] = train.DegreeOf(u) > 0;
        var neighborIndex = NeighborIndexFactory.Create(users, eligible, s.NeighborIndex, s.ClusteredOptions());
        setup["neighbor_index"] = JsonReport.Round(Lap(clock), 4);
        var quota = new ClusterQuotaRetriever(items, clustering);
        setup["quota_retriever"] = JsonReport.Round(Lap(clock), 4);
        var unimodal = s.Unimodal ? new UnimodalRetriever(items) : null;
        if (unimodal != null) setup["unimodal_panels"] = JsonReport.Round(Lap(clock), 4);
        var history = s.HistoryMmr ? new HistoryInterestRetriever(items) : null;
        if (history != null) setup["history_mmr_panels"] = JsonReport.Round(Lap(clock), 4);
        var historyPool = s.HistoryMmr && s.HistoryPoolOptions() is { } poolOptions ? new HistoryInterestRetriever(items, poolOptions) : null;
        if (historyPool != null) setup["history_pool_index"] = JsonReport.Round(Lap(clock), 4);
        var chain = new Chain(train, users, items, clustering, neighborIndex, quota, unimodal, history, historyPool, s);

        if (s.Warmup) chain.Run(queryUsers[..Math.Min(WarmupUsers, queryUsers.Length)], null, null);
        var runs = new Dictionary<string, List<double>>();
        Chain.Output output = default;
        for (int r = 0; r < s.Repeats; r++) output = chain.Run(queryUsers, runs, r == 0 ? memory : null);

        var stages = runs.ToDictionary(p => p.Key, p => StageTiming.Of(p.Value, p.Key == "mixtures" ? train.UserCount : queryUsers.Length));
        int shortLists = output.Quota.Counts.Count(c => c < s.Candidates);
        var work = QuotaWork.Count(output.Smoothed, queryUsers, clustering, train);
        Dictionary<string, double>? recall = null;
        if (test != null)
        {
            recall = new() { ["knn_embed_quota"] = MeanRecall(output.Quota, queryUsers, test) };
            if (output.Unimodal != null) recall["unimodal"] = MeanRecall(output.Unimodal, queryUsers, test);
            if (output.HistoryMmr != null) recall["history_mmr"] = MeanRecall(output.HistoryMmr, queryUsers, test);
            if (output.HistoryMmrClustered != null) recall["history_mmr_clustered"] = MeanRecall(output.HistoryMmrClustered, queryUsers, test);
            if (output.HistoryMmrReorder != null) recall["history_mmr_reorder"] = MeanRecall(output.HistoryMmrReorder, queryUsers, test);
            if (output.HistoryMmrUnimodalReorder != null) recall["history_mmr_unimodal_reorder"] = MeanRecall(output.HistoryMmrUnimodalReorder, queryUsers, test);
        }
        var graded = neighborIndex is ClusteredNeighborIndex clustered ? Grade(clustered, users, eligible, queryUsers, output.Neighbors, s) : null;
        var pool = historyPool != null ? GradePool(history!, historyPool, train, users, items, queryUsers, output, s) : null;
        return new RetrievalReport(setup, stages, work, shortLists, recall, graded, pool);
    }

    /// <summary>Runs the exact search of the same queries (untimed as a stage) and compares the clustered lists with it.</summary>
    private static NeighborIndexReport Grade(ClusteredNeighborIndex index, EmbeddingMatrix users, bool[] eligible, int[] queryUsers,
        RankedLists approximate, RetrievalSettings s)
    {
        var clock = Stopwatch.StartNew();
        var exact = new ExactNeighborIndex(users, eligible).Search(Queries(users, queryUsers), queryUsers, s.Neighbors, s.Threads);
        double exactSeconds = clock.Elapsed.TotalSeconds;
        double scanned = queryUsers.Length == 0 ? 0 : index.RowsScanned(Queries(users, queryUsers)).Average();
        double recall = NeighborRecall.Mean(exact, approximate);
        return new NeighborIndexReport(index.Lists, index.Probes, index.ListSizes.Max(), JsonReport.Round(scanned, 1),
            JsonReport.Round(recall, 4), JsonReport.Round(exactSeconds, 4), JsonReport.Round(clock.Elapsed.TotalSeconds, 4));
    }

    /// <summary>The interest vectors of every user one after another, and each user's first row.</summary>
    private static (EmbeddingMatrix Queries, int[] First) InterestQueries(HistoryInterests interests)
    {
        int count = interests.Users.Count, d = interests.Dimension;
        var first = new int[count + 1];
        for (int q = 0; q < count; q++) first[q + 1] = first[q] + interests.InterestCount(q);
        var queries = new EmbeddingMatrix(first[count], d);
        for (int q = 0; q < count; q++) interests.Vectors(q).CopyTo(queries.Values.AsSpan(first[q] * d));
        return (queries, first);
    }

    /// <summary>The clustered pool's share of the exact pool's items, and how often the final lists agree (untimed).</summary>
    private static HistoryPoolReport GradePool(HistoryInterestRetriever exact, HistoryInterestRetriever clustered, BipartiteGraph train, EmbeddingMatrix users,
        EmbeddingMatrix items, int[] queryUsers, Chain.Output output, RetrievalSettings s)
    {
        var interests = HistoryInterests.Build(train, items, queryUsers, Chain.HistoryOptions, s.Threads, users);
        var exactPool = exact.Pool(users, interests, train, MmrRetrieverDefaults.PoolSize, HistoryInterestDefaults.InterestWeight, s.Threads).Pool;
        var approximate = clustered.Pool(users, interests, train, MmrRetrieverDefaults.PoolSize, HistoryInterestDefaults.InterestWeight, s.Threads).Pool;
        double found = 0;
        int same = 0;
        for (int q = 0; q < queryUsers.Length; q++)
        {
            var reference = exactPool.IndicesOf(q);
            var got = new HashSet<int>(approximate.IndicesOf(q).ToArray());
            int hits = 0;
            foreach (int item in reference) if (got.Contains(item)) hits++;
            found += reference.Length == 0 ? 1 : (double)hits / reference.Length;
            if (output.HistoryMmr!.IndicesOf(q).SequenceEqual(output.HistoryMmrClustered!.IndicesOf(q))) same++;
        }
        int n = Math.Max(1, queryUsers.Length);
        var o = clustered.PoolOptions;
        var (queries, first) = InterestQueries(interests);
        var scanned = new int[queryUsers.Length];
        clustered.PoolIndex!.Search(queries, first, interests.Users, train, MmrRetrieverDefaults.PoolSize, s.Threads, scanned);
        return new HistoryPoolReport(clustered.PoolLists, o.Probes, o.UserProbes, o.HistoryLists, JsonReport.Round(found / n, 4), JsonReport.Round((double)same / n, 4),
            JsonReport.Round(scanned.Average(), 1), JsonReport.Round(Enumerable.Range(0, queryUsers.Length).Average(q => interests.InterestCount(q)), 2));
    }

    private static EmbeddingMatrix Queries(EmbeddingMatrix users, int[] queryUsers)
    {
        var queries = new EmbeddingMatrix(queryUsers.Length, users.Dimension);
        for (int j = 0; j < queryUsers.Length; j++) users.ReadRow(queryUsers[j]).CopyTo(queries.Row(j));
        return queries;
    }

    /// <summary>Spreads <paramref name="max"/> users evenly over <paramref name="candidates"/> (all of them when max is 0 or larger).</summary>
    public static int[] Sample(int[] candidates, int max)
    {
        if (max <= 0 || max >= candidates.Length) return candidates;
        var sample = new int[max];
        for (int j = 0; j < max; j++) sample[j] = candidates[(int)((long)j * candidates.Length / max)];
        return sample;
    }

    private static double MeanRecall(RankedLists lists, int[] queryUsers, BipartiteGraph test)
    {
        double sum = 0;
        int n = 0;
        for (int q = 0; q < queryUsers.Length; q++)
        {
            if (test.DegreeOf(queryUsers[q]) == 0) continue;
            sum += RetrievalMetrics.Recall(lists.IndicesOf(q), test.ItemsOf(queryUsers[q]));
            n++;
        }
        return JsonReport.Round(n == 0 ? 0 : sum / n, 4);
    }

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    /// <summary>One pass of the stages over a set of users, recording each stage's seconds.</summary>
    private sealed class Chain(BipartiteGraph train, EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering,
        INeighborIndex neighborIndex, ClusterQuotaRetriever quota, UnimodalRetriever? unimodal, HistoryInterestRetriever? history,
        HistoryInterestRetriever? historyPool, RetrievalSettings s)
    {
        /// <summary>The results of a pass that the report needs.</summary>
        public readonly record struct Output(MixtureTable Smoothed, RankedLists Neighbors, RankedLists Quota, RankedLists? Unimodal, RankedLists? HistoryMmr,
            RankedLists? HistoryMmrClustered, RankedLists? HistoryMmrReorder = null, RankedLists? HistoryMmrUnimodalReorder = null);

        /// <summary>The command line's history_mmr settings (docs/results.md), the fold-in fitted to the user vectors.</summary>
        public static readonly HistoryInterestOptions HistoryOptions = new() { MatchUserVectors = true };

        /// <summary>The re-ordering baseline's MMR (a normalised copy of the items), only when the unimodal stage runs.</summary>
        private readonly MmrRetriever? _reorderBaseline = unimodal == null ? null : new MmrRetriever(items);

        public Output Run(int[] queryUsers, Dictionary<string, List<double>>? runs, IDictionary<string, MemorySnapshot>? memory)
        {
            var clock = Stopwatch.StartNew();
            var mle = s.MleEmbeddings
                ? MixtureBuilder.BuildMle(train, clustering, items, s.Components, s.Threads)
                : MixtureBuilder.BuildMleWeights(train, clustering, s.Components, s.Threads);
            Record("mixtures");
            var queries = new EmbeddingMatrix(queryUsers.Length, users.Dimension);
            for (int j = 0; j < queryUsers.Length; j++) users.ReadRow(queryUsers[j]).CopyTo(queries.Row(j));
            var neighbors = neighborIndex.Search(queries, queryUsers, s.Neighbors, s.Threads);
            Record("neighbors");
            var smoothed = KnnSmoother.Smooth(train, clustering, items, mle, queryUsers, neighbors, s.Lambda, s.Threads);
            Record("smoothing");
            var lists = quota.Retrieve(smoothed, queryUsers, train, [s.Candidates], s.Alpha, null, s.Threads)[0];
            Record("quota_retrieval");
            RankedLists? baseline = null;
            if (unimodal != null)
            {
                baseline = unimodal.Retrieve(users, queryUsers, train, s.Candidates, s.Threads);
                Record("unimodal");
                unimodal.Retrieve(users, queryUsers, null, s.Candidates, s.Threads);
                Record("unimodal_plain");
                // The re-ordering baseline's own work on top of that ranking (the strongest single-vector row that meets the
                // bar): MMR over the unimodal top M alone, the scan not counted.
                _reorderBaseline!.Reorder(baseline, s.Candidates, MmrRetrieverDefaults.Lambda, s.Threads);
                Record("mmr_reorder");
            }
            RankedLists? historyLists = null, clusteredLists = null, reorderLists = null, unimodalReorderLists = null;
            if (history != null)
            {
                var interests = HistoryInterests.Build(train, items, queryUsers, HistoryOptions, s.Threads, users);
                Record("history_interests");
                historyLists = history.Retrieve(users, interests, train, s.Candidates, HistoryInterestDefaults.MmrLambda, HistoryInterestDefaults.InterestWeight,
                    MmrRetrieverDefaults.PoolSize, s.Threads);
                Record("history_mmr");
                // The pool alone (the union of the vectors' top lists, re-scored), the part the clustered search replaces.
                var (pool, term) = history.Pool(users, interests, train, MmrRetrieverDefaults.PoolSize, HistoryInterestDefaults.InterestWeight, s.Threads);
                Record("history_mmr_pool");
                // MMR's re-ranking of that pool alone: what no faster pool search removes.
                history.Rerank(pool, term, s.Candidates, HistoryInterestDefaults.MmrLambda, MmrRetrieverDefaults.PoolSize, s.Threads);
                Record("history_mmr_rerank");
                // The row re-ordering its own top M (a pool of M) at the re-ordering row's lambda, as the lambda rule may choose.
                reorderLists = history.Retrieve(users, interests, train, s.Candidates, MmrRetrieverDefaults.Lambda, HistoryInterestDefaults.InterestWeight,
                    s.Candidates, s.Threads);
                Record("history_mmr_reorder");
                if (baseline != null)
                {
                    // Unimodal's top M re-ordered with the interests (the lambda rule's fallback): its own work on top of the
                    // unimodal ranking and the interests, neither counted again.
                    var (own, ownTerm) = history.Pool(users, interests, train, s.Candidates, HistoryInterestDefaults.InterestWeight, s.Threads, baseline,
                        HistoryPoolSearch.Unimodal);
                    unimodalReorderLists = history.Rerank(own, ownTerm, s.Candidates, MmrRetrieverDefaults.Lambda, s.Candidates, s.Threads);
                    Record("history_mmr_unimodal_reorder");
                }
                if (historyPool != null)
                {
                    clusteredLists = historyPool.Retrieve(users, interests, train, s.Candidates, HistoryInterestDefaults.MmrLambda, HistoryInterestDefaults.InterestWeight,
                        MmrRetrieverDefaults.PoolSize, s.Threads);
                    Record("history_mmr_clustered");
                    historyPool.Pool(users, interests, train, MmrRetrieverDefaults.PoolSize, HistoryInterestDefaults.InterestWeight, s.Threads);
                    Record("history_mmr_clustered_pool");
                    var (interestVectors, first) = InterestQueries(interests);
                    historyPool.PoolIndex!.Search(interestVectors, first, interests.Users, train, MmrRetrieverDefaults.PoolSize, s.Threads);
                    Record("history_mmr_clustered_search");
                }
            }
            return new Output(smoothed, neighbors, lists, baseline, historyLists, clusteredLists, reorderLists, unimodalReorderLists);

            void Record(string stage)
            {
                double seconds = clock.Elapsed.TotalSeconds;
                if (runs != null)
                {
                    if (!runs.TryGetValue(stage, out var list)) runs[stage] = list = new List<double>();
                    list.Add(seconds);
                }
                if (memory != null) memory[stage] = MemoryProbe.Take();
                clock.Restart();
            }
        }
    }
}
