namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The lambda chosen for a graph and the validation figures it was chosen on.</summary>
/// <param name="Lambda">The chosen MMR relevance weight.</param>
/// <param name="Rule">The clause of the rule that chose it.</param>
/// <param name="Points">Validation Recall@50 and Diversity@10 of every lambda tried, ascending.</param>
/// <param name="UnimodalRecall">Unimodal's validation Recall@50 on the same users.</param>
/// <param name="UnimodalDiversity">Unimodal's validation Diversity@10 on the same users.</param>
/// <param name="Users">Validation users scored.</param>
/// <param name="Seconds">Wall time of the selection, the hold-out's embedding fit included.</param>
/// <param name="ReorderDiversity">
/// Validation Diversity@10 of the re-ordering baseline on the same users (<see cref="HistoryMmrSelectionOptions.ReorderLambda"/>),
/// or null when it was left out.
/// </param>
/// <param name="Reorder">
/// Whether the chosen candidate is the row's own top 50 re-ordered (<see cref="HistoryMmrRowSettings.Reorder"/>, at
/// <see cref="Lambda"/>) rather than a lambda re-ranking the wider pool.
/// </param>
/// <param name="Reordered">
/// Validation figures of that re-ordering candidate (its <see cref="FrontierPoint.Value"/> the lambda it re-orders at), or
/// null when it was not tried (<see cref="HistoryMmrSelectionOptions.TryReordering"/>).
/// </param>
/// <param name="PoolSize">The pool the lambdas re-ranked (<see cref="HistoryMmrSelectionOptions.PoolSize"/>).</param>
/// <param name="UnimodalPool">
/// Whether the chosen candidate is Unimodal's top 50 re-ordered with the interests (<see cref="HistoryPoolSearch.Unimodal"/>,
/// with <see cref="Reorder"/> also set): the fallback that keeps Unimodal's items.
/// </param>
/// <param name="UnimodalReordered">Validation figures of that candidate, or null when it was not tried.</param>
public sealed record HistoryMmrLambdaChoice(double Lambda, HistoryMmrSelectionRule Rule, IReadOnlyList<FrontierPoint> Points,
    double UnimodalRecall, double UnimodalDiversity, int Users, double Seconds, double? ReorderDiversity = null, bool Reorder = false,
    FrontierPoint? Reordered = null, int PoolSize = MmrRetrieverDefaults.PoolSize, bool UnimodalPool = false, FrontierPoint? UnimodalReordered = null)
{
    /// <summary>
    /// The chosen candidate against Unimodal on the validation users, user by user: its Recall@50 minus Unimodal's, mean and
    /// standard error (<see cref="PairedDifference"/>). A lead within a standard error or two is one the hold-out can hardly
    /// tell from none, and the test split may then go either way; the rule asks for <see cref="RecallLeadErrors"/> of them
    /// before a candidate changing Unimodal's items counts as keeping its recall. Null when not measured.
    /// </summary>
    public PairedDifference? RecallLead { get; init; }

    /// <summary>
    /// The standard errors a candidate changing Unimodal's items had to lead it by to keep its recall
    /// (<see cref="HistoryMmrSelectionOptions.RecallLeadErrors"/>; 0: the mean alone).
    /// </summary>
    public double RecallLeadErrors { get; init; }

    /// <summary>
    /// Every candidate's Recall@50 lead over Unimodal on the validation users, paired user by user, by its
    /// <see cref="HistoryMmrSelectionUsers"/> column name (<c>lambda_0.7</c>, <c>reordered</c>, <c>unimodal_reordered</c>): what
    /// the rule's test of <see cref="RecallLeadErrors"/> read. Null when not measured.
    /// </summary>
    public IReadOnlyDictionary<string, PairedDifference>? RecallLeads { get; init; }

    /// <summary>The chosen candidate's Diversity@10 minus Unimodal's on the validation users, user by user; null when not measured.</summary>
    public PairedDifference? DiversityLead { get; init; }

    /// <summary>
    /// Every candidate's and both baselines' Recall@50 and Diversity@10 on each validation user, from which the means above
    /// and the leads are computed; null when not kept.
    /// </summary>
    public HistoryMmrSelectionUsers? PerUser { get; init; }

    /// <summary>The validation figures of the chosen candidate.</summary>
    public FrontierPoint Chosen => UnimodalPool ? UnimodalReordered!.Value : Reorder ? Reordered!.Value : Points.First(p => p.Value == Lambda);

    /// <summary>
    /// The pool a stage serving <paramref name="candidates"/> items should re-rank for this choice: the list's own length when
    /// re-ordering was chosen, else <see cref="PoolSize"/> (<see cref="MmrRetrieverEstimator.Options.PoolSize"/>).
    /// </summary>
    /// <param name="candidates">The stage's list length M.</param>
    /// <returns>The pool size.</returns>
    public int PoolFor(int candidates) => HistoryMmrRowSettings.PoolFor(Reorder, candidates, PoolSize);

    /// <summary>
    /// The pool search a stage should use for this choice: <see cref="HistoryPoolSearch.Unimodal"/> when Unimodal's list
    /// re-ordered was chosen, else the one it asked for (<paramref name="requested"/>, which the other candidates used).
    /// </summary>
    /// <param name="requested">The pool search the stage was configured with.</param>
    /// <returns>The pool search to use.</returns>
    public HistoryPoolSearch PoolSearchFor(HistoryPoolSearch requested) => UnimodalPool ? HistoryPoolSearch.Unimodal : requested;
}
