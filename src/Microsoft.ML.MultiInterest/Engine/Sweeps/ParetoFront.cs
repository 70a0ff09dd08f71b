namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The Recall@K / Diversity@K Pareto front of the full-fidelity trials.</summary>
internal static class ParetoFront
{
    /// <summary>Marks <see cref="SweepTrial.OnParetoFront"/> and returns the front by descending Recall.</summary>
    public static IReadOnlyList<SweepTrial> Mark(IReadOnlyList<SweepTrial> trials)
    {
        var full = trials.Where(t => t.Fidelity >= 1).ToList();
        foreach (var t in full)
            t.OnParetoFront = !full.Any(o => o.Recall >= t.Recall && o.Diversity >= t.Diversity && (o.Recall > t.Recall || o.Diversity > t.Diversity));
        return full.Where(t => t.OnParetoFront).OrderByDescending(t => t.Recall).ThenByDescending(t => t.Diversity).ToList();
    }
}
