using System.Diagnostics;

namespace MultiInterest.Benchmarks;

/// <summary>
/// Milliseconds per request of several ways of serving the same users, side by side in one process: each call serves one
/// user (entry q), warmed up on the first <see cref="WarmUpUsers"/> users by every way, then timed over
/// <c>rounds</c> passes in which each user is served by every way in a rotating order (user q of round r starts at way
/// (q + r) mod n), so that a slow spell of a shared machine falls on all of them alike.
/// </summary>
internal static class RequestTiming
{
    /// <summary>Users each way serves before any call is timed (the JIT's tiers, lazily built tables, first scratch).</summary>
    public const int WarmUpUsers = 256;

    /// <summary>The milliseconds of one way's calls.</summary>
    /// <param name="Calls">Calls timed.</param>
    /// <param name="Mean">Mean milliseconds per call.</param>
    /// <param name="P50">Median.</param>
    /// <param name="P90">90th percentile.</param>
    /// <param name="P99">99th percentile.</param>
    internal sealed record Summary(int Calls, double Mean, double P50, double P90, double P99);

    /// <summary>Times every way of <paramref name="ways"/> (name, call serving entry q) over <paramref name="users"/> entries.</summary>
    public static Dictionary<string, Summary> Measure(IReadOnlyList<(string Name, Action<int> Serve)> ways, int users, int rounds)
    {
        if (users == 0 || rounds == 0) return [];
        foreach (var (_, serve) in ways)
            for (int q = 0; q < Math.Min(WarmUpUsers, users); q++) serve(q);
        int n = ways.Count;
        var milliseconds = ways.Select(_ => new double[users * rounds]).ToArray();
        double ticksToMs = 1000.0 / Stopwatch.Frequency;
        for (int r = 0; r < rounds; r++)
            for (int q = 0; q < users; q++)
                for (int j = 0; j < n; j++)
                {
                    int way = (j + q + r) % n;
                    long start = Stopwatch.GetTimestamp();
                    ways[way].Serve(q);
                    milliseconds[way][r * users + q] = (Stopwatch.GetTimestamp() - start) * ticksToMs;
                }
        return Enumerable.Range(0, n).ToDictionary(w => ways[w].Name, w => Summarise(milliseconds[w]));
    }

    private static Summary Summarise(double[] calls)
    {
        var sorted = calls.Order().ToArray();
        double At(double share) => JsonReport.Round(sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(share * sorted.Length) - 1))], 4);
        return new Summary(calls.Length, JsonReport.Round(calls.Average(), 4), At(0.50), At(0.90), At(0.99));
    }
}
