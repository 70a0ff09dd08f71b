using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>Settings of the per-user retrieval stages (<see cref="RetrievalStages"/>); defaults are the protocol's.</summary>
internal sealed class RetrievalSettings
{
    /// <summary>m: mixture components per user. Default 5.</summary>
    public int Components { get; set; } = 5;

    /// <summary>k: neighbours per user for smoothing. Default 10.</summary>
    public int Neighbors { get; set; } = 10;

    /// <summary>Smoothing weight lambda in [0, 1]. Default 0.8.</summary>
    public double Lambda { get; set; } = 0.8;

    /// <summary>Quota exponent alpha. Default 1.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>M: candidates per user, for quota retrieval and the unimodal baseline alike. Default 50.</summary>
    public int Candidates { get; set; } = 50;

    /// <summary>Degree of parallelism of every stage. Default 2 (0 = all cores).</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Run every per-user stage once on a few users before timing (JIT and tiering). Default true.</summary>
    public bool Warmup { get; set; } = true;

    /// <summary>Timed passes over the users; each stage reports its median and best. Default 3.</summary>
    public int Repeats { get; set; } = 3;

    /// <summary>Also time the unimodal (brute-force) top-M baseline. Default true.</summary>
    public bool Unimodal { get; set; } = true;

    /// <summary>
    /// Build the unsmoothed mixtures of all users with their component embeddings (<c>MixtureBuilder.BuildMle</c>,
    /// m * d more floats per user, neighbours' centroids read during smoothing) instead of clusters and weights only
    /// (<c>BuildMleWeights</c>, centroids recomputed per query, as the ML.NET estimator does). Default false.
    /// </summary>
    public bool MleEmbeddings { get; set; }

    /// <summary>The user neighbour index: exact (default) or clustered (<c>--neighbor-index</c>).</summary>
    public NeighborIndexKind NeighborIndex { get; set; } = NeighborIndexKind.Exact;

    /// <summary>Inverted lists of the clustered index; 0 = automatic (<c>--neighbor-lists</c>).</summary>
    public int NeighborLists { get; set; }

    /// <summary>Lists the clustered index scans per query (<c>--neighbor-probes</c>). Default 16.</summary>
    public int NeighborProbes { get; set; } = 16;

    /// <summary>The clustered index's options from these settings (null for the exact index).</summary>
    public ClusteredNeighborIndexOptions? ClusteredOptions() => NeighborIndex == NeighborIndexKind.Clustered
        ? new ClusteredNeighborIndexOptions { Lists = NeighborLists, Probes = NeighborProbes, Threads = Threads }
        : null;

    /// <summary>The option names that take no value.</summary>
    public static readonly string[] Flags = ["no-warmup", "no-unimodal", "mle-embeddings"];

    /// <summary>The settings as they go into a JSON report (threads resolved, SIMD width added).</summary>
    public object Describe() => new
    {
        Components,
        Neighbors,
        Lambda,
        Alpha,
        Candidates,
        Threads = Threads == 0 ? Environment.ProcessorCount : Threads,
        Warmup,
        Repeats,
        MleEmbeddings,
        NeighborIndex = NeighborIndex.ToString().ToLowerInvariant(),
        NeighborLists,
        NeighborProbes,
        SimdFloats = System.Numerics.Vector<float>.Count,
    };

    /// <summary>Reads <c>--neighbor-index exact|clustered</c> (exact when absent).</summary>
    private static NeighborIndexKind ParseIndex(string? value) => value switch
    {
        null or "exact" => NeighborIndexKind.Exact,
        "clustered" => NeighborIndexKind.Clustered,
        _ => throw new ArgumentException($"--neighbor-index must be 'exact' or 'clustered', not '{value}'."),
    };

    /// <summary>Reads the shared options (<c>--components --neighbors --lambda --alpha --candidates --threads --repeats --no-warmup --no-unimodal --mle-embeddings --neighbor-index --neighbor-lists --neighbor-probes</c>).</summary>
    public static RetrievalSettings From(OptionList o, int defaultRepeats)
    {
        var settings = new RetrievalSettings
        {
            Components = o.Int("components", 5),
            Neighbors = o.Int("neighbors", 10),
            Lambda = o.Double("lambda", 0.8),
            Alpha = o.Double("alpha", 1.0),
            Candidates = o.Int("candidates", 50),
            Threads = o.Int("threads", 2),
            Repeats = o.Int("repeats", defaultRepeats),
            Warmup = !o.Flag("no-warmup"),
            Unimodal = !o.Flag("no-unimodal"),
            MleEmbeddings = o.Flag("mle-embeddings"),
            NeighborIndex = ParseIndex(o.String("neighbor-index")),
            NeighborLists = o.Int("neighbor-lists", 0),
            NeighborProbes = o.Int("neighbor-probes", 16),
        };
        if (settings.NeighborLists < 0) throw new ArgumentException("--neighbor-lists must be 0 (automatic) or positive.");
        if (settings.NeighborProbes < 1) throw new ArgumentException("--neighbor-probes must be at least 1.");
        if (settings.Repeats < 1) throw new ArgumentException("--repeats must be at least 1.");
        if (settings.Threads < 0) throw new ArgumentException("--threads must be 0 (all cores) or positive.");
        return settings;
    }
}
