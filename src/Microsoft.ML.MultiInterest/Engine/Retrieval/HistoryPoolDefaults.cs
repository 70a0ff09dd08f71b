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

    /// <summary>
    /// Lists each interest vector probes by centroid score: 1. The rule, stated before the runs: the fewest probes (automatic
    /// lists, history lists off) whose cit-HepPh validation history_mmr Recall@50 is within 0.001 of the exact pool's.
    /// 1 probe gave 0.6944 against 0.6946 (Diversity@10 0.7101 against 0.7105); 2 gave 0.6946, 64 the exact figures
    /// (docs/results.md).
    /// </summary>
    public const int Probes = 1;

    /// <summary>
    /// Lists the user's own vector probes: 0 = none, its list is the exact search's (or given), as the brief's pool has it.
    /// A user vector blends the interests, so its top items spread over many lists: one probe found half of the exact pool
    /// on cit-HepPh's validation users (docs/performance.md).
    /// </summary>
    public const int UserProbes = 0;

    /// <summary>Whether the user's own history items' lists are searched as well (no centroid scan): false.</summary>
    public const bool HistoryLists = false;

    /// <summary>Seed of the lists' k-means (training sample and seeding): 0.</summary>
    public const int Seed = 0;
}
