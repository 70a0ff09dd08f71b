namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of maximal-marginal-relevance re-ranking, in one place: <see cref="MmrRetrieverEstimator.Options"/>,
/// the catalog's <c>MmrRetriever</c> parameters, the protocol's <see cref="ProtocolSettings"/> and the command line start
/// from these values.
/// </summary>
public static class MmrRetrieverDefaults
{
    /// <summary>M, candidates per user: <see cref="UnimodalRetrieverDefaults.Candidates"/> (50).</summary>
    public const int Candidates = UnimodalRetrieverDefaults.Candidates;

    /// <summary>Weight of relevance against novelty, in [0, 1]: 0.5 (1 = the unimodal ranking).</summary>
    public const double Lambda = 0.5;

    /// <summary>Length of the unimodal ranking that is re-ranked: 100 (twice the largest default cutoff).</summary>
    public const int PoolSize = 100;

    /// <summary>Weight of the interest-proportionality term of multi-interest MMR (<see cref="InterestProportionality"/>): 0 (plain MMR).</summary>
    public const double InterestWeight = 0.0;

    /// <summary>
    /// Below this lambda the interest term fades out: its weight is <c>nu * min(1, lambda / 0.5)</c>, so lambda 0 picks for
    /// novelty alone, as plain MMR does, and every lambda from 0.5 up weighs the term fully (0.5).
    /// </summary>
    public const double InterestFadeLambda = 0.5;

    /// <summary>
    /// The interests of the proportionality term: <see cref="MmrInterests.Clusters"/>, the kNN-Embed mixture (multi-interest
    /// MMR; read only when <see cref="InterestWeight"/> is positive).
    /// </summary>
    public const MmrInterests Interests = MmrInterests.Clusters;

    /// <summary>Whether the user's training items are never candidates: <see cref="UnimodalRetrieverDefaults.ExcludeSeen"/> (true).</summary>
    public const bool ExcludeSeen = UnimodalRetrieverDefaults.ExcludeSeen;
}
