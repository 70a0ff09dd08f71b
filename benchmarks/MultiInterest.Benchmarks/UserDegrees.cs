namespace MultiInterest.Benchmarks;

/// <summary>
/// User degrees from a Lomax (shifted Pareto) law, d = 1 + floor(x_m ((1 - U)^(-1/a) - 1)), capped, with the scale
/// x_m calibrated so the degrees add up to about the requested edge count. With a = 1.5 about a quarter of the users
/// have one edge and a few have hundreds, as in citation graphs.
/// </summary>
internal static class UserDegrees
{
    /// <summary>Draws <paramref name="users"/> degrees summing to about <paramref name="edges"/>.</summary>
    /// <param name="users">Number of users.</param>
    /// <param name="edges">Target sum of the degrees.</param>
    /// <param name="cap">Largest degree.</param>
    /// <param name="tail">Tail index a (&gt; 1).</param>
    /// <param name="random">Generator; advanced by one draw per user.</param>
    public static int[] Draw(int users, int edges, int cap, double tail, ref SplitMix64 random)
    {
        // One uniform per user, reused by every calibration pass, so the passes differ only in the scale.
        var heavy = new double[users];
        for (int u = 0; u < users; u++) heavy[u] = Math.Pow(1 - random.NextDouble(), -1 / tail) - 1;
        double scale = Math.Max(1e-3, (edges / (double)users - 1) * (tail - 1));
        var degrees = new int[users];
        for (int pass = 0; pass < 8; pass++)
        {
            long total = Fill(degrees, heavy, scale, cap);
            if (total <= users || Math.Abs(total - edges) <= edges / 1000) break;
            scale *= (edges - (double)users) / (total - users);
        }
        return degrees;
    }

    private static long Fill(int[] degrees, double[] heavy, double scale, int cap)
    {
        long total = 0;
        for (int u = 0; u < degrees.Length; u++)
        {
            double d = 1 + Math.Floor(scale * heavy[u]);
            degrees[u] = d >= cap ? cap : (int)d;
            total += degrees[u];
        }
        return total;
    }
}
