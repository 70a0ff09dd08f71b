using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves conditional retrieval merged with implicit components from a directory written by
/// <see cref="OnnxServingDirectory.ExportConditionalMerged"/> or <see cref="MultiInterestModel.ExportOnnx"/>: the explicit
/// directory's graphs give each condition's candidates and the unimodal ones, the implicit directory's each cluster's; every
/// ranking is proved with the engine's arithmetic (<see cref="OnnxCandidateScorer"/>), and the list is laid out as
/// <see cref="ConditionalRetriever"/> lays it out (weights scaled by the implicit share, the head, quotas, items taken once,
/// the hand-off, the fill), so the lists are <see cref="MultiInterestModel.RetrieveWithEngine"/>'s, scores included. A merged
/// stage cannot use one quota graph: a condition and a cluster share items, and a later component skips what an earlier one
/// took. Dispose to release the sessions.
/// </summary>
public sealed class OnnxConditionalMergeScorer : IDisposable
{
    /// <summary>The subdirectory of the explicit components (a conditional directory, with the condition model).</summary>
    public const string ExplicitDirectoryName = "explicit";

    /// <summary>The subdirectory of the implicit components (a quota directory over the item clusters).</summary>
    public const string ImplicitDirectoryName = "implicit";

    /// <summary>Users whose rankings are held at once: about 6 KB per side each at m = 15 and M = 50 (m x M items and scores).</summary>
    private const int UsersPerChunk = 2048;

    private readonly OnnxCandidateScorer _explicit;
    private readonly OnnxCandidateScorer _implicit;
    private readonly ConditionalRetrievalOptions _options;
    private readonly InFlightCalls _calls = new();

    // The user rows the directory's user id file leaves out (keys without training edges), which a call may not name.
    private readonly int[] _absentUsers;

    private OnnxConditionalMergeScorer(OnnxServingManifest manifest, OnnxCandidateScorer explicitPart, OnnxCandidateScorer implicitPart, int[] absentUsers)
    {
        _absentUsers = absentUsers;
        Manifest = manifest;
        _explicit = explicitPart;
        _implicit = implicitPart;
        _options = new ConditionalRetrievalOptions { Alpha = manifest.Alpha, HeadShare = manifest.HeadShare, ImplicitShare = manifest.ImplicitShare };
    }

    /// <summary>The directory's manifest (M, alpha, head and implicit shares).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>Rankings proved from ONNX Runtime's candidates so far, both directories together.</summary>
    public long ProvedFromCandidates => _explicit.ProvedFromCandidates + _implicit.ProvedFromCandidates;

    /// <summary>Rankings computed by scanning with the engine so far, both directories together.</summary>
    public long Rescanned => _explicit.Rescanned + _implicit.Rescanned;

    /// <summary>Whether users known by a fresh history only are served (<see cref="RetrieveFromHistories"/>): the explicit directory holds the condition model.</summary>
    public bool ServesHistories => _explicit.ServesQuotaHistories && _implicit.ServesQuotaHistories;

