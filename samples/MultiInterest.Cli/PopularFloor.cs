using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// The rows that recall less than the popular row at every cutoff: on such a graph their personal lists lose to the
/// catalogue's head, which the table shows but a reader scanning for the multi-interest rows may miss.
/// </summary>
internal static class PopularFloor
{
    /// <summary>The rows below the popular row's Recall@K at every K, in report order; empty without a popular row.</summary>
    public static IReadOnlyList<MethodEvaluation> Below(ProtocolResult result)
    {
        if (result.Methods.FirstOrDefault(m => m.Name == ProtocolEvaluator.PopularName) is not { } popular) return [];
        return result.Methods.Where(m => m != popular && popular.Recall.All(p => m.Recall.TryGetValue(p.Key, out double r) && r < p.Value)).ToList();
    }

    /// <summary>Writes a note naming those rows, with their Recall at the longest cutoff beside the popular row's.</summary>
    public static void Note(ProtocolResult result, TextWriter warnings)
    {
        var below = Below(result);
        if (below.Count == 0) return;
        var popular = result[ProtocolEvaluator.PopularName];
        int k = popular.Recall.Keys.Max();
        string names = string.Join(", ", below.Select(m => ResultTable.Label(m.Name)));
        string figures = string.Join(", ", below.Select(m => m.Recall[k].ToString("F4", CultureInfo.InvariantCulture)));
        // Paired user by user where the rows keep their per-user figures, so a gap within noise reads as one.
        var paired = below.Where(m => m.CanPairWith(popular, out _)).Select(m => m.Against(popular).Recall[k]).ToList();
        string errors = paired.Count != below.Count ? ""
            : "; paired with it user by user " + string.Join(", ", paired.Select(p => string.Create(CultureInfo.InvariantCulture, $"{100 * p.Difference:+0.00;-0.00} ± {100 * p.StandardError:0.00}"))) + " points";
        warnings.WriteLine($"  note: {names} recall{(below.Count == 1 ? "s" : "")} less than Popular (each user's most engaged unseen items) at every K "
            + string.Create(CultureInfo.InvariantCulture, $"(Recall@{k} {figures} against {popular.Recall[k]:F4}{errors}): on this graph {(below.Count == 1 ? "its" : "their")} lists lose to the catalogue's head."));
    }
}
