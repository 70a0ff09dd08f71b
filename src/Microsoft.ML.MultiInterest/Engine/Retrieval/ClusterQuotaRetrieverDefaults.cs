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

    /// <summary>The vector that ranks a component's cluster: <see cref="QuotaQuery.Component"/> (u^c, as the paper).</summary>
    public const QuotaQuery Query = QuotaQuery.Component;

    /// <summary>Weight of the user vector in the <see cref="QuotaQuery.Blend"/> query: 1.</summary>
    public const double Beta = 1.0;

    /// <summary>Share of the list reserved for the unimodal head: 0 (pure quotas, as the paper).</summary>
    public const double HeadShare = 0.0;

    /// <summary>
    /// How a new user's history becomes its mixture: <see cref="HistoryMixture.Auto"/> (a divide-and-conquer model's own
    /// reading where the stage can serve it, else the counted mixture).
    /// </summary>
    public const HistoryMixture HistoryMixture = Engine.HistoryMixture.Auto;

    /// <summary>Whether the user's training items are never candidates: true.</summary>
    public const bool ExcludeSeen = true;
}
