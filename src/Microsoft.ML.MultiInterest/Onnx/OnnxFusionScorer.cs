using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves a fusing model's directory (<see cref="MultiInterestModel.ExportOnnx"/> of a model ending in a
/// <see cref="RankFusionTransformer"/>): each source's serving directory is opened with its own scorer
/// (<see cref="OnnxHistoryMmrScorer"/>, <see cref="OnnxRoundRobinScorer"/> or <see cref="OnnxCandidateScorer"/>), each returns
/// its stage's exact lists, and the lists are fused as the fitted stage fuses them (<c>max_l w_l / rank_l</c>, M kept once
/// each): <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/>'s lists for trained users, bit for bit. Thread-safe, as its sources'
/// scorers are: concurrent calls share the sessions. Dispose to release the sessions.
/// </summary>
public sealed class OnnxFusionScorer : IDisposable
{
    private readonly Source[] _sources;
    private readonly InFlightCalls _calls = new();

    /// <summary>The item rows any source holds no item for (keys without training edges, <see cref="ItemAbsence"/>), ascending.</summary>
    private readonly int[] _absentItems;

    // The user rows the directory's user id file leaves out (keys without training edges), which a call may not name.
    private readonly int[] _absentUsers;

    private OnnxFusionScorer(OnnxServingManifest manifest, Source[] sources, int[] absentUsers)
    {
        _absentUsers = absentUsers;
        Manifest = manifest;
        _sources = sources;
        _absentItems = [.. sources.SelectMany(s => s.AbsentItems).Distinct().Order()];
    }

