namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How a sweep chooses the configurations it tries.</summary>
public enum SweepStrategy
{
    /// <summary>Every combination of the search space, upstream parameters varying slowest (so fitted stages are reused).</summary>
    Grid,

    /// <summary>Configurations drawn uniformly without replacement.</summary>
    Random,

    /// <summary>
    /// Successive halving: many random configurations scored on a small share of the validation users, the best
    /// 1/<see cref="SweepOptions.HalvingFactor"/> promoted to a larger share, until the last rung scores all of them.
    /// </summary>
    SuccessiveHalving,

    /// <summary>
    /// A cost-frugal local search (after the idea of FLAML's CFO): starts at the defaults, moves one parameter one
    /// step at a time while the metric improves, and restarts at a random configuration at a local optimum.
    /// </summary>
    LocalSearch,
}

/// <summary>The validation figure a sweep maximises.</summary>
public enum SweepMetric
{
    /// <summary>Recall@K.</summary>
    Recall,

    /// <summary>NDCG@K.</summary>
    Ndcg,

    /// <summary>(1 - w) Recall@K + w Diversity@K, w = <see cref="SweepOptions.DiversityWeight"/>; the Pareto front of the two is reported.</summary>
    RecallDiversity,
}

/// <summary>The retrieval method a sweep configuration uses.</summary>
public enum SweepRetrievalMethod
{
    /// <summary>Cluster-quota retrieval over kNN-smoothed mixtures (lambda = 0: the unsmoothed mixture).</summary>
    KnnEmbed,

    /// <summary>The top items by dot product with the single user vector (clusters and mixtures unused).</summary>
    Unimodal,

    /// <summary>
    /// The unimodal top <see cref="MmrRetrieverDefaults.PoolSize"/> re-ranked by maximal marginal relevance
    /// (<see cref="MmrRetriever"/>, <see cref="SweepSettings.MmrLambda"/>); clusters and mixtures unused.
    /// </summary>
    Mmr,

    /// <summary>
    /// History-interest MMR (<see cref="HistoryInterestRetriever"/>: each user's history interests with their fold-in
    /// vectors, <see cref="SweepSettings.MmrLambda"/>, <see cref="SweepSettings.InterestWeight"/>,
    /// <see cref="SweepSettings.ItemsPerInterest"/>, <see cref="SweepSettings.MaxInterests"/>); the fold-in follows the
    /// embedding's implicit-ALS objective, or is fitted to the user vectors for other embeddings. Clusters and mixtures unused.
    /// </summary>
    HistoryMmr,
}

/// <summary>The stages of the pipeline a sweep parameter belongs to, upstream first.</summary>
public enum SweepStage
{
    /// <summary>Graph embedding.</summary>
    Embedding,

    /// <summary>Spherical k-means over the item embeddings.</summary>
    Clustering,

    /// <summary>The per-user MLE mixtures (components m).</summary>
    Mixture,

    /// <summary>kNN smoothing (neighbours k, lambda).</summary>
    Smoothing,

    /// <summary>Candidate retrieval (method, alpha).</summary>
    Retrieval,
}
