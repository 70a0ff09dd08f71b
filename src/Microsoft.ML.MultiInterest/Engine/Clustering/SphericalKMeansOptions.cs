namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Settings of <see cref="SphericalKMeans.Fit"/>.</summary>
public sealed class SphericalKMeansOptions
{
    /// <summary>
    /// Number of clusters k. No default: must be set, at least 1 and at most the number of points
    /// with a non-zero embedding (checked by <see cref="SphericalKMeans.Fit"/>).
    /// </summary>
    public int Clusters { get; set; }

    /// <summary>
    /// Maximum number of Lloyd iterations (one iteration = assign every point, then recompute the centroids).
    /// Default <see cref="SphericalKMeansDefaults.MaxIterations"/>; at least 1.
    /// </summary>
    public int MaxIterations { get; set; } = SphericalKMeansDefaults.MaxIterations;

    /// <summary>
    /// Stops early once an iteration improves the objective (mean cosine similarity) by less than this
    /// fraction of the previous objective. Default <see cref="SphericalKMeansDefaults.Tolerance"/>; 0 stops only at a fixed point (an iteration that moves no point and repairs no cluster, after which every further
    /// iteration would repeat it) or after <see cref="MaxIterations"/>; any tolerance stops at such a fixed point.
    /// Must be finite and not negative.
    /// </summary>
    public double Tolerance { get; set; } = SphericalKMeansDefaults.Tolerance;

    /// <summary>Seed of the k-means++ initialisation; the same seed gives the same result. Default <see cref="SphericalKMeansDefaults.Seed"/>.</summary>
    public int Seed { get; set; } = SphericalKMeansDefaults.Seed;

    /// <summary>
    /// Starting centroids in place of k-means++ (then <see cref="Seed"/> is unused): one row per cluster, the points'
    /// dimension, finite and non-zero; rows are normalised to unit length, the table itself is not modified. Use it to
    /// warm-start from an earlier model (cluster c keeps starting from that model's centroid c, so cluster ids stay
    /// comparable across retrainings) or to give two implementations the same initialisation. Default null.
    /// </summary>
    public EmbeddingMatrix? InitialCentroids { get; set; }

    /// <summary>
    /// Worker threads. Default 0 = all cores (<see cref="Environment.ProcessorCount"/>); 1 = single-threaded on the
    /// calling thread. The result does not depend on this value: every reduction runs over fixed blocks in a fixed order.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Clusters < 1)
            throw new ArgumentOutOfRangeException(nameof(Clusters), Clusters, "Clusters must be at least 1.");
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be finite and not negative (0 stops only when no point changes cluster, or after MaxIterations).");
        if (Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must not be negative (0 = all cores).");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
    }

    /// <summary>The effective worker count: <see cref="Threads"/>, or the processor count when it is 0.</summary>
    internal int EffectiveThreads => Parallelism.Workers(Threads);
}
