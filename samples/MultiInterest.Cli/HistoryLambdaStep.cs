using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// How the run's history_mmr lambda was set: given on the command line, chosen on a validation hold-out of this graph's
/// training edges (<see cref="HistoryMmrLambdaSelection"/>), or the library default when there is nothing to choose on.
/// </summary>
/// <param name="Source">"given", "validation" or "default".</param>
/// <param name="Choice">The validation figures, when chosen there.</param>
/// <param name="Reason">Why the default was kept, when it was.</param>
internal sealed record HistoryLambdaOutcome(string Source, HistoryMmrLambdaChoice? Choice = null, string? Reason = null);

/// <summary>The run's step that chooses history_mmr's lambda for the graph at hand, before the test split is scored.</summary>
internal static class HistoryLambdaStep
{
    /// <summary>
    /// Sets <paramref name="row"/>'s lambda: kept when given; otherwise chosen on a hold-out when the run fitted the vectors
    /// (Auto's own hold-out and chosen vectors when the fit kept them, else a new hold-out of <paramref name="train"/> fitted
    /// with the same concrete settings), else the default. Either way the hold-out's interests are built from its histories
    /// unweighted, as the row's and the stage's are (<see cref="Choose"/>).
    /// </summary>
    /// <param name="train">
    /// The edges the vectors were fitted on: under <c>--weights</c> the weighted graph, whose hold-out's vectors then train on
    /// the weights as the run's did.
    /// </param>
    /// <param name="reorderLambda">The re-ordering row's lambda, whose diversity the rule asks for too; null when the run has no such row.</param>
    /// <param name="poolSize">The pool the row re-ranks when it does not re-order its own list (the run's MMR pool).</param>
    /// <param name="recallLeadErrors">Standard errors a candidate changing Unimodal's items must lead it by (<see cref="HistoryMmrSelectionOptions.RecallLeadErrors"/>).</param>
    public static HistoryLambdaOutcome Apply(HistoryMmrRowSettings row, bool given, BipartiteGraph train, GraphEmbeddingOptions requested,
        GraphEmbeddingResult? fit, int threads, ProgressReporter progress, double? reorderLambda, int poolSize,
        double recallLeadErrors = HistoryInterestDefaults.SelectionRecallLeadErrors)
    {
        var log = progress.Out;
        if (given) return new HistoryLambdaOutcome("given");
        string? reason = fit == null ? "the vectors were given, so no hold-out vectors can be fitted"
            : requested.Algorithm == EmbeddingAlgorithm.Auto && fit.ChosenOptions == null ? AutoChoseNothing
            : NoHoldout(train, requested.Seed);
        if (reason != null)
        {
            log.WriteLine($"  history_mmr lambda: the default {Opt.Text(row.MmrLambda)} ({reason}; --history-mmr-lambda sets it).");
            return new HistoryLambdaOutcome("default", Reason: reason);
        }
        var choice = Choose(row, requested.Seed, threads, progress, options => HistoryMmrLambdaSelection.Choose(train, fit!, requested, row, options), reorderLambda, poolSize,
            recallLeadErrors: recallLeadErrors);
        return new HistoryLambdaOutcome("validation", choice);
    }

    /// <summary>
    /// Why the default lambda is kept after Auto's fallback: no hold-out, or a validation cutoff no candidate could be told
    /// apart by (the embedding's settings say which); there are no chosen settings to fit the hold-out's vectors with.
    /// </summary>
    public const string AutoChoseNothing = "Auto chose no vectors on a validation hold-out: its fallback, whose reason the embedding's settings give";

    /// <summary>
    /// Why the selection <see cref="Choose"/> runs with <paramref name="seed"/> would find no hold-out in <paramref name="train"/>
    /// (no user has enough edges, or every edge drawn was its item's last), or null when it would find one.
    /// </summary>
    public static string? NoHoldout(BipartiteGraph train, int seed) =>
        // Until 2026-12-06 only the users' degrees were checked: a graph whose held-out edges all went back to training (items
        // engaged once each) passed, and the selection then ended the run with an error instead of keeping the default.
        HistoryMmrLambdaSelection.WhyNoHoldout(train, SelectionOptions(seed, threads: 0));

