using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// The console's line on an embedding fit's validation curve. Auto measures its leading trials a second time on a larger
/// sample and chooses there; the two samples' figures are not comparable, so the best of each is said apart, and the
/// choice (the "vectors:" line after it) is the confirmation's, which may not be the screening sample's best.
/// </summary>
internal static class ValidationSummary
{
    /// <summary>The line, for a fit with at least one validation point.</summary>
    public static string Line(GraphEmbeddingResult fit, int cutoff)
    {
        var screening = fit.Validation.Where(p => !p.Confirmation).ToList();
        var confirmation = fit.Validation.Where(p => p.Confirmation).ToList();
        var inv = CultureInfo.InvariantCulture;
        string line = string.Create(inv, $"  validation: {fit.Validation.Count} measurements in {fit.SelectionSeconds:F1} s; best Recall@{cutoff} ");
        if (confirmation.Count == 0)
        {
            var best = fit.Validation.MaxBy(p => p.Recall)!;
            return line + string.Create(inv, $"{best.Recall:F4} ({best.Candidate})");
        }
        var first = screening.MaxBy(p => p.Recall)!;
        var confirmed = confirmation.MaxBy(p => p.Recall)!;
        return line + string.Create(inv, $"{first.Recall:F4} on the screening sample ({first.Candidate}); the {confirmation.Count} leading trials measured again on ")
            + string.Create(inv, $"a larger sample, where Auto chooses: best {confirmed.Recall:F4} ({confirmed.Candidate})");
    }
}
