namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How <see cref="ClusterQuotaRetriever"/> fills a list: quota exponent, query inside a cluster, unimodal head.</summary>
public sealed class QuotaRetrievalOptions
{
    /// <summary>Quota exponent, finite and non-negative: 0 splits slots evenly, 1 by weight. Default <see cref="ClusterQuotaRetrieverDefaults.Alpha"/>.</summary>
    public double Alpha { get; set; } = ClusterQuotaRetrieverDefaults.Alpha;

    /// <summary>The vector that ranks a component's cluster. Default <see cref="ClusterQuotaRetrieverDefaults.Query"/>.</summary>
    public QuotaQuery Query { get; set; } = ClusterQuotaRetrieverDefaults.Query;

    /// <summary>Weight of the user vector in <see cref="QuotaQuery.Blend"/>, finite and non-negative. Default <see cref="ClusterQuotaRetrieverDefaults.Beta"/>.</summary>
    public double Beta { get; set; } = ClusterQuotaRetrieverDefaults.Beta;

    /// <summary>
    /// Share of each list, in [0, 1], reserved for the unimodal head: the first round(share * M) candidates are the
    /// fallback (unimodal) ranking's, the remaining slots are split by quotas, skipping head items. 0 = pure quotas,
    /// 1 = the unimodal ranking. Default <see cref="ClusterQuotaRetrieverDefaults.HeadShare"/>.
    /// </summary>
    public double HeadShare { get; set; } = ClusterQuotaRetrieverDefaults.HeadShare;

    /// <summary>The number of head slots of a list of <paramref name="candidates"/>: round(HeadShare * M), halves up.</summary>
    /// <param name="candidates">The list length M.</param>
    /// <returns>The head slot count.</returns>
    public int HeadSlots(int candidates) => (int)Math.Floor(HeadShare * candidates + 0.5);

    /// <summary>Whether retrieval needs the users' own vectors (<see cref="QuotaQuery.User"/> or <see cref="QuotaQuery.Blend"/>).</summary>
    public bool NeedsUserVectors => Query != QuotaQuery.Component;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be finite and non-negative.");
        if (!Enum.IsDefined(Query)) throw new ArgumentOutOfRangeException(nameof(Query), Query, "Query must be Component, User or Blend.");
        if (!double.IsFinite(Beta) || Beta < 0) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta (the user vector's weight in the Blend query) must be finite and non-negative.");
        if (!(HeadShare >= 0 && HeadShare <= 1)) throw new ArgumentOutOfRangeException(nameof(HeadShare), HeadShare, "HeadShare (the unimodal head's share of the list) must lie in [0, 1].");
    }

    /// <summary>A copy.</summary>
    /// <returns>A new shallow copy.</returns>
    public QuotaRetrievalOptions Clone() => (QuotaRetrievalOptions)MemberwiseClone();
}
