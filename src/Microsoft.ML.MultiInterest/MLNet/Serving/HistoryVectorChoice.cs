using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Resolves <see cref="RetrieverOptions.HistoryVector"/> at Fit into the <see cref="RetrievalSettings"/> a stage serves and
/// saves: the fold-in on item vectors that carry their implicit-ALS objective (solving that objective); on a divide-and-conquer
/// model's vectors the fold-in fitted to the trained users' vectors (the encoder's queries) where the stage reads user vectors,
/// else the encoder itself; the mean otherwise; or what was asked for: the mean, the encoder (with its tables, read from the
/// item column), or the fold-in fitted to the trained users' own vectors on vectors no ALS objective produced.
/// </summary>
internal static class HistoryVectorChoice
{
    /// <summary>
    /// <paramref name="settings"/> with <see cref="RetrievalSettings.HistoryVector"/> and the fold-in objective filled in, and
    /// the encoder's tables over the item rows the column lists when the stage reads histories by the encoder.
    /// History-interest MMR keeps the fold-in it resolved itself; round robin reads histories by its learned components.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// FoldIn was asked for on vectors without an ALS objective and without user vectors to fit one to, or Encoder on vectors
    /// no divide-and-conquer model with a pooling encoder produced.
    /// </exception>
    public static (RetrievalSettings Settings, HistoryEncoderTables? Encoder) Resolve(RetrieverOptions options, CandidateMethod method, RetrievalSettings settings,
        DataViewSchema input, bool hasUserVectors)
    {
        if (settings.Interests == MmrInterests.History) return (settings with { HistoryVector = HistoryVector.FoldIn }, null);
        if (method == CandidateMethod.RoundRobin || options.HistoryVector == HistoryVector.Mean) return (settings with { HistoryVector = HistoryVector.Mean }, null);
        var column = input[options.ItemEmbeddingColumnName];
        if (options.HistoryVector == HistoryVector.Encoder) return (settings with { HistoryVector = HistoryVector.Encoder }, RequireEncoder(column, options));
        var als = AlsAnnotations.Read(column, nameof(options.ItemEmbeddingColumnName));
        if (als != null)
        {
            var objective = HistoryInterestOptions.FromAls(als);
            return (settings with
            {
                HistoryVector = HistoryVector.FoldIn, FoldInRegularization = objective.Regularization,
                FoldInRegularizationExponent = objective.RegularizationExponent, FoldInUnobservedWeight = objective.UnobservedWeight,
            }, null);
        }
        if (options.HistoryVector == HistoryVector.Auto)
        {
            // On a divide-and-conquer model's vectors the fold-in fitted to its encoder's queries recalled more for users left
            // out of the fit than the encoder's own query (docs/pipeline.md), and both far more than the mean.
            if (DivideConquerAnnotations.Read(column) == null) return (settings with { HistoryVector = HistoryVector.Mean }, null);
            if (!hasUserVectors && DivideConquerAnnotations.ReadTables(column, nameof(options.ItemEmbeddingColumnName)) is { } tables)
                return (settings with { HistoryVector = HistoryVector.Encoder }, tables);
            if (!hasUserVectors) return (settings with { HistoryVector = HistoryVector.Mean }, null);
        }
        else if (!hasUserVectors)
            throw new ArgumentException($"HistoryVector = FoldIn: the item embedding column '{options.ItemEmbeddingColumnName}' carries no implicit-ALS objective "
                + "(its vectors were not trained by an ALS GraphEmbedding stage of this pipeline) and the stage reads no user vectors to fit one to: "
                + "set UserEmbeddingColumnName, or use HistoryVector = Auto or Mean.", nameof(options.HistoryVector));
        // Fitted to the trained users' vectors by the live retriever at Fit, which records the fitted values.
        return (settings with { HistoryVector = HistoryVector.FoldIn, FoldInMatchUserVectors = true, FoldInFitted = false }, null);
    }

    /// <summary>The encoder tables the item column carries, or a refusal naming the option, the column and why.</summary>
    private static HistoryEncoderTables RequireEncoder(DataViewSchema.Column column, RetrieverOptions options)
    {
        if (DivideConquerAnnotations.ReadTables(column, nameof(options.ItemEmbeddingColumnName)) is { } tables) return tables;
        string why = DivideConquerAnnotations.Read(column) is { } encoder
            ? $"comes from a divide-and-conquer GraphEmbedding with the {encoder} encoder, which a stage cannot serve (UserVector has no query for an untrained "
                + "user; SelfAttention reads a history in time order, which the serving paths do not keep): only MeanPooling and AttentionPooling"
            : "does not come from a divide-and-conquer GraphEmbedding stage of this pipeline (fitted with the stage, not loaded from a zip)";
        throw new ArgumentException($"HistoryVector = Encoder: the item embedding column '{column.Name}' {why}. Use HistoryVector = Auto, Mean or FoldIn.",
            nameof(options.HistoryVector));
    }
}
