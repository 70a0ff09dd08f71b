namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How <see cref="HistoryInterestRetriever"/> builds each user's pool: exactly (every interest vector against the whole
/// catalogue) or through an inverted file over the items (<see cref="HistoryPoolSearch.Clustered"/>). The clustered
/// pool is still re-scored exactly by the best score over all the user's vectors; only which items reach it is approximate.
/// <see cref="HistoryPoolSearch.Unimodal"/> searches no interest: the pool is the user vector's own list.
/// </summary>
public sealed class HistoryPoolOptions
{
    /// <summary>The search. Default <see cref="HistoryPoolDefaults.Search"/>.</summary>
    public HistoryPoolSearch Search { get; set; } = HistoryPoolDefaults.Search;

    /// <summary>
    /// Inverted lists over the items, clusters of the unit item vectors (clustered search only). Default
    /// <see cref="HistoryPoolDefaults.Lists"/>, 0 = automatic: about 4 x sqrt(n) for n items. Clamped to the items with a
    /// non-zero vector.
    /// </summary>
    public int Lists { get; set; } = HistoryPoolDefaults.Lists;

    /// <summary>
    /// Lists each interest vector probes: those whose centroids score highest against it (clustered search only; clamped
    /// to the list count). A user's vectors all search the union of the lists any of them probes, scored a tile of
    /// vectors at a time, so a list costs one pass for all of them. 0 is allowed with <see cref="HistoryLists"/>.
    /// Default <see cref="HistoryPoolDefaults.Probes"/>.
    /// </summary>
    public int Probes { get; set; } = HistoryPoolDefaults.Probes;

    /// <summary>
    /// Lists the user's own vector probes (clustered search only). 0: its pool list is exact, searched over the whole
    /// catalogue unless the caller gives it (the protocol reuses the unimodal lists). More than 0: it is searched through
    /// the lists with the interests, probing this many (clamped to the list count): much cheaper, less exact. Default
    /// <see cref="HistoryPoolDefaults.UserProbes"/>.
    /// </summary>
    public int UserProbes { get; set; } = HistoryPoolDefaults.UserProbes;

    /// <summary>
    /// Also search the lists holding the user's excluded (training) items, the history its interests came from: no
    /// centroid scan. Default <see cref="HistoryPoolDefaults.HistoryLists"/>.
    /// </summary>
    public bool HistoryLists { get; set; } = HistoryPoolDefaults.HistoryLists;

    /// <summary>Seed of the lists' spherical k-means. Default <see cref="HistoryPoolDefaults.Seed"/>.</summary>
    public int Seed { get; set; } = HistoryPoolDefaults.Seed;

    /// <summary>Threads used to build the lists; 0 = all cores. The lists do not depend on it. Default 0.</summary>
    public int Threads { get; set; }

    /// <summary>A copy.</summary>
    /// <returns>A new shallow copy.</returns>
    public HistoryPoolOptions Clone() => (HistoryPoolOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Search)) throw new ArgumentOutOfRangeException(nameof(Search), Search, "Search must be Exact, Clustered or Unimodal.");
        if (Lists < 0) throw new ArgumentOutOfRangeException(nameof(Lists), Lists, "Lists must not be negative (0 = automatic).");
        if (Probes < 0) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "Probes must not be negative.");
        if (Probes == 0 && !HistoryLists)
            throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "Probes must be at least 1 unless HistoryLists is set (nothing would be searched).");
        if (UserProbes < 0) throw new ArgumentOutOfRangeException(nameof(UserProbes), UserProbes, "UserProbes must not be negative (0 = the exact own-vector list).");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must not be negative (0 = all cores).");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
    }
}
