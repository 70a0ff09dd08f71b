using System.CommandLine;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit</c> shares its option groups with <c>evaluate</c>, whose help speaks of report rows and comma lists (one row per
/// value). <c>fit</c> builds one model from one value each, so its help says that instead.
/// </summary>
internal static class FitWording
{
    private static readonly (string Evaluate, string Fit)[] Phrases =
    [
        ("The history-interest MMR row (history_mmr): ", "History-interest MMR (--retriever history-mmr): "),
        ("The history_mmr row's clustered pool: ", "History-interest MMR's clustered pool: "),
        ("The history_mmr row re-orders ", "History-interest MMR re-orders "),
        ("The history_mmr row: ", "History-interest MMR: "),
        (" A comma list gives one row per value.", " One value (evaluate takes a comma list, one row per value)."),
        ("Add the row \"DCM (round robin)\": ", "With --retriever round-robin: the learned model is DCM (fused always is), "),
        (" of each user's history (trains one more model).", " of each user's history."),
        ("Add the rows \"Mixture embeddings (round robin)\" and the equal-size single vector (trains two more models).",
            "With --retriever round-robin: the learned model is the mixture embeddings (Instagram's multi-vector users)."),
        ("The row \"dcm_history_fusion\" (with --dcm and the history-interest MMR row): ", "With --retriever fused: "),
    ];

    /// <summary>Rewrites the descriptions of <paramref name="command"/>'s options that speak of evaluate's rows.</summary>
    public static void Apply(Command command)
    {
        foreach (var option in command.Options)
        {
            if (option.Description is not { } text) continue;
            foreach (var (evaluate, fit) in Phrases) text = text.Replace(evaluate, fit, StringComparison.Ordinal);
            option.Description = text;
        }
    }
}
