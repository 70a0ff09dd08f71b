using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>scale --edges N [synthetic-graph options] [--epochs N --clusters N --max-users N ...]</c>: generates a synthetic
/// graph in memory (<see cref="SyntheticGraph"/>), then runs every stage of the pipeline on it (embedding with a
/// reduced epoch count, k-means, mixtures, neighbours, smoothing, quota retrieval, and the unimodal baseline) and
/// reports seconds per stage and memory after each stage as JSON. Per-user stages serve an evenly spread sample of
/// the test users (<c>--max-users</c>), since exact neighbour search over millions of users grows quadratically.
/// </summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var graph = new SyntheticFlags();
        var seed = BenchOpt.Count("--seed", new SyntheticGraphOptions().Seed, "Seed of the generator, the split, the embedding and k-means.");
        var retrieval = new RetrievalSettings.Flags(defaultRepeats: 1);
        var fitting = new ModelFitting.Flags(defaultEpochs: 2);
        var maxUsers = BenchOpt.Count("--max-users", 10_000, "Test users timed (0 = all test users).", min: 0);
        var noLiveMemory = Opt.Flag("--no-live-memory", "Skip the forced full collections that measure live managed memory at each snapshot.");
        var command = new Command("scale", "Generates the synthetic graph in memory and runs every stage on it (embedding, k-means, mixtures, neighbours, "
            + "smoothing, quota retrieval, unimodal baseline): seconds per stage, users/s, memory after each stage, peak working set.")
            .With([.. graph.All, seed, .. fitting.All, maxUsers, .. retrieval.All, noLiveMemory]);
        command.SetAction(r =>
        {
            int s = r.Value(seed);
            var settings = retrieval.Read(r);
            // Live memory (a forced full collection at each snapshot, outside the timed spans) shows what each stage
            // holds; the working set alone mixes it with garbage the GC has not collected yet.
            MemoryProbe.MeasureLive = !r.GetValue(noLiveMemory);
            return Run(graph.Read(r, s), settings, fitting.Embedding(r, s, settings.Threads), fitting.Clustering(r, s, settings.Threads), r.Value(maxUsers));
        });
        return command;
    }

    private static int Run(SyntheticGraphOptions graphOptions, RetrievalSettings settings, GraphEmbeddingOptions embedding, SphericalKMeansOptions kmeans, int maxUsers)
    {
        var total = Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>();
        var memory = new Dictionary<string, MemorySnapshot> { ["start"] = MemoryProbe.Take() };
        var build = SyntheticBuild.Create(graphOptions);
        seconds["generate"] = JsonReport.Round(build.GenerateSeconds);
        seconds["split"] = JsonReport.Round(build.SplitSeconds);
        memory["split"] = MemoryProbe.Take();

        var (fit, embedSeconds, edgesPerSecond) = ModelFitting.Embed(build.Train, embedding);
        seconds["embedding"] = JsonReport.Round(embedSeconds);
        memory["embedding"] = MemoryProbe.Take();

        kmeans.Clusters = Math.Min(kmeans.Clusters, build.Train.ItemCount);
        var (clustering, clusterSeconds, meanCosine) = ModelFitting.Cluster(fit.ItemEmbeddings, kmeans);
        seconds["clustering"] = JsonReport.Round(clusterSeconds);
        memory["clustering"] = MemoryProbe.Take();

        var testUsers = Enumerable.Range(0, build.Test.UserCount).Where(u => build.Test.DegreeOf(u) > 0).ToArray();
        var queryUsers = RetrievalStages.Sample(testUsers, maxUsers);
        var report = RetrievalStages.Run(build.Train, build.Test, queryUsers, fit.UserEmbeddings, fit.ItemEmbeddings, clustering, settings, memory);
        foreach (var (stage, timing) in report.Stages) seconds[stage] = timing.Seconds; // the median of --repeats runs
        foreach (var (step, s) in report.SetupSeconds) seconds[step] = s;
        // The clustered index's grading (an exact search of the timed users) is not part of the pipeline's time.
        seconds["total"] = JsonReport.Round(total.Elapsed.TotalSeconds - (report.NeighborIndex?.GradingSeconds ?? 0));

        JsonReport.Print(new
        {
            Seconds = seconds,
            report.Stages,
            Embedding = new
            {
                Algorithm = ModelFitting.Fitted(embedding, fit),
                Epochs = edgesPerSecond == null ? (int?)null : embedding.Epochs,
                fit.ItemEmbeddings.Dimension,
                EdgesPerSecond = edgesPerSecond is { } rate ? Math.Round(rate) : (double?)null,
                SecondsPerEpoch = edgesPerSecond == null ? (double?)null : JsonReport.Round(embedSeconds / embedding.Epochs),
                Loss = edgesPerSecond == null ? (double?)null : JsonReport.Round(fit.Epochs[^1].MeanLoss, 5),
            },
            Clustering = new
            {
                kmeans.Clusters,
                Iterations = kmeans.MaxIterations,
                MeanCosine = JsonReport.Round(meanCosine, 5),
                Planted = PlantedAgreement.Measure(clustering, build.Graph.ItemCommunity, build.Graph.Communities),
            },
            report.QuotaWork,
            report.ShortQuotaLists,
            report.RecallAtM,
            report.NeighborIndex,
            TestUsers = testUsers.Length,
            TimedUsers = queryUsers.Length,
            Graph = build.Describe(graphOptions),
            PeakWorkingSetMb = memory.Values.Max(m => m.PeakWorkingSetMb),
            Memory = memory,
            Settings = settings.Describe(),
        });
        return 0;
    }
}
