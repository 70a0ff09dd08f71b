using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Runs the evaluation protocol's comparison on fixed embeddings and clusters: Unimodal, MMR (the unimodal ranking
/// re-ranked for diversity), Mixture (lambda = 0), kNN-Embed and, when configured, a tuned multi-interest row, each
/// retrieved separately at every cutoff, scored by Recall@K, NDCG@K, Diversity@K and exact EMD, averaged over test users
/// (users with a held-out edge) and per activity quartile; optionally the recall-diversity frontiers.
/// </summary>
public static class ProtocolEvaluator
{
    /// <summary>Name of the single-vector row, the baseline every other row is paired with (<see cref="MethodEvaluation.Against"/>).</summary>
    public const string UnimodalName = "unimodal";

    /// <summary>Names of the main table's rows, in report order.</summary>
    public static readonly string[] MethodNames = [UnimodalName, "mmr", "mixture", KnnEmbedName, "knn_embed_tuned", "interest_mmr"];

    /// <summary>The name of the row of kNN-Embed served by round robin (<see cref="ProtocolSettings.KnnRoundRobin"/>).</summary>
    public const string KnnRoundRobinName = "knn_embed_round_robin";

    /// <summary>The kNN-Embed row's name.</summary>
    public const string KnnEmbedName = "knn_embed";

    /// <summary>Name of the history-interest MMR row (<see cref="ProtocolSettings.HistoryMmr"/>), after the others.</summary>
    public const string HistoryMmrName = "history_mmr";

    /// <summary>Name of the popularity row (<see cref="ProtocolSettings.Popular"/>), the last of this evaluator's rows.</summary>
    public const string PopularName = "popular";

