using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest;

/// <summary>Serving from a loaded model: the engine's retrieval with fresh exclusions, and the ONNX export.</summary>
public sealed partial class MultiInterestModel
{
    /// <summary>Name of the file <see cref="ExportOnnx"/> writes with the raw user id of each user row.</summary>
    public const string UserIdsFileName = "user_ids.tsv";

    /// <summary>Name of the file <see cref="ExportOnnx"/> writes with the raw item id of each item row.</summary>
    public const string ItemIdsFileName = "item_ids.tsv";

    /// <summary>
    /// Name of the file <see cref="ExportOnnx"/> writes with the popular fallback: <c>row, item, degree</c> of every item the
    /// model can recommend, by training degree (most first, ties to the lower row), for the users the graphs do not serve.
    /// </summary>
    public const string PopularItemsFileName = "popular_items.tsv";

    /// <summary>
    /// Name of the file <see cref="ExportOnnx"/> writes with the saved training history, <c>user_row, item_row</c> per edge (by
    /// user row, items ascending): the items every serving path excludes by default, which a client of the graphs alone turns
    /// into the scorers' exclusion mask (<see cref="TrainingHistory"/> gives the same edges).
    /// </summary>
    public const string TrainingHistoryFileName = "training_history.tsv";

    /// <summary>
    /// The retrieval stage the serving methods reproduce: the last one of the chain, as
    /// <see cref="MultiInterestCatalog.CreateRecommender(ITransformer)"/> serves the fitted pipeline's last (until 2026-12-05
    /// the first cluster-quota stage, so a zip with several retrieval stages and no fusion is now served by its last;
    /// <see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel, string)"/> names another). Its M,
    /// alpha and settings are used.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The model has no retrieval stage, or fuses several (<see cref="RankFusions"/>): its lists are the fusion's, which no single
    /// stage reproduces (<see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel)"/> serves them).
    /// </exception>
    public SavedCandidates ServingStage =>
        RankFusions.Count > 0 ? throw new InvalidOperationException(
            $"The model fuses the candidate lists of several retrieval stages (RankFusion over {string.Join(", ", RankFusions[0].SourceColumnNames)}): "
            + "RetrieveWithEngine and ServingStage serve one stage and would return one source's lists. Serve it with CreateRecommender, which fuses the "
            + "source stages' live lists, with ExportOnnx and OnnxFusionScorer, or with Transformer.Transform.")
        : (CandidateLists.Count > 0 ? CandidateLists[^1] : null)
        ?? throw new InvalidOperationException("The model has no candidate retrieval stage (ClusterQuotaRetriever, UnimodalRetriever, MmrRetriever, RoundRobinRetriever or ConditionalRetriever) to serve.");