    /// <summary>The selection's seed and threads; the hold-out's interests read unweighted histories (see <see cref="Choose"/>).</summary>
    private static HistoryMmrSelectionOptions SelectionOptions(int seed, int threads) => new() { Seed = seed, Threads = threads, HistoryWeights = false };

    /// <summary>
    /// Runs a selection (<paramref name="choose"/>, given the selection options), sets the row's lambda and whether it
    /// re-orders its own list, and reports them.
    /// </summary>
    /// <remarks>
    /// <paramref name="reorderLambda"/> is the re-ordering baseline's lambda (null: none, the ratio alone is the target);
    /// <paramref name="poolSize"/> the pool the lambdas re-rank; <paramref name="listLength"/> the length of the lists the
    /// stage will serve (a re-ordering re-orders that many items, though it was measured on the top 50), or null when the run
    /// serves lists of several lengths; <paramref name="recallLeadErrors"/> the rule's <see cref="HistoryMmrSelectionOptions.RecallLeadErrors"/>.
    /// </remarks>
    public static HistoryMmrLambdaChoice Choose(HistoryMmrRowSettings row, int seed, int threads, ProgressReporter progress,
        Func<HistoryMmrSelectionOptions, HistoryMmrLambdaChoice> choose, double? reorderLambda = MmrRetrieverDefaults.Lambda, int poolSize = MmrRetrieverDefaults.PoolSize,
        int? listLength = null, double recallLeadErrors = HistoryInterestDefaults.SelectionRecallLeadErrors)
    {
        // Only the embedding reads --weights: the history row and stage build their interests from unweighted histories, and
        // so does the hold-out their lambda is chosen on (its vectors still train on the weights).
        var options = SelectionOptions(seed, threads);
        options.ReorderLambda = reorderLambda;
        options.PoolSize = poolSize;
        options.RecallLeadErrors = recallLeadErrors;
        HistoryMmrLambdaChoice choice;
        double defaultLambda = row.MmrLambda; // the row's lambda before the choice: the default, or the stage's
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        using (progress.Begin($"Choosing history_mmr's lambda on a validation hold-out ({options.Lambdas.Length} values, "
            + $"{options.Lambdas.Min().ToString(inv)} to {options.Lambdas.Max().ToString(inv)}"
            + (!options.TryReordering ? ""
                // On Unimodal's pool the row's own top 50 is Unimodal's: the selection tries that one re-ordering only.
                : row.Pool.Search == HistoryPoolSearch.Unimodal ? $", and at {(options.ReorderLambda ?? MmrRetrieverDefaults.Lambda).ToString(inv)} Unimodal's top 50 re-ordered"
                : $", and at {(options.ReorderLambda ?? MmrRetrieverDefaults.Lambda).ToString(inv)} its own top 50 and Unimodal's re-ordered") + ")..."))
            choice = choose(options);
        row.MmrLambda = choice.Lambda;
        row.Reorder = choice.Reorder;
        row.Pool.Search = choice.PoolSearchFor(row.Pool.Search);
        var point = choice.Chosen;
        string served = listLength is { } length ? $"top {length}" : "lists";
        // Three lines: what was chosen, what the hold-out measured, and the rule that chose it (one line of all three ran to
        // 400 characters).
        progress.Out.WriteLine($"  history_mmr lambda {Opt.Text(choice.Lambda)}" + (choice.UnimodalPool ? $", re-ordering Unimodal's {served} with the interests"
            : choice.Reorder ? $", re-ordering its own {served}" : $", pool {poolSize}")
            + $", chosen on {choice.Users:N0} validation user{(choice.Users == 1 ? "" : "s")} ({choice.Seconds:F1} s)");
        progress.Out.WriteLine($"    on them: Recall@50 {point.Recall:F4} vs Unimodal's {choice.UnimodalRecall:F4}"
            + (choice.RecallLead is { } lead && double.IsFinite(lead.StandardError) ? $" (paired: {PairedTable.Format(lead, 100, 2)} points)" : "")
            + DiversityText(point.Diversity, choice.UnimodalDiversity, choice.ReorderDiversity));
        progress.Out.WriteLine($"    rule: {Rule(choice.Rule, choice.RecallLeadErrors)}");
        if (FewUsersWarning(choice.Users, defaultLambda) is { } warning) progress.Warnings.WriteLine(warning);
        return choice;
    }

