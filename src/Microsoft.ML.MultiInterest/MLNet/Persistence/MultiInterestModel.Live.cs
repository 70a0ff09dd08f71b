using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>Live retrieval from a loaded model: the serving tables rebuilt from the saved stages, once per stage.</summary>
public sealed partial class MultiInterestModel
{
    private readonly object _liveLock = new();

    // By stage object: every recommender of a stage (alone, as a fusion source, or by column) shares one set of tables,
    // which for a fused zip of 33 MB were 64 MB and 150 ms to rebuild per CreateRecommender.
    private readonly Dictionary<SavedCandidates, LiveRetriever> _liveOf = new(ReferenceEqualityComparer.Instance);

    /// <summary>The live retriever of the <see cref="ServingStage"/>, built on first use (thread-safe).</summary>
    internal LiveRetriever Live() => LiveOf(ServingStage);

    /// <summary>
    /// The stage whose tables stand for the model's users, items and history: the <see cref="ServingStage"/>, or for a model
    /// that fuses several stages its first weighted source (the sources of one pipeline are fitted on the same edges).
    /// </summary>
    private SavedCandidates FirstServedStage => RankFusions.Count > 0 ? FusionStages().Stages[0] : ServingStage;

    /// <summary>
    /// The training history saved with the <see cref="ServingStage"/> (for a model that fuses several stages, with the first
    /// weighted source stage: the sources of one pipeline are fitted on the same edges), as a graph over user rows and item
    /// rows (key - 1): the items every serving path excludes by default (pass it, or its union with fresh history, to an ONNX scorer).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was saved without its training history.</exception>
    /// <returns>A new graph of the saved training edges, users and items by row (key - 1).</returns>
    public BipartiteGraph TrainingHistory()
    {
        var stage = FirstServedStage;
        var saved = RequireServing(stage);
        var embedding = EmbeddingOf(stage);
        var userOf = new int[saved.HistoryItemKeys.Length];
        for (int r = 0; r < saved.Entries; r++)
            for (long e = saved.HistoryOffsets[r]; e < saved.HistoryOffsets[r + 1]; e++) userOf[e] = saved.UserOf(r);
        return BipartiteGraph.FromEdges(embedding.UserEmbeddings.KeyCount, embedding.ItemEmbeddings.KeyCount, userOf,
            saved.HistoryItemKeys.Select(k => (int)k - 1).ToArray());
    }

    private static SavedServingTables RequireServing(SavedCandidates stage) =>
        stage.Serving ?? throw new InvalidOperationException(
            "The model's retrieval stage was saved without its training history (a model saved before 2026-11-30): refit or re-save it with this library version to serve it live.");

    /// <summary>The serving tables of the <see cref="ServingStage"/>, with its saved settings or <paramref name="settings"/> (tests read older models' settings this way).</summary>
    internal ServingTables CreateServingTables(RetrievalSettings? settings = null) => CreateServingTables(ServingStage, settings);

    /// <summary>
    /// The live retriever and weight of each source of the model's last rank fusion that counts (weight &gt; 0), in source order,
    /// found by the stage fingerprints.
    /// </summary>
    /// <exception cref="InvalidOperationException">A source column was not filled by a retrieval stage saved in this model.</exception>
    internal (LiveRetriever[] Sources, double[] Weights) FusionSources() => FusionSources(RankFusions[^1]);

    /// <summary>As <see cref="FusionSources()"/>, for the rank fusion <paramref name="fusion"/> of this model.</summary>
    internal (LiveRetriever[] Sources, double[] Weights) FusionSources(SavedRankFusion fusion)
    {
        var (stages, weights) = FusionStages(fusion);
        return (stages.Select(LiveOf).ToArray(), weights);
    }

    /// <summary>The live retriever of the saved retrieval stage <paramref name="stage"/>, built on its first use and then shared (thread-safe).</summary>
    internal LiveRetriever LiveOf(SavedCandidates stage)
    {
        lock (_liveLock)
        {
            if (!_liveOf.TryGetValue(stage, out var live)) _liveOf.Add(stage, live = new LiveRetriever(CreateServingTables(stage, null)));
            return live;
        }
    }

    /// <summary>The saved retrieval stage and weight of each source of the model's last rank fusion that counts (weight &gt; 0), in source order.</summary>
    /// <exception cref="InvalidOperationException">A source column was not filled by a retrieval stage saved in this model.</exception>
    private (SavedCandidates[] Stages, double[] Weights) FusionStages() => FusionStages(RankFusions[^1]);

    private (SavedCandidates[] Stages, double[] Weights) FusionStages(SavedRankFusion fusion) =>
        RankFusionTransformer.ServedSources(fusion.SourceColumnNames, fusion.SourceStageIds, fusion.Weights,
            id => CandidateLists.FirstOrDefault(c => c.StageId == id), message => new InvalidOperationException(message));

