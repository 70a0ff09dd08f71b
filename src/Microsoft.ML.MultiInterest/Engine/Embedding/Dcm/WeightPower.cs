namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Sharpens or flattens a user's interest weights: <c>w_c ← w_c^a / Σ_l w_l^a</c>. a = 1 keeps them, a = 0 makes them equal,
/// 0 &lt; a &lt; 1 lifts the minor interests (round robin then gives them earlier slots), a &gt; 1 favours the major one.
/// </summary>
internal static class WeightPower
{
    /// <summary>Raises the non-negative <paramref name="weights"/> to <paramref name="exponent"/> and normalises them to sum 1 in place (equal when all become 0).</summary>
    public static void Apply(Span<double> weights, double exponent)
    {
        if (exponent == 1) return;
        double total = 0;
        for (int c = 0; c < weights.Length; c++) total += weights[c] = Math.Pow(weights[c], exponent);
        for (int c = 0; c < weights.Length; c++) weights[c] = total > 0 ? weights[c] / total : 1.0 / weights.Length;
    }
}
