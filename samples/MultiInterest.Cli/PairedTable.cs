using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Prints every row against Unimodal user by user (<see cref="MethodEvaluation.Against"/>): the mean per-user difference of
/// Recall@K (in points) and Diversity@K, each with its standard error, so that a lead can be told from the test users' noise.
/// </summary>
internal static class PairedTable
{
    public static void Print(ProtocolResult result, TextWriter log)
    {
        var baseline = result.Methods.FirstOrDefault(m => m.Name == ProtocolEvaluator.UnimodalName);
        if (baseline == null) return;
        var cutoffs = baseline.Recall.Keys.Order().ToArray();
        log.WriteLine();
        log.WriteLine("Against Unimodal, user by user: mean difference ± standard error over the same users (Recall in points):");
        log.WriteLine("| approach | " + string.Join(" | ", cutoffs.Select(k => $"R@{k}")) + " | " + string.Join(" | ", cutoffs.Select(k => $"D@{k}")) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", 2 * cutoffs.Length + 1)));
        foreach (var m in result.Methods.Where(m => m != baseline))
        {
            var paired = m.Against(baseline);
            log.WriteLine($"| {ResultTable.Label(m.Name)} | "
                + string.Join(" | ", cutoffs.Select(k => Format(paired.Recall[k], 100, "F2"))) + " | "
                + string.Join(" | ", cutoffs.Select(k => Format(paired.Diversity[k], 1, "F4"))) + " |");
        }
    }

    /// <summary>"+0.55 ± 0.09": the difference signed, both scaled by <paramref name="scale"/>; "-" without a standard error.</summary>
    private static string Format(PairedDifference d, double scale, string format)
    {
        if (!double.IsFinite(d.Difference) || !double.IsFinite(d.StandardError)) return "-";
        string difference = (d.Difference * scale).ToString(format, CultureInfo.InvariantCulture);
        return (difference.StartsWith('-') ? "" : "+") + difference + " ± " + (d.StandardError * scale).ToString(format, CultureInfo.InvariantCulture);
    }
}
