using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>kmeans --vectors FILE.tsv --clusters N --iterations N --threads N --seed N [--init CENTROIDS.tsv]</c>: times
/// spherical k-means (k-means++ seeding, or the given starting centroids, then every iteration with tolerance 0) and
/// reports the fit as JSON, for side-by-side runs against FAISS and scikit-learn (benchmarks/peers).
/// </summary>
internal static class KMeansCommand
{
    /// <summary>Worker threads unless <c>--threads</c> says otherwise.</summary>
    public const int DefaultThreads = 2;

    public static int Run(string[] args)
    {
        string? vectorsPath = null;
        string? initPath = null;
        var o = new SphericalKMeansOptions { Clusters = 0, MaxIterations = SphericalKMeansDefaults.MaxIterations, Tolerance = 0, Seed = SphericalKMeansDefaults.Seed, Threads = DefaultThreads };
        for (int a = 0; a < args.Length; a++)
        {
            string name = args[a];
            if (a + 1 >= args.Length) throw new ArgumentException($"Option {name} needs a value.");
            string v = args[++a];
            switch (name)
            {
                case "--vectors": vectorsPath = v; break;
                case "--clusters": o.Clusters = Int(v); break;
                case "--iterations": o.MaxIterations = Int(v); break;
                case "--threads": o.Threads = Int(v); break;
                case "--seed": o.Seed = Int(v); break;
                case "--init": initPath = v; break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }
        if (vectorsPath == null) throw new ArgumentException("kmeans needs --vectors FILE.tsv.");

        var points = EmbeddingFile.Read(vectorsPath).Vectors;
        // Read before the clock starts: the peers get the same file and time only their training call.
        if (initPath != null) o.InitialCentroids = EmbeddingFile.Read(initPath).Vectors;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = SphericalKMeans.Fit(points, o);
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        double iterationTotal = result.Iterations.Sum(s => s.Seconds);

        var report = new
        {
            seconds = Math.Round(seconds, 3),
            cpu_seconds = Math.Round(cpuSeconds, 3),
            init_seconds = Math.Round(result.InitializationSeconds, 3),
            lloyd_seconds = Math.Round(iterationTotal, 3),
            iteration_seconds = result.Iterations.Select(s => Math.Round(s.Seconds, 4)).ToArray(),
            // Final assignment (last iteration) against the returned (final) centroids.
            mean_cosine = Math.Round(result.Objective, 5),
            // Every point against its nearest final centroid: the measure computed identically for the peers.
            mean_cosine_nearest = Math.Round(NearestCentroidCosine.Mean(points, result.Centroids, o.Threads), 5),
            // Mean cosine at the last assignment step (against the centroids that step used).
            last_assignment_objective = Math.Round(result.Iterations[^1].Objective, 5),
            points = points.Rows,
            dimension = points.Dimension,
            clusters = o.Clusters,
            iterations = result.Iterations.Count,
            threads = o.Threads == 0 ? Environment.ProcessorCount : o.Threads,
            seed = o.Seed,
            init = initPath == null ? "k-means++" : "given (" + Path.GetFileName(initPath) + ")",
            simd_floats = System.Numerics.Vector<float>.Count,
        };
        Console.WriteLine(JsonSerializer.Serialize(report, ReportJson));
        return 0;
    }

    private static readonly JsonSerializerOptions ReportJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // "k-means++", not "\u002B"
    };

    private static int Int(string v) => int.Parse(v, CultureInfo.InvariantCulture);
}
