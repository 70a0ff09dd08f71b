namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The complete settings of one pipeline a sweep tries: every stage's options.</summary>
public sealed class SweepSettings
{
    /// <summary>Graph-embedding options.</summary>
    public GraphEmbeddingOptions Embedding { get; set; } = new();

    /// <summary>
    /// Spherical k-means options (<see cref="SphericalKMeansOptions.Clusters"/> is the number of interests). Default
    /// <see cref="SphericalKMeansDefaults.NumberOfClusters"/> clusters at <see cref="SphericalKMeansDefaults.ProtocolTolerance"/>
    /// (every iteration runs), as the command line's <c>sweep</c>; a <c>new SphericalKMeansOptions { Clusters = ... }</c> set
    /// here takes that class's own <see cref="SphericalKMeansDefaults.Tolerance"/> unless its <c>Tolerance</c> is set too.
    /// </summary>
    public SphericalKMeansOptions Clustering { get; set; } = new() { Clusters = SphericalKMeansDefaults.NumberOfClusters, Tolerance = SphericalKMeansDefaults.ProtocolTolerance };

    /// <summary>m, mixture components per user. Default <see cref="KnnSmoothedMixtureDefaults.Components"/>.</summary>
    public int Components { get; set; } = KnnSmoothedMixtureDefaults.Components;

    /// <summary>k, smoothing neighbours per user. Default <see cref="KnnSmoothedMixtureDefaults.Neighbors"/>.</summary>
    public int Neighbors { get; set; } = KnnSmoothedMixtureDefaults.Neighbors;

    /// <summary>Jelinek-Mercer weight of the neighbours. Default <see cref="KnnSmoothedMixtureDefaults.Lambda"/>.</summary>
    public double Lambda { get; set; } = KnnSmoothedMixtureDefaults.Lambda;

    /// <summary>Quota exponent. Default <see cref="ClusterQuotaRetrieverDefaults.Alpha"/>.</summary>
    public double Alpha { get; set; } = ClusterQuotaRetrieverDefaults.Alpha;

    /// <summary>The retrieval method. Default <see cref="SweepRetrievalMethod.KnnEmbed"/>.</summary>
    public SweepRetrievalMethod Method { get; set; } = SweepRetrievalMethod.KnnEmbed;

    /// <summary><see cref="Method"/> as a search space spells it (<c>method</c>'s values): unimodal, mmr, history-mmr or knn-embed.</summary>
    public string MethodName => SweepParameterCatalog.MethodName(Method);

    /// <summary>
    /// MMR relevance weight in [0, 1] of the <see cref="SweepRetrievalMethod.Mmr"/> and <see cref="SweepRetrievalMethod.HistoryMmr"/>
    /// methods. Null (default): the method's own default, <see cref="MmrRetrieverDefaults.Lambda"/> or
    /// <see cref="HistoryInterestDefaults.MmrLambda"/> (<see cref="ResolvedMmrLambda"/>).
    /// </summary>
    public double? MmrLambda { get; set; }

    /// <summary>
    /// How many of the method's best items <see cref="SweepRetrievalMethod.Mmr"/> and <see cref="SweepRetrievalMethod.HistoryMmr"/>
    /// re-rank, at least 1, raised to K when smaller: K itself only re-orders the method's own top K (its recall at K fixed,
    /// the head diversified), a larger pool swaps items in. Default <see cref="MmrRetrieverDefaults.PoolSize"/>.
    /// </summary>
    public int MmrPool { get; set; } = MmrRetrieverDefaults.PoolSize;

    /// <summary>nu ≥ 0, the proportionality term of <see cref="SweepRetrievalMethod.HistoryMmr"/>. Default <see cref="HistoryInterestDefaults.InterestWeight"/>.</summary>
    public double InterestWeight { get; set; } = HistoryInterestDefaults.InterestWeight;

    /// <summary>History items per interest of <see cref="SweepRetrievalMethod.HistoryMmr"/>, at least 1. Default <see cref="HistoryInterestDefaults.ItemsPerInterest"/>.</summary>
    public int ItemsPerInterest { get; set; } = HistoryInterestDefaults.ItemsPerInterest;

    /// <summary>Most interests per user of <see cref="SweepRetrievalMethod.HistoryMmr"/>, 1 to 64. Default <see cref="HistoryInterestDefaults.MaxInterests"/>.</summary>
    public int MaxInterests { get; set; } = HistoryInterestDefaults.MaxInterests;

