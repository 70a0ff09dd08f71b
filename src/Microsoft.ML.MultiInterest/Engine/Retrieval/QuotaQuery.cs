namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Which vector searches a mixture component's cluster in <see cref="ClusterQuotaRetriever"/>.</summary>
public enum QuotaQuery
{
    /// <summary>The component embedding u^c, as the kNN-Embed paper does.</summary>
    Component,

    /// <summary>The user's own (unimodal) vector u: the clusters and quotas choose where to look, the user vector ranks inside.</summary>
    User,

    /// <summary><c>unit(u^c + Beta * unit(u))</c>: the component embedding pulled towards the user vector (u scaled to unit length first).</summary>
    Blend,
}
