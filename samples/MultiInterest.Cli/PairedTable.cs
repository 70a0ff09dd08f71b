using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Prints every row against Unimodal user by user (<see cref="MethodEvaluation.Against"/>): the mean per-user difference of
/// Recall@K (in points) and Diversity@K, each with its standard error, so that a lead can be told from the test users' noise.
/// </summary>
internal static class PairedTable
{
    public static void Print(ProtocolResult result, UnimodalPairs pairs, TextWriter log)
    {
        var baseline = pairs.Unimodal;
        if (baseline == null) return;
        var cutoffs = baseline.Recall.Keys.Order().ToArray();
        log.WriteLine();
        log.WriteLine("Against Unimodal, user by user: mean difference ± standard error over the same users (Recall in points; NDCG in the JSON file):");
        log.WriteLine("| approach | " + string.Join(" | ", cutoffs.Select(k => $"R@{k}")) + " | " + string.Join(" | ", cutoffs.Select(k => $"D@{k}")) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", 2 * cutoffs.Length + 1)));
        foreach (var m in result.Methods.Where(m => m != baseline))
        {
            if (pairs.For(m.Name) is not { } paired)
            {
                log.WriteLine($"| {ResultTable.Label(m.Name)} | n/a: {pairs.RefusalFor(m.Name)} |");
                continue;
            }
            log.WriteLine($"| {ResultTable.Label(m.Name)} | "
                + string.Join(" | ", cutoffs.Select(k => Format(paired.Recall[k], 100, 2))) + " | "
                + string.Join(" | ", cutoffs.Select(k => Format(paired.Diversity[k], 1, 4))) + " |");
        }
    }

    /// <summary>
    /// "+0.55 ± 0.09": the difference signed (0 when it rounds to 0), both scaled by <paramref name="scale"/>; "+0.55 ± n/a"
    /// without a standard error (a single user), "n/a" without a difference.
    /// </summary>
    public static string Format(PairedDifference d, double scale, int decimals)
    {
        if (!double.IsFinite(d.Difference)) return "n/a";
        // Both numbers rounded by the same rule; a difference that prints as zero carries no sign.
        string text = Small(d.Difference * scale, decimals);
        bool zero = text.TrimStart('-').All(c => c is '0' or '.');
        text = zero ? text.TrimStart('-') : d.Difference > 0 ? "+" + text : text;
        return text + " ± " + (double.IsFinite(d.StandardError) ? Small(d.StandardError * scale, decimals) : "n/a");
    }

    /// <summary>
    /// A figure at <paramref name="decimals"/>, with up to <see cref="ExtraDecimals"/> more where it would print as zero
    /// without being zero: a standard error of "0.0000" beside a difference of 0.0019 reads as an exact figure, where 0.00004
    /// is the noise it has, and a Recall@50 difference of -0.0008 points (-8e-6, which decides the bar's "at least Unimodal's
    /// recall") is not "0.00". Smaller still is float rounding (two orders of the same items differ by 1e-18), printed as
    /// the zero it is.
    /// </summary>
    private static string Small(double value, int decimals)
    {
        // Judged on the printed text, which rounds as "F" does (half away from zero), not as Math.Round (half to even).
        for (int shown = decimals; shown <= decimals + ExtraDecimals; shown++)
        {
            string text = value.ToString("F" + shown, CultureInfo.InvariantCulture);
            if (text.Any(c => c is >= '1' and <= '9')) return text;
        }
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>How many decimals past the table's a small figure may take: two orders of magnitude.</summary>
    private const int ExtraDecimals = 2;
}