    /// <summary>The fusing directory's manifest (M, sources, weights).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>Opens the fusing directory <paramref name="directory"/> and every source directory in it.</summary>
    /// <param name="directory">A directory written by <see cref="MultiInterestModel.ExportOnnx"/> of a fusing model.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per call of each source's scorer, at least 1.</param>
    /// <exception cref="NotSupportedException">The directory is not a fusing model's, or a source's method has no scorer here.</exception>
    /// <returns>The opened scorer; dispose it to release its ONNX Runtime sessions.</returns>
    public static OnnxFusionScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = OnnxCandidateScorer.DefaultBatchSize)
    {
        // Before the directory is read, so that a wrong batch size is not reported as the directory's fault.
        OnnxCandidateScorer.RequireBatchSize(batchSize);
        return OnnxDirectoryOpening.Consistent(directory, () => OpenUnchecked(directory, sessions, batchSize), sessions);
    }

    private static OnnxFusionScorer OpenUnchecked(string directory, OnnxSessionFactory? sessions, int batchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = OnnxVerifiedOpening.Manifest(directory);
        if (manifest.Retrieval != OnnxServingManifest.RankFusionRetrieval)
            throw new NotSupportedException($"The serving directory '{directory}' holds one retrieval stage ({manifest.Retrieval ?? OnnxServingManifest.ClusterQuotaRetrieval}), not a fusion: "
                + "open it with its own scorer.");
        var opened = new List<Source>();
        try
        {
            foreach (var source in manifest.Sources!)
                opened.Add(Source.Open(Path.Combine(directory, source.Directory), source, sessions, batchSize));
            if (opened.Any(s => s.Users != manifest.Users || s.Items != manifest.Items))
                throw new InvalidDataException($"The sources of '{directory}' do not all have its {manifest.Users} users and {manifest.Items} items.");
            // No user table here: the fusion's id file is checked against its first source's, which that source checked against its graphs.
            string first = Path.Combine(directory, manifest.Sources![0].Directory);
            return new OnnxFusionScorer(manifest, [.. opened], UserAbsence.ReadFusion(directory, manifest, first, OnnxVerifiedOpening.Manifest(first)));
        }
        catch
        {
            foreach (var source in opened) source.Dispose();
            throw;
        }
    }

    /// <summary>The fused lists of <paramref name="users"/> (user rows), M = <see cref="OnnxServingManifest.Candidates"/> each.</summary>
    /// <param name="users">User rows, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user row (typically <see cref="MultiInterestModel.TrainingHistory"/>), applied to every source. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query), applied to every source; needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists Retrieve(IReadOnlyList<int> users, BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(users);
        UserAbsence.Refuse(_absentUsers, users);   // before any source runs (each refuses them too)
        return Fuse(_sources.Select(s => s.Retrieve(users, exclusions, excludeItems)).ToArray(), users.Count);
    }

    /// <summary>Whether every source serves users known by a history only (<see cref="RetrieveFromHistories"/>).</summary>
    public bool ServesHistories => _sources.All(s => s.FromHistories != null);

    /// <summary>
    /// The fused lists of users known by their history only: each source's lists for the histories (its own
    /// <c>RetrieveFromHistories</c>), fused as for trained users: <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/>'s lists for a new user.
    /// An empty history gets an empty list (the recommender gives such a user the popular items), and so does a history of
    /// item rows without an item alone (keys without training edges: ids the recommender does not know), although a source
    /// may answer it (a DCM source answers an empty history with its seeds).
    /// </summary>
    /// <param name="histories">Per user, item rows (the rows of the item id file).</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query), applied to every source; needs the exclusion mask.
    /// </param>
    /// <exception cref="InvalidOperationException">A source cannot serve histories (<see cref="ServesHistories"/> is false).</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(histories);
        if (!ServesHistories)
            throw new InvalidOperationException("A source of this fusion serves trained users only (its directory has no history encoder, fold-in, vector scorer or condition model: export it again).");
        var fused = Fuse(_sources.Select(s => s.FromHistories!(histories, excludeItems)).ToArray(), histories.Count);
        // The histories as the sources read them (without rows that hold no item): one empty there gets no list.
        var sets = OnnxScorerParts.HistorySets(histories, Manifest, _absentItems);
        for (int q = 0; q < histories.Count; q++)
            if (sets[q].Length == 0) fused.Counts[q] = 0;
        return fused;
    }

    /// <summary>The sources' lists fused by rank, M each, as the live recommender fuses them.</summary>
    private RankedLists Fuse(RankedLists[] lists, int count)
    {
        var result = new RankedLists(count, Manifest.Candidates);
        var fusion = new RankFusionRow();
        for (int q = 0; q < count; q++)
        {
            fusion.Clear();
            int entries = 0;
            for (int l = 0; l < _sources.Length; l++)
            {
                var items = lists[l].IndicesOf(q);
                for (int r = 0; r < items.Length; r++) fusion.Add(items[r], _sources[l].Weight, l, r);
                entries += items.Length;
            }
            // As the live recommender fuses: the best min(M, entries) distinct items.
            int m = Math.Min(Manifest.Candidates, entries);
            result.Counts[q] = fusion.TakeBest(result.IndexSlots(q)[..m], result.ScoreSlots(q)[..m]);
        }
        return result;
    }

    /// <summary>Releases every source's sessions.</summary>
    public void Dispose()
    {
        if (!_calls.Close()) return; // after the running calls: their sessions stay open until they end
        foreach (var source in _sources) source.Dispose();
    }

    /// <summary>One source: its scorer, as a function from users and exclusions to the stage's exact lists, and its weight.</summary>
    private sealed class Source(Func<IReadOnlyList<int>, BipartiteGraph?, IReadOnlyCollection<int>?, RankedLists> retrieve, IDisposable scorer, double weight, int users,
        int items, Func<IReadOnlyList<IReadOnlyList<int>>, IReadOnlyCollection<int>?, RankedLists>? fromHistories = null, int[]? absentItems = null) : IDisposable
    {
        public double Weight { get; } = weight;

        /// <summary>The item rows the source holds no item for, ascending (empty where its export refuses such keys).</summary>
        public int[] AbsentItems { get; } = absentItems ?? [];

        /// <summary>The source's lists for users known by a history only; null when its directory cannot serve them.</summary>
        public Func<IReadOnlyList<IReadOnlyList<int>>, IReadOnlyCollection<int>?, RankedLists>? FromHistories { get; } = fromHistories;

        public int Users { get; } = users;

        public int Items { get; } = items;

        public RankedLists Retrieve(IReadOnlyList<int> rows, BipartiteGraph? exclusions, IReadOnlyCollection<int>? excludeItems) => retrieve(rows, exclusions, excludeItems);

        public void Dispose() => scorer.Dispose();

        public static Source Open(string directory, OnnxFusionSource source, OnnxSessionFactory? sessions, int batchSize)
        {
            // The source's own manifest says which scorer serves it; a quota directory serves a unimodal stage by its unimodal scorer.
            var manifest = OnnxVerifiedOpening.Manifest(directory);
            if (manifest.Retrieval == OnnxServingManifest.HistoryMmrRetrieval)
            {
                var scorer = OnnxHistoryMmrScorer.Open(directory, sessions, batchSize);
                return new Source(scorer.Retrieve, scorer, source.Weight, manifest.Users, manifest.Items,
                    manifest.HistoryOptions != null ? (h, x) => scorer.RetrieveFromHistories(h, excludeItems: x) : null);
            }
            if (manifest.Retrieval == OnnxServingManifest.MmrRetrieval)
            {
                var scorer = OnnxMmrScorer.Open(directory, sessions, batchSize);
                return new Source(scorer.Retrieve, scorer, source.Weight, manifest.Users, manifest.Items,
                    scorer.ServesHistories ? (h, x) => scorer.RetrieveFromHistories(h, excludeItems: x) : null, scorer.AbsentItems);
            }
            if (manifest.Retrieval == OnnxServingManifest.ConditionalMergedRetrieval)
            {
                var scorer = OnnxConditionalMergeScorer.Open(directory, sessions, batchSize);
                return new Source(scorer.Retrieve, scorer, source.Weight, manifest.Users, manifest.Items,
                    scorer.ServesHistories ? (h, x) => scorer.RetrieveFromHistories(h, excludeItems: x) : null);
            }
            if (manifest.RoundRobinScorer != null)
            {
                var scorer = OnnxRoundRobinScorer.Open(directory, sessions, batchSize);
                return new Source(scorer.Retrieve, scorer, source.Weight, manifest.Users, manifest.Items,
                    scorer.ServesHistories ? (h, x) => scorer.RetrieveFromHistories(h, excludeItems: x) : null, scorer.AbsentItems);
            }
            if (manifest.Retrieval == OnnxServingManifest.RankFusionRetrieval)
                throw new NotSupportedException($"The fusion source '{source.Directory}' is itself a fusion, which this scorer does not nest.");
            var candidates = OnnxCandidateScorer.Open(directory, sessions, batchSize);
            bool unimodal = manifest.Retrieval == OnnxServingManifest.UnimodalRetrieval || source.Method == nameof(CandidateMethod.Unimodal);
            Func<IReadOnlyList<IReadOnlyList<int>>, IReadOnlyCollection<int>?, RankedLists>? fromHistories = unimodal
                ? candidates.ServesUnimodalHistories ? (h, x) => candidates.RetrieveUnimodalFromHistories(h, excludeItems: x) : null
                : candidates.ServesQuotaHistories ? (h, x) => candidates.RetrieveClusterQuotaFromHistories(h, excludeItems: x) : null;
            return new Source(unimodal ? candidates.RetrieveUnimodal : candidates.RetrieveClusterQuota, candidates, source.Weight, manifest.Users, manifest.Items, fromHistories,
                candidates.AbsentItems);
        }
    }
}
