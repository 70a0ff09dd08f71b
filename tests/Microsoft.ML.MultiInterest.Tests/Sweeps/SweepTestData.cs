using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

/// <summary>A planted-community graph and sweep options that make each trial take milliseconds.</summary>
internal static class SweepTestData
{
    public static BipartiteGraph Graph() => PlantedGraph.Create().Train;

    /// <summary>A deterministic, fast base: truncated SVD d = 8, 8 clusters, one thread.</summary>
    public static SweepSettings BaseSettings() => new()
    {
        Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 8, Threads = 1 },
        Clustering = new SphericalKMeansOptions { Clusters = 8, MaxIterations = 5, Tolerance = 0, Threads = 1 },
        Components = 3,
        Neighbors = 5,
        Lambda = 0.5,
    };

    public static SweepOptions Options(SweepStrategy strategy = SweepStrategy.Grid, int seed = 5) => new()
    {
        Strategy = strategy,
        Cutoff = 10,
        Seed = seed,
        Threads = 1,
        BaseSettings = BaseSettings(),
    };

    public static SweepSearchSpace LambdaByNeighbors() => new SweepSearchSpace().Add("lambda", 0, 0.4, 0.8).Add("neighbors", 5, 10);
}
