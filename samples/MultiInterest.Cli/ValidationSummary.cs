using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// The console's line on an embedding fit's validation curve. Auto measures its leading trials a second time on a larger
/// sample and chooses there; the two samples' figures are not comparable, so the best of each is said apart, and the
/// choice (the "vectors:" line after it) is made on the confirmation's figures, and may be neither sample's best: the
/// smallest vectors within Auto's tolerance of the confirmation's best.
/// </summary>
internal static class ValidationSummary
{
    /// <summary>
    /// A note when the choice sits at an edge of what Auto measured: a truncated SVD kept at the largest rank it may try
    /// (<c>--auto-max-dim</c>: its ladder climbs no further, so whether a larger rank would recall more on the hold-out was
    /// never measured) or at the smallest rank it measured (smaller vectors were not tried), or implicit ALS fitted at the
    /// cap below its usual <see cref="GraphEmbeddingDefaults.AutoAlsDimension"/>. Null otherwise.
    /// </summary>
    /// <param name="fit">The fit.</param>
    /// <param name="options">The options it was fitted with.</param>
    public static string? RankEdgeNote(GraphEmbeddingResult fit, GraphEmbeddingOptions options)
    {
        int d = fit.UserEmbeddings.Dimension, cap = options.AutoMaxDimension;
        if (options.Algorithm != EmbeddingAlgorithm.Auto) return null;
        var inv = CultureInfo.InvariantCulture;
        if (d != cap)
        {
            // The smallest dimension any point measured (the ladder's first rank, or a narrow graph's prefixes below it).
            int smallest = fit.Validation.Where(p => p.Dimension > 0).Select(p => p.Dimension).DefaultIfEmpty(0).Min();
            return fit.Algorithm == EmbeddingAlgorithm.TruncatedSvd && d == smallest && d > 1
                ? string.Create(inv, $"  note: Auto kept the smallest rank it measured, d = {d}, so smaller vectors were not tried; ")
                    + string.Create(inv, $"--algorithm truncated-svd --dim {d / 2} fits one to compare on a hold-out (at the SVD's own defaults, not the exponents Auto chose).")
                : null;
        }
        if (fit.Algorithm == EmbeddingAlgorithm.TruncatedSvd)
            return string.Create(inv, $"  note: Auto kept the largest rank it may try, --auto-max-dim {cap}, so it did not ")
                + "measure whether a larger one recalls more on the hold-out; a larger --auto-max-dim lets it climb on (the vectors' memory and time grow with the rank).";
        if (fit.Algorithm == EmbeddingAlgorithm.ImplicitAls && cap < GraphEmbeddingDefaults.AutoAlsDimension)
            return string.Create(inv, $"  note: Auto's implicit-ALS vectors have --auto-max-dim {cap} dimensions, below the {GraphEmbeddingDefaults.AutoAlsDimension} ")
                + "it fits them at otherwise.";
        return null;
    }

    /// <summary>The line, for a fit with at least one validation point.</summary>
    /// <param name="fit">The fit.</param>
    /// <param name="cutoff">K of the validation Recall.</param>
    /// <param name="tolerance">Auto's tolerance (relative): among the confirmed trials within it of the best, the smallest vectors win.</param>
    public static string Line(GraphEmbeddingResult fit, int cutoff, double tolerance)
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
        string trials = confirmation.Count == 1 ? "leading trial" : "leading trials";
        return line + string.Create(inv, $"{first.Recall:F4} on the screening sample ({first.Candidate}); the {confirmation.Count} {trials} measured again on ")
            + string.Create(inv, $"a larger sample: best {confirmed.Recall:F4} ({confirmed.Candidate}), and Auto keeps the smallest vectors within {tolerance * 100:0.##}% of it");
    }
}
