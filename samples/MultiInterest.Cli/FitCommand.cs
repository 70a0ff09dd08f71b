using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit</c>: the kNN-Embed pipeline as ML.NET estimators (MapValueToKey, GraphEmbedding, SphericalKMeans,
/// KnnSmoothedMixture, ClusterQuotaRetriever) fitted on an edge file and saved with mlContext.Model.Save.
/// </summary>
internal static class FitCommand
{
    public static int Run(CommandLine cl, TextWriter log)
    {
        string train = cl.RequiredString("train"), modelPath = cl.RequiredString("model");
        int threads = cl.Int("threads", 0), seed = cl.Int("seed", GraphEmbeddingDefaults.Seed);
        var engine = EmbeddingFlags.Read(cl, seed, threads);
        var embedding = new GraphEmbeddingTrainer.Options
        {
            Algorithm = engine.Algorithm, Dimension = engine.Dimension, Epochs = engine.Epochs, Loss = engine.Loss, LearningRate = engine.LearningRate,
            UniformNegatives = engine.UniformNegatives, BatchNegatives = engine.BatchNegatives, DegreeNegatives = engine.DegreeNegatives,
            Svd = engine.Svd, Als = engine.Als, AutoIncludesNegativeSampling = engine.AutoIncludesNegativeSampling, ValidationFraction = engine.ValidationFraction, ValidationUsers = engine.ValidationUsers, ValidationCutoff = engine.ValidationCutoff,
            EarlyStoppingPatience = engine.EarlyStoppingPatience, AutoMaxDimension = engine.AutoMaxDimension, AutoTolerance = engine.AutoTolerance,
            Seed = seed, Threads = threads,
        };
        var kmeans = new SphericalKMeansTrainer.Options { NumberOfClusters = cl.Int("clusters", SphericalKMeansDefaults.NumberOfClusters), MaxIterations = cl.Int("iterations", SphericalKMeansDefaults.MaxIterations), Tolerance = 0, Seed = seed, Threads = threads };
        var mixture = new KnnSmoothedMixtureEstimator.Options
        {
            Components = cl.Int("components", KnnSmoothedMixtureDefaults.Components),
            Neighbors = cl.Int("neighbors", KnnSmoothedMixtureDefaults.Neighbors),
            Lambda = cl.Double("lambda", KnnSmoothedMixtureDefaults.Lambda),
            Threads = threads,
        };
        var neighborIndex = NeighborIndexOption.Read(cl);
        mixture.NeighborIndex = neighborIndex.Kind;
        mixture.NeighborLists = neighborIndex.Lists;
        mixture.NeighborProbes = neighborIndex.Probes;
        var retrieval = new ClusterQuotaRetrieverEstimator.Options { Candidates = cl.Int("candidates", ClusterQuotaRetrieverDefaults.Candidates), Alpha = cl.Double("alpha", ClusterQuotaRetrieverDefaults.Alpha), Threads = threads };
        cl.RejectUnknown();

        var clock = Stopwatch.StartNew();
        var ml = new MLContext(seed);
        var edges = ServingData.Edges(EdgeFile.Read(train));
        var data = ml.Data.LoadFromEnumerable(edges);
        var mi = ml.MultiInterest();
        var pipeline = ml.Transforms.Conversion.MapValueToKey(ServingData.UserColumn)
            .Append(ml.Transforms.Conversion.MapValueToKey(ServingData.ItemColumn))
            .Append(mi.GraphEmbedding(embedding))
            .Append(mi.SphericalKMeans(kmeans))
            .Append(mi.KnnSmoothedMixture(mixture))
            .Append(mi.ClusterQuotaRetriever(retrieval));
        var model = pipeline.Fit(data);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        string? directory = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (directory != null) Directory.CreateDirectory(directory);
        ml.Model.Save(model, data.Schema, modelPath);
        log.WriteLine($"Fitted on {edges.Count:N0} edges in {fitSeconds:F1} s; saved {new FileInfo(modelPath).Length / 1e6:F1} MB to {modelPath} in {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }
}
