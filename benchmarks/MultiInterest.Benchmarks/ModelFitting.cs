using System.Diagnostics;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>The fitting stages as <c>reproduce</c> runs them: graph embeddings, then spherical k-means of the items.</summary>
internal static class ModelFitting
{
    /// <summary>Embedding options from <c>--dim --epochs --loss --lr --uniform-negatives --batch-negatives --seed</c> (reproduce's defaults).</summary>
    public static GraphEmbeddingOptions EmbeddingOptions(OptionList o, int defaultEpochs, int threads)
    {
        var options = new GraphEmbeddingOptions
        {
            Dimension = o.Int("dim", GraphEmbeddingDefaults.Dimension),
            Epochs = o.Int("epochs", defaultEpochs),
            LearningRate = (float)o.Double("lr", GraphEmbeddingDefaults.LearningRate),
            UniformNegatives = o.Int("uniform-negatives", GraphEmbeddingDefaults.UniformNegatives),
            BatchNegatives = o.Int("batch-negatives", GraphEmbeddingDefaults.BatchNegatives),
            Seed = o.Int("seed", GraphEmbeddingDefaults.Seed),
            Threads = threads,
        };
        var loss = o.String("loss");
        if (loss != null) options.Loss = Enum.Parse<EmbeddingLoss>(loss, ignoreCase: true);
        options.Validate();
        return options;
    }

    /// <summary>k-means options from <c>--clusters --iterations --seed</c> (reproduce's defaults, tolerance 0).</summary>
    public static SphericalKMeansOptions ClusteringOptions(OptionList o, int threads) => new()
    {
        Clusters = o.Int("clusters", SphericalKMeansDefaults.NumberOfClusters),
        MaxIterations = o.Int("iterations", SphericalKMeansDefaults.MaxIterations),
        Tolerance = 0,
        Seed = o.Int("seed", GraphEmbeddingDefaults.Seed),
        Threads = threads,
    };

    /// <summary>Trains embeddings; returns them with the wall-clock seconds and edges per second.</summary>
    public static (GraphEmbeddingResult Result, double Seconds, double EdgesPerSecond) Embed(BipartiteGraph train, GraphEmbeddingOptions options)
    {
        var clock = Stopwatch.StartNew();
        var result = GraphEmbeddingTrainerEngine.Fit(train, options);
        double seconds = clock.Elapsed.TotalSeconds;
        return (result, seconds, train.EdgeCount * (double)options.Epochs / seconds);
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