    private ServingTables CreateServingTables(SavedCandidates stage, RetrievalSettings? settings)
    {
        var saved = RequireServing(stage);
        var embedding = EmbeddingOf(stage);
        // The recommendable items, ascending; an item without a saved vector reads as the zero vector its embedding column gave at Fit.
        var rowOf = saved.ServingItemKeys.Select(k => (int)k - 1).ToArray();
        var items = embedding.ItemEmbeddings.Gather(rowOf, absentAsZero: true);
        // The history by entry of the saved CSR (the trained users, or every user key in a version-1 model).
        var historyUsers = Enumerable.Range(0, saved.Entries).Select(saved.UserOf).ToArray();
        var userOf = new int[saved.HistoryItemKeys.Length];
        for (int r = 0; r < saved.Entries; r++)
            for (long e = saved.HistoryOffsets[r]; e < saved.HistoryOffsets[r + 1]; e++) userOf[e] = r;
        var history = BipartiteGraph.FromEdges(saved.Entries, rowOf.Length, userOf, saved.HistoryItemKeys.Select(k => Array.BinarySearch(rowOf, (int)k - 1)).ToArray());

        bool needsMixtures = stage.Method == CandidateMethod.ClusterQuota
            || (stage.Method == CandidateMethod.Mmr && stage.Settings.Interests == MmrInterests.Clusters && stage.Settings.InterestWeight > 0)
            || (stage.Method == CandidateMethod.Conditional && stage.Settings.ImplicitShare > 0);
        MixtureTable? mixtures = null;
        ItemClustering? clustering = null;
        if (needsMixtures)
        {
            var kmeans = Clustering ?? throw new InvalidOperationException("The model has no SphericalKMeans stage: its retrieval needs the item clusters.");
            var savedMixtures = Mixtures ?? throw new InvalidOperationException("The model has no KnnSmoothedMixture stage: its retrieval needs the mixtures.");
            // As the k-means stage's Transform placed each item for the mixtures at Fit: its fitted cluster, else (k-means
            // fitted without an item column) the nearest centroid of its vector.
            var assignments = new int[rowOf.Length];
            for (int j = 0; j < rowOf.Length; j++) assignments[j] = kmeans.ClusterOf((uint)rowOf[j] + 1, items.ReadRow(j));
            clustering = ItemClustering.Create(assignments, savedMixtures.ClusterCount, items);
            mixtures = savedMixtures.Mixtures;
        }
        LearnedComponents? learned = null;
        if (stage.Method == CandidateMethod.RoundRobin && stage.ComponentsFromMixtureStage)
        {
            // Over the kNN-Embed mixtures: each trained user's components as the fitted stage read them, the items' own vectors.
            mixtures = KnnComponents(historyUsers);
            learned = new LearnedComponents(items, 1, null, fromMixtureStage: true);
        }
        else if (stage.Method == CandidateMethod.RoundRobin)
        {
            var model = RequireLearnedMixture(embedding);
            // The trained users' components as the fitted stage laid them out, and the recommendable items' components.
            mixtures = model.ToMixtureTable(historyUsers);
            int cd = model.DestinationComponents, d = model.Dimension;
            var itemComponents = new EmbeddingMatrix(checked(rowOf.Length * cd), d);
            for (int j = 0; j < rowOf.Length; j++) model.ComponentsOfItem(rowOf[j]).CopyTo(itemComponents.Values.AsSpan(j * cd * d, cd * d));
            learned = new LearnedComponents(itemComponents, cd, stage.Dcm);
        }
        return new ServingTables
        {
            Method = stage.Method,
            Candidates = stage.Candidates,
            Alpha = stage.Alpha,
            Settings = settings ?? stage.Settings,
            ExcludeSeen = saved.ExcludeSeen,
            ItemNames = stage.ItemNames,
            UserNames = embedding.UserNames,
            UserColumnName = embedding.UserColumnName,
            ItemColumnName = embedding.ItemColumnName,
            ItemRowOf = rowOf,
            Items = items,
            UserVectors = saved.HasUserVectors || stage.Method is CandidateMethod.Unimodal or CandidateMethod.Mmr ? embedding.UserEmbeddings : null,
            Mixtures = mixtures,
            Clustering = clustering,
            Learned = learned,
            Conditional = stage.Conditional,
            Followed = stage.Followed,
            Encoder = stage.Encoder,
            HistoryUsers = historyUsers,
            History = history,
        };
    }

    /// <summary>
    /// The kNN-Embed mixture of <paramref name="users"/> (user rows) laid out as a round-robin stage fitted over it reads its
    /// columns (<see cref="MixtureEmbeddingResult.WriteSorted"/>: descending weight, component indices as clusters).
    /// </summary>
    private MixtureTable KnnComponents(IReadOnlyList<int> users)
    {
        var saved = (Mixtures ?? throw new InvalidOperationException("The round-robin stage was fitted over the kNN-Embed mixtures, but the model has no KnnSmoothedMixture stage.")).Mixtures;
        var table = MixtureTable.ForUsers(saved.UserCount, users, Math.Max(1, saved.MaxComponents), saved.Dimension);
        foreach (int u in users)
            if (saved.ComponentCount(u) > 0) MixtureEmbeddingResult.WriteSorted(table, u, saved.Embeddings(u), saved.Weights(u));
        return table;
    }
}
