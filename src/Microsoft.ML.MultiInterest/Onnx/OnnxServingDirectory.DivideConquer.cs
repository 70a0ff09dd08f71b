using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>A quota directory that serves new users by a divide-and-conquer model's own mixture.</summary>
public static partial class OnnxServingDirectory
{
    /// <summary>
    /// <see cref="Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, QuotaRetrievalOptions, string, bool, OnnxExternalData)"/>,
    /// and beside it the divide-and-conquer encoder of <paramref name="historyModel"/> (<see cref="DivideConquerOnnxExporter"/>) as
    /// <see cref="HistoryEncoderFileName"/>, so that a user known by a fresh history only is read as a <see cref="ClusterQuotaRetriever"/>
    /// stage over that model reads it (<see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/>): with
    /// <paramref name="mixtureByModel"/>, the model's own mixture (its intent's top m clusters, each with the model's query of the
    /// history for it, <see cref="DivideConquerModel.BuildMixtures"/>; <c>HistoryMixture = DivideConquer</c>) instead of the counted
    /// one, scored by <see cref="HistoryQuotaScorerFileName"/> (the quota scorer for the model's m components) where m exceeds the
    /// trained users' components, else by the trained users' scorer, padded; with <paramref name="vectorByModel"/>, the encoder's single query
    /// (<see cref="DivideConquerModel.UserQueries"/>; <c>HistoryVector = Encoder</c>) as the history's vector for the unimodal
    /// head and fill instead of its mean. The manifest is format version <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/>.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r (unimodal query and fallback).</param>
    /// <param name="items">Item embeddings; returned item rows index this table (the model's item rows).</param>
    /// <param name="clustering">The item clusters the mixtures refer to: with <paramref name="mixtureByModel"/>, the model's clusters.</param>
    /// <param name="mixtures">The trained users' mixtures, one row per user row.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="options">Alpha, Query, Beta and HeadShare, as for the trained users.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give both scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="historyModel">A divide-and-conquer model with a pooling encoder over <paramref name="items"/>' rows.</param>
    /// <param name="mixtureByModel">Whether a fresh history's mixture is the model's (else counted).</param>
    /// <param name="vectorByModel">Whether a fresh history's vector is the encoder's query (else its mean, or the fold-in a model's export records).</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="ArgumentException">The model's items, dimension or clusters are not the directory's, or neither reading is asked for.</exception>
    /// <exception cref="NotSupportedException">The model's encoder reads time order (SelfAttention) or has no history encoder (UserVector).</exception>
    public static OnnxServingManifest Export(EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures,
        int candidates, QuotaRetrievalOptions options, string directory, bool exclusionMask, DivideConquerModel historyModel, bool mixtureByModel = true,
        bool vectorByModel = false, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(historyModel);
        if (!mixtureByModel && !vectorByModel)
            throw new ArgumentException("Neither mixtureByModel nor vectorByModel is set: export without the history model instead.", nameof(vectorByModel));
        MixtureExportChecks.Together(users, items);
        MixtureExportChecks.Encoder(users, mixtures, candidates, options.Alpha);
        MixtureExportChecks.QuotaScorer(items, clustering, mixtures, candidates);
        CheckHistoryModel(historyModel, items);
        if (mixtureByModel) CheckClusters(historyModel, clustering);
        // A model's mixture with more components than the trained users' gets its own scorer, rather than every trained user
        // scoring padded components (5.7x the trained users' seconds on cit-HepPh, 20 against 5 components).
        int m = Math.Min(historyModel.Components, historyModel.Clustering.ClusterCount);
        int? scorerComponents = mixtureByModel && m > mixtures.MaxComponents ? m : null;
        return signatures.Finished(WriteQuotaDirectory(users, items, () => ClusterGroupedItems.Create(clustering), clustering.ClusterCount, ClusterGroupedItems.LargestCluster(clustering),
            mixtures, options, QuotaListLayout.ClusterQuota(candidates, options), OnnxServingManifest.ClusterQuotaRetrieval, directory, exclusionMask,
            history: new(historyModel, HistoryEncoderOutputs(mixtureByModel, vectorByModel), scorerComponents)));
    }

