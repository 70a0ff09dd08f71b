namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The complete settings of one pipeline a sweep tries: every stage's options.</summary>
public sealed class SweepSettings
{
    /// <summary>Graph-embedding options.</summary>
    public GraphEmbeddingOptions Embedding { get; set; } = new();

    /// <summary>Spherical k-means options (<see cref="SphericalKMeansOptions.Clusters"/> is the number of interests).</summary>
    public SphericalKMeansOptions Clustering { get; set; } = new() { Clusters = SphericalKMeansDefaults.NumberOfClusters, Tolerance = 0 };

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

    /// <summary>A deep copy.</summary>
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

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Embedding.Validate();
        if (Clustering.Clusters < 1) throw new ArgumentOutOfRangeException("clusters", Clustering.Clusters, "clusters must be at least 1.");
        if (Clustering.MaxIterations < 0) throw new ArgumentOutOfRangeException("kmeans-iterations", Clustering.MaxIterations, "kmeans-iterations must be non-negative.");
        if (Components < 1) throw new ArgumentOutOfRangeException("components", Components, "components (m) must be at least 1.");
        if (Neighbors < 1) throw new ArgumentOutOfRangeException("neighbors", Neighbors, "neighbors (k) must be at least 1.");
        if (double.IsNaN(Lambda) || Lambda < 0 || Lambda > 1) throw new ArgumentOutOfRangeException("lambda", Lambda, "lambda must lie in [0, 1].");
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException("alpha", Alpha, "alpha must be finite and non-negative.");
    }
}
