namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The Recall@K / Diversity@K Pareto front of the full-fidelity trials.</summary>
internal static class ParetoFront
{
    /// <summary>
    /// Marks <see cref="SweepTrial.OnParetoFront"/> and returns the front by descending Recall. Figures within
    /// <see cref="WeightTies.Tolerance"/> of each other are equal: the same lists averaged in another order must not push a
    /// trial off the front by a last-digit difference.
    /// </summary>
    public static IReadOnlyList<SweepTrial> Mark(IReadOnlyList<SweepTrial> trials)
    {
        var full = trials.Where(t => t.Fidelity >= 1).ToList();
        static bool Dominates(SweepTrial o, SweepTrial t)
        {
            int recall = WeightTies.Compare(o.Recall, t.Recall), diversity = WeightTies.Compare(o.Diversity, t.Diversity);
            return recall >= 0 && diversity >= 0 && (recall > 0 || diversity > 0);
        }
        foreach (var t in full)
            t.OnParetoFront = !full.Any(o => Dominates(o, t));
        return full.Where(t => t.OnParetoFront).OrderByDescending(t => t.Recall).ThenByDescending(t => t.Diversity).ToList();
    }
}