    /// <summary>Runs the comparison.</summary>
    /// <param name="train">Training graph (its items are excluded from retrieval).</param>
    /// <param name="test">Held-out graph over the same user and item rows.</param>
    /// <param name="userEmbeddings">One row per user.</param>
    /// <param name="itemEmbeddings">One row per item.</param>
    /// <param name="clustering">
    /// Item clusters; null to leave out the rows that need them (Mixture, kNN-Embed and its round robin, the tuned rows), for
    /// the figures of a single-vector method: Unimodal, MMR and the history-interest MMR row are measured as with clusters.
    /// </param>
    /// <param name="settings">m, k, lambda, alpha, cutoffs, threads.</param>
    /// <param name="neighborIndex">Optional user index; the exact one over users with a training edge by default.</param>
    /// <param name="misses">
    /// Held-out edges left out of <paramref name="test"/> because their user or item is unseen in training, to count as misses
    /// (<see cref="UnseenHeldOut.Miss"/>, see <see cref="Data.GraphData.BuildHeldOut"/>); null to leave them out of the figures.
    /// </param>
    /// <param name="multiInterestClustering">The item clusters of the tuned row (<see cref="ProtocolSettings.MultiInterest"/>); null for <paramref name="clustering"/>.</param>
    /// <param name="progress">
    /// Told, on the calling thread, as each stage starts (one line such as <c>History-interest MMR: 12,000 users, pool 100 (exact search)...</c>):
    /// on a large catalogue a stage can take minutes, and a log that stops for that long looks hung. Null for none.
    /// </param>
    /// <returns>Every row's figures, the test users and the seconds each stage took.</returns>
    public static ProtocolResult Run(BipartiteGraph train, BipartiteGraph test, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings,
        ItemClustering? clustering, ProtocolSettings settings, INeighborIndex? neighborIndex = null, HeldOutMisses? misses = null,
        ItemClustering? multiInterestClustering = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (clustering == null && (settings.MultiInterest != null || settings.KnnRoundRobin))
            throw new ArgumentException("The tuned and round-robin rows read item clusters: give a clustering, or leave those rows out.", nameof(clustering));
        if (test.UserCount > train.UserCount || test.ItemCount > train.ItemCount)
            throw new ArgumentException("The test graph must use the training graph's user and item rows.", nameof(test));
        if (userEmbeddings.Rows != train.UserCount)
            throw new ArgumentException($"There are {userEmbeddings.Rows} user embeddings for {train.UserCount} users.", nameof(userEmbeddings));
        if (itemEmbeddings.Rows != train.ItemCount)
            throw new ArgumentException($"There are {itemEmbeddings.Rows} item embeddings for {train.ItemCount} items.", nameof(itemEmbeddings));
        userEmbeddings.ThrowIfNotFinite("user embeddings");
        itemEmbeddings.ThrowIfNotFinite("item embeddings");
        RequireATestEdgeOutsideTraining(train, test);

        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        int threads = settings.Threads;
        var cutoffs = settings.Cutoffs.Distinct().Order().ToArray();
        int maxCutoff = cutoffs[^1];
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        if (testUsers.Length == 0)
            throw new ArgumentException("The test graph has no edge of a user and an item seen in training: there is nothing to evaluate.", nameof(test));
        misses ??= HeldOutMisses.None;
        string users = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{testUsers.Length:N0} users");
        void Starting(InvariantMessage stage) => progress?.Report(stage.ToStringAndClear());
        int missedUsers = misses.UsersWithoutSeenItems(test);

        Starting($"Unimodal and MMR: {users}, {itemEmbeddings.Rows:N0} items scanned each...");
        // Unimodal: one ranking of twice the largest cutoff (or the MMR pool) serves every cutoff, the quota fill and the MMR pool.
        // One exact search and one MMR over the items serve every row that needs them (each holds a copy of the item table).
        var search = new UnimodalRetriever(itemEmbeddings, skipZeroRows: false);
        var unimodal = search.Retrieve(userEmbeddings, testUsers, train, Math.Max(2 * maxCutoff, settings.MmrPoolSize), threads);
        var unimodalLists = cutoffs.ToDictionary(k => k, k => Prefix(unimodal, k));
        seconds["unimodal_retrieval"] = Lap(clock);
        var mmr = new MmrRetriever(itemEmbeddings);
        var mmrLists = Prefixes(cutoffs, mmr.Rerank(unimodal, maxCutoff, settings.MmrLambda, settings.MmrPoolSize, threads));
        // The same MMR over Unimodal's top M only: a re-ordering of its list.
        var reorderLists = settings.ReorderMmrLambda is { } reorderLambda ? Prefixes(cutoffs, mmr.Reorder(unimodal, maxCutoff, reorderLambda, threads)) : null;
        seconds["mmr_retrieval"] = Lap(clock);

        // Each mixture row is scored as soon as its lists exist, so that its component embeddings can go before the
        // history row's stage (KeepMixtureEmbeddings); the scoring's seconds are summed into "metrics" all the same.
        var degrees = testUsers.Select(train.DegreeOf).ToArray();
        var scorer = ProtocolScorer.OverUnitItems(test, testUsers, mmr.UnitItems, threads, ActivityQuartiles.Assign(degrees), misses, missedUsers);
        double scoringSeconds = Lap(clock);
        int[] sampleUsers = [];
        // The row as the result holds it: its clusters and weights, the embeddings only when kept, and the sample's. A table
        // without embeddings has each user's whole mixture smoothed again from `oneUser` when its goodness of fit is measured.
        MethodEvaluation Scored(string name, Dictionary<int, RankedLists> lists, MixtureTable mixtures, MethodEvaluation? sameRepresentation = null,
            KnnSmoother.OneUser? oneUser = null)
        {
            var row = sameRepresentation != null || oneUser == null ? scorer.Score(name, lists, mixtures, null, sameRepresentation)
                : scorer.ScoreWeights(name, lists, mixtures, oneUser.Smooth);
            scoringSeconds += Lap(clock);
            if (settings.KeepMixtureEmbeddings) return row;
            var sample = sampleUsers.Length == 0 ? null : oneUser != null ? oneUser.Subset(sampleUsers) : mixtures.Subset(sampleUsers);
            return row.WithMixtures(mixtures.WithoutEmbeddings(), sample);
        }
        // A paper row, its goodness of fit measured block by block as its lists were retrieved (MixtureRowStream).
        MethodEvaluation ScoredFits(string name, Dictionary<int, RankedLists> lists, MixtureTable mixtures, double[] fits, MixtureTable? sample)
        {
            var row = scorer.ScoreFits(name, lists, mixtures, fits);
            scoringSeconds += Lap(clock);
            return settings.KeepMixtureEmbeddings ? row : row.WithMixtures(mixtures.WithoutEmbeddings(), sample);
        }

        var methods = new List<MethodEvaluation>();
        RankedLists? neighbors = null;
        if (clustering != null)
        {
            Starting($"Mixture and kNN-Embed: mixtures, {settings.Neighbors} neighbours and cluster quotas for {users}...");
            // Clusters and weights of every user; the component embeddings are made block of test users by block
            // (MixtureRowStream), unless the result is to keep them.
            MixtureTable? mle = settings.KeepMixtureEmbeddings ? MixtureBuilder.BuildMle(train, clustering, itemEmbeddings, settings.Components, threads)
                : MixtureBuilder.BuildMleWeights(train, clustering, settings.Components, threads);
            seconds["mixture"] = Lap(clock);

            var eligible = new bool[train.UserCount];
            for (int u = 0; u < train.UserCount; u++) eligible[u] = train.DegreeOf(u) > 0;
            neighborIndex ??= new ExactNeighborIndex(userEmbeddings, eligible);
            neighbors = neighborIndex.Search(RowsOf(userEmbeddings, testUsers), testUsers, settings.Neighbors, threads);
            seconds["neighbors"] = Lap(clock);

            var paperRows = MixtureRowStream.Run(train, clustering, itemEmbeddings, mle, testUsers, neighbors, unimodal, cutoffs, scorer, settings, threads);
            Lap(clock); // the stream times its own parts
            seconds["mixture"] += paperRows.MixtureSeconds;
            seconds["smoothing"] = paperRows.SmoothingSeconds;
            seconds["quota_retrieval"] = paperRows.QuotaSeconds;
            if (paperRows.RoundRobinLists != null) seconds["round_robin_retrieval"] = paperRows.RoundRobinSeconds;
            scoringSeconds += paperRows.FitSeconds;
            sampleUsers = paperRows.SampleUsers;
            methods.Add(ScoredFits("mixture", paperRows.MixtureLists, paperRows.Mle, paperRows.MleFits, paperRows.MleSample));
            methods.Add(ScoredFits(KnnEmbedName, paperRows.KnnLists, paperRows.Smoothed, paperRows.SmoothedFits, paperRows.SmoothedSample));
            if (paperRows.RoundRobinLists != null)
                methods.Add(ScoredFits(KnnRoundRobinName, paperRows.RoundRobinLists, paperRows.Smoothed, paperRows.SmoothedFits, paperRows.SmoothedSample));
            // Let go of the tables here: code not yet optimised by the JIT keeps a local alive until the method returns.
            mle = null;
            paperRows = null;
        }

        MixtureTable? tunedMixtures = null;
        Dictionary<int, RankedLists>? tunedLists = null;
        var tuned = settings.MultiInterest;
        var tunedClustering = multiInterestClustering ?? clustering!;
        var tunedRetriever = tuned == null ? null : new ClusterQuotaRetriever(itemEmbeddings, tunedClustering, skipZeroRows: false);
        if (tuned != null) Starting($"kNN-Embed (tuned) and multi-interest MMR: {users}...");
        // Smoothing reads only the clusters and weights of the neighbours' mixtures (their centroids are recomputed from
        // their items): m x 4d bytes per user fewer, 1.4 GB at m = 10, d = 512 and 70,000 users.
        var tunedWeights = tuned is { Lambda: > 0 } ? MixtureBuilder.BuildMleWeights(train, tunedClustering, tuned.Components, threads) : null;
        // When the row queries with the user's own vector, only its goodness of fit reads the component embeddings: then the
        // table holds clusters and weights, and each user's components are smoothed again as they are measured (m x 4d bytes
        // per user fewer, 0.9 GB at m = 10, d = 768 and Gowalla's 29,858 users), unless the result is to keep them.
        using var tunedOneUser = tunedWeights != null && tuned!.Retrieval.Query == QuotaQuery.User && !settings.KeepMixtureEmbeddings
            ? new KnnSmoother.OneUser(train, tunedClustering, itemEmbeddings, tunedWeights, testUsers, neighbors!, tuned.Lambda)
            : null;
        if (tuned != null)
        {
            tunedMixtures = tunedWeights == null ? MixtureBuilder.BuildMle(train, tunedClustering, itemEmbeddings, tuned.Components, threads)
                : KnnSmoother.SmoothMixtures(train, tunedClustering, itemEmbeddings, tunedWeights, testUsers, neighbors!, tuned.Lambda, threads,
                    componentEmbeddings: tunedOneUser == null);
            tunedLists = Zip(cutoffs, tunedRetriever!.Retrieve(tunedMixtures, testUsers, train, cutoffs, tuned.Retrieval, unimodal, userEmbeddings, threads));
            seconds["tuned_retrieval"] = Lap(clock);
        }
        // The interest term reads the clusters and weights only.
        var interests = tuned == null || tuned.InterestWeight == 0 ? null
            : new InterestProportionality(tunedMixtures!.WithoutEmbeddings(), testUsers, tunedClustering, tuned.InterestWeight);
        Dictionary<int, RankedLists>? interestLists = null;
        if (interests != null)
        {
            interestLists = Prefixes(cutoffs, mmr.Rerank(unimodal, maxCutoff, tuned!.MmrLambda, settings.MmrPoolSize, interests, threads));
            seconds["interest_mmr_retrieval"] = Lap(clock);
        }
        if (tuned != null) methods.Add(Scored("knn_embed_tuned", tunedLists!, tunedMixtures!, oneUser: tunedOneUser));
        if (interests != null) methods.Add(Scored("interest_mmr", interestLists!, tunedMixtures!, methods[^1], tunedOneUser));
        // The frontier's quota sweeps are the last to read the tuned mixtures.
        if (!settings.Frontier) tunedMixtures = null;

        var history = settings.HistoryMmr;
        HistoryInterestRetriever? historyRetriever = null;
        HistoryRowStream? historyRow = null;
        // The searched history pool the frontier sweeps at every pool size; null when each size has its own (Unimodal's pool).
        int? sharedHistoryPool = null;
        if (history != null)
        {
            Starting($"History-interest MMR: {users}, pool {history.PoolFor(maxCutoff, settings.MmrPoolSize)} ({history.Pool.Search.ToString().ToLowerInvariant()} search)...");
            // The clustered pool's lists are built once per item table, as a service would: timed apart from retrieval.
            var pool = history.Pool.Clone();
            if (pool.Threads == 0) pool.Threads = threads;
            historyRetriever = new HistoryInterestRetriever(itemEmbeddings, pool, search, mmr, skipZeroRows: false);
            if (pool.Search == HistoryPoolSearch.Clustered) seconds["history_pool_index"] = Lap(clock);
            // The frontier sweeps a pool of the MMR size: searched once here, at the larger of the two sizes, since a shorter
            // searched pool is the longer one's prefix (the re-ranking reads only the first rowPool entries). What the row
            // serves is unchanged (HistoryRowListsDoNotDependOnTheFrontier); on a large catalogue the search is most of its time.
            // A Unimodal pool is not its longer self's prefix (Unimodal's top 50 is not the first 50 of its top 100 re-ranked by
            // the best score over the user's vectors), so the frontier gets one at each of its sizes, as the row would serve it.
            int rowPool = history.PoolFor(maxCutoff, settings.MmrPoolSize);
            if (settings.Frontier && pool.Search != HistoryPoolSearch.Unimodal) sharedHistoryPool = Math.Max(rowPool, settings.MmrPoolSize);
            int searchedPool = sharedHistoryPool ?? rowPool;
            int[] keptPools = !settings.Frontier ? [] : sharedHistoryPool is { } shared ? [shared] : FrontierPools(settings);
            historyRow = HistoryRowStream.Run(historyRetriever, scorer, train, itemEmbeddings, userEmbeddings, testUsers, history, OwnLists(pool, unimodal),
                searchedPool, rowPool, maxCutoff, keptPools, settings.HistoryBlockUsers, threads);
            seconds["history_mmr_retrieval"] = Lap(clock);
        }

        Starting($"Scoring the lists over {users}: recall, NDCG, diversity, EMD...");
        var unimodalEvaluation = scorer.Score(UnimodalName, unimodalLists, null, userEmbeddings);
        // The report order: Unimodal, MMR (and its re-ordering), then the mixture rows scored above.
        var singleVectorRows = new List<MethodEvaluation> { unimodalEvaluation, scorer.Score("mmr", mmrLists, null, userEmbeddings, unimodalEvaluation) };
        if (reorderLists != null) singleVectorRows.Add(scorer.Score(ReorderMmrName, reorderLists, null, userEmbeddings, unimodalEvaluation));
        methods.InsertRange(0, singleVectorRows);
        // Its goodness of fit is that of the history interests (unit vectors, history shares as weights), measured in its stage.
        if (historyRow != null) methods.Add(scorer.ScoreFits(HistoryMmrName, Prefixes(cutoffs, historyRow.Lists), historyRow.Interests.ToWeightsTable(train.UserCount), historyRow.Fits));
        if (settings.Popular) methods.Add(scorer.ScoreWithoutRepresentation(PopularName, Prefixes(cutoffs, PopularItems.Retrieve(train, testUsers, maxCutoff))));
        seconds["metrics"] = scoringSeconds + Lap(clock);

        var frontiers = new List<FrontierResult>();
        if (settings.Frontier)
        {
            int[] pair = [FrontierDiversityCutoff, FrontierRecallCutoff];
            // Every lambda of an MMR frontier re-ranks the same pool: one pass shares each pool's pairwise cosines. A pool
            // longer than the recall cutoff is swept again at the cutoff: MMR then only re-orders the first 50, keeps their
            // recall and diversifies the head, the strongest MMR for this (Recall@50, Diversity@10) pair.
            var lambdas = settings.FrontierMmrLambdas;
            int[] pools = FrontierPools(settings);
            // Each MMR row is re-ranked once per lambda and pool: about as long as the stages above together on a large catalogue.
            int headShares = settings.FrontierHeadShares.Length, alphaCount = settings.FrontierAlphas.Length;
            Starting($"Frontier: {lambdas.Length} lambdas x {pools.Length} pools for MMR"
                + $"{(interests != null ? ", multi-interest MMR" : "")}{(history != null ? ", history-interest MMR" : "")}"
                + $"{(tuned != null ? $"; {headShares} head shares and {alphaCount} alphas for kNN-Embed (tuned)" : "")}"
                + $", {users} each...");
            foreach (int poolSize in pools)
            {
                // The history pool does not depend on lambda either: searched once in the row's stage.
                var historyPool = historyRow?.Pools[sharedHistoryPool ?? poolSize];
                // MMR's per-user figures at each lambda, against which the multi-interest points of the same lambda are paired.
                var (plain, plainUsers) = Sweep("mmr", "lambda", lambdas, scorer,
                    mmr.RerankMany(unimodal, FrontierRecallCutoff, lambdas, poolSize, null, threads), poolSize, against: null);
                frontiers.Add(plain);
                if (interests != null)
                    frontiers.Add(Sweep("interest_mmr", "lambda", lambdas, scorer,
                        mmr.RerankMany(unimodal, FrontierRecallCutoff, lambdas, poolSize, interests, threads), poolSize, plainUsers).Frontier);
                if (historyPool is { } h)
                    frontiers.Add(Sweep(HistoryMmrName, "lambda", lambdas, scorer,
                        historyRetriever!.RerankMany(h.Pool, h.Term, FrontierRecallCutoff, lambdas, poolSize, threads), poolSize, plainUsers).Frontier);
            }
            if (tuned != null)
            {
                QuotaRetrievalOptions With(Action<QuotaRetrievalOptions> set)
                {
                    var options = tuned.Retrieval.Clone();
                    set(options);
                    return options;
                }
                var shares = settings.FrontierHeadShares;
                var sets = shares.Select(v => With(o => o.HeadShare = v)).Concat(settings.FrontierAlphas.Select(v => With(o => o.Alpha = v))).ToArray();
                // Only the quotas move along these knobs: the components' rankings are searched once per chunk of knob
                // values, not once per value; chunked so that the lists held at once stay a few retrievals' worth.
                var lists = sets.Chunk(FrontierQuotaSetsPerSearch)
                    .SelectMany(chunk => tunedRetriever!.RetrieveMany(tunedMixtures!, testUsers, train, pair, chunk, unimodal, userEmbeddings, threads)
                        .Select(l => scorer.ScoreLists(Zip(pair, l), FrontierRecallCutoff, FrontierDiversityCutoff))).ToArray();
                frontiers.Add(Points("knn_embed_tuned", "head_share", shares, lists[..shares.Length]));
                frontiers.Add(Points("knn_embed_tuned", "alpha", settings.FrontierAlphas, lists[shares.Length..]));
            }
            seconds["frontier"] = Lap(clock);
        }
        return new ProtocolResult(testUsers, methods, seconds, frontiers, missedUsers) { HistoryInterests = historyRow?.Interests.Options };
    }

