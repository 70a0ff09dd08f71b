using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Prints each row's catalogue exposure at the largest and smallest K (<see cref="CatalogueExposure"/>): how the lists of
/// every test user together spread over the catalogue, which Diversity@K (one list's spread) does not say.
/// </summary>
internal static class ExposureTable
{
    /// <summary>Each row's exposure per cutoff, computed once for the table and metrics.json.</summary>
    /// <param name="result">The rows and their lists (one per test user, in <see cref="ProtocolResult.TestUsers"/> order).</param>
    /// <param name="train">The training edges: the items' degrees.</param>
    /// <param name="test">The held-out edges over the training graph's rows: the long-tail recall.</param>
    public static Dictionary<string, Dictionary<int, CatalogueExposure>> Of(ProtocolResult result, BipartiteGraph train, BipartiteGraph test)
    {
        var degrees = train.ItemDegrees();
        return result.Methods.ToDictionary(m => m.Name, m => m.Candidates.ToDictionary(p => p.Key, p => CatalogueExposure.Of(p.Value, degrees, test, result.TestUsers)));
    }

    public static void Print(ProtocolResult result, Dictionary<string, Dictionary<int, CatalogueExposure>> exposure, TextWriter log)
    {
        var cutoffs = result.Methods[0].Recall.Keys.Order().ToArray();
        int[] shown = cutoffs.Length > 1 ? [cutoffs[^1], cutoffs[0]] : [cutoffs[0]];
        log.WriteLine();
        log.WriteLine("Catalogue exposure of all test users' lists together: coverage / Gini of item exposure / long-tail share (items outside the "
            + $"top {CatalogueExposure.HeadShare * 100:0}% by training degree) / long-tail recall (of the held-out long-tail items), per list length "
            + "(docs/evaluation-protocol.md, \"Catalogue exposure\")");
        log.WriteLine("| approach | " + string.Join(" | ", shown.Select(k => $"@{k}")) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", shown.Length + 1)));
        foreach (var m in result.Methods)
            log.WriteLine($"| {ResultTable.Label(m.Name)} | " + string.Join(" | ", shown.Select(k =>
                exposure[m.Name].TryGetValue(k, out var e) && double.IsFinite(e.Coverage)
                    ? $"{e.Coverage:F3} / {e.Gini:F3} / {e.LongTailShare:F3} / " + (double.IsFinite(e.LongTailRecall) ? $"{e.LongTailRecall:F4}" : "-")
                    : "-")) + " |");
    }
}
