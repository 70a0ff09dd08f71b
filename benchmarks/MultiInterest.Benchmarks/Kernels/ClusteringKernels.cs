using BenchmarkDotNet.Attributes;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks.Kernels;

/// <summary>
/// Spherical k-means of 28,226 unit vectors (d = 100) into 2,000 clusters on one thread: k-means++ seeding plus 1 and
/// plus 5 Lloyd iterations (the difference over 4 is one iteration: 1.13e10 flops of assignment and the update).
/// </summary>
[MemoryDiagnoser]
public class ClusteringKernels
{
    private EmbeddingMatrix _points = null!;

    /// <summary>Lloyd iterations after the seeding.</summary>
    [Params(1, 5)]
    public int Iterations { get; set; }

    /// <summary>Makes the points (not timed).</summary>
    [GlobalSetup]
    public void Setup() => _points = KernelData.Matrix(KernelData.Items, 3, unit: true);

    /// <summary>One fit.</summary>
    [Benchmark]
    public SphericalKMeansResult Fit() => SphericalKMeans.Fit(_points, new SphericalKMeansOptions
    {
        Clusters = 2_000,
        MaxIterations = Iterations,
        Tolerance = 0,
        Seed = 0,
        Threads = 1,
    });
}
