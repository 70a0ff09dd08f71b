using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Everything one run of <c>reproduce</c> or <c>evaluate</c> needs, read from the command line.</summary>
internal sealed class ExperimentSettings
{
    public required string Dataset { get; init; }
    public required string TrainPath { get; init; }
    public required string TestPath { get; init; }
    public string? OutDirectory { get; init; }
    public bool Export { get; init; }
    public string? UserEmbeddingsPath { get; init; }
    public string? ItemEmbeddingsPath { get; init; }
    public string? ItemClustersPath { get; init; }
    public required GraphEmbeddingOptions Embedding { get; init; }
    public required SphericalKMeansOptions Clustering { get; init; }
    public required ProtocolSettings Protocol { get; init; }
    public bool ShowPaper { get; init; }
    public required NeighborIndexOption NeighborIndex { get; init; }

    /// <summary>The learned-mixture rows (--mixture-embeddings), or null.</summary>
    public MixtureRows? MixtureRows { get; init; }

    /// <summary>The DCM row's training options (--dcm), or null.</summary>
    public GraphEmbeddingOptions? Dcm { get; init; }

    /// <summary>The divide-and-conquer row's settings (--divide-conquer), or null.</summary>
    public DivideConquerFlags.Row? DivideConquer { get; init; }

    /// <summary>Whether each learned row also gets a cluster-quota row (--learned-quotas).</summary>
    public bool LearnedQuotas { get; init; }

    /// <summary>--unseen miss|drop: how test edges of users or items unseen in training are scored (default miss).</summary>
    public UnseenHeldOut Unseen { get; init; } = EvaluationDefaults.Unseen;

    /// <summary>Clusters of the tuned row's own k-means (0 = the paper rows' clustering).</summary>
    public int TunedClusters { get; init; }

    /// <summary>Whether --clusters was given; if not, the default is clamped to small catalogues instead of failing.</summary>
    public bool ClustersGiven { get; init; }

    public static ExperimentSettings FromCommandLine(CommandLine cl, string dataset, string train, string test, bool showPaper)
    {
        int threads = cl.Int("threads", 0);
        int seed = cl.Int("seed", GraphEmbeddingDefaults.Seed);
        var embedding = EmbeddingFlags.Read(cl, seed, threads);
        var clustering = new SphericalKMeansOptions
        {
            Clusters = cl.Int("clusters", SphericalKMeansDefaults.NumberOfClusters),
            MaxIterations = cl.Int("iterations", SphericalKMeansDefaults.MaxIterations),
            Tolerance = 0,
            Seed = seed,
            Threads = threads,
        };
        var protocol = new ProtocolSettings
        {
            Components = cl.Int("components", KnnSmoothedMixtureDefaults.Components),
            Neighbors = cl.Int("neighbors", KnnSmoothedMixtureDefaults.Neighbors),
            Lambda = cl.Double("lambda", KnnSmoothedMixtureDefaults.Lambda),
            Alpha = cl.Double("alpha", ClusterQuotaRetrieverDefaults.Alpha),
            MmrLambda = cl.Double("mmr-lambda", MmrRetrieverDefaults.Lambda),
            MmrPoolSize = cl.Int("mmr-pool", MmrRetrieverDefaults.PoolSize),
            MultiInterest = TunedRowFlags.Read(cl),
            Frontier = cl.Flag("frontier"),
            Threads = threads,
        };
        var settings = new ExperimentSettings
        {
            Dataset = dataset,
            TrainPath = train,
            TestPath = test,
            OutDirectory = cl.String("out"),
            Export = cl.Flag("export"),
            UserEmbeddingsPath = cl.String("user-embeddings"),
            ItemEmbeddingsPath = cl.String("item-embeddings"),
            ItemClustersPath = cl.String("item-clusters"),
            Embedding = embedding,
            Clustering = clustering,
            Protocol = protocol,
            ShowPaper = showPaper,
            NeighborIndex = NeighborIndexOption.Read(cl),
            ClustersGiven = cl.String("clusters") != null,
            MixtureRows = MixtureRows.Read(cl, seed, threads),
            Dcm = DcmFlags.Read(cl, seed, threads),
            DivideConquer = DivideConquerFlags.Read(cl, seed, threads),
            LearnedQuotas = cl.Flag("learned-quotas"),
            Unseen = ReadUnseen(cl),
            TunedClusters = cl.Int("tuned-clusters", TunedRowFlags.Clusters),
        };
        if (settings.TunedClusters < 0) throw new UsageException("--tuned-clusters must be 0 (the paper rows' clusters) or positive.");
        if ((settings.UserEmbeddingsPath == null) != (settings.ItemEmbeddingsPath == null))
            throw new UsageException("--user-embeddings and --item-embeddings go together.");
        if (settings.ItemClustersPath != null && settings.ItemEmbeddingsPath == null)
            throw new UsageException("--item-clusters needs --user-embeddings and --item-embeddings (cluster ids refer to those items).");
        if (settings.Export && settings.OutDirectory == null) throw new UsageException("--export needs --out DIR.");
        if (threads < 0) throw new UsageException("--threads must be 0 (all cores) or positive.");
        embedding.Validate();
        protocol.Validate();
        if (clustering.Clusters < 1) throw new UsageException("--clusters must be at least 1.");
        return settings;
    }

    private static UnseenHeldOut ReadUnseen(CommandLine cl) => cl.String("unseen")?.ToLowerInvariant() switch
    {
        null => EvaluationDefaults.Unseen,
        "miss" => UnseenHeldOut.Miss,
        "drop" => UnseenHeldOut.Drop,
        var other => throw new UsageException($"--unseen must be 'miss' or 'drop', not '{other}'."),
    };
}
