using Microsoft.Data.Analysis;
using Microsoft.ML.MultiInterest.Engine;
using Names = Microsoft.ML.MultiInterest.MultiInterestColumnNames.Leaderboard;

namespace Microsoft.ML.MultiInterest;

/// <summary>Builds a sweep's leaderboard as a DataFrame (which is also an IDataView).</summary>
internal static class LeaderboardFrame
{
    /// <summary>Full-fidelity trials first by descending objective (ties: earlier first), then the rest the same way.</summary>
    public static IReadOnlyList<SweepTrial> Order(SweepOutcome outcome) =>
        outcome.Trials.OrderByDescending(t => t.Fidelity >= 1).ThenByDescending(t => t.Fidelity).ThenByDescending(t => t.Objective).ThenBy(t => t.Number).ToList();

    public static DataFrame Create(SweepOutcome outcome)
    {
        var trials = Order(outcome);
        var columns = new List<DataFrameColumn>
        {
            new Int32DataFrameColumn(Names.Rank, Enumerable.Range(1, trials.Count)),
            new Int32DataFrameColumn(Names.Trial, trials.Select(t => t.Number)),
            new BooleanDataFrameColumn(Names.IsDefaults, trials.Select(t => t.IsDefaults)),
            new Int32DataFrameColumn(Names.Rung, trials.Select(t => t.Rung)),
            new Int32DataFrameColumn(Names.Users, trials.Select(t => t.Users)),
            new DoubleDataFrameColumn(Names.Fidelity, trials.Select(t => t.Fidelity)),
        };
        // A value the trial does not read (neighbors where lambda = 0 smooths nothing, say) is missing, as the text's "-".
        foreach (var p in outcome.Space.Parameters)
            columns.Add(new StringDataFrameColumn(p.Name, trials.Select(t => t.Reads(p.Name) ? t.Parameters[p.Name] : null)));
        columns.Add(new DoubleDataFrameColumn(Names.Objective, trials.Select(t => t.Objective)));
        columns.Add(new DoubleDataFrameColumn(Names.VersusBest, trials.Select(t => t.VersusBest?.Difference ?? double.NaN)));
        columns.Add(new DoubleDataFrameColumn(Names.VersusBestStandardError, trials.Select(t => t.VersusBest?.StandardError ?? double.NaN)));
        columns.Add(new DoubleDataFrameColumn(Names.Recall, trials.Select(t => t.Recall)));
        columns.Add(new DoubleDataFrameColumn(Names.Ndcg, trials.Select(t => t.Ndcg)));
        columns.Add(new DoubleDataFrameColumn(Names.Diversity, trials.Select(t => t.Diversity)));
        columns.Add(new DoubleDataFrameColumn(Names.Seconds, trials.Select(t => t.Seconds)));
        columns.Add(new DoubleDataFrameColumn(Names.RefitSeconds, trials.Select(t => t.RefitSeconds)));
        columns.Add(new StringDataFrameColumn(Names.ReusedStages, trials.Select(t => string.Join("+", t.ReusedStages).ToLowerInvariant())));
        columns.Add(new BooleanDataFrameColumn(Names.ParetoFront, trials.Select(t => t.OnParetoFront)));
        return new DataFrame(columns);
    }

    /// <summary>
    /// The first <paramref name="rows"/> ranks as aligned text: rank, trial (<c>*</c> the defaults), the validation users it
    /// was scored on (fewer than all for a successive-halving trial of a lower rung), the searched values (<c>-</c> where the
    /// trial does not read one: <c>mmr-lambda</c> beside <c>method=unimodal</c>, say),
    /// the objective, its difference from the best trial's paired user by user with the standard error (<c>-</c> below full
    /// fidelity), the three figures to 4 decimals, and whether the trial is on the Pareto front.
    /// </summary>
    public static string Text(SweepOutcome outcome, int rows)
    {
        var trials = Order(outcome).Take(rows).ToList();
        var parameters = outcome.Space.Parameters.Select(p => p.Name).ToList();
        var header = new List<string> { Names.Rank, Names.Trial, Names.Users }.Concat(parameters)
            .Concat([Names.Objective, "vs best", Names.Recall, Names.Ndcg, Names.Diversity, "Front"]).ToList();
        var cells = trials.Select((t, i) => new List<string> { Integer(i + 1), Integer(t.Number) + (t.IsDefaults ? "*" : ""), Integer(t.Users) }
            .Concat(parameters.Select(p => t.Reads(p) ? t.Parameters[p] : "-"))
            .Concat([Figure(t.Objective), Gap(t.VersusBest), Figure(t.Recall), Figure(t.Ndcg), Figure(t.Diversity), t.OnParetoFront ? "yes" : ""]).ToList()).ToList();
        var widths = header.Select((h, c) => cells.Select(r => r[c].Length).Append(h.Length).Max()).ToList();
        var text = new System.Text.StringBuilder();
        foreach (var line in cells.Prepend(header))
            text.AppendLine(string.Join("  ", line.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        text.AppendLine(trials.Count < outcome.Trials.Count ? $"({Integer(outcome.Trials.Count - trials.Count)} more; * the defaults; - not read by the trial)" : "(* the defaults; - not read by the trial)");
        return text.ToString();
    }

    private static string Integer(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"-0.0012 ± 0.0004" (the best's own row "0"); "-" without a pairing or a standard error.</summary>
    private static string Gap(PairedDifference? gap) =>
        gap is not { } d || !double.IsFinite(d.StandardError) ? "-"
        : d.Difference == 0 && d.StandardError == 0 ? "0"
        : $"{(d.Difference >= 0 ? "+" : "")}{Figure(d.Difference)} ± {Figure(d.StandardError)}";

    private static string Figure(double value) => value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
}
