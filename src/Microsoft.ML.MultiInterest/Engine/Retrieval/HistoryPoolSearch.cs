namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How <see cref="HistoryInterestRetriever"/> finds each interest vector's best items for the pool.</summary>
public enum HistoryPoolSearch
{
    /// <summary>Every interest vector scans the whole catalogue: the exact pool (the default).</summary>
    Exact,

    /// <summary>
    /// An inverted file over the items (spherical k-means lists of the unit item vectors): each interest scans only the
    /// lists it probes. Approximate; with probes = lists it is the exact pool.
    /// </summary>
    Clustered,
}
