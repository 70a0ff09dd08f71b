using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

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

    public static Command Create()
    {
        var d = new GraphEmbeddingOptions();
        var train = Opt.Path("--train", "Training edges (user<TAB>item, header line, .gz allowed).", required: true);
        var test = Opt.Path("--test", "Held-out edges.", required: true);
        var algorithm = Opt.Choice("--algorithm", d.Algorithm, ModelFitting.AlgorithmName, "Embedding algorithm.");
        var dim = BenchOpt.Count("--dim", d.Dimension, "Embedding dimension.", min: 1);
        var epochs = BenchOpt.Count("--epochs", d.Epochs, "Epochs.", min: 1);
        var loss = Opt.Choice("--loss", d.Loss, ModelFitting.LossName, "Negative-sampling loss.");
        var negativeWeight = Opt.Float("--negative-weight", d.NegativeWeight, "Weight of the negatives (cosine-contrastive).");
        var l2 = Opt.Float("--l2", d.L2Regularization, "L2 regularisation.", min: 0);
        var l2Degree = Opt.Float("--l2-degree-exponent", d.L2DegreeExponent, "Degree exponent of --l2.");
        var historyBlend = Opt.Float("--history-blend", d.HistoryBlend, "Blend of each user vector with its history's mean item vector.", min: 0);
        var optimizer = Opt.Choice("--optimizer", d.Optimizer, o => o.ToString().ToLowerInvariant(), "Optimizer.");
        var lr = Opt.Float("--lr", d.LearningRate, "Learning rate.");
        var margin = Opt.Float("--margin", d.Margin, "Margin (ranking, cosine-contrastive).");
        var chunk = BenchOpt.Count("--chunk", d.ChunkSize, "Edges per chunk (negatives shared within a chunk).", min: 1);
        var uniform = BenchOpt.Count("--uniform-negatives", d.UniformNegatives, "Uniform negatives per edge (short form --uniform).", min: 0);
        uniform.Aliases.Add("--uniform");
        var degree = BenchOpt.Count("--degree-negatives", d.DegreeNegatives, "Degree-weighted negatives per edge (short form --degree).", min: 0);
        degree.Aliases.Add("--degree");
        var degreeExponent = Opt.Float("--degree-exponent", d.DegreeExponent, "Exponent of the degree-weighted sampling.");
        var batch = BenchOpt.Count("--batch-negatives", d.BatchNegatives, "In-batch negatives per edge (short form --batch).", min: 0);
        batch.Aliases.Add("--batch");
        var init = Opt.Float("--init", d.InitScale, "Scale of the random starting vectors.");
        var seed = BenchOpt.Count("--seed", d.Seed, "Seed.");
        var threads = BenchOpt.Count("--threads", d.Threads, "Threads (0 = all cores).", min: 0);
        var validationFraction = Opt.Double("--validation-fraction", d.ValidationFraction, "Validation hold-out share (0 = the algorithm's default).", min: 0, max: 1);
        var validationUsers = BenchOpt.Count("--validation-users", d.ValidationUsers, "Validation users.", min: 1);
        var autoMaxDim = BenchOpt.Count("--auto-max-dim", d.AutoMaxDimension, "Largest dimension auto tries.", min: 1);
        var sgdInit = Opt.Choice("--sgd-init", d.Initialization, i => i == EmbeddingInitialization.TruncatedSvd ? "truncated-svd" : "random", "Starting vectors of negative sampling.");
        var svdNormalization = Opt.Double("--svd-normalization", d.Svd.DegreeNormalization, "Truncated SVD: degree normalisation exponent.");
        var svdSmoothing = Opt.Double("--svd-smoothing", d.Svd.DegreeSmoothing, "Truncated SVD: degree smoothing.");
        var svdGamma = Opt.Double("--svd-gamma", d.Svd.SpectralExponent, "Truncated SVD: spectral exponent.");
        var svdItemDegree = Opt.Double("--svd-item-degree", d.Svd.ItemDegreeExponent, "Truncated SVD: item degree exponent.");
        var svdPower = BenchOpt.Count("--svd-power-iterations", d.Svd.PowerIterations, "Truncated SVD: power iterations.", min: 0);
        var alsIterations = BenchOpt.Count("--als-iterations", d.Als.Iterations, "Implicit ALS: iterations.", min: 1);
        var alsReg = Opt.Double("--als-reg", d.Als.Regularization, "Implicit ALS: regularisation.", min: 0);
        var alsCgSteps = BenchOpt.Count("--als-cg-steps", d.Als.CgSteps, "Implicit ALS: conjugate-gradient steps.", min: 1);
        var alsUnobserved = Opt.Double("--als-unobserved", d.Als.UnobservedWeight, "Implicit ALS: weight of the unobserved entries.", min: 0);
        var alsSolver = Opt.Choice("--als-solver", d.Als.Solver, s => s == ImplicitAlsSolver.ConjugateGradient ? "cg" : "cholesky", "Implicit ALS: solver.");
        var logq = Opt.Flag("--logq-correction", "Subtract log q of the negatives' sampling from every logit (for --loss softmax).");
        var verbose = Opt.Flag("--verbose", "Report every epoch (a progress bar on a terminal, lines on standard error otherwise).");
        var command = new Command("embed", "Graph embedding speed (edges/s, CPU time) and unimodal Recall@10/20/50, as JSON.")
        {
            train, test, algorithm, dim, epochs, loss, negativeWeight, l2, l2Degree, historyBlend, optimizer, lr, margin, chunk, uniform, degree, degreeExponent, batch,
            init, seed, threads, validationFraction, validationUsers, autoMaxDim, sgdInit, svdNormalization, svdSmoothing, svdGamma, svdItemDegree, svdPower,
            alsIterations, alsReg, alsCgSteps, alsUnobserved, alsSolver, logq, verbose,
        };
        command.SetAction(r =>
        {
            var o = new GraphEmbeddingOptions
            {
                Algorithm = r.Value(algorithm), Dimension = r.Value(dim), Epochs = r.Value(epochs), Loss = r.Value(loss), NegativeWeight = r.Value(negativeWeight),
                L2Regularization = r.Value(l2), L2DegreeExponent = r.Value(l2Degree), HistoryBlend = r.Value(historyBlend), Optimizer = r.Value(optimizer),
                LearningRate = r.Value(lr), Margin = r.Value(margin), ChunkSize = r.Value(chunk), UniformNegatives = r.Value(uniform), DegreeNegatives = r.Value(degree),
                DegreeExponent = r.Value(degreeExponent), BatchNegatives = r.Value(batch), InitScale = r.Value(init), Seed = r.Value(seed), Threads = r.Value(threads),
                ValidationFraction = r.Value(validationFraction), ValidationUsers = r.Value(validationUsers), AutoMaxDimension = r.Value(autoMaxDim),
                Initialization = r.Value(sgdInit), PopularityCorrection = r.GetValue(logq),
            };
            o.Svd.DegreeNormalization = r.Value(svdNormalization);
            o.Svd.DegreeSmoothing = r.Value(svdSmoothing);
            o.Svd.SpectralExponent = r.Value(svdGamma);
            o.Svd.ItemDegreeExponent = r.Value(svdItemDegree);
            o.Svd.PowerIterations = r.Value(svdPower);
            o.Als.Iterations = r.Value(alsIterations);
            o.Als.Regularization = r.Value(alsReg);
            o.Als.CgSteps = r.Value(alsCgSteps);
            o.Als.UnobservedWeight = r.Value(alsUnobserved);
            o.Als.Solver = r.Value(alsSolver);
            BenchOpt.Validate(o.Validate, "Embedding option");
            return Run(r.Value(train)!, r.Value(test)!, o, r.GetValue(verbose));
        });
        return command;
    }

    private static int Run(string trainPath, string testPath, GraphEmbeddingOptions o, bool verbose)
    {
        var userIds = new IdMap();
        var itemIds = new IdMap();
        var graph = GraphData.Build(EdgeFile.Read(trainPath), userIds, itemIds, extendIds: true, trainPath);
        // As evaluate does: test edges of users or items unseen in training are left out and counted.
        var (test, unseenTestEdges) = GraphData.BuildKnown(EdgeFile.Read(testPath), userIds, itemIds, testPath);

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        GraphEmbeddingResult result = null!;
        if (verbose)
        {
            // The epochs on standard error (or as a bar on a terminal); the JSON report alone goes to standard output.
            ProgressReporter.Run(CliConsole.System() with { Out = Console.Error }, reporter =>
            {
                using var stage = reporter.Begin($"Training embeddings ({ModelFitting.AlgorithmName(o.Algorithm)})...", o.Algorithm == EmbeddingAlgorithm.NegativeSampling ? o.Epochs : null);
                result = GraphEmbeddingTrainerEngine.Fit(graph, o, new SyncProgress(s => stage.Update(
                    $"epoch {s.Epoch,2}: loss {s.MeanLoss:F4}  {s.Seconds:F2}s  {s.EdgesPerSecond:N0} edges/s", s.Epoch)));
                return 0;
            });
        }
        else
        {
            result = GraphEmbeddingTrainerEngine.Fit(graph, o);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        // CPU time is reported too: on a shared machine wall-clock speed depends on the neighbours.
        double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var evalClock = Stopwatch.StartNew();
        var (at10, at20, at50, testUsers) = UnimodalRecall.Evaluate(result.UserEmbeddings, result.ItemEmbeddings, graph, test);

        double finalSeconds = Math.Max(seconds - result.SelectionSeconds, 1e-9);
        var report = new
        {
            algorithm = result.Algorithm.ToString(),
            algorithm_settings = result.Settings,
            dimension_used = result.UserEmbeddings.Dimension,
            selection_seconds = Math.Round(result.SelectionSeconds, 2),
            // Edges processed per second of the final fit: every epoch's pass for SGD, one pass over the matrix for the SVD
            // (Auto's hold-out search, selection_seconds, is not a pass of the final fit: it once divided 330k edges/s down to 56k).
            edges_per_second = Math.Round(graph.EdgeCount * (double)result.Epochs.Count / finalSeconds),
            final_fit_seconds = Math.Round(finalSeconds, 2),
            seconds = Math.Round(seconds, 2),
            train_cpu_seconds = Math.Round(cpuSeconds, 2),
            // CPU time is measured over the whole call: a rate per CPU second only where there was no search.
            edges_per_cpu_second = result.SelectionSeconds > 0 ? (double?)null : Math.Round(graph.EdgeCount * (double)result.Epochs.Count / cpuSeconds),
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
            // The options given (negative-sampling SGD's among them); what ran is algorithm_settings and dimension_used.
            requested_settings = new
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

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool and print late).</summary>
    private sealed class SyncProgress(Action<EpochStats> report) : IProgress<EpochStats>
    {
        public void Report(EpochStats value) => report(value);
    }
}
