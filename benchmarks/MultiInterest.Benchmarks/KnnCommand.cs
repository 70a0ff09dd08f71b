using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>knn --train FILE --test FILE [--artifacts DIR | --user-embeddings F --item-embeddings F [--item-clusters F]]</c>:
/// times neighbour search, kNN smoothing and cluster-quota retrieval (M = 50) for every test user, separately, next to
/// the exact unimodal top-M over all items, and counts the item dot products quota retrieval does per user.
/// </summary>
internal static class KnnCommand
{
    public static Command Create()
    {
        var sources = new KnnSources.Flags();
        var retrieval = new RetrievalSettings.Flags(defaultRepeats: 3);
        var fitting = new ModelFitting.Flags(GraphEmbeddingDefaults.Epochs);
        var seed = BenchOpt.Count("--seed", GraphEmbeddingDefaults.Seed, "Seed of the embedding and k-means when they are fitted here.");
        var maxUsers = BenchOpt.Count("--max-users", 0, "Test users timed (0 = all; an even spread otherwise).", min: 0);
        var command = new Command("knn", "Serving stages for every test user, timed separately: exact user neighbours, kNN smoothing, cluster-quota retrieval of M "
            + "candidates, and the exact unimodal top-M over all items; also the item dot products per user of quota retrieval. Without embedding files it "
            + "trains (--algorithm, negative sampling by default, not reproduce's Auto) and clusters the vectors itself.")
            .With([.. sources.All, maxUsers, .. retrieval.All, .. fitting.All, seed]);
        command.SetAction(r =>
        {
            var settings = retrieval.Read(r);
            int s = r.Value(seed);
            return Run(sources.Read(r, fitting.Embedding(r, s, settings.Threads), fitting.Clustering(r, s, settings.Threads)), settings, r.Value(maxUsers));
        });
        return command;
    }

    private static int Run(KnnSources sources, RetrievalSettings settings, int maxUsers)
    {
        var inputs = KnnInputs.Load(sources);

        var testUsers = Enumerable.Range(0, inputs.Test.UserCount).Where(u => inputs.Test.DegreeOf(u) > 0).ToArray();
        var queryUsers = RetrievalStages.Sample(testUsers, maxUsers);
        var report = RetrievalStages.Run(inputs.Train, inputs.Test, queryUsers, inputs.Users, inputs.Items, inputs.Clustering, settings);
        JsonReport.Print(new
        {
            report.Stages,
            report.SetupSeconds,
            report.QuotaWork,
            report.ShortQuotaLists,
            report.RecallAtM,
            report.NeighborIndex,
            report.HistoryPool,
            Users = inputs.Train.UserCount,
            Items = inputs.Train.ItemCount,
            TrainEdges = inputs.Train.EdgeCount,
            TestUsers = testUsers.Length,
            TimedUsers = queryUsers.Length,
            Dimension = inputs.Items.Dimension,
            Clusters = inputs.Clustering.ClusterCount,
            inputs.Source,
            PrepareSeconds = inputs.Seconds,
            Settings = settings.Describe(),
            Memory = MemoryProbe.Take(),
        });
        return 0;
    }
}