    /// <summary>The MMR pools the frontier sweeps: the MMR row's, and the recall cutoff's when it is shorter.</summary>
    private static int[] FrontierPools(ProtocolSettings settings) =>
        settings.MmrPoolSize > FrontierRecallCutoff ? [settings.MmrPoolSize, FrontierRecallCutoff] : [settings.MmrPoolSize];

    /// <summary>
    /// The unimodal lists as the history row's own-vector lists, unless its clustered pool searches the user vectors through
    /// its lists (<see cref="HistoryPoolOptions.UserProbes"/>): then the row is measured as it would serve.
    /// </summary>
    internal static RankedLists? OwnLists(HistoryPoolOptions pool, RankedLists unimodal) =>
        pool.Search == HistoryPoolSearch.Clustered && pool.UserProbes > 0 ? null : unimodal;

    /// <summary>The name of the row that re-orders Unimodal's list by MMR (<see cref="ProtocolSettings.ReorderMmrLambda"/>).</summary>
    public const string ReorderMmrName = "mmr_reorder";

    /// <summary>K of the frontier's recall: 50.</summary>
    public const int FrontierRecallCutoff = 50;

    /// <summary>K of the frontier's diversity: 10.</summary>
    public const int FrontierDiversityCutoff = 10;

    /// <summary>
    /// A re-ranking's frontier from lists already retrieved, one per knob value, over pools of <paramref name="pool"/> items.
    /// With <paramref name="against"/> (MMR's per-user figures at the same knob values) each point is paired with MMR's
    /// (<see cref="FrontierResult.VersusMmr"/>) as it is scored; without, the points' per-user figures are returned, to pair
    /// the other frontiers with.
    /// </summary>
    private static (FrontierResult Frontier, UserFigures[]? PerUser) Sweep(string method, string knob, double[] values, ProtocolScorer scorer,
        RankedLists[] lists, int pool, UserFigures[]? against)
    {
        int[] pair = [FrontierDiversityCutoff, FrontierRecallCutoff];
        var points = new List<FrontierPoint>();
        var perUser = against == null ? new UserFigures[values.Length] : null;
        var versus = new List<PairedComparison>();
        for (int t = 0; t < values.Length; t++)
        {
            var (recall, diversity, setDiversity, users) = scorer.ScoreListsPerUser(Prefixes(pair, lists[t]), FrontierRecallCutoff, FrontierDiversityCutoff);
            points.Add(new FrontierPoint(values[t], recall, diversity, setDiversity));
            if (perUser != null) perUser[t] = users;
            else versus.Add(users.Against(against![t]));
        }
        var frontier = new FrontierResult(method, knob, FrontierRecallCutoff, FrontierDiversityCutoff, points, pool) { VersusMmr = versus };
        return (frontier, perUser);
    }

