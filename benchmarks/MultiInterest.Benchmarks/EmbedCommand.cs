using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>embed --train FILE --test FILE [options]</c>: trains graph embeddings and reports speed and unimodal recall as JSON.
/// The negative counts take the CLI's names (<c>--uniform-negatives --batch-negatives --degree-negatives</c>) or the
/// short forms <c>--uniform --batch --degree</c>, so a PyTorch-BigGraph-like run is
/// <c>--loss ranking --uniform-negatives 50 --batch-negatives 50 --lr 0.01</c>.
/// </summary>
internal static class EmbedCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        string? trainPath = null, testPath = null;
        bool verbose = false;
        var o = new GraphEmbeddingOptions();
        for (int a = 0; a < args.Length; a++)
        {
            string name = args[a];
            if (name == "--verbose") { verbose = true; continue; }
            if (name == "--logq-correction") { o.PopularityCorrection = true; continue; }
            if (a + 1 >= args.Length) throw new ArgumentException($"Option {name} needs a value.");
            string v = args[++a];
            switch (name)
            {
                case "--train": trainPath = v; break;
                case "--test": testPath = v; break;
                case "--dim": o.Dimension = Int(v); break;
                case "--epochs": o.Epochs = Int(v); break;
                case "--loss": o.Loss = Enum.Parse<EmbeddingLoss>(v.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                case "--negative-weight": o.NegativeWeight = Float(v); break;
                case "--l2": o.L2Regularization = Float(v); break;
                case "--l2-degree-exponent": o.L2DegreeExponent = Float(v); break;
                case "--history-blend": o.HistoryBlend = Float(v); break;
                case "--optimizer": o.Optimizer = Enum.Parse<EmbeddingOptimizer>(v, ignoreCase: true); break;
                case "--lr": o.LearningRate = Float(v); break;
                case "--margin": o.Margin = Float(v); break;
                case "--chunk": o.ChunkSize = Int(v); break;
                case "--uniform" or "--uniform-negatives": o.UniformNegatives = Int(v); break;
                case "--degree" or "--degree-negatives": o.DegreeNegatives = Int(v); break;
                case "--degree-exponent": o.DegreeExponent = Float(v); break;
                case "--batch" or "--batch-negatives": o.BatchNegatives = Int(v); break;
                case "--init": o.InitScale = Float(v); break;
                case "--seed": o.Seed = Int(v); break;
                case "--threads": o.Threads = Int(v); break;
                case "--algorithm": o.Algorithm = Enum.Parse<EmbeddingAlgorithm>(v.Replace("-", ""), ignoreCase: true); break;
                case "--validation-fraction": o.ValidationFraction = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--validation-users": o.ValidationUsers = Int(v); break;
                case "--auto-max-dim": o.AutoMaxDimension = Int(v); break;
                case "--sgd-init": o.Initialization = v == "truncated-svd" ? EmbeddingInitialization.TruncatedSvd : Enum.Parse<EmbeddingInitialization>(v, ignoreCase: true); break;
                case "--svd-normalization": o.Svd.DegreeNormalization = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--svd-smoothing": o.Svd.DegreeSmoothing = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--svd-gamma": o.Svd.SpectralExponent = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--svd-item-degree": o.Svd.ItemDegreeExponent = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--svd-power-iterations": o.Svd.PowerIterations = Int(v); break;
                case "--als-iterations": o.Als.Iterations = Int(v); break;
                case "--als-reg": o.Als.Regularization = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--als-cg-steps": o.Als.CgSteps = Int(v); break;
                case "--als-unobserved": o.Als.UnobservedWeight = double.Parse(v, CultureInfo.InvariantCulture); break;
                case "--als-solver": o.Als.Solver = v == "cg" ? ImplicitAlsSolver.ConjugateGradient : Enum.Parse<ImplicitAlsSolver>(v, ignoreCase: true); break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }
        if (trainPath == null || testPath == null) throw new ArgumentException("embed needs --train FILE and --test FILE.");

        var userIds = new IdMap();
        var itemIds = new IdMap();
        var graph = GraphData.Build(EdgeFile.Read(trainPath), userIds, itemIds, extendIds: true, trainPath);
        // As evaluate does: test edges of users or items unseen in training are left out and counted.
        var (test, unseenTestEdges) = GraphData.BuildKnown(EdgeFile.Read(testPath), userIds, itemIds, testPath);

        var progress = verbose ? new SyncProgress(s => Console.Error.WriteLine(
            $"epoch {s.Epoch,2}: loss {s.MeanLoss:F4}  {s.Seconds:F2}s  {s.EdgesPerSecond:N0} edges/s")) : null;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = GraphEmbeddingTrainerEngine.Fit(graph, o, progress);
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        // CPU time is reported too: on a shared machine wall-clock speed depends on the neighbours.
        double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var evalClock = Stopwatch.StartNew();
        var (at10, at20, at50, testUsers) = UnimodalRecall.Evaluate(result.UserEmbeddings, result.ItemEmbeddings, graph, test);

        var report = new
        {
            algorithm = result.Algorithm.ToString(),
            algorithm_settings = result.Settings,
            dimension_used = result.UserEmbeddings.Dimension,
            selection_seconds = Math.Round(result.SelectionSeconds, 2),
            // Edges processed per second: every epoch's pass for SGD, one pass over the matrix for the SVD.
            edges_per_second = Math.Round(graph.EdgeCount * (double)result.Epochs.Count / seconds),
            seconds = Math.Round(seconds, 2),
            train_cpu_seconds = Math.Round(cpuSeconds, 2),
            edges_per_cpu_second = Math.Round(graph.EdgeCount * (double)result.Epochs.Count / cpuSeconds),
            loss = Finite(result.Epochs[^1].MeanLoss),
            recall_at_10 = Math.Round(at10, 4),
            recall_at_20 = Math.Round(at20, 4),
            recall_at_50 = Math.Round(at50, 4),
            eval_seconds = Math.Round(evalClock.Elapsed.TotalSeconds, 2),
            users = graph.UserCount,
            items = graph.ItemCount,
            train_edges = graph.EdgeCount,
            test_users = testUsers,
            test_edges_unseen = unseenTestEdges,
            settings = new
            {
                dimension = o.Dimension,
                epochs = o.Epochs,
                loss = o.Loss.ToString(),
                margin = o.Margin,
                optimizer = o.Optimizer.ToString(),
                learning_rate = o.LearningRate,
                chunk_size = o.ChunkSize,
                uniform_negatives = o.UniformNegatives,
                degree_negatives = o.DegreeNegatives,
                degree_exponent = o.DegreeExponent,
                batch_negatives = o.BatchNegatives,
                init_scale = o.InitScale,
                seed = o.Seed,
                threads = o.Threads == 0 ? Environment.ProcessorCount : o.Threads,
                simd_floats = System.Numerics.Vector<float>.Count,
            },
            epoch_loss = result.Epochs.Select(e => Finite(e.MeanLoss)).ToArray(),
        };
        Console.WriteLine(JsonSerializer.Serialize(report, Indented));
        return 0;
    }

    /// <summary>A loss rounded for JSON, or null where there is none (closed-form algorithms).</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 5) : null;

    private static int Int(string v) => int.Parse(v, CultureInfo.InvariantCulture);

    private static float Float(string v) => float.Parse(v, CultureInfo.InvariantCulture);

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool and print late).</summary>
    private sealed class SyncProgress(Action<EpochStats> report) : IProgress<EpochStats>
    {
        public void Report(EpochStats value) => report(value);
    }
}
