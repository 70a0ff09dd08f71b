using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Prints each measured frontier: knob value, Recall@50 and Diversity@10, in knob order.</summary>
internal static class FrontierTable
{
    public static void Print(ProtocolResult result, TextWriter log)
    {
        foreach (var f in result.Frontiers)
        {
            log.WriteLine();
            log.WriteLine($"Frontier of {ResultTable.Label(f.Method)}{PoolText(f)} over {f.Knob}: " + string.Join(", ",
                f.Points.Select(p => $"{p.Value:0.##} -> R@{f.RecallCutoff} {p.Recall:F4} D@{f.DiversityCutoff} {p.Diversity:F4} D@{f.RecallCutoff} {p.SetDiversity:F4}")));
            if (f.VersusMmr.Count == f.Points.Count)
                log.WriteLine($"  against MMR at the same {f.Knob} and pool, user by user (difference ± standard error), D@{f.DiversityCutoff}: " + string.Join(", ",
                    f.Points.Select((p, t) => $"{p.Value:0.##} -> {PairedTable.Format(f.VersusMmr[t].Diversity[f.DiversityCutoff], 1, 5)}")));
        }
    }

    /// <summary>", pool N" for a re-ranking's frontier, else nothing.</summary>
    public static string PoolText(FrontierResult f) => f.Pool is { } pool ? $", pool {pool}" : "";
}
