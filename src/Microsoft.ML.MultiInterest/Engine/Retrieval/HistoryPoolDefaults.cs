namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of the history-interest pool search (<see cref="HistoryPoolOptions"/>), in one place: the
/// options, the protocol's <see cref="HistoryMmrRowSettings"/>, the command line and the benchmarks start from these.
/// </summary>
public static class HistoryPoolDefaults
{
    /// <summary>The search: <see cref="HistoryPoolSearch.Exact"/>, so the pool (and every recorded figure) stays exact unless asked.</summary>
    public const HistoryPoolSearch Search = HistoryPoolSearch.Exact;

    /// <summary>Inverted lists over the items: 0 = automatic (about 4 sqrt(n) for n items).</summary>
    public const int Lists = 0;

    /// <summary>Lists each interest probes by centroid score: 8.</summary>
    public const int Probes = 8;

    /// <summary>Whether the user's own history items' lists are searched as well (no centroid scan): false.</summary>
    public const bool HistoryLists = false;

    /// <summary>Seed of the lists' k-means (training sample and seeding): 0.</summary>
    public const int Seed = 0;
}
