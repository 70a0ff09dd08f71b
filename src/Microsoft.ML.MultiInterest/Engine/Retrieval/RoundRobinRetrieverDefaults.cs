namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of round-robin retrieval over learned multi-vector models, in one place:
/// <see cref="RoundRobinRetrieverEstimator.Options"/> and the catalog's <c>RoundRobinRetriever</c> parameters start from
/// these values. They are quota retrieval's, so that the learned mixtures are compared at the same list length.
/// </summary>
public static class RoundRobinRetrieverDefaults
{
    /// <summary>M, candidates per user: <see cref="ClusterQuotaRetrieverDefaults.Candidates"/> (50).</summary>
    public const int Candidates = ClusterQuotaRetrieverDefaults.Candidates;

    /// <summary>Whether the user's training items are never candidates: <see cref="ClusterQuotaRetrieverDefaults.ExcludeSeen"/> (true).</summary>
    public const bool ExcludeSeen = ClusterQuotaRetrieverDefaults.ExcludeSeen;
}
