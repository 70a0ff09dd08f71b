namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Splits M candidate slots among a user's mixture components (Zhang et al.): component c gets
/// M * w_c^alpha / sum w^alpha, rounded by largest remainder; remainders tie to the higher weight, then
/// the lower cluster id. The quotas always sum to M.
/// </summary>
internal static class QuotaAllocator
{
    /// <summary>Computes the quotas of one user's components.</summary>
    /// <param name="weights">Component weights (positive).</param>
    /// <param name="clusters">Component clusters, for tie-breaking.</param>
    /// <param name="alpha">Quota exponent: 0 splits evenly, 1 proportionally, larger favours the main interest.</param>
    /// <param name="slots">M, the number of candidates to split.</param>
    /// <param name="quotas">Receives one quota per component.</param>
    public static void Allocate(ReadOnlySpan<double> weights, ReadOnlySpan<int> clusters, double alpha, int slots, Span<int> quotas)
    {
        int n = weights.Length;
        if (clusters.Length != n || quotas.Length < n) throw new ArgumentException("weights, clusters and quotas must align.");
        if (slots < 0) throw new ArgumentOutOfRangeException(nameof(slots), slots, "The number of candidates must not be negative.");
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be finite and non-negative.");
        if (n == 0) return;
        Span<double> remainders = n <= 64 ? stackalloc double[n] : new double[n];
        double total = 0, top = 0;
        for (int j = 0; j < n; j++)
        {
            if (!(weights[j] > 0) || !double.IsFinite(weights[j])) throw new ArgumentException($"Component weight {weights[j]} is not positive and finite.", nameof(weights));
            total += Math.Pow(weights[j], alpha);
            top = Math.Max(top, weights[j]);
        }
        // A large alpha underflows the w^alpha towards 0 (or overflows them): the same shares, taken relative to the largest
        // weight, then hold at least one 1 and tend to winner-takes-all, as they should; so does a sum below the floor, whose
        // subnormal powers have lost their precision (Underflow). Otherwise the plain powers, as always.
        bool relative = !(total >= Underflow.PlainSumFloor && double.IsFinite(total));
        if (relative)
        {
            total = 0;
            for (int j = 0; j < n; j++) total += Math.Pow(weights[j] / top, alpha);
        }
        int assigned = 0;
        for (int j = 0; j < n; j++)
        {
            double exact = slots * Math.Pow(relative ? weights[j] / top : weights[j], alpha) / total;
            int whole = (int)Math.Floor(exact);
            quotas[j] = whole;
            remainders[j] = exact - whole;
            assigned += whole;
        }
        // Hand the leftover slots one each to the largest remainders.
        for (int left = slots - assigned; left > 0; left--)
        {
            int best = -1;
            for (int j = 0; j < n; j++)
            {
                if (remainders[j] < 0) continue;
                if (best < 0 || Ranks(remainders[j], weights[j], clusters[j], remainders[best], weights[best], clusters[best])) best = j;
            }
            if (best < 0) best = 0; // Cannot happen: fewer leftovers than components.
            quotas[best]++;
            remainders[best] = -1;
        }
    }

    /// <summary>Larger remainder first; tied remainders to the higher weight, then the lower cluster id.</summary>
    private static bool Ranks(double remainder, double weight, int cluster, double otherRemainder, double otherWeight, int otherCluster)
    {
        int byRemainder = WeightTies.Compare(remainder, otherRemainder);
        if (byRemainder != 0) return byRemainder > 0;
        int byWeight = WeightTies.Compare(weight, otherWeight);
        if (byWeight != 0) return byWeight > 0;
        return cluster < otherCluster;
    }
}
