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

    /// <summary>
    /// The exposure table at the largest and smallest K, then each row's long-tail recall against Unimodal's, user by user,
    /// at the same K (when <paramref name="pairs"/> hold them).
    /// </summary>
    public static void Print(ProtocolResult result, Dictionary<string, Dictionary<int, CatalogueExposure>> exposure, UnimodalPairs pairs, TextWriter log)
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
        PrintLongTailPairs(result, pairs, shown, log);
    }

    /// <summary>Each row's long-tail recall minus Unimodal's, in points, at the cutoffs <paramref name="shown"/>, as the "Against Unimodal" table prints Recall.</summary>
    private static void PrintLongTailPairs(ProtocolResult result, UnimodalPairs pairs, int[] shown, TextWriter log)
    {
        var rows = result.Methods.Where(m => m != pairs.Unimodal).ToList();
        var users = rows.Select(m => pairs.LongTailFor(m.Name)).FirstOrDefault(p => p is { Count: > 0 })?.Values.First().Users;
        // No table without Unimodal or without a user holding out a long-tail item (the exposure table says "-" then).
        if (pairs.Unimodal == null || users is null or 0) return;
        log.WriteLine();
        log.WriteLine($"Long-tail recall against Unimodal, user by user over the {users:N0} test users holding out a long-tail item: "
            + "mean difference ± standard error (points)");
        log.WriteLine("| approach | " + string.Join(" | ", shown.Select(k => $"@{k}")) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", shown.Length + 1)));
        foreach (var m in rows)
        {
            if (pairs.LongTailFor(m.Name) is not { } paired)
            {
                log.WriteLine($"| {ResultTable.Label(m.Name)} | n/a: {pairs.RefusalFor(m.Name)} |");
                continue;
            }
            log.WriteLine($"| {ResultTable.Label(m.Name)} | "
                + string.Join(" | ", shown.Select(k => paired.TryGetValue(k, out var d) ? PairedTable.Format(d, 100, 2) : "-")) + " |");
        }
    }
}
