using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>latency --model M --users FILE [--history FILE] [--count N] [--workers W] [--rounds R]</c>: what one request costs a
/// service. Loads the zip with <see cref="MultiInterestModel.Load(MLContext, string)"/>, makes a
/// <see cref="MultiInterestRecommender"/> and times each <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/>
/// call of the users file's users (in file order, each with its <c>--history</c> edges when given), after a warm-up pass over
/// the first 256 users; W workers call at once, each taking the next user. Prints the percentiles of the calls' milliseconds, the bytes each call allocates on average,
/// the requests per second, the slowest calls' users with their history lengths, and the load time, as JSON.
/// </summary>
internal static class LatencyCommand
{
    public static Command Create()
    {
        var model = Opt.InputFile("--model", "The model zip (fit's or sweep's).", "model.zip", required: true);
        var users = Opt.InputFile("--users", "An edge file (user<TAB>item, header; a test split works) whose users are served, each once, in first-seen order.", required: true);
        var history = Opt.InputFile("--history", "Edges (user<TAB>item, header) passed as each user's request history.");
        var count = BenchOpt.Count("--count", 0, "List length per request (0 = the model's M).", min: 0);
        var workers = BenchOpt.Count("--workers", 1, "Threads calling Recommend at once.", min: 1);
        var rounds = BenchOpt.Count("--rounds", 1, "Passes over the users (every call of every pass is counted).", min: 1);
        var command = new Command("latency", "Milliseconds per MultiInterestRecommender.Recommend call of a loaded zip: percentiles, requests/s, slowest users.")
            .With([model, users, history, count, workers, rounds]);
        command.SetAction(r => Run(r.Value(model)!, r.Value(users)!, r.Value(history), r.Value(count), r.Value(workers), r.Value(rounds)));
        return command;
    }

    /// <summary>Users warmed up on before any call is timed (the JIT's tiers and the first scratch allocations).</summary>
    private const int WarmUpUsers = 256;

    private static int Run(string modelPath, string usersPath, string? historyPath, int count, int workers, int rounds)
    {
        var ml = new MLContext(seed: 1);
        var clock = Stopwatch.StartNew();
        using var model = MultiInterestModel.Load(ml, modelPath);
        var recommender = ml.MultiInterest().CreateRecommender(model);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var ids = EdgeFile.Read(usersPath).Select(e => e.User).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0) throw new UsageException($"--users '{usersPath}' holds no user.");
        var fresh = historyPath == null ? null : EdgeFile.Read(historyPath).ToLookup(e => e.User, e => e.Item, StringComparer.Ordinal);
        string[]? HistoryOf(string user) => fresh?[user].ToArray();
        var histories = ids.Select(HistoryOf).ToArray();

        foreach (int q in Enumerable.Range(0, Math.Min(WarmUpUsers, ids.Length))) recommender.Recommend(ids[q], histories[q], count);

        int calls = ids.Length * rounds;
        var milliseconds = new double[calls];
        int next = -1;
        double ticksToMs = 1000.0 / Stopwatch.Frequency;
        clock.Restart();
        long allocated = 0;
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            // Each caller's own allocations (the loop's are none): garbage per request is what a service's collector pays.
            long before = GC.GetAllocatedBytesForCurrentThread();
            int call;
            while ((call = Interlocked.Increment(ref next)) < calls)
            {
                int q = call % ids.Length;
                long start = Stopwatch.GetTimestamp();
                recommender.Recommend(ids[q], histories[q], count);
                milliseconds[call] = (Stopwatch.GetTimestamp() - start) * ticksToMs;
            }
            Interlocked.Add(ref allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        double wall = clock.Elapsed.TotalSeconds;

        var sorted = (double[])milliseconds.Clone();
        Array.Sort(sorted);
        double At(double share) => JsonReport.Round(sorted[Math.Min(calls - 1, (int)Math.Ceiling(share * calls) - 1)]);
        // The slowest calls' users, with what a request's work grows with: the user's training history and the request's.
        var training = model.TrainingHistory();
        var userIds = model.GraphEmbedding?.UserIds ?? [];
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < userIds.Count; r++) rowOf.TryAdd(userIds[r], r);
        int TrainingItems(string user) => rowOf.TryGetValue(user, out int row) && row < training.UserCount ? training.DegreeOf(row) : 0;
        var slowest = Enumerable.Range(0, calls).OrderByDescending(c => milliseconds[c]).Take(5)
            .Select(c => new
            {
                User = ids[c % ids.Length],
                Milliseconds = JsonReport.Round(milliseconds[c]),
                TrainingItems = TrainingItems(ids[c % ids.Length]),
                HistoryItems = histories[c % ids.Length]?.Length ?? 0,
            });
        var degrees = ids.Select(TrainingItems).Order().ToArray();
        JsonReport.Print(new
        {
            Model = modelPath,
            Method = recommender.Method.ToString(),
            Count = count == 0 ? recommender.Candidates : count,
            Users = ids.Length,
            Rounds = rounds,
            Workers = workers,
            WarmUpUsers = Math.Min(WarmUpUsers, ids.Length),
            LoadSeconds = JsonReport.Round(loadSeconds),
            Milliseconds = new { P50 = At(0.50), P90 = At(0.90), P99 = At(0.99), P999 = At(0.999), Max = JsonReport.Round(sorted[^1]), Mean = JsonReport.Round(milliseconds.Average()) },
            RequestsPerSecond = JsonReport.Round(calls / wall, 1),
            AllocatedBytesPerCall = allocated / calls,
            MedianTrainingItems = degrees[degrees.Length / 2],
            Slowest = slowest.ToArray(),
        });
        return 0;
    }
}
