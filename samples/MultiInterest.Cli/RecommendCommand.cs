using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace MultiInterest.Cli;

/// <summary>
/// <c>recommend</c>: candidates for a list of users from a saved model, by one of three scorers that give the
/// same lists: the loaded zip's ML.NET transformers (the lists fitted with the training items excluded), the
/// engine on the saved tables, or the exported ONNX graphs in ONNX Runtime. All three exclude the training history stored
/// with the model; the last two also exclude --history.
/// </summary>
internal static class RecommendCommand
{
    public static int Run(CommandLine cl, TextWriter log)
    {
        string modelPath = cl.RequiredString("model"), usersPath = cl.RequiredString("users"), outPath = cl.RequiredString("out");
        string? history = cl.String("history"), onnxDirectory = cl.String("onnx-dir");
        bool onnx = cl.Flag("onnx"), engine = cl.Flag("engine"), api = cl.Flag("recommender");
        int threads = cl.Int("threads", 0), batch = cl.Int("batch", OnnxCandidateScorer.DefaultBatchSize);
        int? gpu = cl.String("gpu") is string g ? int.Parse(g, CultureInfo.InvariantCulture) : null;
        cl.RejectUnknown();
        if ((onnx ? 1 : 0) + (engine ? 1 : 0) + (api ? 1 : 0) > 1)
            throw new UsageException("Choose one scorer: --onnx, --engine or --recommender (or none, for the loaded zip's own lists).");
        if (history != null && !onnx && !engine && !api)
            throw new UsageException("--history needs --engine or --onnx: the loaded zip's lists were fixed at fit time (training items excluded).");
        // Every scorer excludes the model's stored training history; --history adds (its union is taken) fresh seen items.

        var ml = new MLContext(seed: 1);
        var sessions = new OnnxSessionFactory(gpu, message => log.WriteLine(message));
        sessions.ApplyTo(ml);
        var model = MultiInterestModel.Load(ml, modelPath);
        var ids = ServingData.Users(usersPath);
        var clock = Stopwatch.StartNew();
        List<(string User, string[] Items, float[] Scores)> lists;
        string scorer;
        if (api)
        {
            scorer = "MultiInterestRecommender";
            var fresh = history == null ? null : Microsoft.ML.MultiInterest.IO.EdgeFile.Read(history).ToLookup(e => e.User, e => e.Item);
            var recommender = ml.MultiInterest().CreateRecommender(model);
            clock.Restart();
            var results = new (string User, string[] Items, float[] Scores)[ids.Count];
            Parallel.For(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads }, q =>
            {
                var list = recommender.Recommend(ids[q], fresh?[ids[q]]);
                results[q] = (ids[q], list.Items.Select(i => i.ItemId).ToArray(), list.Items.Select(i => i.Score).ToArray());
            });
            lists = results.ToList();
        }
        else if (!onnx && !engine)
        {
            scorer = "zip (ML.NET transformers)";
            lists = FromZip(ml, model, ids);
        }
        else
        {
            var embedding = model.GraphEmbedding ?? throw new InvalidDataException($"'{modelPath}' has no GraphEmbedding stage to serve from.");
            var userRows = ServingData.RowsOf(embedding.UserIds);
            var known = ids.Where(userRows.ContainsKey).ToList();
            var rows = known.Select(u => userRows[u]).ToArray();
            BipartiteGraph? exclusions = model.ServingStage.HasTrainingHistory ? model.TrainingHistory() : null;
            if (exclusions == null) log.WriteLine("The model was saved without its training history: only --history is excluded.");
            if (history != null)
            {
                var fresh = ServingData.History(history, userRows, ServingData.RowsOf(embedding.ItemIds), out int skipped);
                if (skipped > 0) log.WriteLine($"{skipped:N0} history edges name a user or item the model does not know; ignored.");
                exclusions = exclusions == null ? fresh : ServingData.Union(exclusions, fresh);
            }
            RankedLists ranked;
            if (engine)
            {
                scorer = "engine";
                ranked = model.RetrieveWithEngine(rows, exclusions, threads);
            }
            else
            {
                scorer = "ONNX Runtime";
                string directory = onnxDirectory ?? Path.Combine(Path.GetTempPath(), $"multiinterest-onnx-{Guid.NewGuid():N}");
                if (onnxDirectory == null || !File.Exists(Path.Combine(directory, OnnxServingDirectory.ManifestFileName)))
                    model.ExportOnnx(directory);
                clock.Restart();
                using var scorerSession = OnnxCandidateScorer.Open(directory, sessions, batch);
                ranked = model.ServingStage.Method == CandidateMethod.ClusterQuota
                    ? scorerSession.RetrieveClusterQuota(rows, exclusions)
                    : scorerSession.RetrieveUnimodal(rows, exclusions);
                if (onnxDirectory == null) Directory.Delete(directory, recursive: true);
            }
            lists = known.Select((u, q) => (u, ranked.IndicesOf(q).ToArray().Select(i => embedding.ItemIds[i]).ToArray(), ranked.ScoresOf(q).ToArray())).ToList();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Write(outPath, lists);
        int unknown = ids.Count - lists.Count(l => l.Items.Length > 0);
        log.WriteLine($"{scorer}: {lists.Count:N0} users in {seconds:F2} s ({lists.Count / Math.Max(seconds, 1e-9):N0} users/s) -> {outPath}"
            + (unknown > 0 ? $"; {unknown:N0} users without candidates (unknown to the model or without training edges)." : "."));
        return 0;
    }

    /// <summary>The lists the loaded model's ML.NET transformers append, read through the model's own key names.</summary>
    private static List<(string User, string[] Items, float[] Scores)> FromZip(MLContext ml, MultiInterestModel model, List<string> users)
    {
        var stage = model.ServingStage;
        var input = ml.Data.LoadFromEnumerable(users.Select(u => new ServingData.EdgeRow { User = u, Item = "" }));
        var output = model.Transformer.Transform(input);
        var candidates = output.Schema[stage.CandidatesColumnName];
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        candidates.GetKeyValues(ref names);
        var itemIds = names.DenseValues().Select(n => n.ToString()).ToArray();
        var lists = new List<(string, string[], float[])>(users.Count);
        using var cursor = output.GetRowCursor([candidates, output.Schema[stage.CandidateScoresColumnName]]);
        var getKeys = cursor.GetGetter<VBuffer<uint>>(candidates);
        var getScores = cursor.GetGetter<VBuffer<float>>(output.Schema[stage.CandidateScoresColumnName]);
        VBuffer<uint> keys = default;
        VBuffer<float> scores = default;
        int row = 0;
        while (cursor.MoveNext())
        {
            getKeys(ref keys);
            getScores(ref scores);
            var k = keys.DenseValues().ToArray();
            var s = scores.DenseValues().ToArray();
            int count = Array.IndexOf(k, 0u) is int end and >= 0 ? end : k.Length;
            lists.Add((users[row++], k[..count].Select(key => itemIds[key - 1]).ToArray(), s[..count]));
        }
        return lists;
    }

    private static void Write(string path, List<(string User, string[] Items, float[] Scores)> lists)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        using var writer = new StreamWriter(path);
        writer.WriteLine("user\trank\titem\tscore");
        foreach (var (user, items, scores) in lists)
            for (int r = 0; r < items.Length; r++)
                writer.WriteLine($"{user}\t{r + 1}\t{items[r]}\t{scores[r].ToString("R", CultureInfo.InvariantCulture)}");
    }
}
