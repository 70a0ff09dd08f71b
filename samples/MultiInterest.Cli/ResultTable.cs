using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Prints the paper-style table (Recall@K, Diversity@K and EMD per method, in the paper's column layout so it reads
/// beside the paper's), then NDCG@K per method in a block of its own (the kNN-Embed paper does not report it).
/// </summary>
internal static class ResultTable
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        [ProtocolEvaluator.UnimodalName] = "Unimodal",
        ["mmr"] = "MMR",
        [ProtocolEvaluator.ReorderMmrName] = "MMR re-ordering Unimodal's list",
        ["mixture"] = "Mixture",
        ["knn_embed"] = "kNN-Embed",
        ["knn_embed_tuned"] = "kNN-Embed (tuned)",
        ["knn_embed_round_robin"] = "kNN-Embed (round robin)",
        ["interest_mmr"] = "Multi-interest MMR",
        [ProtocolEvaluator.HistoryMmrName] = "History-interest MMR",
        [ProtocolEvaluator.PopularName] = "Popular",
        [MixtureRows.MixtureName] = "Mixture embeddings (round robin)",
        [MixtureRows.ControlName] = "Single vector, C_s x d",
        [DcmFlags.RowName] = "DCM (round robin)",
        [MixtureRows.MixtureName + DcmFlags.QuotaSuffix] = "Mixture embeddings + cluster quotas",
        [DcmFlags.RowName + DcmFlags.QuotaSuffix] = "DCM + cluster quotas",
        [DcmFlags.FusionRowName] = "DCM + history-interest MMR (fused)",
        [DivideConquerFlags.RowName] = "Divide-and-conquer (cluster quotas)",
    };

    /// <summary>The label of method <paramref name="name"/> in the tables and the plot.</summary>
    public static string Label(string name) => Labels.GetValueOrDefault(name, name);

    /// <summary>Prints the table; <paramref name="leftOutUsers"/>: test users left out by --unseen drop (no held-out item seen in training).</summary>
    public static void Print(ProtocolResult result, bool showPaper, TextWriter log, int leftOutUsers = 0)
    {
        var cutoffs = result.Methods[0].Recall.Keys.Order().ToArray();
        string header = "| approach | " + string.Join(" | ", cutoffs.Select(k => $"R@{k}")) + " | " + string.Join(" | ", cutoffs.Select(k => $"D@{k}")) + " | EMD |";
        log.WriteLine();
        log.WriteLine(result.MissedUsers == 0
            ? $"Measured on {result.TestUsers.Count:N0} test users"
              + (leftOutUsers > 0 ? $" ({leftOutUsers:N0} more left out by --unseen drop: no held-out item of theirs is seen in training):" : ":")
            // Say which users each figure averages, so that a reader re-deriving them from the exported lists gets the same.
            : $"Measured on {result.TestUsers.Count:N0} test users with lists, plus {result.MissedUsers:N0} with no held-out item seen in training"
              + $" (no list; 0 in Recall and NDCG, which average all {result.TestUsers.Count + result.MissedUsers:N0}; Diversity and EMD average the"
              + $" {result.TestUsers.Count:N0} with lists):");
        log.WriteLine(header);
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", 2 * cutoffs.Length + 2)));
        foreach (var m in result.Methods)
        {
            log.WriteLine($"| {Label(m.Name)} | "
                + string.Join(" | ", cutoffs.Select(k => $"{m.Recall[k]:P2}")) + " | "
                + string.Join(" | ", cutoffs.Select(k => $"{m.Diversity[k]:F3}")) + (double.IsNaN(m.Emd) ? " | - |" : $" | {m.Emd:F3} |"));
        }
        log.WriteLine();
        log.WriteLine("NDCG@K (binary gains; not in the kNN-Embed paper):");
        log.WriteLine("| approach | " + string.Join(" | ", cutoffs.Select(k => $"N@{k}")) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", cutoffs.Length + 1)));
        foreach (var m in result.Methods)
            log.WriteLine($"| {Label(m.Name)} | " + string.Join(" | ", cutoffs.Select(k => $"{m.Ndcg[k]:F4}")) + " |");
        // The tables name rows for reading; metrics.json, candidates.tsv and the options name them by key.
        log.WriteLine();
        log.WriteLine("Row keys (metrics.json, --export files): " + string.Join("; ", result.Methods.Select(m => $"{Label(m.Name)} = {m.Name}")) + ".");
        log.WriteLine("EMD compares each user's representation (its vector or mixture), not its list, with its held-out items: rows that share a representation share it"
            + (result.Methods.Any(m => double.IsNaN(m.Emd)) ? "; a row without one (Popular) has none (-)." : "."));
        if (!showPaper) return;
        log.WriteLine();
        log.WriteLine("The kNN-Embed paper (its own split and embeddings):");
        log.WriteLine("| approach | R@10 | R@20 | R@50 | D@10 | D@20 | D@50 | EMD |");
        log.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, row) in PaperReference.Rows)
            log.WriteLine($"| {Labels[name]} | " + string.Join(" | ", row.Recall.Select(r => $"{r:P1}")) + " | "
                + string.Join(" | ", row.Diversity.Select(d => $"{d:F2}")) + $" | {row.Emd:F3} |");
    }
}
