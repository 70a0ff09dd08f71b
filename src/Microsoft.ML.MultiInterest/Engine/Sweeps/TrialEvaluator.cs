using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Runs one configuration through the stages on the validation split and scores it with <see cref="MetricsScorer"/>
/// (the library's single evaluation core). Each stage's output is cached under the options of that stage and the
/// stages upstream, so trials that differ only downstream reuse it: a lambda x neighbours grid fits the embedding and
/// the clusters once, and the neighbour lists once (searched for the largest k, prefixes serve the smaller ones).
/// </summary>
internal sealed class TrialEvaluator
{
    private sealed record EmbeddingEntry(GraphEmbeddingResult Result, EmbeddingMatrix UnitItems);

    private sealed record ClusteringEntry(ItemClustering Clustering, ClusterQuotaRetriever Retriever);

    private readonly BipartiteGraph _train;
    private readonly BipartiteGraph _validation;
    private readonly int[] _users;
    private readonly SweepOptions _options;
    private readonly int _maxNeighbors;
    private readonly IProgress<string>? _stageProgress;
    private readonly StageCache<EmbeddingEntry> _embeddings;
    private readonly StageCache<RankedLists> _unimodal;
    private readonly StageCache<RankedLists> _neighbors;
    private readonly StageCache<ClusteringEntry> _clusterings;
    private readonly StageCache<MixtureTable> _mixtures;
    private readonly StageCache<MixtureTable> _smoothed;
    private readonly StageCache<HistoryInterests> _interests;

    /// <param name="train">The fit part of the validation split.</param>
    /// <param name="validation">The held-out part.</param>
    /// <param name="users">The validation users scored at full fidelity, in a seeded order (a rung of fidelity f scores a prefix).</param>
    /// <param name="options">The sweep's options.</param>
    /// <param name="maxNeighbors">The largest k of the space: neighbour lists are searched once at this length.</param>
    /// <param name="stageProgress">Optional report of every stage fit.</param>
    public TrialEvaluator(BipartiteGraph train, BipartiteGraph validation, int[] users, SweepOptions options, int maxNeighbors, IProgress<string>? stageProgress)
    {
        _train = train;
        _validation = validation;
        _users = users;
        _options = options;
        _maxNeighbors = maxNeighbors;
        _stageProgress = stageProgress;
        int capacity = SweepDefaults.CacheEntriesPerStage;
        bool reuse = options.ReuseStages;
        _embeddings = new(capacity, reuse);
        _unimodal = new(capacity, reuse);
        _neighbors = new(capacity, reuse);
        _clusterings = new(capacity, reuse);
        _mixtures = new(capacity, reuse);
        _smoothed = new(capacity, reuse);
        _interests = new(capacity, reuse);
    }

    /// <summary>Fits per stage so far.</summary>
    public IReadOnlyDictionary<SweepStage, int> Fits => new Dictionary<SweepStage, int>
    {
        [SweepStage.Embedding] = _embeddings.Fits,
        [SweepStage.Clustering] = _clusterings.Fits,
        [SweepStage.Mixture] = _mixtures.Fits,
        [SweepStage.Smoothing] = _smoothed.Fits,
    };

    /// <summary>The figures of one configuration, and each scored user's (for pairing trials, <see cref="SweepTrial.VersusBest"/>).</summary>
    public readonly record struct Figures(double Recall, double Ndcg, double Diversity, int Users, double Seconds, double RefitSeconds,
        IReadOnlyList<SweepStage> Reused, double[] UserRecall, double[] UserNdcg, double[] UserDiversity, string Embedding);

