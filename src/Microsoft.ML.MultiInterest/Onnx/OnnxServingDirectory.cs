using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes everything needed to serve both retrieval paths with ONNX Runtime into one directory:
/// <see cref="EncoderFileName"/> and <see cref="QuotaScorerFileName"/> (<see cref="MixtureOnnxExporter"/>),
/// <see cref="UnimodalScorerFileName"/> (<see cref="UnimodalOnnxExporter"/>) and <see cref="ManifestFileName"/>
/// (<see cref="OnnxServingManifest"/>). <see cref="OnnxCandidateScorer"/> opens such a directory. A learned multi-vector
/// model gets <see cref="ExportRoundRobin"/> instead (<see cref="EncoderFileName"/>, <see cref="RoundRobinScorerFileName"/> and,
/// for DCM, <see cref="HistoryEncoderFileName"/>), which <see cref="OnnxRoundRobinScorer"/> opens. Conditional retrieval
/// (<see cref="ExportConditional"/>) uses the quota graphs; a model without clusters the unimodal scorer alone
/// (<see cref="ExportUnimodal"/>); the MMR retrievers have their own (<see cref="ExportMmr"/>, <see cref="ExportHistoryMmr"/>).
/// Every export here writes into a new or empty directory, or one an earlier export wrote, as
/// <see cref="MultiInterestModel.ExportOnnx"/> does: it overwrites files of the same names and, once it has finished, removes
/// the earlier export's files that a manifest passing its own checksum recorded and it does not write (a user's own files
/// never); a directory holding other files and no earlier export is refused with an <see cref="IOException"/>. An earlier
/// signature (<see cref="OnnxDirectorySignature.FileName"/>) beside a manifest it writes stays only if it writes that manifest
/// byte for byte as it was, and none after an export that did not finish: sign again after each export. While it writes,
/// the directory holds <see cref="OnnxServingManifest.UnfinishedMarkerFileName"/> (a second export into it is refused with an
/// <see cref="IOException"/>), removed once its manifest is written last: an export interrupted or failed after writing
/// leaves a directory the scorers refuse, and the next export writes over it.
/// </summary>
public static partial class OnnxServingDirectory
{
    /// <summary>The encoder model's file name.</summary>
    public const string EncoderFileName = "encoder.onnx";

    /// <summary>The quota scorer model's file name.</summary>
    public const string QuotaScorerFileName = "quota_scorer.onnx";

    /// <summary>The unimodal scorer model's file name.</summary>
    public const string UnimodalScorerFileName = "unimodal_scorer.onnx";

    /// <summary>The round-robin scorer model's file name.</summary>
    public const string RoundRobinScorerFileName = "round_robin_scorer.onnx";

    /// <summary>The DCM history encoder's file name (<see cref="DcmOnnxExporter"/>; round-robin directories of a differentiable-clustering model).</summary>
    public const string HistoryEncoderFileName = "history_encoder.onnx";

    /// <summary>The quota scorer of fresh histories' file name (a quota directory whose divide-and-conquer mixtures have more components than the trained users').</summary>
    public const string HistoryQuotaScorerFileName = "history_quota_scorer.onnx";

    /// <summary>The history-interest MMR pool scorer's file name (<see cref="ExportHistoryMmr"/>).</summary>
    public const string PoolScorerFileName = "pool_scorer.onnx";

    /// <summary>A clustered history pool's list scorer's file name (<see cref="ExportHistoryMmr"/> with a clustered pool).</summary>
    public const string PoolListsFileName = "pool_lists.onnx";

    /// <summary>The condition model's file name (<see cref="ExportConditional"/> given the trained model: t_c, β_c, every item's condition).</summary>
    public const string ConditionModelFileName = "conditions.onnx";

    /// <summary>The vector scorer's file name (<see cref="ExportUnimodal"/>: the unimodal ranking of given user vectors).</summary>
    public const string VectorScorerFileName = "vector_scorer.onnx";

