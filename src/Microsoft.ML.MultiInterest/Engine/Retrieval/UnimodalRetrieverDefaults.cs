namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of the unimodal (single-vector) baseline, in one place: <see cref="UnimodalRetrieverEstimator.Options"/>
/// and the catalog's <c>UnimodalRetriever</c> parameters start from these values. They are quota retrieval's, so that
/// the baseline is compared at the same list length.
/// </summary>
public static class UnimodalRetrieverDefaults
{
    /// <summary>M, candidates per user: <see cref="ClusterQuotaRetrieverDefaults.Candidates"/> (50).</summary>
    public const int Candidates = ClusterQuotaRetrieverDefaults.Candidates;

    /// <summary>Whether the user's training items are never candidates: <see cref="ClusterQuotaRetrieverDefaults.ExcludeSeen"/> (true).</summary>
    public const bool ExcludeSeen = ClusterQuotaRetrieverDefaults.ExcludeSeen;
}
