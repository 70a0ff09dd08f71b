using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Resolves <see cref="RetrieverOptions.HistoryVector"/> at Fit into the <see cref="RetrievalSettings"/> a stage serves and
/// saves: the fold-in on item vectors that carry their implicit-ALS objective (solving that objective), the mean otherwise,
/// or the fold-in fitted to the trained users' own vectors when it is asked for on vectors no ALS objective produced.
/// </summary>
internal static class HistoryVectorChoice
{
    /// <summary>
    /// <paramref name="settings"/> with <see cref="RetrievalSettings.HistoryVector"/> and the fold-in objective filled in.
    /// History-interest MMR keeps the fold-in it resolved itself; round robin reads histories by its learned components.
    /// </summary>
    /// <exception cref="ArgumentException">FoldIn was asked for on vectors without an ALS objective and without user vectors to fit one to.</exception>
    public static RetrievalSettings Resolve(RetrieverOptions options, CandidateMethod method, RetrievalSettings settings, DataViewSchema input, bool hasUserVectors)
    {
        if (settings.Interests == MmrInterests.History) return settings with { HistoryVector = HistoryVector.FoldIn };
        if (method == CandidateMethod.RoundRobin || options.HistoryVector == HistoryVector.Mean) return settings with { HistoryVector = HistoryVector.Mean };
        var als = AlsAnnotations.Read(input[options.ItemEmbeddingColumnName], nameof(options.ItemEmbeddingColumnName));
        if (als != null)
        {
            var objective = HistoryInterestOptions.FromAls(als);
            return settings with
            {
                HistoryVector = HistoryVector.FoldIn, FoldInRegularization = objective.Regularization,
                FoldInRegularizationExponent = objective.RegularizationExponent, FoldInUnobservedWeight = objective.UnobservedWeight,
            };
        }
        if (options.HistoryVector == HistoryVector.Auto) return settings with { HistoryVector = HistoryVector.Mean };
        if (!hasUserVectors)
            throw new ArgumentException($"HistoryVector = FoldIn: the item embedding column '{options.ItemEmbeddingColumnName}' carries no implicit-ALS objective "
                + "(its vectors were not trained by an ALS GraphEmbedding stage of this pipeline) and the stage reads no user vectors to fit one to: "
                + "set UserEmbeddingColumnName, or use HistoryVector = Auto or Mean.", nameof(options.HistoryVector));
        // Fitted to the trained users' vectors by the live retriever at Fit, which records the fitted values.
        return settings with { HistoryVector = HistoryVector.FoldIn, FoldInMatchUserVectors = true, FoldInFitted = false };
    }
}
