namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of the kNN-smoothed mixtures, in one place: <see cref="KnnSmoothedMixtureEstimator.Options"/>,
/// the catalog's <c>KnnSmoothedMixture</c> parameters, the protocol's <see cref="ProtocolSettings"/> and the
/// command-line tools all start from these values.
/// </summary>
public static class KnnSmoothedMixtureDefaults
{
    /// <summary>m, mixture components per user: 5 (the paper's).</summary>
    public const int Components = 5;

    /// <summary>k, neighbours smoothing a user's mixture: 10 (the paper does not give it).</summary>
    public const int Neighbors = 10;

    /// <summary>The neighbours' (Jelinek-Mercer) smoothing weight: 0.8 (the paper's); 0 gives the unsmoothed mixture.</summary>
    public const double Lambda = 0.8;

    /// <summary>How the neighbours are found: <see cref="NeighborIndexKind.Exact"/> (brute force).</summary>
    public const NeighborIndexKind NeighborIndex = NeighborIndexKind.Exact;

    /// <summary>
    /// Test users per block when the protocol evaluates the Mixture and kNN-Embed rows (<see cref="ProtocolEvaluator"/>):
    /// 4,096. Only one block's component embeddings are held at once (about 120 MB for both rows at m = 5, d = 768); the
    /// figures do not depend on it.
    /// </summary>
    public const int EvaluationBlockUsers = 4_096;
}