    /// <summary>A frontier from the scores of lists retrieved at each knob value, in the order of <paramref name="values"/>.</summary>
    private static FrontierResult Points(string method, string knob, double[] values, (double Recall, double Diversity, double SetDiversity)[] scores) =>
        new(method, knob, FrontierRecallCutoff, FrontierDiversityCutoff,
            values.Select((v, t) => new FrontierPoint(v, scores[t].Recall, scores[t].Diversity, scores[t].SetDiversity)).ToList());

    /// <summary>Quota knob values retrieved per search of the components' rankings in a frontier (lists held at once).</summary>
    private const int FrontierQuotaSetsPerSearch = 6;

    private static Dictionary<int, RankedLists> Prefixes(int[] cutoffs, RankedLists lists) => cutoffs.ToDictionary(k => k, k => Prefix(lists, k));

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

    /// <summary>The rows of <paramref name="users"/>, in order, as a table of their own.</summary>
    private static EmbeddingMatrix RowsOf(EmbeddingMatrix embeddings, int[] users)
    {
        var rows = new EmbeddingMatrix(users.Length, embeddings.Dimension);
        for (int j = 0; j < users.Length; j++) embeddings.ReadRow(users[j]).CopyTo(rows.Row(j));
        return rows;
    }

    /// <summary>Seconds since the clock's last lap, restarting it: one stage's time.</summary>
    internal static double Lap(Stopwatch clock)
    {
        double s = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return s;
    }

    /// <summary>
    /// Refuses a test graph every edge of which is a training edge (the training graph passed twice, or a split's whole
    /// dataset as the training graph): no list holds a user's training item, so every figure would be 0, without a word.
    /// </summary>
    private static void RequireATestEdgeOutsideTraining(BipartiteGraph train, BipartiteGraph test)
    {
        if (test.EdgeCount == 0) return; // said by the caller's own check of the test users
        for (int u = 0; u < test.UserCount; u++)
            foreach (int item in test.ItemsOf(u))
                if (!train.Contains(u, item)) return;
        throw new ArgumentException($"Every one of the test graph's {test.EdgeCount} edges is also a training edge: no list holds an item of the user's "
            + "training history, so every figure would be 0. Hold the test edges out of the training graph (HoldOutSplitter).", nameof(test));
    }
}