    /// <summary>The warning for a lambda chosen on fewer than <see cref="MeaningfulUsers"/> validation users, or null for enough of them.</summary>
    /// <param name="users">The validation users the choice was made on.</param>
    /// <param name="defaultLambda">The lambda the run would have without the choice.</param>
    internal static string? FewUsersWarning(int users, double defaultLambda) => users >= MeaningfulUsers ? null
        : $"  warning: history_mmr's lambda was chosen on {Counted.Of(users, "validation user")}, fewer than {MeaningfulUsers}: "
            + "the rule's recall lead in standard errors cannot be read as a test on so few"
            + (users < 2 ? " (on one user there is no standard error at all, and the rule compares the means alone)" : "")
            + $", so the choice may be noise. The default lambda would be {Opt.Text(defaultLambda)} (--history-mmr-lambda {Opt.Text(defaultLambda)} keeps it).";

    /// <summary>
    /// The fewest validation users whose choice is not warned of: 30. The rule reads a candidate's paired recall lead over
    /// Unimodal in standard errors (<see cref="HistoryMmrSelectionOptions.RecallLeadErrors"/>), a z-score, which the usual rule
    /// of thumb trusts as roughly normal from about 30 pairs; below 2 there is no standard error and the means alone decide.
    /// </summary>
    internal const int MeaningfulUsers = 30;

    /// <summary>
    /// The chosen candidate's Diversity@10 as a multiple of Unimodal's (and the re-ordering baseline's), or as itself where
    /// Unimodal's is 0 (validation lists of single items, or of items along one direction): no ratio then.
    /// </summary>
    private static string DiversityText(double diversity, double unimodal, double? reorder) => unimodal > 0
        ? $"; Diversity@10 {diversity / unimodal:F3}x Unimodal's" + (reorder is { } r ? $", the re-ordering baseline's {r / unimodal:F3}x" : "")
        : $"; Diversity@10 {diversity:F4} (Unimodal's is 0: no ratio)" + (reorder is { } b ? $", the re-ordering baseline's {b:F4}" : "");

    /// <summary>The rule's clause in words; <paramref name="leadErrors"/> the standard errors a candidate had to lead Unimodal's recall by.</summary>
    public static string Rule(HistoryMmrSelectionRule rule, double leadErrors = 0) => rule switch
    {
        HistoryMmrSelectionRule.BeatsReordering => $"the best recall among candidates keeping Unimodal's{Keeping(leadErrors)} and reaching both {HistoryInterestDefaults.SelectionDiversityRatio:F2}x its diversity and the re-ordering baseline's",
        HistoryMmrSelectionRule.MeetsBar => $"the best recall among candidates keeping Unimodal's{Keeping(leadErrors)} and reaching {HistoryInterestDefaults.SelectionDiversityRatio:F2}x its diversity",
        // Said of the hold-out: on NetEase no candidate reached it there and the test split's row did (1.143x).
        HistoryMmrSelectionRule.KeepsRecall => $"on the hold-out no candidate reached {HistoryInterestDefaults.SelectionDiversityRatio:F2}x Unimodal's diversity at its recall (the test split may differ): the most diverse of those keeping its recall{Keeping(leadErrors)}; diversities within {HistoryInterestDefaults.SelectionDiversityTie} of each other count as equal, and then the better recall wins",
        _ => $"no candidate kept Unimodal's recall{Keeping(leadErrors)}: the best recall",
    };

    /// <summary>
    /// How a candidate kept Unimodal's recall, in words, when the rule asked for a lead in standard errors: one that changes
    /// Unimodal's items by that lead, a re-ordering of Unimodal's list by construction (its paired difference is 0 ± 0).
    /// </summary>
    private static string Keeping(double leadErrors) => leadErrors > 0
        ? $" (a candidate changing its items by leading it by at least {Opt.Text(leadErrors)} standard error{(leadErrors == 1 ? "" : "s")}, a re-ordering of its list by construction; a candidate that changes the items without that lead is set aside)"
        : "";

    /// <summary>The rule's clause as metrics.json names it.</summary>
    public static string RuleName(HistoryMmrSelectionRule rule) => rule switch
    {
        HistoryMmrSelectionRule.BeatsReordering => "beats_reordering",
        HistoryMmrSelectionRule.MeetsBar => "meets_bar",
        HistoryMmrSelectionRule.KeepsRecall => "keeps_recall",
        _ => "best_recall",
    };
}
