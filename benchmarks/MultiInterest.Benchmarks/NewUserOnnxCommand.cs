using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>new-user-onnx --train FILE --test FILE [options]</c>: the ONNX export of a cluster-quota stage that builds a new user's
/// mixture by the divide-and-conquer model (<see cref="HistoryMixture.DivideConquer"/>) on real data. Users left out of the fit
/// (<see cref="NewUserSplit"/>) are served from their history by the saved model's recommender and by the exported directory
/// (<see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/>): how many lists differ (0 expected) and the seconds of
/// each. The trained users are served by that directory and by the same pipeline exported with the counted mixture
/// (<see cref="HistoryMixture.Counts"/>): how many lists differ (0 expected) and the seconds of each (the same scorer, since
/// fresh histories with more components than the trained users' get their own). JSON on standard output.
/// </summary>
internal static class NewUserOnnxCommand
{
    public static Command Create()
    {
        var common = new NewUserFlags(newShare: 0.1);
        var repeats = BenchOpt.Count("--repeats", 3, "Timed passes of each serving path (the best is reported).", min: 1);
        var command = new Command("new-user-onnx", "A divide-and-conquer quota stage served from its ONNX export: lists against the recommender's, and the seconds (JSON).")
            .With([.. common.All, repeats]);
        command.SetAction(r => Run(r.Value(common.Train)!, r.Value(common.Test)!, r.Value(common.Share), common.Model(r), r.Value(common.Candidates), r.Value(repeats),
            r.Value(common.Seed)));
        return command;
    }

    private static int Run(string trainPath, string testPath, double share, GraphEmbeddingTrainer.Options options, int m, int repeats, int seed)
    {
        var clock = Stopwatch.StartNew();
        var split = NewUserSplit.Create(EdgeFile.Read(trainPath), EdgeFile.Read(testPath), share, maxUsers: 0, seed);
        var ml = new MLContext(seed: seed);
        var data = split.FitRows(ml);
        var keys = ml.Transforms.Conversion.MapValueToKey("User").Append(ml.Transforms.Conversion.MapValueToKey("Item")).Fit(data);
        var keyed = keys.Transform(data);
        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(options).Fit(keyed);
        var embedded = embedding.Transform(keyed);
        var clustering = mi.SphericalKMeans(new SphericalKMeansTrainer.Options
        {
            NumberOfClusters = embedding.DivideConquer!.Clustering.ClusterCount, DivideConquerClusters = true, Threads = 1,
        }).Fit(embedded);
        var clustered = clustering.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { Threads = 1 }).Fit(clustered);
        var mixed = mixtures.Transform(clustered);
        double fitSeconds = clock.Elapsed.TotalSeconds;

