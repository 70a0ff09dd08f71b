using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.Runtime;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit</c>: the kNN-Embed pipeline as ML.NET estimators (MapValueToKey, GraphEmbedding, SphericalKMeans,
/// KnnSmoothedMixture, ClusterQuotaRetriever) fitted on an edge file and saved with mlContext.Model.Save.
/// </summary>
internal static class FitCommand
{
    /// <summary>The library's components whose MLContext log messages are the fit's progress.</summary>
    private static readonly string[] Components =
        [nameof(GraphEmbeddingTrainer), nameof(SphericalKMeansTrainer), nameof(KnnSmoothedMixtureEstimator), nameof(ClusterQuotaRetrieverEstimator)];

    public static Command Create(CliConsole console)
    {
        var train = Opt.Path("--train", "Training edges: user<TAB>item TSV with a header line, raw ids, .gz allowed.", required: true);
        var model = Opt.Path("--model", "Where to save the fitted pipeline (a zip mlContext.Model.Load reads).", "model.zip", required: true);
        var candidates = Opt.Int("--candidates", ClusterQuotaRetrieverDefaults.Candidates, "M: candidates per user of the retrieval stage.", min: 1);
        var run = new RunFlags();
        var embedding = new EmbeddingFlags();
        var pipeline = new PipelineFlags();
        var neighborIndex = new NeighborIndexOption.Flags();
        var command = new Command("fit", "Fits the kNN-Embed pipeline (ML.NET estimators) on an edge file and saves it with mlContext.Model.Save.")
            .With([train, model, candidates, .. run.All, .. embedding.All, .. pipeline.All, .. neighborIndex.All]);
        command.SetAction(r =>
        {
            int threads = r.Value(run.Threads), seed = r.Value(run.Seed);
            var engine = embedding.Read(r, seed, threads);
            var trainer = new GraphEmbeddingTrainer.Options
            {
                Algorithm = engine.Algorithm, Dimension = engine.Dimension, Epochs = engine.Epochs, Loss = engine.Loss, Margin = engine.Margin,
                NegativeWeight = engine.NegativeWeight, LearningRate = engine.LearningRate, UniformNegatives = engine.UniformNegatives,
                BatchNegatives = engine.BatchNegatives, DegreeNegatives = engine.DegreeNegatives, Initialization = engine.Initialization,
                L2Regularization = engine.L2Regularization, L2DegreeExponent = engine.L2DegreeExponent, HistoryBlend = engine.HistoryBlend,
                PopularityCorrection = engine.PopularityCorrection, Svd = engine.Svd, Als = engine.Als,
                AutoIncludesNegativeSampling = engine.AutoIncludesNegativeSampling, ValidationFraction = engine.ValidationFraction,
                ValidationUsers = engine.ValidationUsers, ValidationCutoff = engine.ValidationCutoff, EarlyStoppingPatience = engine.EarlyStoppingPatience,
                AutoMaxDimension = engine.AutoMaxDimension, AutoTolerance = engine.AutoTolerance, Seed = seed, Threads = threads,
            };
            var clustering = pipeline.Clustering(r, seed, threads);
            var kmeans = new SphericalKMeansTrainer.Options { NumberOfClusters = clustering.Clusters, MaxIterations = clustering.MaxIterations, Tolerance = 0, Seed = seed, Threads = threads };
            var index = neighborIndex.Read(r);
            var mixture = new KnnSmoothedMixtureEstimator.Options
            {
                Components = r.Value(pipeline.Components),
                Neighbors = r.Value(pipeline.Neighbors),
                Lambda = r.Value(pipeline.Lambda),
                NeighborIndex = index.Kind,
                NeighborLists = index.Lists,
                NeighborProbes = index.Probes,
                Threads = threads,
            };
            var retrieval = new ClusterQuotaRetrieverEstimator.Options { Candidates = r.Value(candidates), Alpha = r.Value(pipeline.Alpha), Threads = threads };
            string trainPath = r.Value(train)!, modelPath = r.Value(model)!;
            return ProgressReporter.Run(console, progress => Run(trainPath, modelPath, seed, trainer, kmeans, mixture, retrieval, progress));
        });
        return command;
    }

    private static int Run(string train, string modelPath, int seed, GraphEmbeddingTrainer.Options embedding, SphericalKMeansTrainer.Options kmeans,
        KnnSmoothedMixtureEstimator.Options mixture, ClusterQuotaRetrieverEstimator.Options retrieval, ProgressReporter progress)
    {
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
        ITransformer model;
        using (var stage = progress.Begin($"Fitting the kNN-Embed pipeline on {edges.Count:N0} edges..."))
        {
            // The library's estimators report their stages (epochs, clusters, neighbours) through the MLContext log.
            void Forward(object? sender, LoggingEventArgs e)
            {
                if (e.Kind is not (ChannelMessageKind.Info or ChannelMessageKind.Warning) || !Components.Any(c => e.Source.StartsWith(c, StringComparison.Ordinal))) return;
                string line = $"  {e.Source.Split(';')[0]}: {e.RawMessage}";
                if (e.Kind == ChannelMessageKind.Warning) stage.Note(line);
                else stage.Update(line);
            }
            ml.Log += Forward;
            model = pipeline.Fit(data);
            ml.Log -= Forward;
        }
        double fitSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        string? directory = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (directory != null) Directory.CreateDirectory(directory);
        ml.Model.Save(model, data.Schema, modelPath);
        progress.Out.WriteLine($"Fitted on {edges.Count:N0} edges in {fitSeconds:F1} s; saved {new FileInfo(modelPath).Length / 1e6:F1} MB to {modelPath} in {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }
}