    /// <summary>Evaluates <paramref name="settings"/> on the first <paramref name="userCount"/> validation users.</summary>
    /// <param name="settings">The configuration.</param>
    /// <param name="keys">Cache keys per stage (the options of the stage and those upstream).</param>
    /// <param name="userCount">How many of the validation users to score.</param>
    /// <param name="ct">Stops the fits and the trial.</param>
    public Figures Evaluate(SweepSettings settings, IReadOnlyDictionary<SweepStage, string> keys, int userCount, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        double reusedSeconds = 0;
        var reused = new List<SweepStage>();
        int threads = _options.Threads;
        int k = _options.Cutoff;
        var users = _users.AsSpan(0, userCount).ToArray();

        void Note(SweepStage stage, double seconds, bool wasReused)
        {
            if (!wasReused) return;
            reusedSeconds += seconds;
            if (!reused.Contains(stage)) reused.Add(stage);
        }

        string eKey = keys[SweepStage.Embedding];
        var (embedding, eSeconds, eReused) = _embeddings.GetOrFit(eKey, () =>
        {
            var options = settings.Embedding.Clone();
            options.Threads = threads;
            // The start too: the embedding is a sweep's longest fit (minutes on cit-HepPh), and its report comes at the end.
            Report($"fitting the embedding ({options.Algorithm}) on {_train.EdgeCount} edges...");
            var fitClock = Stopwatch.StartNew();
            // Its epochs and validation measurements (Auto's trials) as GraphEmbedding logs them, so that minutes of fitting are heard from.
            var epochs = _stageProgress is { } sink ? new EmbeddingFitReports(options.ValidationCutoff, (line, _, _) => sink.Report("embedding: " + line)) : null;
            var result = GraphEmbeddingTrainerEngine.Fit(_train, options, epochs, ct);
            Report($"embedding fitted in {fitClock.Elapsed.TotalSeconds:F1} s: {result.Settings} (d={result.ItemEmbeddings.Dimension})");
            return new EmbeddingEntry(result, result.ItemEmbeddings.Normalized());
        });
        Note(SweepStage.Embedding, eSeconds, eReused);
        ct.ThrowIfCancellationRequested();
        var userVectors = embedding.Result.UserEmbeddings;
        var itemVectors = embedding.Result.ItemEmbeddings;

        // One unimodal ranking per embedding (and length) serves the unimodal method, the quota fill of short lists (2K) and
        // the MMR methods' pools (their own vector's top mmr-pool, raised to K).
        // A pool larger than the catalogue holds the catalogue (the same lists, as the refitted stage serves them), and is not
        // asked of the ranking: a pool of 100,000,000 failed as a 'candidates' of 1..1,048,576 after the trials before it.
        int pool = Math.Min(Math.Max(settings.MmrPool, k), Math.Max(_train.ItemCount, k));
        int length = Math.Max(2 * k, Math.Max(MmrRetrieverDefaults.PoolSize, pool));
        var (unimodal, uSeconds, uReused) = _unimodal.GetOrFit($"{eKey}|length={length}", () =>
            new UnimodalRetriever(itemVectors, skipZeroRows: false).Retrieve(userVectors, _users, _train, length, threads));
        Note(SweepStage.Embedding, uSeconds, uReused);
        ct.ThrowIfCancellationRequested();

        RankedLists lists;
        if (settings.Method == SweepRetrievalMethod.Unimodal)
        {
            lists = Rows(unimodal, userCount, k);
        }
        else if (settings.Method == SweepRetrievalMethod.Mmr)
        {
            lists = new MmrRetriever(itemVectors).Rerank(Rows(unimodal, userCount, pool), k, settings.ResolvedMmrLambda, pool, threads);
        }
        else if (settings.Method == SweepRetrievalMethod.HistoryMmr)
        {
            // The interests depend on the embedding and how histories are split; the fold-in follows the embedding's ALS
            // objective, or is fitted to its user vectors (as the ML.NET stage and the command line's row do).
            var (interests, iSeconds, iReused) = _interests.GetOrFit(
                $"{eKey}|items-per-interest={settings.ItemsPerInterest}|max-interests={settings.MaxInterests}|users={userCount}", () =>
                {
                    var options = embedding.Result.Als is { } als ? HistoryInterestOptions.FromAls(als) : new HistoryInterestOptions { MatchUserVectors = true };
                    options.ItemsPerInterest = settings.ItemsPerInterest;
                    options.MaxInterests = settings.MaxInterests;
                    // From the histories alone: the ML.NET stage the sweep refits reads no weights, whatever the embedding trained on.
                    return HistoryInterests.Build(_train.WithoutWeights(), itemVectors, users, options, threads, userVectors);
                });
            Note(SweepStage.Retrieval, iSeconds, iReused);
            ct.ThrowIfCancellationRequested();
            lists = new HistoryInterestRetriever(itemVectors, null, null, null, skipZeroRows: false).Retrieve(userVectors, interests, _train, k, settings.ResolvedMmrLambda, settings.InterestWeight,
                pool, threads, Rows(unimodal, userCount, pool));
        }
        else
        {
            string cKey = keys[SweepStage.Clustering];
            var (clustering, cSeconds, cReused) = _clusterings.GetOrFit(cKey, () =>
            {
                var options = settings.Clustering;
                var kmeans = SphericalKMeans.Fit(itemVectors, new SphericalKMeansOptions
                {
                    Clusters = options.Clusters, MaxIterations = options.MaxIterations, Tolerance = options.Tolerance, Seed = options.Seed,
                    InitialCentroids = options.InitialCentroids, Threads = threads,
                }, ct: ct);
                var c = ItemClustering.Create(kmeans.Assignments, options.Clusters, itemVectors, kmeans.Centroids);
                Report($"clusters fitted: {options.Clusters} clusters, mean cosine {kmeans.Objective:F4}");
                return new ClusteringEntry(c, new ClusterQuotaRetriever(itemVectors, c, skipZeroRows: false));
            });
            Note(SweepStage.Clustering, cSeconds, cReused);
            ct.ThrowIfCancellationRequested();

            var (mle, mSeconds, mReused) = _mixtures.GetOrFit(keys[SweepStage.Mixture], () =>
                MixtureBuilder.BuildMle(_train, clustering.Clustering, itemVectors, settings.Components, threads));
            Note(SweepStage.Mixture, mSeconds, mReused);
            ct.ThrowIfCancellationRequested();

            var (neighbors, nSeconds, nReused) = _neighbors.GetOrFit(eKey, () =>
            {
                var eligible = new bool[_train.UserCount];
                for (int u = 0; u < eligible.Length; u++) eligible[u] = _train.DegreeOf(u) > 0;
                var queries = new EmbeddingMatrix(_users.Length, userVectors.Dimension);
                for (int j = 0; j < _users.Length; j++) userVectors.ReadRow(_users[j]).CopyTo(queries.Row(j));
                return new ExactNeighborIndex(userVectors, eligible).Search(queries, _users, _maxNeighbors, threads);
            });
            Note(SweepStage.Embedding, nSeconds, nReused);   // neighbour lists depend on the embedding only
            ct.ThrowIfCancellationRequested();

            var (smoothed, sSeconds, sReused) = _smoothed.GetOrFit($"{keys[SweepStage.Smoothing]}|users={userCount}", () =>
                KnnSmoother.Smooth(_train, clustering.Clustering, itemVectors, mle, users, Rows(neighbors, userCount, settings.Neighbors),
                    settings.Lambda, threads));
            Note(SweepStage.Smoothing, sSeconds, sReused);
            ct.ThrowIfCancellationRequested();

            lists = clustering.Retriever.Retrieve(smoothed, users, _train, [k], settings.Alpha, Rows(unimodal, userCount, 2 * k), threads)[0];
        }
        ct.ThrowIfCancellationRequested();

        var scored = MetricsScorer.Score([k], userCount, (_, q) => lists.IndicesOf(q), q => _validation.ItemsOf(users[q]), embedding.UnitItems, null, threads,
            null, 0, null, 0);
        var means = scored.All;
        double seconds = clock.Elapsed.TotalSeconds;
        return new Figures(means.Recall[0], means.Ndcg[0], means.Diversity[0], userCount, seconds, seconds + reusedSeconds, reused,
            scored.Recall, scored.Ndcg, scored.Diversity, embedding.Result.Settings);
    }

    /// <summary>The first <paramref name="rows"/> lists of <paramref name="lists"/>, each cut to <paramref name="length"/> entries.</summary>
    private static RankedLists Rows(RankedLists lists, int rows, int length)
    {
        if (rows == lists.QueryCount && length >= lists.Capacity) return lists;
        int capacity = Math.Min(length, lists.Capacity);
        var result = new RankedLists(rows, capacity);
        for (int q = 0; q < rows; q++)
        {
            int n = Math.Min(capacity, lists.Counts[q]);
            lists.IndicesOf(q)[..n].CopyTo(result.IndexSlots(q));
            lists.ScoresOf(q)[..n].CopyTo(result.ScoreSlots(q));
            result.Counts[q] = n;
        }
        return result;
    }

    /// <summary>Reports a stage fit, formatted in the invariant culture.</summary>
    private void Report(InvariantMessage message)
    {
        string text = message.ToStringAndClear();
        _stageProgress?.Report(text);
    }
}