    /// <summary>
    /// <see cref="ExportUnimodal"/>, and beside it the divide-and-conquer encoder of <paramref name="historyModel"/> as
    /// <see cref="HistoryEncoderFileName"/>: a user known by a fresh history only is ranked by the encoder's single query
    /// (<see cref="DivideConquerModel.UserQueries"/>), as a <see cref="UnimodalRetriever"/> stage with <c>HistoryVector = Encoder</c>
    /// reads it (<see cref="OnnxCandidateScorer.RetrieveUnimodalFromHistories"/>). Manifest format version
    /// <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/>.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r.</param>
    /// <param name="items">Item embeddings; returned item rows index this table (the model's item rows).</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give the scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="historyModel">A divide-and-conquer model with a pooling encoder over <paramref name="items"/>' rows.</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="ArgumentException">The model's items or dimension are not the directory's.</exception>
    /// <exception cref="NotSupportedException">The model's encoder reads time order (SelfAttention) or has no history encoder (UserVector).</exception>
    public static OnnxServingManifest ExportUnimodalWithDivideConquerEncoder(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, string directory,
        bool exclusionMask, DivideConquerModel historyModel, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        ArgumentNullException.ThrowIfNull(historyModel);
        return signatures.Finished(ExportUnimodalOverKeys(users, items, candidates, directory, exclusionMask, itemAbsence: null, historyModel));
    }

    /// <summary>
    /// A directory's divide-and-conquer history encoder: the model, the outputs (readings) the directory serves from it, and the
    /// components of the fresh histories' own quota scorer (null: none, the trained users' scorer takes their mixtures).
    /// </summary>
    internal sealed record DivideConquerHistory(DivideConquerModel Model, string[] Outputs, int? ScorerComponents = null);

    /// <summary>The encoder outputs of the readings asked for: the mixture's three tensors, the single query, or both.</summary>
    internal static string[] HistoryEncoderOutputs(bool mixture, bool vector) =>
        [.. mixture ? [MixtureOnnxExporter.MixtureClustersName, MixtureOnnxExporter.MixtureWeightsName, MixtureOnnxExporter.MixtureEmbeddingsName] : Array.Empty<string>(),
            .. vector ? [MixtureOnnxExporter.UserEmbeddingName] : Array.Empty<string>()];

    /// <summary>Writes the encoder computing only <paramref name="history"/>'s outputs (a client runs what the manifest lists, and no more).</summary>
    private static void WriteHistoryEncoder(DivideConquerHistory history, string directory) =>
        Write(OnnxGraphPruning.KeepOutputs(DivideConquerOnnxExporter.BuildEncoder(history.Model), history.Outputs), directory, HistoryEncoderFileName);

    /// <summary>The manifest entry of <paramref name="history"/>'s encoder.</summary>
    private static OnnxServingGraph HistoryEncoderGraph(DivideConquerHistory history) => new()
    {
        File = HistoryEncoderFileName,
        Inputs = [DcmOnnxExporter.HistoryRowsInput],
        Outputs = history.Outputs,
    };

    /// <summary>The model must read histories without time order and name the directory's item rows.</summary>
    private static void CheckHistoryModel(DivideConquerModel model, EmbeddingMatrix items)
    {
        if (!HistoryEncoderTables.Serves(model.Encoder))
            throw new NotSupportedException($"The divide-and-conquer model's encoder is {model.Encoder}: a serving directory reads fresh histories by a pooling encoder "
                + "(MeanPooling or AttentionPooling) only, since its scorers keep no time order and a UserVector model has no query for an unseen user.");
        if (model.Items.Rows != items.Rows || model.Items.Dimension != items.Dimension)
            throw new ArgumentException($"The divide-and-conquer model has {model.Items.Rows} items of dimension {model.Items.Dimension}, the directory {items.Rows} of {items.Dimension}.",
                nameof(model));
    }

    /// <summary>The quota scorer must group the items by the model's clusters, which its mixtures name.</summary>
    private static void CheckClusters(DivideConquerModel model, ItemClustering clustering)
    {
        if (model.Clustering.ClusterCount != clustering.ClusterCount)
            throw new ArgumentException($"The divide-and-conquer model has {model.Clustering.ClusterCount} clusters, the directory {clustering.ClusterCount}.", nameof(model));
        for (int i = 0; i < model.Items.Rows; i++)
            if (model.Clustering.ClusterOf(i) != clustering.ClusterOf(i))
                throw new ArgumentException($"Item row {i} is in the divide-and-conquer model's cluster {model.Clustering.ClusterOf(i)} but the directory's cluster "
                    + $"{clustering.ClusterOf(i)}: the model's mixtures name its own clusters, so the quota scorer must group the items by them.", nameof(model));
    }
}
