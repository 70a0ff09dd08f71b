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
    /// The retrieval stage the serving methods reproduce: the first cluster-quota stage, else the first
    /// other one (unimodal, MMR or round robin). Its M, alpha and settings are used.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The model has no retrieval stage, or fuses several (<see cref="RankFusions"/>): its lists are the fusion's, which no single
    /// stage reproduces (<see cref="MultiInterestCatalog.CreateRecommender(MultiInterestModel)"/> serves them).
    /// </exception>
    public SavedCandidates ServingStage =>
        RankFusions.Count > 0 ? throw new InvalidOperationException(
            $"The model fuses the candidate lists of several retrieval stages (RankFusion over {string.Join(", ", RankFusions[0].SourceColumnNames)}): "
            + "RetrieveWithEngine, TrainingHistory and ExportOnnx serve one stage and would return one source's lists. Serve it with CreateRecommender, which fuses the "
            + "source stages' live lists, or with Transformer.Transform.")
        : CandidateLists.FirstOrDefault(c => c.Method == CandidateMethod.ClusterQuota)
        ?? (CandidateLists.Count > 0 ? CandidateLists[0] : null)
        ?? throw new InvalidOperationException("The model has no candidate retrieval stage (ClusterQuotaRetriever, UnimodalRetriever, MmrRetriever, RoundRobinRetriever or ConditionalRetriever) to serve.");

    /// <summary>
    /// Retrieves candidates with this library's engine from the saved tables, exactly as the fitted retrieval
    /// stage did (same M, alpha and fallback; round robin over the GraphEmbedding stage's components), excluding <paramref name="exclusions"/>. By default (null) they are the
    /// training history saved with the model, so the lists equal the saved ones, as every serving path excludes seen
    /// items by default. A history-interest MMR stage (<see cref="MmrInterests.History"/>) reads each user's interests from the
    /// saved training history and retrieves among the items the stage was fitted with (those with a vector), as its Fit did; so
    /// does a conditional stage (<see cref="CandidateMethod.Conditional"/>), with the conditions of that history.
    /// </summary>
    /// <param name="userRows">User rows (user key - 1) to serve.</param>
    /// <param name="exclusions">
    /// Items never to return per user row (item rows = item key - 1); null = the saved training history (nothing for a
    /// model saved before the history was stored, <see cref="SavedCandidates.HasTrainingHistory"/>).
    /// </param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>Item rows (item key - 1) and scores, one list per entry of <paramref name="userRows"/>.</returns>
    public RankedLists RetrieveWithEngine(IReadOnlyList<int> userRows, BipartiteGraph? exclusions = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(userRows);
        var stage = ServingStage;
        var embedding = EmbeddingOf(stage);
        // The engine's searches take tables of one row per key.
        var items = embedding.ItemEmbeddings.DenseView();
        var users = embedding.UserEmbeddings.DenseView();
        foreach (int u in userRows)
            if ((uint)u >= (uint)users.Rows) throw new ArgumentOutOfRangeException(nameof(userRows), $"User row {u} is not in the model ({users.Rows} users).");
        var settings = stage.Settings;
        if (exclusions == null && stage.HasTrainingHistory) exclusions = TrainingHistory();
        if (stage.Method == CandidateMethod.RoundRobin)
        {
            var model = RequireLearnedMixture(embedding);
            return new RoundRobinRetriever(model.ItemComponents, model.DestinationComponents)
                .Retrieve(model.ToMixtureTable(userRows), userRows, exclusions, [stage.Candidates], threads)[0];
        }
        if (stage.Method == CandidateMethod.Conditional || (stage.Method == CandidateMethod.Mmr && settings.Interests == MmrInterests.History))
            return RetrieveLive(userRows, exclusions, threads);
        if (stage.Method == CandidateMethod.Mmr)
        {
            int pool = Math.Max(settings.MmrPoolSize, stage.Candidates);
            var ranking = new UnimodalRetriever(items).Retrieve(users, userRows, exclusions, pool, threads);
            InterestProportionality? interests = null;
            if (settings.InterestWeight > 0)
            {
                var (interestClusters, interestMixtures) = RequireMixturePath(embedding);
                interests = new InterestProportionality(interestMixtures, userRows, interestClusters, settings.InterestWeight);
            }
            return new MmrRetriever(items).Rerank(ranking, stage.Candidates, settings.MmrLambda, pool, interests, threads);
        }
        var fallback = new UnimodalRetriever(items).Retrieve(users, userRows, exclusions, stage.Candidates, threads);
        if (stage.Method == CandidateMethod.Unimodal) return fallback;
        var (clustering, mixtures) = RequireMixturePath(embedding);
        return new ClusterQuotaRetriever(items, clustering).Retrieve(mixtures, userRows, exclusions, [stage.Candidates], settings.Quota(stage.Alpha), fallback, users, threads)[0];
    }

    /// <summary>
    /// Writes the ONNX serving graphs (encoder, quota scorer, unimodal scorer, see <see cref="OnnxServingDirectory"/>)
    /// for the <see cref="ServingStage"/>'s M and alpha into <paramref name="directory"/>, with
    /// <see cref="UserIdsFileName"/> and <see cref="ItemIdsFileName"/> mapping rows to raw ids, so ONNX Runtime
    /// serves the model without this library. A round-robin stage (<see cref="CandidateMethod.RoundRobin"/>) gets the encoder of the
    /// GraphEmbedding stage's components and the round-robin scorer instead (<see cref="OnnxServingDirectory.ExportRoundRobin"/>),
    /// whose per-component lists the client merges with <see cref="RoundRobinOnnxMerge"/> (<see cref="OnnxRoundRobinScorer"/> does it all);
    /// over a differentiable-clustering model also the DCM history encoder (<see cref="OnnxServingDirectory.HistoryEncoderFileName"/>),
    /// which serves a user known by its history only as <see cref="MultiInterestRecommender.Recommend"/> does.
    /// </summary>
    /// <param name="directory">Created if needed; files of the same names are overwritten.</param>
    /// <param name="exclusionMask">True to give the scorers the seen-item mask input.</param>
    /// <exception cref="InvalidOperationException">The model lacks the embedding, clustering or mixture stage (round robin: the embedding stage's components).</exception>
    /// <exception cref="NotSupportedException">
    /// The stage is history-interest MMR (<see cref="MmrRetrieverEstimator.Options.Interests"/> = <see cref="MmrInterests.History"/>)
    /// with a clustered pool search, which the pool scorer (a scan of every item) would not reproduce (with the exact pool it is
    /// exported: <see cref="OnnxServingDirectory.ExportHistoryMmr"/>, served by <see cref="OnnxHistoryMmrScorer"/>); or conditional
    /// retrieval merged with implicit components (<see cref="ConditionalRetrieverEstimator.Options.ImplicitShare"/> &gt; 0), whose
    /// conditions and clusters share items. (Conditional retrieval alone is exported: the quota graphs over the items grouped by
    /// condition, each user's conditions and queries precomputed, <see cref="OnnxServingDirectory.ExportConditional"/>.)
    /// </exception>
    public OnnxServingManifest ExportOnnx(string directory, bool exclusionMask = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var stage = ServingStage;
        var embedding = EmbeddingOf(stage);
        if (stage.Method == CandidateMethod.Mmr && stage.Settings.Interests == MmrInterests.History) return ExportHistoryMmrOnnx(stage, embedding, directory, exclusionMask);
        if (stage.Method == CandidateMethod.Conditional) return ExportConditionalOnnx(stage, embedding, directory, exclusionMask);
        if (stage.Method == CandidateMethod.RoundRobin)
        {
            var mixture = RequireLearnedMixture(embedding);
            // A DCM stage also gets its history encoder, over the scorer's item rows (every item key, as item_ids.tsv lists them).
            var dcm = stage.Dcm is { } c ? new DcmModel(mixture.ItemComponents, c.Seeds, c.Temperature, c.PriorWeight, c.Iterations, c.WeightExponent) : null;
            var learned = OnnxServingDirectory.ExportRoundRobin(mixture, stage.Candidates, directory, exclusionMask, dcm);
            WriteIds(Path.Combine(directory, UserIdsFileName), "user", embedding.UserIds);
            WriteIds(Path.Combine(directory, ItemIdsFileName), "item", embedding.ItemIds);
            return learned;
        }
        var (clustering, mixtures) = RequireMixturePath(embedding);
        var options = stage.Method == CandidateMethod.ClusterQuota ? stage.Settings.Quota(stage.Alpha) : new QuotaRetrievalOptions { Alpha = 1.0 };
        var manifest = OnnxServingDirectory.Export(embedding.UserEmbeddings.DenseView(), embedding.ItemEmbeddings.DenseView(), clustering, mixtures,
            stage.Candidates, options, directory, exclusionMask);
        WriteIds(Path.Combine(directory, UserIdsFileName), "user", embedding.UserIds);
        WriteIds(Path.Combine(directory, ItemIdsFileName), "item", embedding.ItemIds);
        return manifest;
    }

    /// <summary>
    /// The ONNX directory of a history-interest MMR stage with an exact pool (<see cref="OnnxServingDirectory.ExportHistoryMmr"/>):
    /// every user row's interests as the live tables compute them for a trained user, the stage's M, N, lambda and nu.
    /// </summary>
    private OnnxServingManifest ExportHistoryMmrOnnx(SavedCandidates stage, SavedGraphEmbedding embedding, string directory, bool exclusionMask)
    {
        if (stage.Settings.PoolSearch != HistoryPoolSearch.Exact)
            throw new NotSupportedException($"The model's history-interest MMR stage searches its pool through item lists (PoolSearch {stage.Settings.PoolSearch}), "
                + "which the ONNX pool scorer, a scan of every item, would not reproduce: serve it with CreateRecommender or RetrieveWithEngine, or fit PoolSearch = Exact to export.");
        var live = Live();
        var t = live.Tables;
        int itemKeys = embedding.ItemEmbeddings.KeyCount;
        if (t.ItemRowOf.Length != itemKeys)
            throw new NotSupportedException($"The history-interest MMR stage recommends {t.ItemRowOf.Length} of the {itemKeys} item keys (those it was fitted with), which "
                + "the ONNX graphs, indexed by item key, cannot serve: serve it with CreateRecommender or RetrieveWithEngine.");
        int[] users = [.. Enumerable.Range(0, embedding.UserEmbeddings.KeyCount)];
        var (interests, vectors) = live.HistoryInterestsOf(users, threads: 0);
        var manifest = OnnxServingDirectory.ExportHistoryMmr(vectors, t.Items, interests, stage.Candidates, Math.Max(t.Settings.MmrPoolSize, stage.Candidates),
            t.Settings.MmrLambda, t.Settings.InterestWeight, directory, exclusionMask);
        WriteIds(Path.Combine(directory, UserIdsFileName), "user", embedding.UserIds);
        WriteIds(Path.Combine(directory, ItemIdsFileName), "item", embedding.ItemIds);
        return manifest;
    }

    /// <summary>
    /// The ONNX directory of a conditional stage without implicit components (<see cref="OnnxServingDirectory.ExportConditional"/>):
    /// every user row's conditions and queries as the live tables compute them for a trained user (its training history's
    /// conditions, or the topics it follows), the items grouped by condition, the stage's M, alpha and head share.
    /// </summary>
    private OnnxServingManifest ExportConditionalOnnx(SavedCandidates stage, SavedGraphEmbedding embedding, string directory, bool exclusionMask)
    {
        if (stage.Settings.ImplicitShare > 0)
            throw new NotSupportedException($"The model's conditional retrieval stage merges the kNN-Embed components (ImplicitShare {stage.Settings.ImplicitShare}), "
                + "which cannot be exported to ONNX: its conditions and clusters share items, and the quota scorer serves one partition of the items. Serve it with "
                + "mlContext.MultiInterest().CreateRecommender(model) or MultiInterestModel.RetrieveWithEngine, or fit ImplicitShare = 0 to export.");
        var live = Live();
        var t = live.Tables;
        int itemKeys = embedding.ItemEmbeddings.KeyCount, userKeys = embedding.UserEmbeddings.KeyCount;
        if (t.ItemRowOf.Length != itemKeys)
            throw new NotSupportedException($"The conditional stage recommends {t.ItemRowOf.Length} of the {itemKeys} item keys (those it was fitted with), which "
                + "the ONNX graphs, indexed by item key, cannot serve: serve it with CreateRecommender or RetrieveWithEngine.");
        int[] users = [.. Enumerable.Range(0, userKeys)];
        var queries = live.ConditionQueries(users, threads: 0);
        var manifest = OnnxServingDirectory.ExportConditional(t.UserVectors!.Gather(users, absentAsZero: true), t.Items, t.Conditional!.Conditions, queries,
            stage.Candidates, stage.Alpha, stage.Settings.HeadShare, directory, exclusionMask);
        WriteIds(Path.Combine(directory, UserIdsFileName), "user", embedding.UserIds);
        WriteIds(Path.Combine(directory, ItemIdsFileName), "item", embedding.ItemIds);
        return manifest;
    }

    /// <summary>
    /// Retrieval through the live tables (the fitted stage's recommendable items, its history interests or conditions and the
    /// saved training history), for the stages whose representation is read off the history: <paramref name="exclusions"/>
    /// (item rows) become exclusions over those items, and the lists item rows again.
    /// </summary>
    private RankedLists RetrieveLive(IReadOnlyList<int> userRows, BipartiteGraph? exclusions, int threads)
    {
        var live = Live();
        var t = live.Tables;
        int[] users = userRows.ToArray();
        BipartiteGraph? compact = null;
        if (exclusions != null)
        {
            var entryOf = new List<int>();
            var items = new List<int>();
            for (int q = 0; q < users.Length; q++)
            {
                if (users[q] >= exclusions.UserCount) continue;
                foreach (int row in exclusions.ItemsOf(users[q]))
                {
                    int j = t.CompactOf(row);
                    if (j < 0) continue;   // an item without a vector is never a candidate
                    entryOf.Add(q);
                    items.Add(j);
                }
            }
            compact = BipartiteGraph.FromEdges(users.Length, t.Items.Rows, entryOf.ToArray(), items.ToArray());
        }
        var lists = live.RetrieveUsers(users, compact, threads);
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
        if (kmeans.ItemCount != items)
            throw new InvalidOperationException($"The SphericalKMeans stage has fitted clusters for {kmeans.ItemCount} item keys, the embeddings {items}: "
                + "serving needs k-means fitted with the item column of the embedded items.");
        var assignments = new int[items];
        for (int i = 0; i < items; i++)
        {
            assignments[i] = kmeans.ClusterOfItem((uint)i + 1);
            if (assignments[i] < 0) throw new InvalidOperationException($"Item key {i + 1} has no fitted cluster in the SphericalKMeans stage.");
        }
        return (ItemClustering.Create(assignments, mixtures.ClusterCount, embedding.ItemEmbeddings.DenseView()), mixtures.Mixtures);
    }

    private static void WriteIds(string path, string header, IReadOnlyList<string> ids)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine($"row\t{header}");
        for (int r = 0; r < ids.Count; r++) writer.WriteLine($"{r}\t{ids[r]}");
    }
}
