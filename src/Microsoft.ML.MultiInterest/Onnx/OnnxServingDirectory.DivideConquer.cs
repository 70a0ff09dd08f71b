using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>A quota directory that serves new users by a divide-and-conquer model's own mixture.</summary>
public static partial class OnnxServingDirectory
{
    /// <summary>
    /// <see cref="Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, QuotaRetrievalOptions, string, bool)"/>,
    /// and beside it the divide-and-conquer encoder of <paramref name="historyModel"/> (<see cref="DivideConquerOnnxExporter"/>) as
    /// <see cref="HistoryEncoderFileName"/>: a user known by a fresh history only then gets the model's own mixture (its intent's
    /// top m clusters, each with the model's query of the history for it, <see cref="DivideConquerModel.BuildMixtures"/>) instead
    /// of the counted one, as a <see cref="ClusterQuotaRetriever"/> stage with <c>HistoryMixture = DivideConquer</c> serves it
    /// (<see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/>). The quota scorer takes
    /// max(the users' components, the model's m) components, the trained users' mixtures padded (their lists do not change);
    /// the manifest is format version <see cref="OnnxServingManifest.DivideConquerHistoryFormatVersion"/>.
    /// </summary>
    /// <param name="users">User embeddings; row r is user row r (unimodal query and fallback).</param>
    /// <param name="items">Item embeddings; returned item rows index this table (the model's item rows).</param>
    /// <param name="clustering">The item clusters the mixtures refer to: the model's clusters.</param>
    /// <param name="mixtures">The trained users' mixtures, one row per user row.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="options">Alpha, Query, Beta and HeadShare, as for the trained users.</param>
    /// <param name="directory">The directory to write into.</param>
    /// <param name="exclusionMask">True to give both scorers the exclusion mask input (seen-item exclusion).</param>
    /// <param name="historyModel">A divide-and-conquer model with a pooling encoder over <paramref name="items"/>' rows and <paramref name="clustering"/>'s clusters.</param>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="ArgumentException">The model's items, dimension or clusters are not the directory's.</exception>
    /// <exception cref="NotSupportedException">The model's encoder reads time order (SelfAttention) or has no history encoder (UserVector).</exception>
    public static OnnxServingManifest Export(EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures,
        int candidates, QuotaRetrievalOptions options, string directory, bool exclusionMask, DivideConquerModel historyModel)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(historyModel);
        MixtureExportChecks.Together(users, items);
        MixtureExportChecks.Encoder(users, mixtures, candidates, options.Alpha);
        MixtureExportChecks.QuotaScorer(items, clustering, mixtures, candidates);
        CheckHistoryModel(historyModel, items, clustering);
        int m = Math.Max(mixtures.MaxComponents, Math.Min(historyModel.Components, historyModel.Clustering.ClusterCount));
        var widened = m > mixtures.MaxComponents ? mixtures.Gather([.. Enumerable.Range(0, mixtures.UserCount)], m) : mixtures;
        return WriteQuotaDirectory(users, items, () => ClusterGroupedItems.Create(clustering), clustering.ClusterCount, ClusterGroupedItems.LargestCluster(clustering),
            widened, options, QuotaListLayout.ClusterQuota(candidates, options), OnnxServingManifest.ClusterQuotaRetrieval, directory, exclusionMask, historyModel: historyModel);
    }

    /// <summary>The model must read histories without time order and name the directory's item rows and clusters.</summary>
    private static void CheckHistoryModel(DivideConquerModel model, EmbeddingMatrix items, ItemClustering clustering)
    {
        if (!HistoryEncoderTables.Serves(model.Encoder))
            throw new NotSupportedException($"The divide-and-conquer model's encoder is {model.Encoder}: a quota directory serves fresh histories by a pooling encoder "
                + "(MeanPooling or AttentionPooling) only, since its scorers keep no time order and a UserVector model has no query for an unseen user.");
        if (model.Items.Rows != items.Rows || model.Items.Dimension != items.Dimension)
            throw new ArgumentException($"The divide-and-conquer model has {model.Items.Rows} items of dimension {model.Items.Dimension}, the directory {items.Rows} of {items.Dimension}.",
                nameof(model));
        if (model.Clustering.ClusterCount != clustering.ClusterCount)
            throw new ArgumentException($"The divide-and-conquer model has {model.Clustering.ClusterCount} clusters, the directory {clustering.ClusterCount}.", nameof(model));
        for (int i = 0; i < items.Rows; i++)
            if (model.Clustering.ClusterOf(i) != clustering.ClusterOf(i))
                throw new ArgumentException($"Item row {i} is in the divide-and-conquer model's cluster {model.Clustering.ClusterOf(i)} but the directory's cluster "
                    + $"{clustering.ClusterOf(i)}: the model's mixtures name its own clusters, so the quota scorer must group the items by them.", nameof(model));
    }
}
