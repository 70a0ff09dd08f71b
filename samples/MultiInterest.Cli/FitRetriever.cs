namespace MultiInterest.Cli;

/// <summary>The retrieval stage <c>fit</c> ends its pipeline with (<c>--retriever</c>).</summary>
internal enum FitRetriever
{
    /// <summary>kNN-Embed: item clusters, kNN-smoothed mixtures and cluster-quota retrieval (the paper's pipeline).</summary>
    Quota,

    /// <summary>The single-vector baseline: the top M items by the user's vector.</summary>
    Unimodal,

    /// <summary>History-interest MMR: the user's history interests and MMR over the best score of its vectors (docs/results.md).</summary>
    HistoryMmr,

    /// <summary>Round-robin retrieval over learned multi-vector embeddings (the --dcm or --mixture-embeddings model).</summary>
    RoundRobin,

    /// <summary>
    /// History-interest MMR fused with the round robin of a DCM model warm-started from the same single vector (the
    /// <c>dcm_history_fusion</c> row): RankFusion over the two stages' lists.
    /// </summary>
    Fused,

    /// <summary>Pinterest's conditional retrieval over the item conditions of <c>--conditions FILE</c> (<c>ConditionalRetriever</c>).</summary>
    Conditional,

    /// <summary>
    /// MMR over the single vector's ranking (the baseline the multi-interest rows are judged against), plain or, with
    /// <c>--interest-weight</c> above 0, with the PM-2 term over the kNN-Embed mixtures (multi-interest MMR).
    /// </summary>
    Mmr,
}
