using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>Settings of the per-user retrieval stages (<see cref="RetrievalStages"/>); defaults are the protocol's.</summary>
internal sealed class RetrievalSettings
{
    /// <summary>m: mixture components per user. Default <see cref="KnnSmoothedMixtureDefaults.Components"/>.</summary>
    public int Components { get; set; } = KnnSmoothedMixtureDefaults.Components;

    /// <summary>k: neighbours per user for smoothing. Default <see cref="KnnSmoothedMixtureDefaults.Neighbors"/>.</summary>
    public int Neighbors { get; set; } = KnnSmoothedMixtureDefaults.Neighbors;

    /// <summary>Smoothing weight lambda in [0, 1]. Default <see cref="KnnSmoothedMixtureDefaults.Lambda"/>.</summary>
    public double Lambda { get; set; } = KnnSmoothedMixtureDefaults.Lambda;

    /// <summary>Quota exponent alpha. Default <see cref="ClusterQuotaRetrieverDefaults.Alpha"/>.</summary>
    public double Alpha { get; set; } = ClusterQuotaRetrieverDefaults.Alpha;

    /// <summary>M: candidates per user, for quota retrieval and the unimodal baseline alike. Default <see cref="ClusterQuotaRetrieverDefaults.Candidates"/>.</summary>
    public int Candidates { get; set; } = ClusterQuotaRetrieverDefaults.Candidates;

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
    public NeighborIndexKind NeighborIndex { get; set; } = KnnSmoothedMixtureDefaults.NeighborIndex;

    /// <summary>Inverted lists of the clustered index; 0 = automatic (<c>--neighbor-lists</c>). Default <see cref="ClusteredNeighborIndexDefaults.Lists"/>.</summary>
    public int NeighborLists { get; set; } = ClusteredNeighborIndexDefaults.Lists;

    /// <summary>Lists the clustered index scans per query (<c>--neighbor-probes</c>). Default <see cref="ClusteredNeighborIndexDefaults.Probes"/>.</summary>
    public int NeighborProbes { get; set; } = ClusteredNeighborIndexDefaults.Probes;

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
        var defaults = new RetrievalSettings();
        var settings = new RetrievalSettings
        {
            Components = o.Int("components", defaults.Components),
            Neighbors = o.Int("neighbors", defaults.Neighbors),
            Lambda = o.Double("lambda", defaults.Lambda),
            Alpha = o.Double("alpha", defaults.Alpha),
            Candidates = o.Int("candidates", defaults.Candidates),
            Threads = o.Int("threads", defaults.Threads),
            Repeats = o.Int("repeats", defaultRepeats),
            Warmup = !o.Flag("no-warmup"),
            Unimodal = !o.Flag("no-unimodal"),
            MleEmbeddings = o.Flag("mle-embeddings"),
            NeighborIndex = ParseIndex(o.String("neighbor-index")),
            NeighborLists = o.Int("neighbor-lists", defaults.NeighborLists),
            NeighborProbes = o.Int("neighbor-probes", defaults.NeighborProbes),
        };
        if (settings.NeighborLists < 0) throw new ArgumentException("--neighbor-lists must be 0 (automatic) or positive.");
        if (settings.NeighborProbes < 1) throw new ArgumentException("--neighbor-probes must be at least 1.");
        if (settings.Repeats < 1) throw new ArgumentException("--repeats must be at least 1.");
        if (settings.Threads < 0) throw new ArgumentException("--threads must be 0 (all cores) or positive.");
        return settings;
    }
}
