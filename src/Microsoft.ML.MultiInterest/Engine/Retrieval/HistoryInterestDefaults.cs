namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of history interests (<see cref="HistoryInterests"/>) and of the MMR row built on them, in one
/// place: <see cref="HistoryInterestOptions"/>, the protocol's <see cref="HistoryMmrRowSettings"/> and the command line
/// start from these values.
/// </summary>
public static class HistoryInterestDefaults
{
    /// <summary>
    /// History items per interest: 1. A user with n training items gets min(<see cref="MaxInterests"/>, max(1, n / 1))
    /// interests: every item is its own interest until there are more items than interests. On cit-HepPh's validation
    /// hold-out (docs/results.md), among settings with Diversity@10 at least 1.10x Unimodal's, 1 gave Recall@50 0.6946 at
    /// 1.122x; the best with 2 gave 0.6948 at 1.105x and the best with 3 gave 0.6935 at 1.107x.
    /// </summary>
    public const int ItemsPerInterest = 1;

    /// <summary>Most interests per user: 6.</summary>
    public const int MaxInterests = 6;

    /// <summary>Spherical k-means iterations over a user's history: 10 (histories are short; it settles in a few).</summary>
    public const int Iterations = 10;

    /// <summary>λ of each interest's least-squares fold-in: <see cref="ImplicitAlsDefaults.Regularization"/>.</summary>
    public const double Regularization = ImplicitAlsDefaults.Regularization;

    /// <summary>ν of the fold-in's penalty λ (n_c + α0 |I|)^ν: <see cref="ImplicitAlsDefaults.RegularizationExponent"/>.</summary>
    public const double RegularizationExponent = ImplicitAlsDefaults.RegularizationExponent;

    /// <summary>α0, the fold-in's weight on every item's squared score: <see cref="ImplicitAlsDefaults.UnobservedWeight"/>.</summary>
    public const double UnobservedWeight = ImplicitAlsDefaults.UnobservedWeight;

    /// <summary>
    /// The MMR relevance weight of history-interest MMR: 0.75. On cit-HepPh's validation hold-out, the largest Recall@50
    /// among the settings tried whose Diversity@10 is at least 1.10x Unimodal's, recall differences under 0.0005 counting
    /// as ties broken by diversity (docs/results.md). The protocol's row, the command line and
    /// <see cref="Microsoft.ML.MultiInterest.MultiInterestCatalog.HistoryInterestMmr"/> start from it. Where a run can choose
    /// on a hold-out, <see cref="HistoryMmrLambdaSelection"/> does, and its rule, which also asks for the re-ordering
    /// baseline's diversity, takes 0.7 on cit-HepPh.
    /// </summary>
    public const double MmrLambda = 0.75;

    /// <summary>
    /// nu, the weight of the proportionality term of history-interest MMR (<see cref="HistoryInterestRetriever"/>): 0.5,
    /// chosen with the MMR lambda on cit-HepPh's validation hold-out (docs/results.md).
    /// </summary>
    public const double InterestWeight = 0.5;

    /// <summary>
    /// The lambdas <see cref="HistoryMmrLambdaSelection"/> tries on a graph's validation hold-out: 0.5, 0.55, ..., 1 (below
    /// 0.5 no graph measured kept Unimodal's recall).
    /// </summary>
    public static IReadOnlyList<double> SelectionLambdas { get; } = Enumerable.Range(10, 11).Select(i => i / 20.0).ToArray();

    /// <summary>
    /// Whether <see cref="HistoryMmrLambdaSelection"/> also tries the row re-ordering its own top M (a pool as long as the
    /// list, <see cref="HistoryMmrRowSettings.Reorder"/>) beside the lambdas re-ranking the wider pool: true. That candidate
    /// keeps the best-score ranking's Recall@50 and diversifies only the head, as the protocol's re-ordering row does with
    /// Unimodal's list; and Unimodal's own top M re-ordered with the interests (<see cref="HistoryPoolSearch.Unimodal"/>).
    /// </summary>
    public const bool SelectionTriesReordering = true;

    /// <summary>The selection's diversity target: Diversity@10 at least 1.10x Unimodal's (the bar).</summary>
    public const double SelectionDiversityRatio = 1.10;

    /// <summary>The selection's recall tie: Recall@50 differences under 0.0005 count as ties, broken by diversity (as when the defaults were chosen).</summary>
    public const double SelectionRecallTie = 0.0005;

    /// <summary>
    /// The selection's diversity tie: Diversity@10 differences under 0.0005 count as ties, broken by recall (the recall
    /// tie's counterpart, added 2026-12-02 when a 0.0001 edge in diversity cost 0.006 of validation Recall@50).
    /// </summary>
    public const double SelectionDiversityTie = 0.0005;

    /// <summary>
    /// The selection's recall test: a candidate that changes the list's items (a lambda, or the row's own top M re-ordered)
    /// keeps Unimodal's Recall@50 only when its paired validation lead is at least 1 standard error; Unimodal's own list
    /// re-ordered leads by exactly 0 and always keeps it. Chosen by a split-half study of 13 graphs' hold-outs by a criterion
    /// fixed in advance (docs/results.md, "A lead the hold-out cannot tell from noise"); 0 is the rule before it (the mean
    /// at least Unimodal's).
    /// </summary>
    public const double SelectionRecallLeadErrors = 1.0;

    /// <summary>
    /// Test users per block when the protocol evaluates the history row (<see cref="ProtocolEvaluator"/>): 4,096. Only one
    /// block's interest vectors are held at once (about 75 MB at d = 768); the figures do not depend on it.
    /// </summary>
    public const int EvaluationBlockUsers = 4_096;

    /// <summary>Validation users the selection scores, at most: 10,000 (a seeded sample; about 0.003 of Recall@50 noise between lambdas is far less).</summary>
    public const int SelectionUsers = 10_000;
}
