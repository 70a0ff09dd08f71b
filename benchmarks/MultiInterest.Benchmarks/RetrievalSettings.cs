using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

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
    /// Also time history-interest MMR (<c>HistoryInterestRetriever</c>) as the command line's <c>history_mmr</c> row runs it:
    /// the interests of the query users (fold-in fitted to the user vectors) and the retrieval of M candidates. Default true.
    /// </summary>
    public bool HistoryMmr { get; set; } = true;

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

    /// <summary>
    /// History-interest MMR's pool search (<c>--history-pool</c>). Exact by default; clustered also times the exact
    /// search beside it (stages <c>history_mmr</c> and <c>history_mmr_clustered</c>, same interests).
    /// </summary>
    public HistoryPoolSearch HistoryPool { get; set; } = HistoryPoolDefaults.Search;

    /// <summary>Inverted lists of the clustered pool; 0 = automatic (<c>--history-pool-lists</c>). Default <see cref="HistoryPoolDefaults.Lists"/>.</summary>
    public int HistoryPoolLists { get; set; } = HistoryPoolDefaults.Lists;

    /// <summary>Lists each interest probes (<c>--history-pool-probes</c>). Default <see cref="HistoryPoolDefaults.Probes"/>.</summary>
    public int HistoryPoolProbes { get; set; } = HistoryPoolDefaults.Probes;

    /// <summary>Lists the user's own vector probes, 0 = its exact list (<c>--history-pool-user-probes</c>). Default <see cref="HistoryPoolDefaults.UserProbes"/>.</summary>
    public int HistoryPoolUserProbes { get; set; } = HistoryPoolDefaults.UserProbes;

    /// <summary>Also search the lists of the user's training items (<c>--history-pool-history-lists</c>). Default <see cref="HistoryPoolDefaults.HistoryLists"/>.</summary>
    public bool HistoryPoolHistoryLists { get; set; } = HistoryPoolDefaults.HistoryLists;

    /// <summary>The clustered pool's options from these settings (null for the exact pool).</summary>
    public HistoryPoolOptions? HistoryPoolOptions() => HistoryPool == HistoryPoolSearch.Clustered
        ? new HistoryPoolOptions { Search = HistoryPool, Lists = HistoryPoolLists, Probes = HistoryPoolProbes, UserProbes = HistoryPoolUserProbes, HistoryLists = HistoryPoolHistoryLists, Threads = Threads }
        : null;

    /// <summary>The clustered index's options from these settings (null for the exact index).</summary>
    public ClusteredNeighborIndexOptions? ClusteredOptions() => NeighborIndex == NeighborIndexKind.Clustered
        ? new ClusteredNeighborIndexOptions { Lists = NeighborLists, Probes = NeighborProbes, Threads = Threads }
        : null;

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
        HistoryMmr,
        MleEmbeddings,
        NeighborIndex = NeighborIndex.ToString().ToLowerInvariant(),
        NeighborLists,
        NeighborProbes,
        HistoryPool = HistoryPool.ToString().ToLowerInvariant(),
        HistoryPoolLists,
        HistoryPoolProbes,
        HistoryPoolUserProbes,
        HistoryPoolHistoryLists,
        SimdFloats = System.Numerics.Vector<float>.Count,
    };

    /// <summary>The options of the per-user stages (<c>knn</c>, <c>scale</c>), declared once.</summary>
    internal sealed class Flags
    {
        private static readonly RetrievalSettings Defaults = new();

        /// <summary>Declares the options; <paramref name="defaultRepeats"/> is the command's number of timed passes.</summary>
        public Flags(int defaultRepeats)
        {
            Repeats = BenchOpt.Count("--repeats", defaultRepeats, "Timed passes over the users; each stage reports median and best.", min: 1);
            All = [Components, Neighbors, Lambda, Alpha, Candidates, Threads, Repeats, NoWarmup, NoUnimodal, NoHistoryMmr, MleEmbeddings, NeighborIndex, NeighborLists, NeighborProbes,
                HistoryPool, HistoryPoolLists, HistoryPoolProbes, HistoryPoolUserProbes, HistoryPoolHistoryLists];
        }

        public CliOption<int> Components { get; } = BenchOpt.Count("--components", Defaults.Components, "m: mixture components per user.", min: 1);

        public CliOption<int> Neighbors { get; } = BenchOpt.Count("--neighbors", Defaults.Neighbors, "k: smoothing neighbours per user.", min: 1);

        public CliOption<double> Lambda { get; } = Opt.Double("--lambda", Defaults.Lambda, "Smoothing weight.", min: 0, max: 1);

        public CliOption<double> Alpha { get; } = Opt.Double("--alpha", Defaults.Alpha, "Quota exponent.", min: 0);

        public CliOption<int> Candidates { get; } = BenchOpt.Count("--candidates", Defaults.Candidates, "M: candidates per user (quota retrieval and the unimodal baseline).", min: 1);

        public CliOption<int> Threads { get; } = BenchOpt.Count("--threads", Defaults.Threads, "Threads of every stage (0 = all cores).", min: 0);

        public CliOption<int> Repeats { get; }

        public Option<bool> NoWarmup { get; } = Opt.Flag("--no-warmup", "Skip the untimed warm-up pass (JIT and tiering).");

        public Option<bool> NoUnimodal { get; } = Opt.Flag("--no-unimodal", "Skip the exact unimodal top-M baseline.");

        public Option<bool> NoHistoryMmr { get; } = Opt.Flag("--no-history-mmr", "Skip history-interest MMR (interests of the query users, then M candidates).");

        public Option<bool> MleEmbeddings { get; } = Opt.Flag("--mle-embeddings",
            "Unsmoothed mixtures with component embeddings: faster smoothing, m*d floats more per user.");

        public CliOption<NeighborIndexKind> NeighborIndex { get; } = Opt.Choice("--neighbor-index", Defaults.NeighborIndex, k => k.ToString().ToLowerInvariant(),
            "User neighbour index; the clustered (IVF) index also reports its lists, rows scanned and recall@k against an untimed exact search.");

        public CliOption<int> NeighborLists { get; } = BenchOpt.Count("--neighbor-lists", Defaults.NeighborLists, "Inverted lists of the clustered index (0 = about 4 sqrt(users)).", min: 0);

        public CliOption<int> NeighborProbes { get; } = BenchOpt.Count("--neighbor-probes", Defaults.NeighborProbes, "Lists the clustered index scans per query.", min: 1);

        public CliOption<HistoryPoolSearch> HistoryPool { get; } = Opt.Choice("--history-pool", Defaults.HistoryPool, k => k.ToString().ToLowerInvariant(),
            "History-interest MMR's pool search; clustered (an inverted file over the items) is timed beside the exact search.",
            choices: [HistoryPoolSearch.Exact, HistoryPoolSearch.Clustered]);

        public CliOption<int> HistoryPoolLists { get; } = BenchOpt.Count("--history-pool-lists", Defaults.HistoryPoolLists, "Inverted lists of the clustered pool (0 = about 4 sqrt(items)).", min: 0);

        public CliOption<int> HistoryPoolProbes { get; } = BenchOpt.Count("--history-pool-probes", Defaults.HistoryPoolProbes, "Lists each interest of the clustered pool probes.", min: 0);

        public CliOption<int> HistoryPoolUserProbes { get; } = BenchOpt.Count("--history-pool-user-probes", Defaults.HistoryPoolUserProbes,
            "Lists the user's own vector probes in the clustered pool (0 = its exact list).", min: 0);

        public Option<bool> HistoryPoolHistoryLists { get; } = Opt.Flag("--history-pool-history-lists", "The clustered pool also searches the lists of the user's training items.");

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All { get; }

        /// <summary>The settings as given.</summary>
        public RetrievalSettings Read(ParseResult r) => new()
        {
            Components = r.Value(Components),
            Neighbors = r.Value(Neighbors),
            Lambda = r.Value(Lambda),
            Alpha = r.Value(Alpha),
            Candidates = r.Value(Candidates),
            Threads = r.Value(Threads),
            Repeats = r.Value(Repeats),
            Warmup = !r.GetValue(NoWarmup),
            Unimodal = !r.GetValue(NoUnimodal),
            HistoryMmr = !r.GetValue(NoHistoryMmr),
            MleEmbeddings = r.GetValue(MleEmbeddings),
            NeighborIndex = r.Value(NeighborIndex),
            NeighborLists = r.Value(NeighborLists),
            NeighborProbes = r.Value(NeighborProbes),
            HistoryPool = r.Value(HistoryPool),
            HistoryPoolLists = r.Value(HistoryPoolLists),
            HistoryPoolProbes = r.Value(HistoryPoolProbes),
            HistoryPoolUserProbes = r.Value(HistoryPoolUserProbes),
            HistoryPoolHistoryLists = r.GetValue(HistoryPoolHistoryLists),
        };
    }
}