        string work = Directory.CreateTempSubdirectory("mi-new-user-onnx-").FullName;
        try
        {
            // The same fitted stages with a quota stage that reads a new user's mixture by the model, or counts it.
            (MultiInterestModel Model, string Onnx, OnnxServingManifest Manifest) Export(HistoryMixture mixture, string name)
            {
                var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = m, HistoryMixture = mixture, Threads = 1 }).Fit(mixed);
                string zip = Path.Combine(work, name + ".zip"), onnx = Path.Combine(work, name);
                ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, clustering, mixtures, quota), data.Schema, zip);
                var model = MultiInterestModel.Load(ml, zip);
                return (model, onnx, model.ExportOnnx(onnx));
            }
            var byModel = Export(HistoryMixture.DivideConquer, "by-model");
            var counted = Export(HistoryMixture.Counts, "counted");
            using var modelScorer = OnnxCandidateScorer.Open(byModel.Onnx);
            using var countedScorer = OnnxCandidateScorer.Open(counted.Onnx);

            // New users: the saved model's recommender against the directory, the history's unknown items dropped by both.
            var ids = embedding.ItemIds;
            var rowOf = ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
            var users = split.Histories.Keys.Where(u => split.Histories[u].Any(rowOf.ContainsKey)).Order(StringComparer.Ordinal).ToArray();
            IReadOnlyList<IReadOnlyList<int>> histories = [.. users.Select(u => (IReadOnlyList<int>)[.. split.Histories[u].Where(rowOf.ContainsKey).Select(id => rowOf[id])])];
            var recommender = mi.CreateRecommender(byModel.Model);
            RecommendationList[] live = [];
            RankedLists fromOnnx = null!;
            var (liveSeconds, onnxSeconds) = BestOfAlternating(repeats, () => live = [.. users.Select(u => recommender.Recommend(u, split.Histories[u], m))],
                () => fromOnnx = modelScorer.RetrieveClusterQuotaFromHistories(histories));
            int newDiffering = users.Where((_, q) => !live[q].Items.Select(r => r.ItemId).SequenceEqual(fromOnnx.IndicesOf(q).ToArray().Select(row => ids[row]))
                || !live[q].Items.Select(r => r.Score).SequenceEqual(fromOnnx.ScoresOf(q).ToArray())).Count();

            // Trained users: the directory reading fresh histories by the model against the counted one.
            int[] trained = [.. Enumerable.Range(0, counted.Manifest.Users)];
            RankedLists fromModelDirectory = null!, fromCountedDirectory = null!;
            var (modelDirectorySeconds, countedDirectorySeconds) = BestOfAlternating(repeats, () => fromModelDirectory = modelScorer.RetrieveClusterQuota(trained),
                () => fromCountedDirectory = countedScorer.RetrieveClusterQuota(trained));
            int trainedDiffering = trained.Count(u => !fromModelDirectory.IndicesOf(u).SequenceEqual(fromCountedDirectory.IndicesOf(u))
                || !fromModelDirectory.ScoresOf(u).SequenceEqual(fromCountedDirectory.ScoresOf(u)));
            byModel.Model.Dispose();
            counted.Model.Dispose();
            JsonReport.Print(new
            {
                Train = trainPath,
                Test = testPath,
                FitEdges = split.FitEdges.Count,
                NewUsersServed = users.Length,
                options.Dimension,
                options.Epochs,
                Clusters = options.DivideConquer.Clusters,
                Candidates = m,
                Threads = Environment.ProcessorCount,
                TrainedComponents = byModel.Manifest.Components,
                HistoryQuotaScorer = byModel.Manifest.HistoryQuotaScorer?.File,
                FormatVersions = new[] { byModel.Manifest.FormatVersion, counted.Manifest.FormatVersion },
                NewUserListsDifferingFromRecommender = newDiffering,
                NewUserSeconds = new { Recommender = JsonReport.Round(liveSeconds, 3), Onnx = JsonReport.Round(onnxSeconds, 3) },
                TrainedUsers = trained.Length,
                TrainedListsDifferingBetweenDirectories = trainedDiffering,
                TrainedSeconds = new { ModelDirectory = JsonReport.Round(modelDirectorySeconds, 3), CountedDirectory = JsonReport.Round(countedDirectorySeconds, 3) },
                FitSeconds = JsonReport.Round(fitSeconds, 1),
                Seconds = JsonReport.Round(clock.Elapsed.TotalSeconds, 1),
            });
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The fastest of <paramref name="repeats"/> runs of each of <paramref name="a"/> and <paramref name="b"/>, in seconds, run in
    /// turn (a b a b ...), so that a slow spell of a shared machine falls on both.
    /// </summary>
    private static (double A, double B) BestOfAlternating(int repeats, Action a, Action b)
    {
        double bestA = double.MaxValue, bestB = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            a();
            bestA = Math.Min(bestA, watch.Elapsed.TotalSeconds);
            watch.Restart();
            b();
            bestB = Math.Min(bestB, watch.Elapsed.TotalSeconds);
        }
        return (bestA, bestB);
    }
}