    /// <summary>Opens the merged conditional directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.ExportConditionalMerged"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per ONNX Runtime call, at least 1.</param>
    /// <exception cref="NotSupportedException">The directory holds another export.</exception>
    /// <returns>The opened scorer; dispose it to release its ONNX Runtime sessions.</returns>
    public static OnnxConditionalMergeScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = OnnxCandidateScorer.DefaultBatchSize)
    {
        // Before the directory is read, so that a wrong batch size is not reported as the directory's fault.
        OnnxCandidateScorer.RequireBatchSize(batchSize);
        return OnnxDirectoryOpening.Consistent(directory, () => OpenUnchecked(directory, sessions, batchSize), sessions);
    }

    private static OnnxConditionalMergeScorer OpenUnchecked(string directory, OnnxSessionFactory? sessions, int batchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = OnnxVerifiedOpening.Manifest(directory);
        if (manifest.Retrieval != OnnxServingManifest.ConditionalMergedRetrieval)
            throw new NotSupportedException($"The serving directory '{directory}' holds a {manifest.Retrieval ?? OnnxServingManifest.ClusterQuotaRetrieval} export, not merged conditional retrieval.");
        var explicitPart = OnnxCandidateScorer.Open(Path.Combine(directory, ExplicitDirectoryName), sessions, batchSize);
        try
        {
            var implicitPart = OnnxCandidateScorer.Open(Path.Combine(directory, ImplicitDirectoryName), sessions, batchSize);
            try
            {
                if (!explicitPart.Manifest.IsConditional || implicitPart.Manifest.IsConditional || implicitPart.Manifest.Items != explicitPart.Manifest.Items
                    || implicitPart.Manifest.Users != explicitPart.Manifest.Users || explicitPart.Manifest.Candidates != manifest.Candidates || implicitPart.Manifest.Candidates != manifest.Candidates)
                    throw new InvalidDataException($"'{directory}' does not hold a conditional '{ExplicitDirectoryName}' and a quota '{ImplicitDirectoryName}' directory of the same users, items and M.");
                // Both parts read a fresh history's vector by the divide-and-conquer encoder, or neither, under a manifest of the version that needs.
                OnnxServingManifest.CheckConditionalPartsEncoder(manifest, explicitPart.Manifest, implicitPart.Manifest, Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
                return new OnnxConditionalMergeScorer(manifest, explicitPart, implicitPart, UserAbsence.Read(directory, manifest, explicitPart.UserTable));
            }
            catch
            {
                implicitPart.Dispose();
                throw;
            }
        }
        catch
        {
            explicitPart.Dispose();
            throw;
        }
    }

    /// <summary>The merged lists of trained <paramref name="users"/> (rows), M = <see cref="OnnxServingManifest.Candidates"/> each.</summary>
    /// <param name="users">User rows, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user row (typically the training history); needs the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists Retrieve(IReadOnlyList<int> users, BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        // Checked here over the whole list, so that a refusal names the caller's position, not one inside a chunk; the parts'
        // directories have no user id file.
        OnnxScorerParts.CheckCall(Manifest, users, exclusions, "merged conditional scorer graphs", _absentUsers);
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, users, OnnxScorerParts.ExcludedItems(excludeItems, _explicit.Manifest), _explicit.Manifest.Items);
        return Chunked(users, (chunk, _) => (_explicit.RankComponents(chunk, exclusions), _implicit.RankComponents(chunk, exclusions, withFallback: false)));
    }

    /// <summary>
    /// The merged lists of users known by their history only, as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives a new user
    /// with that history: its conditions' queries (the exported condition model) and its Mixture over the clusters, with its
    /// vector as the stage reads it (the divide-and-conquer encoder's query where the parts have the history encoder, else its
    /// fold-in or the mean of its item vectors). An empty history gets an empty list (the recommender gives the popular items).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1.</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="NotSupportedException">The directory was exported without the condition model (<see cref="ServesHistories"/>).</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(histories);
        if (!ServesHistories) throw new NotSupportedException("The merged conditional directory was exported without its condition model: export it again to serve fresh histories.");
        OnnxScorerParts.HistorySets(histories, Manifest);   // refused naming the caller's position, not one inside a chunk
        return Chunked(histories, (chunk, _) => (_explicit.RankComponentsFromHistories(chunk, excludeHistory, excludeItems),
            _implicit.RankComponentsFromHistories(chunk, excludeHistory, excludeItems, withFallback: false)));
    }

    /// <summary>The topics (condition names) <see cref="RetrieveFollowing"/> takes, in condition order; empty without the condition model.</summary>
    public IReadOnlyList<string> Topics => _explicit.Topics;

    /// <summary>
    /// The merged lists of trained users who follow <paramref name="followedTopics"/> now, as
    /// <see cref="MultiInterestRecommender.RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/> gives them: one query per followed topic over the user's vector and
    /// training items in that topic, beside the user's implicit components.
    /// </summary>
    /// <param name="users">User rows, each once.</param>
    /// <param name="followedTopics">Per user, names from <see cref="Topics"/>, at least one.</param>
    /// <param name="trainingHistory">The users' training edges: the items each topic's query averages.</param>
    /// <param name="exclusions">Items never to return per user row; needs the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFollowing(IReadOnlyList<int> users, IReadOnlyList<IReadOnlyList<string>> followedTopics, BipartiteGraph trainingHistory,
        BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        // Checked here over the whole list, so that a refusal names the caller's position, not one inside a chunk; the parts'
        // directories have no user id file.
        OnnxScorerParts.CheckCall(Manifest, users, exclusions, "merged conditional scorer graphs", _absentUsers);
        ArgumentNullException.ThrowIfNull(trainingHistory);
        _explicit.CheckFollowedTopics(followedTopics, users.Count, nameof(followedTopics));
        var seen = new Dictionary<int, int>();
        for (int q = 0; q < users.Count; q++)
            if (!seen.TryAdd(users[q], q)) throw new ArgumentException($"User row {users[q]} is given twice (positions {seen[users[q]]} and {q}): serve each once.", nameof(users));
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, users, OnnxScorerParts.ExcludedItems(excludeItems, _explicit.Manifest), _explicit.Manifest.Items);
        return Chunked(users, (chunk, start) => (_explicit.RankComponentsFollowing(chunk, [.. followedTopics.Skip(start).Take(chunk.Length)], trainingHistory, exclusions),
            _implicit.RankComponents(chunk, exclusions, withFallback: false)));
    }

    /// <summary>
    /// The merged lists of users known by their history only who follow <paramref name="followedTopics"/> now, as
    /// <see cref="MultiInterestRecommender.RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/> gives a new user with that history. An empty history gets an
    /// empty list (the recommender gives its topics' popular items, which the directory does not hold).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1.</param>
    /// <param name="followedTopics">Per user, names from <see cref="Topics"/>, at least one.</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFollowingFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, IReadOnlyList<IReadOnlyList<string>> followedTopics,
        bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(histories);
        // Refused here over the whole lists, naming the caller's position, not one inside a chunk.
        _explicit.CheckFollowedTopics(followedTopics, histories.Count, nameof(followedTopics));
        OnnxScorerParts.HistorySets(histories, Manifest);
        return Chunked(histories, (chunk, start) => (_explicit.RankComponentsFollowingFromHistories(chunk, [.. followedTopics.Skip(start).Take(chunk.Length)], excludeHistory,
            excludeItems), _implicit.RankComponentsFromHistories(chunk, excludeHistory, excludeItems, withFallback: false)));
    }

    /// <summary>
    /// The lists of <paramref name="entries"/> (user rows or histories), a chunk at a time so that the rankings held stay
    /// small: <paramref name="rank"/>(chunk, start) gives both sides' rankings of entries start..start + chunk.Length - 1.
    /// </summary>
    private RankedLists Chunked<T>(IReadOnlyList<T> entries,
        Func<T[], int, (OnnxCandidateScorer.ComponentRankings Conditions, OnnxCandidateScorer.ComponentRankings Clusters)> rank)
    {
        var result = new RankedLists(entries.Count, Manifest.Candidates);
        for (int start = 0; start < entries.Count; start += UsersPerChunk)
        {
            var (conditions, clusters) = rank([.. entries.Skip(start).Take(UsersPerChunk)], start);
            Lay(conditions, clusters, result, start);
        }
        return result;
    }

    /// <summary>Lays out the lists of a chunk of users from both sides' rankings (the explicit side's fallback fills), at <paramref name="offset"/> of <paramref name="result"/>.</summary>
    private void Lay(OnnxCandidateScorer.ComponentRankings conditions, OnnxCandidateScorer.ComponentRankings clusters, RankedLists result, int offset)
    {
        int users = conditions.Counts.Length, depth = Manifest.Candidates;
        var layout = new ConditionalListLayout(Manifest.Items, conditions.Width + clusters.Width, depth);
        for (int q = 0; q < users; q++)
        {
            int explicitCount = conditions.Counts[q], implicitCount = clusters.Counts[q];
            int n = ConditionalRetriever.Components(conditions.Clusters.AsSpan(q * conditions.Width, explicitCount), conditions.Weights.AsSpan(q * conditions.Width, explicitCount),
                clusters.Clusters.AsSpan(q * clusters.Width, implicitCount), clusters.Weights.AsSpan(q * clusters.Width, implicitCount), Manifest.Clusters, Manifest.ImplicitShare, layout);
            for (int k = 0; k < n; k++)
            {
                int source = layout.Source[k];
                var side = source >= 0 ? conditions : clusters;
                int j = source >= 0 ? source : -1 - source, count = side.RankCounts[q * side.Width + j];
                side.Ranking(q, j)[..count].CopyTo(layout.Ranking(k));
                side.RankingScores(q, j)[..count].CopyTo(layout.RankScores(k));
                layout.RankCounts[k] = count;
            }
            int fallback = conditions.FallbackCounts[q];
            result.Counts[offset + q] = layout.Write(depth, n, _options, conditions.Fallback.AsSpan(q * depth, fallback), conditions.FallbackScores.AsSpan(q * depth, fallback),
                hasFallback: true, result.IndexSlots(offset + q), result.ScoreSlots(offset + q));
        }
    }

    /// <summary>Releases the sessions.</summary>
    public void Dispose()
    {
        if (!_calls.Close()) return; // after the running calls: their sessions stay open until they end
        _explicit.Dispose();
        _implicit.Dispose();
    }
}