    /// <summary>The manifest's file name.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>
    /// Writes the three models and the manifest into <paramref name="directory"/> (created if needed; files of
    /// the same names are overwritten). All arguments are checked before anything is written.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r (unimodal query and fallback).</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="clustering">The item clusters the mixtures refer to.</param>
    /// <param name="mixtures">The users' mixtures, one row per user row.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="alpha">Quota exponent, finite and non-negative (1 = proportional to the weights).</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give both scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    public static OnnxServingManifest Export(EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures,
        int candidates, double alpha, string directory, bool exclusionMask = false, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        return signatures.Finished(Export(users, items, clustering, mixtures, candidates, new QuotaRetrievalOptions { Alpha = alpha }, directory, exclusionMask));
    }

    /// <summary>
    /// Writes the three models and the manifest with the quota retrieval <paramref name="options"/>: Alpha and the query
    /// inside a cluster (the encoder's <c>mixture_embeddings</c> output then holds each component's query vector).
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r (unimodal query, fallback and User/Blend queries).</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="clustering">The item clusters the mixtures refer to.</param>
    /// <param name="mixtures">The users' mixtures, one row per user row.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="options">Alpha, Query, Beta and HeadShare (the list opens with the unimodal top round(HeadShare × M), which the components skip).</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give both scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    public static OnnxServingManifest Export(EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures,
        int candidates, QuotaRetrievalOptions options, string directory, bool exclusionMask = false, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        MixtureExportChecks.Together(users, items);
        MixtureExportChecks.Encoder(users, mixtures, candidates, options.Alpha);
        MixtureExportChecks.QuotaScorer(items, clustering, mixtures, candidates);
        return signatures.Finished(WriteQuotaDirectory(users, items, () => ClusterGroupedItems.Create(clustering), clustering.ClusterCount, ClusterGroupedItems.LargestCluster(clustering),
            mixtures, options, QuotaListLayout.ClusterQuota(candidates, options), OnnxServingManifest.ClusterQuotaRetrieval, directory, exclusionMask));
    }

    /// <summary>
    /// Writes the serving directory of <see cref="ConditionalRetriever"/> without implicit components: the same three graphs
    /// and manifest as <see cref="Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, QuotaRetrievalOptions, string, bool, OnnxExternalData)"/>,
    /// with the items grouped by condition (an item without one is in no group: only the fill reaches it), each user's
    /// components its conditions with their queries (<see cref="ConditionalModel.Represent"/>), the unimodal head and fill, and
    /// the hand-off's slots after every quota, as the engine lays its lists out. <see cref="OnnxCandidateScorer.RetrieveClusterQuota"/> serves it exactly.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r (the head and the fill).</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="conditions">The items' conditions.</param>
    /// <param name="conditionQueries">The users' conditions (clusters = condition indices), weights and queries, one row per user row.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="alpha">Quota exponent over the condition shares.</param>
    /// <param name="headShare">The unimodal head's share of each list, in [0, 1].</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give both scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="model">
    /// The trained condition model, written as <see cref="ConditionModelFileName"/> so that users known by a fresh history only
    /// are served too (<see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/>); null to serve trained users only.
    /// Its conditions must be <paramref name="conditions"/>.
    /// </param>
    /// <param name="maxConditions">With <paramref name="model"/>: the most conditions a fresh history gets (the stage's <c>MaxConditions</c>), at least 1.</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written (<see cref="OnnxServingManifest.Retrieval"/> = <see cref="OnnxServingManifest.ConditionalRetrieval"/>).</returns>
    public static OnnxServingManifest ExportConditional(EmbeddingMatrix users, EmbeddingMatrix items, ItemConditions conditions, MixtureTable conditionQueries,
        int candidates, double alpha, double headShare, string directory, bool exclusionMask = false, ConditionalModel? model = null,
        int maxConditions = ConditionalDefaults.MaxConditions, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        return WriteConditional(users, items, conditions, conditionQueries, candidates, alpha, headShare, directory, exclusionMask, model, maxConditions, historyModel: null);
    }

    /// <summary>
    /// <see cref="ExportConditional"/>, and with <paramref name="historyModel"/> (a stage with <c>HistoryVector = Encoder</c>)
    /// that divide-and-conquer model's history encoder beside the condition model (<see cref="HistoryEncoderFileName"/>, its
    /// single query <c>user_embedding</c> alone, written by the code that writes a quota or unimodal directory's), so that a
    /// fresh history's vector, which its conditions' queries and the head and fill read, is the encoder's query
    /// (<see cref="DivideConquerModel.UserQueries"/>) as the live stage reads it; the manifest is then of format version
    /// <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/>, which older readers refuse rather than serve the mean.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="historyModel"/> without the condition model (no fresh history would read it), or over other items or another dimension.
    /// </exception>
    internal static OnnxServingManifest WriteConditional(EmbeddingMatrix users, EmbeddingMatrix items, ItemConditions conditions, MixtureTable conditionQueries,
        int candidates, double alpha, double headShare, string directory, bool exclusionMask, ConditionalModel? model, int maxConditions, DivideConquerModel? historyModel)
    {
        using var signatures = OnnxExportScope.Enter(directory);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var options = new QuotaRetrievalOptions { Alpha = alpha, HeadShare = headShare };
        options.Validate();
        MixtureExportChecks.Together(users, items);
        MixtureExportChecks.Encoder(users, conditionQueries, candidates, alpha);
        MixtureExportChecks.QuotaScorer(items, conditions, conditionQueries, candidates);
        if (model != null)
        {
            if (!model.Conditions.Assignments.SequenceEqual(conditions.Assignments) || model.Conditions.Count != conditions.Count)
                throw new ArgumentException("The condition model was trained with other item conditions than those given.", nameof(model));
            if (model.Dimension != items.Dimension)
                throw new ArgumentException($"The condition model has dimension {model.Dimension}, the item embeddings {items.Dimension}.", nameof(model));
            if (maxConditions < 1) throw new ArgumentOutOfRangeException(nameof(maxConditions), maxConditions, "A fresh history needs at least one condition (maxConditions >= 1).");
        }
        if (historyModel != null)
        {
            if (model == null)
                throw new ArgumentException("A history encoder reads fresh histories, which a conditional directory serves with its condition model only: give the model too.", nameof(historyModel));
            CheckHistoryModel(historyModel, items);
        }
        OnnxServingGraph? conditionGraph = null;
        if (model != null)
        {
            Directory.CreateDirectory(directory);
            Write(ConditionModelGraph.Build(model), directory, ConditionModelFileName);
            conditionGraph = new OnnxServingGraph
            {
                File = ConditionModelFileName,
                Inputs = [],
                Outputs = [.. ConditionModelGraph.Tables.Select(t => t + OnnxGraphBuilder.KeptOutputSuffix)],
            };
        }
        return signatures.Finished(WriteQuotaDirectory(users, items, () => ClusterGroupedItems.Create(conditions), conditions.Count, ClusterGroupedItems.LargestCondition(conditions),
            conditionQueries, options, QuotaListLayout.Conditional(candidates, headShare), OnnxServingManifest.ConditionalRetrieval, directory, exclusionMask,
            conditionGraph, model != null ? maxConditions : 0, model != null ? conditions.Names : null,
            historyModel == null ? null : new DivideConquerHistory(historyModel, HistoryEncoderOutputs(mixture: false, vector: true))));
    }

    /// <summary>
    /// Writes the serving directory of the single vector alone: <see cref="UnimodalScorerFileName"/>, <see cref="VectorScorerFileName"/>
    /// (the same ranking of given vectors, for users known by a fresh history) and the manifest
    /// (<see cref="OnnxServingManifest.UnimodalRetrieval"/>), for a model without item clusters or mixtures (a
    /// <see cref="UnimodalRetrieverEstimator"/> pipeline); <see cref="OnnxCandidateScorer.RetrieveUnimodal"/> serves it.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r.</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give the scorer the exclusion mask input (seen-item exclusion).</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts the unimodal scorer's large tables in its side file
    /// (<c>unimodal_scorer.onnx.data</c>). Whenever the unimodal scorer has one, the vector scorer refers to the item table
    /// there rather than storing it again (it has no side file of its own).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    public static OnnxServingManifest ExportUnimodal(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, string directory, bool exclusionMask = false, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        return signatures.Finished(ExportUnimodalOverKeys(users, items, candidates, directory, exclusionMask, itemAbsence: null));
    }

    /// <summary>
    /// <see cref="ExportUnimodal"/> over a table indexed by item key, with <paramref name="itemAbsence"/> (<see cref="ItemAbsence.Mask"/>):
    /// the rows of <paramref name="items"/> that hold no item, which both scorers never list; null when every row is an item.
    /// </summary>
    internal static OnnxServingManifest ExportUnimodalOverKeys(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, string directory, bool exclusionMask,
        float[]? itemAbsence, DivideConquerModel? historyModel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        MixtureExportChecks.Together(users, items);
        MixtureExportChecks.Candidates(candidates, items.Rows);
        users.ThrowIfNotFinite("user embeddings");
        items.ThrowIfNotFinite("item embeddings");
        // Its history encoder reads every item row; a row without an item has no input vector or cluster to read.
        if (historyModel != null && itemAbsence != null)
            throw new NotSupportedException("The item table has rows without an item (keys without training edges), which the divide-and-conquer history encoder cannot read.");
        if (historyModel != null) CheckHistoryModel(historyModel, items);
        var history = historyModel == null ? null : new DivideConquerHistory(historyModel, HistoryEncoderOutputs(mixture: false, vector: true));
        Directory.CreateDirectory(directory);
        var stored = OnnxModelFile.Write(UnimodalOnnxExporter.BuildModel(users, items, candidates, exclusionMask, itemAbsence),
            Path.Combine(directory, UnimodalScorerFileName), stored: null);
        // With external data the vector scorer refers to the unimodal scorer's item table (and absence mask) in its side
        // file, built from the same arrays, so the directory stores the item table once.
        OnnxModelFile.Write(UnimodalOnnxExporter.BuildVectorModel(items, candidates, exclusionMask, itemAbsence), Path.Combine(directory, VectorScorerFileName),
            ExternalDataPolicy.SharesTables ? stored?.Only(UnimodalOnnxExporter.ItemTableName, ItemAbsence.InitializerName) : null);
        if (history != null) WriteHistoryEncoder(history, directory);
        string[] mask = exclusionMask ? [ExclusionMaskInput] : [];
        var manifest = new OnnxServingManifest
        {
            FormatVersion = history != null ? OnnxServingManifest.DivideConquerHistoryFormatVersion : OnnxServingManifest.WrittenFormatVersion,
            HistoryEncoder = history == null ? null : HistoryEncoderGraph(history),
            Candidates = candidates,
            Retrieval = OnnxServingManifest.UnimodalRetrieval,
            Users = users.Rows,
            Items = items.Rows,
            Components = 1,
            Dimension = items.Dimension,
            ExclusionMask = exclusionMask,
            CandidateSlack = OnnxServingDefaults.CandidateSlack,
            UnimodalScorer = UnimodalScorerGraph(mask),
            VectorScorer = new OnnxServingGraph
            {
                File = VectorScorerFileName,
                Inputs = [UserEmbeddingName, .. mask],
                Outputs = [UnimodalOnnxExporter.ItemRowsOutput, UnimodalOnnxExporter.ScoresOutput, UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput],
            },
        };
        manifest.Write(directory);
        return manifest;
    }

    /// <summary>Writes the encoder, quota scorer, unimodal scorer and manifest of a quota directory (arguments already checked).</summary>
    private static OnnxServingManifest WriteQuotaDirectory(EmbeddingMatrix users, EmbeddingMatrix items, Func<ClusterGroupedItems> group, int groups, int largestGroup,
        MixtureTable mixtures, QuotaRetrievalOptions options, QuotaListLayout layout, string retrieval, string directory, bool exclusionMask,
        OnnxServingGraph? conditionModel = null, int maxConditions = 0, IReadOnlyList<string>? conditionNames = null, DivideConquerHistory? history = null)
    {
        int candidates = layout.Candidates;
        // User queries are the user table's rows: the encoder gathers them rather than storing m copies per user.
        bool userQueries = options.Query == QuotaQuery.User;
        var padded = PaddedMixtures.Create(mixtures, candidates, options, users, embeddings: !userQueries);

        Directory.CreateDirectory(directory);
        // One model at a time, so that at most one copy of the tables is held as protobuf bytes. The unimodal scorer goes
        // first: when its tables go to its side file, the encoder's user table and the quota scorers' item table, built from
        // the same arrays, refer to them there, so the directory stores each table once.
        var stored = OnnxModelFile.Write(UnimodalOnnxExporter.BuildModel(users, items, candidates, exclusionMask), Path.Combine(directory, UnimodalScorerFileName), stored: null);
        var sharedUsers = ExternalDataPolicy.SharesTables ? stored?.As((MixtureEncoderGraph.UserTableName, UnimodalOnnxExporter.UserTableName)) : null;
        var sharedItems = ExternalDataPolicy.SharesTables ? stored?.Only(QuotaScorerGraph.ItemTableName) : null;
        OnnxModelFile.Write(MixtureEncoderGraph.Build(users, padded, candidates, options.Alpha, userQueries), Path.Combine(directory, EncoderFileName), sharedUsers);
        OnnxModelFile.Write(QuotaScorerGraph.Build(group(), items, mixtures.MaxComponents, layout, exclusionMask), Path.Combine(directory, QuotaScorerFileName), sharedItems);
        if (history != null) WriteHistoryEncoder(history, directory);
        if (history?.ScorerComponents is int historyComponents)
            OnnxModelFile.Write(QuotaScorerGraph.Build(group(), items, historyComponents, layout, exclusionMask), Path.Combine(directory, HistoryQuotaScorerFileName), sharedItems);

        string[] mask = exclusionMask ? [ExclusionMaskInput] : [];
        var manifest = new OnnxServingManifest
        {
            // A reader of version 4 would count a fresh history's mixture where this directory reads it by the model.
            FormatVersion = history != null ? OnnxServingManifest.DivideConquerHistoryFormatVersion : OnnxServingManifest.WrittenFormatVersion,
            Candidates = candidates,
            Alpha = options.Alpha,
            Retrieval = retrieval,
            HeadShare = options.HeadShare,
            HeadSlots = layout.HeadSlots,
            Query = options.Query.ToString(),
            Beta = options.Beta,
            Users = users.Rows,
            Items = items.Rows,
            Clusters = groups,
            LargestCluster = largestGroup,
            Components = mixtures.MaxComponents,
            Dimension = items.Dimension,
            ExclusionMask = exclusionMask,
            CandidateSlack = OnnxServingDefaults.CandidateSlack,
            Encoder = EncoderGraph(),
            QuotaScorer = QuotaScorerEntry(QuotaScorerFileName, mask),
            UnimodalScorer = UnimodalScorerGraph(mask),
            ConditionModel = conditionModel,
            MaxConditions = maxConditions,
            ConditionNames = conditionNames,
            HistoryEncoder = history == null ? null : HistoryEncoderGraph(history),
            HistoryQuotaScorer = history?.ScorerComponents == null ? null : QuotaScorerEntry(HistoryQuotaScorerFileName, mask),
        };
        manifest.Write(directory);
        return manifest;
    }

    /// <summary>
    /// Writes one graph of the directory, whole or with its large tables in its side file (<see cref="OnnxModelFile"/>), as the
    /// export's <see cref="OnnxExternalData"/> choice and the model's size say.
    /// </summary>
    private static void Write(Proto.ModelProto model, string directory, string fileName) =>
        OnnxModelFile.Write(model, Path.Combine(directory, fileName));

    /// <summary>The manifest entry of <see cref="UnimodalScorerFileName"/>, with the mask input when <paramref name="mask"/> names it.</summary>
    private static OnnxServingGraph UnimodalScorerGraph(string[] mask) => new()
    {
        File = UnimodalScorerFileName,
        Inputs = [UnimodalOnnxExporter.UserRowsInput, .. mask],
        Outputs = [UnimodalOnnxExporter.ItemRowsOutput, UnimodalOnnxExporter.ScoresOutput, UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput],
    };

    /// <summary>The manifest entry of a quota scorer written as <paramref name="file"/>, with the mask input when <paramref name="mask"/> names it.</summary>
    private static OnnxServingGraph QuotaScorerEntry(string file, string[] mask) => new()
    {
        File = file,
        Inputs = [MixtureClustersName, MixtureEmbeddingsName, QuotasName, UserEmbeddingName, .. mask],
        Outputs = [ItemRowsOutput, ScoresOutput, ComponentCandidateRowsOutput, ComponentCandidateScoresOutput, FallbackCandidateRowsOutput, FallbackCandidateScoresOutput],
    };

    /// <summary>The mixture encoder's entry in the manifest: user rows in; the user vector, the mixture and the quotas out.</summary>
    private static OnnxServingGraph EncoderGraph() => new()
    {
        File = EncoderFileName,
        Inputs = [UserRowsInput],
        Outputs = [UserEmbeddingName, MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName, QuotasName],
    };
}
