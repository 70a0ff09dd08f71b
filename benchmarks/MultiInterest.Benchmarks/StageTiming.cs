namespace MultiInterest.Benchmarks;

/// <summary>The wall-clock times of one per-user stage over the repeats, and the users it served.</summary>
/// <param name="Seconds">Median seconds over the runs.</param>
/// <param name="BestSeconds">Fastest run.</param>
/// <param name="Runs">Seconds of every run, in order (the first one may include JIT tiering).</param>
/// <param name="Users">Users served per run.</param>
internal sealed record StageTiming(double Seconds, double BestSeconds, double[] Runs, int Users)
{
    /// <summary>Users served per second at the median time.</summary>
    public double UsersPerSecond => Seconds > 0 ? Math.Round(Users / Seconds) : 0;

    /// <summary>Users served per second in the fastest run.</summary>
    public double BestUsersPerSecond => BestSeconds > 0 ? Math.Round(Users / BestSeconds) : 0;

    /// <summary>A timing from the seconds of every run.</summary>
    public static StageTiming Of(IReadOnlyList<double> runs, int users)
    {
        var sorted = runs.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new(JsonReport.Round(median, 4), JsonReport.Round(sorted[0], 4), runs.Select(r => JsonReport.Round(r, 4)).ToArray(), users);
    }
}
