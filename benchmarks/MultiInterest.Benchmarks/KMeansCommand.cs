using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

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

    public static Command Create()
    {
        var vectors = Opt.Path("--vectors", "Vectors to cluster: id v0 v1 ... (e.g. an exported item_embeddings.tsv).", "FILE.tsv", required: true);
        var clusters = BenchOpt.RequiredCount("--clusters", "Clusters.", min: 1);
        var iterations = BenchOpt.Count("--iterations", SphericalKMeansDefaults.MaxIterations, "Lloyd iterations (tolerance 0: all run).", min: 1);
        var threads = BenchOpt.Count("--threads", DefaultThreads, "Threads (0 = all cores).", min: 0);
        var seed = BenchOpt.Count("--seed", SphericalKMeansDefaults.Seed, "Seed of the k-means++ seeding.");
        var init = Opt.Path("--init", "Starting centroids (same format) instead of k-means++ seeding.", "CENTROIDS.tsv");
        var fullScan = new Option<bool>("--full-scan") { Description = "Score every point against every centroid at every iteration (no bounds): the reference the bounded assignment equals." };
        var command = new Command("kmeans", "Spherical k-means (k-means++ seeding or the given starting centroids, tolerance 0) timed, as JSON; benchmarks/peers runs it "
            + "beside FAISS and scikit-learn (INIT=shared gives all three the same starting centroids).")
        {
            vectors, clusters, iterations, threads, seed, init, fullScan,
        };
        command.SetAction(r => Run(r.Value(vectors)!, r.Value(init), r.GetValue(fullScan), new SphericalKMeansOptions
        {
            Clusters = r.Value(clusters), MaxIterations = r.Value(iterations), Tolerance = 0, Seed = r.Value(seed), Threads = r.Value(threads),
        }));
        return command;
    }

    private static int Run(string vectorsPath, string? initPath, bool fullScan, SphericalKMeansOptions o)
    {
        var points = EmbeddingFile.Read(vectorsPath).Vectors;
        // Read before the clock starts: the peers get the same file and time only their training call.
        if (initPath != null) o.InitialCentroids = EmbeddingFile.Read(initPath).Vectors;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = SphericalKMeans.FitCore(points, o, progress: null, prune: !fullScan, CancellationToken.None);
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
            // Points scored against every centroid at each assignment step (the rest kept theirs by the bound).
            points_scanned = result.Iterations.Select(s => s.PointsScanned).ToArray(),
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
            full_scan = fullScan,
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
}