    /// <summary>
    /// Retrieves candidates with this library's engine from the saved tables, exactly as the fitted retrieval
    /// stage did (same M, alpha and fallback; round robin over the GraphEmbedding stage's components), excluding <paramref name="exclusions"/>. By default (null) they are the
    /// training history saved with the model, so the lists equal the saved ones, as every serving path excludes seen
    /// items by default. A history-interest MMR stage (<see cref="MmrInterests.History"/>) reads each user's interests from the
    /// saved training history and retrieves among the items the stage was fitted with (those with a vector), as its Fit did; so
    /// does a conditional stage (<see cref="CandidateMethod.Conditional"/>), with the conditions of that history, and any stage
    /// whose item key type is wider than the items it was fitted with (a round-robin stage since 2026-12-05: before, it searched
    /// every item key and could list keys without edges). A user row without training edges (a key of a user key
    /// type wider than the users fitted) gets the saved popular fallback list, as the saved model gives it, less its exclusions.
    /// </summary>
    /// <param name="userRows">User rows (user key - 1) to serve.</param>
    /// <param name="exclusions">
    /// Items never to return per user row (item rows = item key - 1); null = the saved training history (nothing for a
    /// model saved before the history was stored, <see cref="SavedCandidates.HasTrainingHistory"/>).
    /// </param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it. Concurrent callers are safe.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user, beside <paramref name="exclusions"/>: items deleted or blocked since the fit, as
    /// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/>'s <c>exclude</c>
    /// (the same lists: they change no user's query, nor which history lists a clustered history pool searches).
    /// </param>
    /// <returns>Item rows (item key - 1) and scores, one list per entry of <paramref name="userRows"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A user row, or a row of <paramref name="excludeItems"/>, is not in the model.</exception>
    /// <exception cref="ArgumentException"><paramref name="exclusions"/> has another item count than the model, or no row for a user of <paramref name="userRows"/>.</exception>
    public RankedLists RetrieveWithEngine(IReadOnlyList<int> userRows, BipartiteGraph? exclusions = null, int threads = 0, IReadOnlyCollection<int>? excludeItems = null)
    {
        ArgumentNullException.ThrowIfNull(userRows);
        var stage = ServingStage;
        var embedding = EmbeddingOf(stage);
        // The engine's searches take tables of one row per key.
        var items = embedding.ItemEmbeddings.DenseView();
        var users = embedding.UserEmbeddings.DenseView();
        foreach (int u in userRows)
            if ((uint)u >= (uint)users.Rows) throw new ArgumentOutOfRangeException(nameof(userRows), $"User row {u} is not in the model ({users.Rows} users).");
        if (exclusions == null && stage.HasTrainingHistory) exclusions = TrainingHistory();
        // Before any path: the live-table paths would read a missing user row as no exclusions and drop item rows beyond the model.
        if (exclusions != null) ExclusionGraphs.RequireCovers(exclusions, userRows, items.Rows, nameof(exclusions));
        // The users' own exclusions pick a clustered history pool's lists; the excluded items are left out only.
        var own = exclusions;
        int[] excluded = ExclusionGraphs.SortedItems(excludeItems, items.Rows, "each an item key - 1");
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, userRows, excluded, items.Rows);
        var lists = RetrieveFitted(stage, embedding, items, users, userRows, exclusions, threads, ReferenceEquals(own, exclusions) ? null : own);
        ServePopularToUnfitted(stage, userRows, exclusions, lists);
        return lists;
    }

    /// <summary>The engine's lists of <paramref name="userRows"/> from their vectors and representations (a user without any gets zeros).</summary>
    // ownItems: the users' own items when the exclusions hold other excluded items too (they pick a history pool's lists), else null.
    private RankedLists RetrieveFitted(SavedCandidates stage, SavedGraphEmbedding embedding, EmbeddingMatrix items, EmbeddingMatrix users,
        IReadOnlyList<int> userRows, BipartiteGraph? exclusions, int threads, BipartiteGraph? ownItems)
    {
        var settings = stage.Settings;
        // M capped at the items, as the fitted stage's own lists are (ServingTables.ListLength).
        int m = Math.Min(stage.Candidates, items.Rows);
        // Items without edges have no vector and no cluster: the live tables hold the fitted items only, as the stage's Fit did.
        bool itemsBeyondFitted = !embedding.ItemEmbeddings.IsDense && stage.HasTrainingHistory;
        // A dense key table's rows are all fitted items, listed even when a vector given from elsewhere is zero (as the stage and
        // the ONNX graphs list it); only a key table with keys without edges leaves its zero rows out.
        bool skipZeroRows = !embedding.ItemEmbeddings.IsDense;
        // Round robin too: over the key table, a key without edges has zero components (dot 0), which an interest whose nearest
        // components reach below 0 would fetch and list.
        if (stage.Method == CandidateMethod.RoundRobin && itemsBeyondFitted) return RetrieveLive(userRows, exclusions, threads, ownItems);
        if (stage.Method == CandidateMethod.RoundRobin && stage.ComponentsFromMixtureStage)
            return new RoundRobinRetriever(items).Retrieve(KnnComponents(userRows), userRows, exclusions, [m], threads)[0];
        if (stage.Method == CandidateMethod.RoundRobin)
        {
            var model = RequireLearnedMixture(embedding);
            return new RoundRobinRetriever(model.ItemComponents, model.DestinationComponents)
                .Retrieve(model.ToMixtureTable(userRows), userRows, exclusions, [m], threads)[0];
        }
        if (stage.Method == CandidateMethod.Conditional || (stage.Method == CandidateMethod.Mmr && settings.Interests == MmrInterests.History) || itemsBeyondFitted)
            return RetrieveLive(userRows, exclusions, threads, ownItems);
        if (stage.Method == CandidateMethod.Mmr)
        {
            int pool = Math.Min(Math.Max(settings.MmrPoolSize, m), items.Rows);
            var ranking = new UnimodalRetriever(items, skipZeroRows).Retrieve(users, userRows, exclusions, pool, threads);
            InterestProportionality? interests = null;
            if (settings.InterestWeight > 0)
            {
                var (interestClusters, interestMixtures) = RequireMixturePath(embedding);
                interests = new InterestProportionality(interestMixtures, userRows, interestClusters, settings.InterestWeight);
            }
            return new MmrRetriever(items).Rerank(ranking, m, settings.MmrLambda, pool, interests, threads);
        }
        var unimodal = new UnimodalRetriever(items, skipZeroRows);
        if (stage.Method == CandidateMethod.Unimodal) return unimodal.Retrieve(users, userRows, exclusions, m, threads);
        var (clustering, mixtures) = RequireMixturePath(embedding);
        return new ClusterQuotaRetriever(items, clustering, skipZeroRows).RetrieveWithUnimodalFill(mixtures, userRows, exclusions, m, settings.Quota(stage.Alpha), unimodal, users, threads);
    }

    /// <summary>
    /// Replaces the list of every entry of <paramref name="userRows"/> that has no fitted list (a user key without training edges,
    /// whose vector reads as zeros) with the stage's saved popular fallback, less the entry's <paramref name="exclusions"/>.
    /// </summary>
    private static void ServePopularToUnfitted(SavedCandidates stage, IReadOnlyList<int> userRows, BipartiteGraph? exclusions, RankedLists lists)
    {
        (uint[] ItemKeys, float[] Scores)? popular = null;
        for (int q = 0; q < userRows.Count; q++)
        {
            int user = userRows[q];
            if (stage.HasFittedList(user)) continue;
            popular ??= stage.GetCandidates(0);
            var seen = exclusions != null && user < exclusions.UserCount ? exclusions.ItemsOf(user) : default;
            var rows = lists.IndexSlots(q);
            var scores = lists.ScoreSlots(q);
            int count = 0;
            for (int r = 0; r < popular.Value.ItemKeys.Length && count < rows.Length; r++)
            {
                int row = (int)popular.Value.ItemKeys[r] - 1;
                if (seen.BinarySearch(row) >= 0) continue;   // exclusions are sorted per user
                rows[count] = row;
                scores[count++] = popular.Value.Scores[r];
            }
            lists.Counts[q] = count;
        }
    }

    /// <summary>
    /// Retrieval through the live tables (the fitted stage's recommendable items, its history interests or conditions and the
    /// saved training history), for the stages whose representation is read off the history: <paramref name="exclusions"/>
    /// (item rows) become exclusions over those items, and the lists item rows again.
    /// </summary>
    private RankedLists RetrieveLive(IReadOnlyList<int> userRows, BipartiteGraph? exclusions, int threads, BipartiteGraph? ownItems = null)
    {
        var live = Live();
        var t = live.Tables;
        int[] users = userRows.ToArray();
        var lists = live.RetrieveUsers(users, Compact(exclusions), threads, Compact(ownItems));
        var result = new RankedLists(users.Length, lists.Capacity);
        for (int q = 0; q < users.Length; q++)
        {
            var from = lists.IndicesOf(q);
            var to = result.IndexSlots(q);
            for (int r = 0; r < from.Length; r++) to[r] = t.ItemRowOf[from[r]];
            lists.ScoresOf(q).CopyTo(result.ScoreSlots(q));
            result.Counts[q] = from.Length;
        }
        return result;

        // Item rows as the live tables' compact items, entry q holding user users[q]'s (an item without a vector is never a candidate).
        BipartiteGraph? Compact(BipartiteGraph? graph)
        {
            if (graph == null) return null;
            var entryOf = new List<int>();
            var items = new List<int>();
            for (int q = 0; q < users.Length; q++)
            {
                if (users[q] >= graph.UserCount) continue;
                foreach (int row in graph.ItemsOf(users[q]))
                {
                    int j = t.CompactOf(row);
                    if (j < 0) continue;
                    entryOf.Add(q);
                    items.Add(j);
                }
            }
            return BipartiteGraph.FromEdges(users.Length, t.Items.Rows, entryOf.ToArray(), items.ToArray());
        }
    }

    /// <summary>The components of the GraphEmbedding stage, which round-robin serving reads.</summary>
    private static MixtureEmbeddingResult RequireLearnedMixture(SavedGraphEmbedding embedding) =>
        embedding.Mixture ?? throw new InvalidOperationException(
            "The model's GraphEmbedding stage has no components: round-robin serving needs one fitted with Algorithm = MixtureEmbedding or DifferentiableClustering.");

    /// <summary>
    /// The vectors <paramref name="stage"/> retrieves with: the GraphEmbedding stage before it in the pipeline (a model may hold
    /// two, e.g. the implicit-ALS vectors a DCM model is warm-started from and the DCM model), else the model's first.
    /// </summary>
    private SavedGraphEmbedding EmbeddingOf(SavedCandidates stage) =>
        stage.Embedding ?? GraphEmbedding ?? throw new InvalidOperationException("The model has no GraphEmbedding stage: serving needs the user and item embeddings.");

    /// <summary>The item clustering (from the k-means stage's fitted items) and the mixtures.</summary>
    private (ItemClustering Clustering, MixtureTable Mixtures) RequireMixturePath(SavedGraphEmbedding embedding)
    {
        var kmeans = Clustering ?? throw new InvalidOperationException("The model has no SphericalKMeans stage: cluster-quota serving needs the item clusters.");
        var mixtures = Mixtures ?? throw new InvalidOperationException("The model has no KnnSmoothedMixture stage: cluster-quota serving needs the mixtures.");
        int items = embedding.ItemEmbeddings.KeyCount;
        // Without an item column (ItemCount 0) the stage placed every item by its vector: the same rule here, below.
        bool byVector = kmeans.ItemColumnName == null;
        if (!byVector && kmeans.ItemCount != items)
            throw new InvalidOperationException($"The SphericalKMeans stage has fitted clusters for {kmeans.ItemCount} item keys, the embeddings {items}: "
                + "serving needs k-means fitted with the item column of the embedded items.");
        var assignments = new int[items];
        for (int i = 0; i < items; i++)
        {
            assignments[i] = byVector ? -1 : kmeans.ClusterOfItem((uint)i + 1);
            if (assignments[i] >= 0) continue;
            if (!embedding.ItemEmbeddings.TryGetVector(i, out var vector))
                throw new NotSupportedException($"{items - embedding.ItemEmbeddings.Count} of the {items} item keys (key {i + 1} the first) have no training edges, so no "
                    + "vector and no cluster: the item key type is wider than the items fitted (MapValueToKey fitted on more ids than the training edges hold). "
                    + "The ONNX graphs that read item clusters (cluster quotas, MMR's interest term), indexed by item key, cannot serve such a model; serve it with CreateRecommender, RetrieveWithEngine or "
                    + "Transform, or fit MapValueToKey on the training edges.");
            if (!byVector)
                throw new InvalidOperationException($"Item key {i + 1} has a vector but no fitted cluster in the SphericalKMeans stage: serving needs k-means fitted with the embedded items.");
            assignments[i] = kmeans.ClusterOf((uint)i + 1, vector);
        }
        return (ItemClustering.Create(assignments, mixtures.ClusterCount, embedding.ItemEmbeddings.DenseView()), mixtures.Mixtures);
    }
}
