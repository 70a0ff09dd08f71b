using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The serving directory of conditional retrieval merged with implicit components.</summary>
public static partial class OnnxServingDirectory
{
    /// <summary>
    /// Writes the serving directory of <see cref="ConditionalRetriever"/> with implicit components
    /// (<see cref="ConditionalRetrievalOptions.ImplicitShare"/> above 0), whose conditions and clusters share items: the
    /// conditional directory of the explicit components (<see cref="ExportConditional"/>, without a head) in
    /// <see cref="OnnxConditionalMergeScorer.ExplicitDirectoryName"/>, the quota directory of the implicit ones
    /// (<see cref="Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, QuotaRetrievalOptions, string, bool, OnnxExternalData)"/>
    /// with the implicit query) in <see cref="OnnxConditionalMergeScorer.ImplicitDirectoryName"/>, and a manifest
    /// (<see cref="OnnxServingManifest.ConditionalMergedRetrieval"/>) with M, alpha, the head share and the implicit share.
    /// <see cref="OnnxConditionalMergeScorer"/> proves every component's ranking from the two directories' candidates and lays
    /// the list out as the engine does.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r.</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="conditions">The items' conditions.</param>
    /// <param name="conditionQueries">The users' conditions, weights and queries, one row per user row.</param>
    /// <param name="clustering">The implicit components' item clusters.</param>
    /// <param name="mixtures">The users' implicit mixtures, one row per user row.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="options">Alpha, HeadShare, ImplicitShare (above 0), ImplicitQuery and Beta.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give the scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="model">The trained condition model, for users known by a fresh history (<see cref="OnnxConditionalMergeScorer.RetrieveFromHistories"/>); null to serve trained users only.</param>
    /// <param name="maxConditions">With <paramref name="model"/>: the most conditions a fresh history gets.</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    public static OnnxServingManifest ExportConditionalMerged(EmbeddingMatrix users, EmbeddingMatrix items, ItemConditions conditions, MixtureTable conditionQueries,
        ItemClustering clustering, MixtureTable mixtures, int candidates, ConditionalRetrievalOptions options, string directory, bool exclusionMask = false,
        ConditionalModel? model = null, int maxConditions = ConditionalDefaults.MaxConditions, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        return WriteConditionalMerged(users, items, conditions, conditionQueries, clustering, mixtures, candidates, options, directory, exclusionMask, model, maxConditions,
            historyModel: null);
    }

    /// <summary>
    /// <see cref="ExportConditionalMerged"/>, and with <paramref name="historyModel"/> (a stage with <c>HistoryVector = Encoder</c>)
    /// that divide-and-conquer model's history encoder in both parts: the explicit one beside its condition model
    /// (<see cref="WriteConditional"/>), the implicit one as a quota directory reading a fresh history's vector by it (the
    /// <see cref="Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, QuotaRetrievalOptions, string, bool, DivideConquerModel, bool, bool, OnnxExternalData)"/>
    /// path with the query alone). Each part reads the history's vector itself, as it does the fold-in its manifest records: the
    /// conditions' queries, the head and the fill read it on one side, the implicit query (<c>User</c>, <c>Blend</c>) on the
    /// other, and neither part, opened alone or by another client, is a directory that would serve the mean. The merged
    /// manifest is then of format version <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/> too, as its parts'.
    /// </summary>
    internal static OnnxServingManifest WriteConditionalMerged(EmbeddingMatrix users, EmbeddingMatrix items, ItemConditions conditions, MixtureTable conditionQueries,
        ItemClustering clustering, MixtureTable mixtures, int candidates, ConditionalRetrievalOptions options, string directory, bool exclusionMask, ConditionalModel? model,
        int maxConditions, DivideConquerModel? historyModel)
    {
        using var signatures = OnnxExportScope.Enter(directory);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!(options.ImplicitShare > 0))
            throw new ArgumentException("A stage without implicit components (ImplicitShare 0) is exported by ExportConditional.", nameof(options));
        var explicitPart = WriteConditional(users, items, conditions, conditionQueries, candidates, options.Alpha, headShare: 0,
            Path.Combine(directory, OnnxConditionalMergeScorer.ExplicitDirectoryName), exclusionMask, model, maxConditions, historyModel);
        var implicitOptions = new QuotaRetrievalOptions { Alpha = options.Alpha, Query = options.ImplicitQuery, Beta = options.Beta };
        string implicitDirectory = Path.Combine(directory, OnnxConditionalMergeScorer.ImplicitDirectoryName);
        if (historyModel == null) Export(users, items, clustering, mixtures, candidates, implicitOptions, implicitDirectory, exclusionMask);
        else Export(users, items, clustering, mixtures, candidates, implicitOptions, implicitDirectory, exclusionMask, historyModel, mixtureByModel: false, vectorByModel: true);
        var manifest = new OnnxServingManifest
        {
            // Parts with the history encoder need a reader of version 5: the merged directory says so too (OnnxConditionalMergeScorer checks it).
            FormatVersion = historyModel != null ? OnnxServingManifest.DivideConquerHistoryFormatVersion : OnnxServingManifest.WrittenFormatVersion,
            Candidates = candidates,
            Alpha = options.Alpha,
            Retrieval = OnnxServingManifest.ConditionalMergedRetrieval,
            HeadShare = options.HeadShare,
            HeadSlots = options.HeadSlots(candidates),
            ImplicitShare = options.ImplicitShare,
            Query = options.ImplicitQuery.ToString(),
            Beta = options.Beta,
            Users = explicitPart.Users,
            Items = explicitPart.Items,
            Clusters = conditions.Count,
            Components = explicitPart.Components + mixtures.MaxComponents,
            Dimension = explicitPart.Dimension,
            ExclusionMask = exclusionMask,
            CandidateSlack = explicitPart.CandidateSlack,
            MaxConditions = explicitPart.MaxConditions,
            ConditionNames = explicitPart.ConditionNames,
        };
        manifest.Write(directory);
        return signatures.Finished(manifest);
    }
}
