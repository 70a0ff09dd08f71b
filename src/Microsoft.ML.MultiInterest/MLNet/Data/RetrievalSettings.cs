using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The settings of a fitted retrieval stage beyond M and alpha, saved with the model so that serving
/// (<see cref="MultiInterestModel.RetrieveWithEngine"/>, <see cref="MultiInterestModel.ExportOnnx"/>) retrieves as the fit did.
/// Models saved before these settings existed read back the defaults, which is what they used.
/// </summary>
public sealed record RetrievalSettings
{
    /// <summary>The quota query inside a cluster. Default <see cref="ClusterQuotaRetrieverDefaults.Query"/>.</summary>
    public QuotaQuery Query { get; init; } = ClusterQuotaRetrieverDefaults.Query;

    /// <summary>Weight of the user vector in the Blend query. Default <see cref="ClusterQuotaRetrieverDefaults.Beta"/>.</summary>
    public double Beta { get; init; } = ClusterQuotaRetrieverDefaults.Beta;

    /// <summary>Share of the list reserved for the unimodal head. Default <see cref="ClusterQuotaRetrieverDefaults.HeadShare"/>.</summary>
    public double HeadShare { get; init; } = ClusterQuotaRetrieverDefaults.HeadShare;

    /// <summary>MMR relevance weight. Default <see cref="MmrRetrieverDefaults.Lambda"/>.</summary>
    public double MmrLambda { get; init; } = MmrRetrieverDefaults.Lambda;

    /// <summary>MMR pool length. Default <see cref="MmrRetrieverDefaults.PoolSize"/>.</summary>
    public int MmrPoolSize { get; init; } = MmrRetrieverDefaults.PoolSize;

    /// <summary>Weight of multi-interest MMR's interest term. Default <see cref="MmrRetrieverDefaults.InterestWeight"/>.</summary>
    public double InterestWeight { get; init; } = MmrRetrieverDefaults.InterestWeight;

    /// <summary>The engine's quota options with quota exponent <paramref name="alpha"/>.</summary>
    public QuotaRetrievalOptions Quota(double alpha) => new() { Alpha = alpha, Query = Query, Beta = Beta, HeadShare = HeadShare };
}
