using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Resolves <see cref="ClusterQuotaRetrieverEstimator.Options.HistoryMixture"/> at Fit into the <see cref="RetrievalSettings"/>
/// a quota stage serves and saves: the divide-and-conquer model's own reading of a new user's history where the item column
/// carries the model's encoder tables and the stage's clusters are the model's (their ids must agree: the model's mixture
/// names its clusters, the stage searches its own), else the counted mixture. Other stages read a history's mixture by counts.
/// </summary>
internal static class HistoryMixtureChoice
{
    /// <summary>
    /// <paramref name="settings"/> with <see cref="RetrievalSettings.HistoryMixture"/> resolved, and the encoder's tables (over
    /// the item rows the column lists) when the stage reads by the model; <paramref name="encoder"/> when it does not.
    /// </summary>
    /// <param name="options">The stage's options.</param>
    /// <param name="method">The stage's method: only cluster quotas read a mixture by the model.</param>
    /// <param name="settings">The settings so far (HistoryMixture as asked for).</param>
    /// <param name="input">The fit data's schema, whose item embedding column may carry the tables.</param>
    /// <param name="clustering">The stage's clusters of its compact items.</param>
    /// <param name="itemRows">Item row (key - 1) of each compact item.</param>
    /// <param name="itemNames">The raw id of every item row, for the refusal.</param>
    /// <param name="encoder">The tables the history vector already reads (HistoryVector.Encoder), or null.</param>
    /// <param name="warn">Where Auto says why it counts although the model's tables are there (the counts recalled far less).</param>
    /// <exception cref="ArgumentException">DivideConquer was asked for and the column carries no servable tables, or the clusters disagree.</exception>
    public static (RetrievalSettings Settings, HistoryEncoderTables? Encoder) Resolve(RetrieverOptions options, CandidateMethod method, RetrievalSettings settings,
        DataViewSchema input, ItemClustering? clustering, int[] itemRows, KeyNameList itemNames, HistoryEncoderTables? encoder, Action<string> warn)
    {
        var asked = settings.HistoryMixture;
        if (method != CandidateMethod.ClusterQuota || asked == HistoryMixture.Counts || clustering == null)
            return (settings with { HistoryMixture = HistoryMixture.Counts }, encoder);
        var o = (ClusterQuotaRetrieverEstimator.Options)options;
        var column = input[o.ItemEmbeddingColumnName];
        // The clusters first: over clusters that are not the model's, Auto counts without copying the input vectors.
        var modelClusters = encoder?.ItemClusters ?? DivideConquerAnnotations.ReadClusters(column, nameof(o.ItemEmbeddingColumnName));
        if (modelClusters == null)
        {
            if (asked == HistoryMixture.Auto) return (settings with { HistoryMixture = HistoryMixture.Counts }, encoder);
            string why = DivideConquerAnnotations.Read(column) is { } name
                ? $"comes from a divide-and-conquer GraphEmbedding with the {name} encoder, which a stage cannot serve (only MeanPooling and AttentionPooling)"
                : "does not come from a divide-and-conquer GraphEmbedding stage of this pipeline (fitted with the stage, not loaded from a zip)";
            throw new ArgumentException($"HistoryMixture = DivideConquer: the item embedding column '{column.Name}' (option {nameof(o.ItemEmbeddingColumnName)}) {why}. "
                + "Use HistoryMixture = Auto or Counts.", nameof(o.HistoryMixture));
        }
        if (Disagreement(modelClusters, clustering, itemRows, itemNames) is { } problem)
        {
            string message = $"the item clusters of column '{o.ItemClusterColumnName}' (option {nameof(o.ItemClusterColumnName)}) are not the divide-and-conquer model's: {problem}. "
                + $"Cluster the items with SphericalKMeansTrainer.Options.DivideConquerClusters = true (NumberOfClusters = the model's {modelClusters.ClusterCount}) "
                + "so that the model's mixtures name the stage's clusters (for users left out of the fit the model's mixture recalled far more, docs/pipeline.md)";
            if (asked == HistoryMixture.DivideConquer) throw new ArgumentException($"HistoryMixture = DivideConquer: {message}.", nameof(o.HistoryMixture));
            warn($"A new user's mixture is counted over the history's clusters (HistoryMixture = Counts), not read by the divide-and-conquer model: {message}, or set HistoryMixture = Counts to say so.");
            return (settings with { HistoryMixture = HistoryMixture.Counts }, encoder);
        }
        var tables = encoder ?? DivideConquerAnnotations.ReadTables(column, nameof(o.ItemEmbeddingColumnName))!;
        return (settings with { HistoryMixture = HistoryMixture.DivideConquer }, tables);
    }

    /// <summary>Where the model's clusters of the stage's items (item rows <paramref name="itemRows"/>) differ from the stage's (compact rows), or null when they agree.</summary>
    private static string? Disagreement(DivideConquerItemClusters model, ItemClustering stage, int[] itemRows, KeyNameList itemNames)
    {
        if (model.ClusterCount != stage.ClusterCount)
            return $"the model has {model.ClusterCount} clusters, the column {stage.ClusterCount}";
        for (int j = 0; j < itemRows.Length; j++)
        {
            // An item the model has no cluster for is served in cluster 0, as the model's own tables give it (HistoryEncoderTables.Select).
            int cluster = Math.Max(0, model.ClusterOf(itemRows[j]));
            if (cluster != stage.ClusterOf(j))
                return $"item '{itemNames[itemRows[j]]}' (key {itemRows[j] + 1}) is in the model's cluster {cluster + 1} and the column's cluster key {stage.ClusterOf(j) + 1}";
        }
        return null;
    }
}