    /// <summary>The MMR relevance weight the method uses: <see cref="MmrLambda"/>, else the method's default.</summary>
    public double ResolvedMmrLambda => MmrLambda ?? (Method == SweepRetrievalMethod.HistoryMmr ? HistoryInterestDefaults.MmrLambda : MmrRetrieverDefaults.Lambda);

    /// <summary>A deep copy.</summary>
    /// <returns>A new <see cref="SweepSettings"/> whose embedding and clustering options are copies too.</returns>
    public SweepSettings Clone()
    {
        var copy = (SweepSettings)MemberwiseClone();
        copy.Embedding = Embedding.Clone();
        copy.Clustering = new SphericalKMeansOptions
        {
            Clusters = Clustering.Clusters, MaxIterations = Clustering.MaxIterations, Tolerance = Clustering.Tolerance, Seed = Clustering.Seed,
            InitialCentroids = Clustering.InitialCentroids, Threads = Clustering.Threads,
        };
        return copy;
    }

    /// <summary>The property behind a name <see cref="Validate"/> gives its errors ("components": "Components"), or null.</summary>
    internal static string? PropertyOf(string name) => name switch
    {
        "algorithm" => "Embedding.Algorithm",
        "clusters" => "Clustering.Clusters",
        "kmeans-iterations" => "Clustering.MaxIterations",
        "components" => nameof(Components),
        "neighbors" => nameof(Neighbors),
        "lambda" => nameof(Lambda),
        "alpha" => nameof(Alpha),
        "mmr-lambda" => nameof(MmrLambda),
        "mmr-pool" => nameof(MmrPool),
        "interest-weight" => nameof(InterestWeight),
        "items-per-interest" => nameof(ItemsPerInterest),
        "max-interests" => nameof(MaxInterests),
        _ => null,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Embedding.Validate();
        // Every method a sweep scores ranks with one vector per user; the multi-vector models are served by round robin
        // or quotas of their own, which the sweep does not build (their single vector ranked far below the others).
        if (Embedding.Algorithm is not (EmbeddingAlgorithm.Auto or EmbeddingAlgorithm.NegativeSampling or EmbeddingAlgorithm.TruncatedSvd or EmbeddingAlgorithm.ImplicitAls))
            throw new ArgumentOutOfRangeException("algorithm", Embedding.Algorithm,
                $"algorithm must be auto, negative-sampling, truncated-svd or implicit-als for a sweep, not {SweepParameterCatalog.AlgorithmName(Embedding.Algorithm)}: "
                + "a sweep's methods rank with one vector per user, and this algorithm's several vectors are served by its own retrieval (fit or evaluate).");
        if (Clustering.Clusters < 1) throw new ArgumentOutOfRangeException("clusters", Clustering.Clusters, "clusters must be at least 1.");
        if (Clustering.MaxIterations < 1) throw new ArgumentOutOfRangeException("kmeans-iterations", Clustering.MaxIterations, "kmeans-iterations must be at least 1.");
        if (Components < 1) throw new ArgumentOutOfRangeException("components", Components, "components (m) must be at least 1.");
        if (Neighbors < 1) throw new ArgumentOutOfRangeException("neighbors", Neighbors, "neighbors (k) must be at least 1.");
        if (double.IsNaN(Lambda) || Lambda < 0 || Lambda > 1) throw new ArgumentOutOfRangeException("lambda", Lambda, "lambda must lie in [0, 1].");
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException("alpha", Alpha, "alpha must be finite and non-negative.");
        if (MmrLambda is double l && !(l >= 0 && l <= 1)) throw new ArgumentOutOfRangeException("mmr-lambda", l, "mmr-lambda must lie in [0, 1].");
        if (MmrPool < 1) throw new ArgumentOutOfRangeException("mmr-pool", MmrPool, "mmr-pool must be at least 1.");
        if (!double.IsFinite(InterestWeight) || InterestWeight < 0) throw new ArgumentOutOfRangeException("interest-weight", InterestWeight, "interest-weight must be finite and non-negative.");
        if (ItemsPerInterest < 1) throw new ArgumentOutOfRangeException("items-per-interest", ItemsPerInterest, "items-per-interest must be at least 1.");
        if (MaxInterests < 1 || MaxInterests > 64) throw new ArgumentOutOfRangeException("max-interests", MaxInterests, "max-interests must lie in 1..64.");
    }
}
