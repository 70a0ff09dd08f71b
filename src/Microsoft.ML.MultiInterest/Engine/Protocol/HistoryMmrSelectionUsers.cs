namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The validation users' own figures behind a lambda choice (<see cref="HistoryMmrLambdaChoice.PerUser"/>): every
/// candidate the rule weighed, and the two baselines it compared them with, user by user, so that the choice's means can be
/// re-derived and the rule studied on parts of the hold-out (docs/results.md). About 10^4 users x 15 columns x 3 doubles.
/// </summary>
/// <param name="Users">The validation users' rows in the training graph, in the columns' order.</param>
/// <param name="Candidates">
/// One column per candidate, in this order: <see cref="Unimodal"/>, <see cref="Reorder"/> (when the re-ordering baseline
/// was scored), one per lambda (<see cref="LambdaName"/>), then <see cref="OwnReordered"/> and <see cref="UnimodalReordered"/>
/// when they were tried.
/// </param>
public sealed record HistoryMmrSelectionUsers(IReadOnlyList<int> Users, IReadOnlyList<HistoryMmrCandidateUsers> Candidates)
{
    /// <summary>Unimodal's own top 50, the rule's yardstick.</summary>
    public const string Unimodal = "unimodal";

    /// <summary>Unimodal's top 50 re-ordered by MMR (<see cref="HistoryMmrSelectionOptions.ReorderLambda"/>), the re-ordering baseline.</summary>
    public const string Reorder = "reorder_baseline";

    /// <summary>The row's own top 50 re-ordered (<see cref="HistoryMmrLambdaChoice.Reordered"/>; metrics.json's <c>reordered</c>).</summary>
    public const string OwnReordered = "reordered";

    /// <summary>Unimodal's top 50 re-ordered with the interests (<see cref="HistoryMmrLambdaChoice.UnimodalReordered"/>).</summary>
    public const string UnimodalReordered = "unimodal_reordered";

    /// <summary>The column of a lambda re-ranking the row's pool: <c>lambda_0.55</c> (invariant, shortest round-trip form).</summary>
    /// <param name="lambda">The MMR lambda.</param>
    /// <returns>The column name.</returns>
    public static string LambdaName(double lambda) => "lambda_" + lambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The column of a candidate of <paramref name="kind"/> (for a lambda, at <paramref name="lambda"/>).</summary>
    internal static string NameOf(HistoryMmrCandidate kind, double lambda) => kind switch
    {
        HistoryMmrCandidate.OwnReordered => OwnReordered,
        HistoryMmrCandidate.UnimodalReordered => UnimodalReordered,
        _ => LambdaName(lambda),
    };

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No candidate has that name; the message lists those there are.</exception>
    public HistoryMmrCandidateUsers this[string name] => Candidates.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"No candidate '{name}' was scored; there are {string.Join(", ", Candidates.Select(c => c.Name))}.");
}

/// <summary>One candidate's validation figures per user (<see cref="HistoryMmrSelectionUsers"/>).</summary>
/// <param name="Name">The candidate (<see cref="HistoryMmrSelectionUsers.Unimodal"/>, <see cref="HistoryMmrSelectionUsers.LambdaName"/>, ...).</param>
/// <param name="Recall">Recall@50 of each user, in <see cref="HistoryMmrSelectionUsers.Users"/>' order.</param>
/// <param name="Diversity">Diversity@10 of each user, in the same order.</param>
/// <param name="SetDiversity">Diversity@50 of each user (metrics.json's <c>diversity_at_50</c> of the candidate), in the same order.</param>
public sealed record HistoryMmrCandidateUsers(string Name, IReadOnlyList<double> Recall, IReadOnlyList<double> Diversity, IReadOnlyList<double> SetDiversity);
