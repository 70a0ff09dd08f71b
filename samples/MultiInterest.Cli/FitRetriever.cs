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
}
