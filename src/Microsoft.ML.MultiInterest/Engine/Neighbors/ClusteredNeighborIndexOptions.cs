namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Settings of <see cref="ClusteredNeighborIndex"/>, an inverted-file (IVF-flat) cosine index.</summary>
public sealed class ClusteredNeighborIndexOptions
{
    /// <summary>
    /// Number of inverted lists (coarse clusters of the indexed rows). Default <see cref="ClusteredNeighborIndexDefaults.Lists"/>, 0 = automatic: about 4 x sqrt(n) for n
    /// indexed rows, clamped to [1, n]. Never more than the rows with a non-zero vector (clamped, not an error).
    /// </summary>
    public int Lists { get; set; } = ClusteredNeighborIndexDefaults.Lists;

    /// <summary>
    /// Lists scanned per query: the ones whose centroids are most similar to the query. More probes, higher recall and
    /// a slower search; probes = lists is an exact search. Default <see cref="ClusteredNeighborIndexDefaults.Probes"/>: on cit-HepPh's 717 automatic lists it measured
    /// recall@10 0.988 against the exact index, scanning 2.5 % of the rows per query (4 probes: 0.926, 64: 0.998; see
    /// docs/performance.md). Clamped to the list count.
    /// </summary>
    public int Probes { get; set; } = ClusteredNeighborIndexDefaults.Probes;

    /// <summary>
    /// Training points per list: the coarse quantiser is trained on at most this many rows per list (a deterministic
    /// sample), as FAISS caps k-means at 256 points per centroid. Default <see cref="ClusteredNeighborIndexDefaults.TrainingPointsPerList"/>: cheaper to train, and the lists change little.
    /// </summary>
    public int TrainingPointsPerList { get; set; } = ClusteredNeighborIndexDefaults.TrainingPointsPerList;

    /// <summary>Lloyd iterations of the coarse quantiser's spherical k-means. Default <see cref="ClusteredNeighborIndexDefaults.TrainingIterations"/>.</summary>
    public int TrainingIterations { get; set; } = ClusteredNeighborIndexDefaults.TrainingIterations;

    /// <summary>Seed of the training sample and of the k-means++ seeding. Default <see cref="ClusteredNeighborIndexDefaults.Seed"/>.</summary>
    public int Seed { get; set; } = ClusteredNeighborIndexDefaults.Seed;

    /// <summary>Threads used to build the index; 0 = all cores. The index does not depend on it. Default 0.</summary>
    public int Threads { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Lists < 0)
            throw new ArgumentOutOfRangeException(nameof(Lists), Lists, "Lists must not be negative (0 = automatic).");
        if (Probes < 1)
            throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "Probes must be at least 1.");
        if (TrainingPointsPerList < 1)
            throw new ArgumentOutOfRangeException(nameof(TrainingPointsPerList), TrainingPointsPerList, "TrainingPointsPerList must be at least 1.");
        if (TrainingIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(TrainingIterations), TrainingIterations, "TrainingIterations must be at least 1.");
        if (Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must not be negative (0 = all cores).");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
    }

    /// <summary>The automatic list count for <paramref name="rows"/> indexed rows: round(4 sqrt(n)) clamped to [1, n].</summary>
    /// <param name="rows">The number of indexed rows; 0 or less gives 1.</param>
    /// <returns>The list count, at least 1.</returns>
    public static int AutomaticLists(int rows) => rows <= 0 ? 1 : Math.Clamp((int)Math.Round(4 * Math.Sqrt(rows)), 1, rows);
}
