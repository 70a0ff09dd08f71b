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

    /// <summary>
    /// No interest search: the pool is the user vector's own exact top N, Unimodal's list, which the interests then re-rank
    /// (relevance by the best score over the user's vectors, the PM-2 term) without adding an item. Re-ordering the list's
    /// own length (<see cref="HistoryMmrRowSettings.Reorder"/>) then keeps Unimodal's items and recall exactly; the
    /// fallback of <see cref="HistoryMmrLambdaSelection"/> on graphs where the interests' items cost recall.
    /// </summary>
    Unimodal,
}
