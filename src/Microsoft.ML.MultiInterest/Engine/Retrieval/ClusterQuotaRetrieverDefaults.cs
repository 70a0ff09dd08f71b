namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of quota retrieval, in one place: <see cref="ClusterQuotaRetrieverEstimator.Options"/>, the
/// catalog's <c>ClusterQuotaRetriever</c> parameters, the protocol's <see cref="ProtocolSettings"/> and the
/// command-line tools all start from these values.
/// </summary>
public static class ClusterQuotaRetrieverDefaults
{
    /// <summary>M, candidates per user: 50.</summary>
    public const int Candidates = 50;

    /// <summary>Quota exponent: 1 (slots proportional to the component weights).</summary>
    public const double Alpha = 1.0;

    /// <summary>Whether the user's training items are never candidates: true.</summary>
    public const bool ExcludeSeen = true;
}
