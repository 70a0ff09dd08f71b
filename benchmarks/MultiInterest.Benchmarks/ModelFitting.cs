using System.Diagnostics;
using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>The fitting stages as <c>reproduce</c> runs them: graph embeddings, then spherical k-means of the items.</summary>
internal static class ModelFitting
{
    /// <summary>
    /// The fitting options of <c>knn</c> and <c>scale</c>: <c>--algorithm</c> (negative sampling unless given, the SGD whose
    /// throughput in edges per second the scaling tables measure; the library's default is Auto, a validation search that
    /// costs several fits) and reproduce's defaults for the rest, the epochs the command's:
    /// <c>--dim --epochs --loss --lr --uniform-negatives --batch-negatives --clusters --iterations</c>.
    /// </summary>
    internal sealed class Flags(int defaultEpochs)
    {
        public CliOption<EmbeddingAlgorithm> Algorithm { get; } = Opt.Choice("--algorithm", EmbeddingAlgorithm.NegativeSampling, AlgorithmName,
            "Embedding algorithm (--epochs, --loss, --lr and the negatives are negative sampling's).",
            [EmbeddingAlgorithm.NegativeSampling, EmbeddingAlgorithm.TruncatedSvd, EmbeddingAlgorithm.ImplicitAls, EmbeddingAlgorithm.Auto]);

        public CliOption<int> Dimension { get; } = BenchOpt.Count("--dim", GraphEmbeddingDefaults.Dimension, "Embedding dimension.", min: 1);

        public CliOption<int> Epochs { get; } = BenchOpt.Count("--epochs", defaultEpochs, "Embedding epochs.", min: 1);

        public CliOption<EmbeddingLoss> Loss { get; } = Opt.Choice("--loss", GraphEmbeddingDefaults.Loss, LossName, "Negative-sampling loss.");

        public CliOption<float> LearningRate { get; } = Opt.Float("--lr", GraphEmbeddingDefaults.LearningRate, "Learning rate.");

        public CliOption<int> UniformNegatives { get; } = BenchOpt.Count("--uniform-negatives", GraphEmbeddingDefaults.UniformNegatives, "Uniform negatives per edge.", min: 0);

        public CliOption<int> BatchNegatives { get; } = BenchOpt.Count("--batch-negatives", GraphEmbeddingDefaults.BatchNegatives, "In-batch negatives per edge.", min: 0);

        public CliOption<int> Clusters { get; } = BenchOpt.Count("--clusters", SphericalKMeansDefaults.NumberOfClusters, "Spherical k-means clusters.", min: 1);

        public CliOption<int> Iterations { get; } = BenchOpt.Count("--iterations", SphericalKMeansDefaults.MaxIterations, "Spherical k-means iterations.", min: 1);

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All => [Algorithm, Dimension, Epochs, Loss, LearningRate, UniformNegatives, BatchNegatives, Clusters, Iterations];

        /// <summary>The embedding options, validated.</summary>
        public GraphEmbeddingOptions Embedding(ParseResult r, int seed, int threads)
        {
            var options = new GraphEmbeddingOptions
            {
                Algorithm = r.Value(Algorithm),
                Dimension = r.Value(Dimension),
                Epochs = r.Value(Epochs),
                Loss = r.Value(Loss),
                LearningRate = r.Value(LearningRate),
                UniformNegatives = r.Value(UniformNegatives),
                BatchNegatives = r.Value(BatchNegatives),
                Seed = seed,
                Threads = threads,
            };
            BenchOpt.Validate(options.Validate, "Embedding option");
            return options;
        }

        /// <summary>The k-means options (tolerance 0).</summary>
        public SphericalKMeansOptions Clustering(ParseResult r, int seed, int threads) => new()
        {
            Clusters = r.Value(Clusters),
            MaxIterations = r.Value(Iterations),
            Tolerance = 0,
            Seed = seed,
            Threads = threads,
        };
    }

    /// <summary>The command-line spelling of an algorithm (the library's one definition, also the sweep's and the CLI's).</summary>
    public static string AlgorithmName(EmbeddingAlgorithm value) => SweepParameterCatalog.AlgorithmName(value);

    /// <summary>What fitted the vectors: the algorithm, and for Auto the one it chose (<c>auto: truncated-svd</c>).</summary>
    public static string Fitted(GraphEmbeddingOptions requested, GraphEmbeddingResult fit) =>
        requested.Algorithm == EmbeddingAlgorithm.Auto ? $"auto: {AlgorithmName(fit.Algorithm)}" : AlgorithmName(fit.Algorithm);

    /// <summary>The command-line spelling of a loss: kebab case.</summary>
    public static string LossName(EmbeddingLoss loss) => loss == EmbeddingLoss.CosineContrastive ? "cosine-contrastive" : loss.ToString().ToLowerInvariant();

    /// <summary>
    /// Trains embeddings; returns them with the wall-clock seconds and, for negative sampling asked for, the edges per second
    /// over its epochs (null otherwise: the other algorithms have no epochs, and Auto's seconds include its search).
    /// </summary>
    public static (GraphEmbeddingResult Result, double Seconds, double? EdgesPerSecond) Embed(BipartiteGraph train, GraphEmbeddingOptions options)
    {
        var clock = Stopwatch.StartNew();
        var result = GraphEmbeddingTrainerEngine.Fit(train, options);
        double seconds = clock.Elapsed.TotalSeconds;
        return (result, seconds, options.Algorithm == EmbeddingAlgorithm.NegativeSampling ? train.EdgeCount * (double)options.Epochs / seconds : null);
    }

    /// <summary>Clusters the items; returns the clustering with the seconds and the mean cosine to the centroid.</summary>
    public static (ItemClustering Clustering, double Seconds, double MeanCosine) Cluster(EmbeddingMatrix items, SphericalKMeansOptions options)
    {
        if (options.Clusters > items.Rows)
            throw new ArgumentException($"--clusters {options.Clusters} asks for more clusters than the {items.Rows} items.");
        var clock = Stopwatch.StartNew();
        var kmeans = SphericalKMeans.Fit(items, options);
        var clustering = ItemClustering.Create(kmeans.Assignments, options.Clusters, items, kmeans.Centroids);
        return (clustering, clock.Elapsed.TotalSeconds, kmeans.Objective);
    }
}
