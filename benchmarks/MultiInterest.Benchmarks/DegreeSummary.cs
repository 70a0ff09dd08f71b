namespace MultiInterest.Benchmarks;

/// <summary>Quantiles of a degree distribution, to check the synthetic graph's shape.</summary>
/// <param name="Mean">Mean degree.</param>
/// <param name="Median">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest degree.</param>
/// <param name="ShareOfOne">Share of entities with exactly one edge.</param>
internal sealed record DegreeSummary(double Mean, int Median, int P90, int P99, int Max, double ShareOfOne)
{
    /// <summary>Summarises <paramref name="degrees"/> (sorted in place).</summary>
    public static DegreeSummary Of(int[] degrees)
    {
        Array.Sort(degrees);
        int n = degrees.Length;
        int At(double q) => degrees[Math.Min(n - 1, (int)(q * n))];
        return new DegreeSummary(JsonReport.Round(degrees.Average(d => (double)d), 2), At(0.5), At(0.9), At(0.99), degrees[^1],
            JsonReport.Round(degrees.Count(d => d == 1) / (double)n, 4));
    }
}
