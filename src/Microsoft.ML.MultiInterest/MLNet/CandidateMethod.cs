namespace Microsoft.ML.MultiInterest;

/// <summary>How a <see cref="CandidateRetrievalTransformer"/> retrieved its lists.</summary>
public enum CandidateMethod
{
    /// <summary>One embedding per user, top M items by dot product (<see cref="UnimodalRetrieverEstimator"/>).</summary>
    Unimodal,

    /// <summary>Per-component search inside each component's cluster with quotas (<see cref="ClusterQuotaRetrieverEstimator"/>).</summary>
    ClusterQuota,

    /// <summary>The unimodal top N re-ranked by maximal marginal relevance (<see cref="MmrRetrieverEstimator"/>).</summary>
    Mmr,

    /// <summary>
    /// Several learned vectors per user, round-robin merged nearest-item-component lists (<see cref="RoundRobinRetrieverEstimator"/>
    /// over <see cref="Engine.EmbeddingAlgorithm.MixtureEmbedding"/> or <see cref="Engine.EmbeddingAlgorithm.DifferentiableClustering"/>).
    /// </summary>
    RoundRobin,

    /// <summary>
    /// The lists of several retrieval stages fused by the round-robin rule (<see cref="RankFusionEstimator"/>): what a
    /// <see cref="MultiInterestRecommender"/> over a fusing pipeline reports. No retrieval stage has this method.
    /// </summary>
    RankFusion,

    /// <summary>
    /// Pinterest's conditional retrieval (<see cref="ConditionalRetrieverEstimator"/>): one learned query per condition (topic) of
    /// the user, searched inside that condition's items, quotas by the user's share of each condition, the unimodal ranking as the fill.
    /// </summary>
    Conditional,
}
