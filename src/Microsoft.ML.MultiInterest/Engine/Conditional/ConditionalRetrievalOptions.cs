namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How <see cref="ConditionalRetriever"/> merges a user's explicit components (its conditions) with its implicit ones (a
/// kNN-Embed, Mixture or DCM mixture over item clusters) under one quota policy: component k of the union gets
/// <c>M w_k^α / Σ w^α</c> slots, where an explicit component's weight is <c>(1 − ImplicitShare)</c> times its share of
/// the user's conditions and an implicit one's <c>ImplicitShare</c> times its mixture weight.
/// </summary>
public sealed class ConditionalRetrievalOptions
{
    /// <summary>Quota exponent α, finite and non-negative. Default <see cref="ConditionalDefaults.Alpha"/>.</summary>
    public double Alpha { get; set; } = ConditionalDefaults.Alpha;

    /// <summary>
    /// Share of the weight, in [0, 1], given to the implicit components (0 = conditions only, 1 = implicit only; a user
    /// with components of one kind only gives them the whole list). Default <see cref="ConditionalDefaults.ImplicitShare"/>.
    /// </summary>
    public double ImplicitShare { get; set; } = ConditionalDefaults.ImplicitShare;

    /// <summary>The vector that ranks an implicit component's cluster (as <see cref="QuotaRetrievalOptions.Query"/>). Default <see cref="ClusterQuotaRetrieverDefaults.Query"/>.</summary>
    public QuotaQuery ImplicitQuery { get; set; } = ClusterQuotaRetrieverDefaults.Query;

    /// <summary>Weight of the user vector in the Blend implicit query. Default <see cref="ClusterQuotaRetrieverDefaults.Beta"/>.</summary>
    public double Beta { get; set; } = ClusterQuotaRetrieverDefaults.Beta;

    /// <summary>
    /// Share of each list, in [0, 1], reserved for the unimodal head: the first round(share × M) candidates are the fallback
    /// ranking's, the components' quotas split the rest, skipping head items (as <see cref="QuotaRetrievalOptions.HeadShare"/>).
    /// Default <see cref="ClusterQuotaRetrieverDefaults.HeadShare"/>.
    /// </summary>
    public double HeadShare { get; set; } = ClusterQuotaRetrieverDefaults.HeadShare;

    /// <summary>The number of head slots of a list of <paramref name="candidates"/>: round(HeadShare × M), halves up.</summary>
    /// <param name="candidates">The list length M.</param>
    /// <returns>The head slot count.</returns>
    public int HeadSlots(int candidates) => (int)Math.Floor(HeadShare * candidates + 0.5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be finite and non-negative.");
        if (!(ImplicitShare >= 0 && ImplicitShare <= 1)) throw new ArgumentOutOfRangeException(nameof(ImplicitShare), ImplicitShare, "ImplicitShare (the implicit components' share of the quota weight) must lie in [0, 1].");
        if (!Enum.IsDefined(ImplicitQuery)) throw new ArgumentOutOfRangeException(nameof(ImplicitQuery), ImplicitQuery, "ImplicitQuery must be Component, User or Blend.");
        if (!(HeadShare >= 0 && HeadShare <= 1)) throw new ArgumentOutOfRangeException(nameof(HeadShare), HeadShare, "HeadShare (the unimodal head's share of the list) must lie in [0, 1].");
        if (!double.IsFinite(Beta) || Beta < 0) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be finite and non-negative.");
    }

    /// <summary>A copy.</summary>
    /// <returns>A new shallow copy.</returns>
    public ConditionalRetrievalOptions Clone() => (ConditionalRetrievalOptions)MemberwiseClone();
}
