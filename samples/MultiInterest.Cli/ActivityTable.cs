using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Prints Recall@K and Diversity@K (largest and smallest K) per activity quartile of the test users (training degree).</summary>
internal static class ActivityTable
{
    public static void Print(ProtocolResult result, UnimodalPairs pairs, TextWriter log)
    {
        var first = result.Methods[0];
        if (first.ByActivity.Count == 0) return;
        var cutoffs = first.Recall.Keys.Order().ToArray();
        int recallK = cutoffs[^1], diversityK = cutoffs[0];
        log.WriteLine();
        log.WriteLine($"By user activity (training-degree quartiles): R@{recallK} / D@{diversityK}, both as fractions (the table above gives Recall in %)");
        // The missed users are in no quartile, so the quartiles' recall runs above the table's, which counts them with 0.
        if (result.MissedUsers > 0)
            log.WriteLine($"The quartiles hold the {result.TestUsers.Count:N0} users with a scoreable held-out edge; the {result.MissedUsers:N0} missed "
                + $"user{(result.MissedUsers == 1 ? "" : "s")} (every held-out item, or the user, unseen in training), whom the table above counts in Recall with 0, "
                + $"{(result.MissedUsers == 1 ? "is" : "are")} in none.");
        log.WriteLine("| approach | " + string.Join(" | ", first.ByActivity.Select(Header)) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", first.ByActivity.Count + 1)));
        foreach (var m in result.Methods)
            log.WriteLine($"| {ResultTable.Label(m.Name)} | " + string.Join(" | ", m.ByActivity.Select(g => g.Users == 0 ? "-" : $"{g.Recall[recallK]:F3} / {g.Diversity[diversityK]:F3}")) + " |");
        PrintAgainstUnimodal(result, pairs, recallK, diversityK, log);
        if (first.ByActivity.Any(g => g.Users == 0))
            log.WriteLine("Quartiles cut the users by training degree and keep a degree whole: where many users share a degree, one group "
                + "holds more than a quarter and a later one may be empty.");
    }

    /// <summary>Each row against Unimodal within each quartile, user by user: Recall (points) and Diversity differences ± standard errors.</summary>
    private static void PrintAgainstUnimodal(ProtocolResult result, UnimodalPairs pairs, int recallK, int diversityK, TextWriter log)
    {
        if (pairs.Unimodal is not { } unimodal) return;
        var rows = result.Methods.Select(m => (m, Paired: pairs.For(m.Name))).Where(r => r.Paired is { ByActivity.Count: > 0 }).ToList();
        if (rows.Count == 0) return;
        log.WriteLine();
        log.WriteLine($"Against Unimodal within each quartile, user by user: R@{recallK} (points) / D@{diversityK}, difference ± standard error");
        log.WriteLine("| approach | " + string.Join(" | ", unimodal.ByActivity.Select(Header)) + " |");
        log.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", unimodal.ByActivity.Count + 1)));
        foreach (var (m, paired) in rows)
            log.WriteLine($"| {ResultTable.Label(m.Name)} | " + string.Join(" | ", paired!.ByActivity.Select(g =>
                PairedTable.Format(g.Recall[recallK], 100, 2) + " / " + PairedTable.Format(g.Diversity[diversityK], 1, 3))) + " |");
    }

    /// <summary>A quartile's column: its degree range (one degree alone when every user has it), or "no users" when tied degrees left it empty (every user in an earlier one).</summary>
    private static string Header(GroupEvaluation group) =>
        group.Users == 0 ? $"Q{group.Group + 1}: no users"
        : $"Q{group.Group + 1}: degree {group.LowerDegree}" + (group.UpperDegree > group.LowerDegree ? $"-{group.UpperDegree}" : "") + $", {group.Users:N0} users";
}
