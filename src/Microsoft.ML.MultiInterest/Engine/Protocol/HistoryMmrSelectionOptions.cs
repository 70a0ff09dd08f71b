namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How <see cref="HistoryMmrLambdaSelection"/> chooses the history-interest MMR row's lambda for a graph: on a validation
/// hold-out carved from the training edges, by a rule fixed in advance (<see cref="HistoryMmrSelectionRule"/>).
/// </summary>
public sealed class HistoryMmrSelectionOptions
{
    /// <summary>The lambdas tried, strictly ascending in [0, 1]. Default <see cref="HistoryInterestDefaults.SelectionLambdas"/>.</summary>
    public double[] Lambdas { get; set; } = [.. HistoryInterestDefaults.SelectionLambdas];

    /// <summary>The diversity target: Diversity@10 at least this multiple of Unimodal's. Default <see cref="HistoryInterestDefaults.SelectionDiversityRatio"/>.</summary>
    public double DiversityRatio { get; set; } = HistoryInterestDefaults.SelectionDiversityRatio;

    /// <summary>
    /// MMR lambda of the re-ordering baseline (Unimodal's top 50 re-ordered by MMR, the protocol's
    /// <see cref="ProtocolEvaluator.ReorderMmrName"/> row), whose validation Diversity@10 the rule's first clause asks the
    /// row to reach too, so that the chosen lambda beats that baseline on both axes where some lambda can; null leaves the
    /// baseline out (the diversity target is then <see cref="DiversityRatio"/> alone). Default <see cref="MmrRetrieverDefaults.Lambda"/>,
    /// the row's own default.
    /// </summary>
    public double? ReorderLambda { get; set; } = MmrRetrieverDefaults.Lambda;

    /// <summary>
    /// Also try the row's own top 50 re-ordered (<see cref="HistoryMmrRowSettings.Reorder"/>) at the re-ordering
    /// baseline's lambda (<see cref="ReorderLambda"/>, or <see cref="MmrRetrieverDefaults.Lambda"/> without a baseline):
    /// the baseline's own re-ordering applied to the row's ranking, one more candidate for the rule; and after it Unimodal's
    /// own top 50 re-ordered with the interests (<see cref="HistoryPoolSearch.Unimodal"/>), which keeps Unimodal's recall.
    /// Default <see cref="HistoryInterestDefaults.SelectionTriesReordering"/>.
    /// </summary>
    public bool TryReordering { get; set; } = HistoryInterestDefaults.SelectionTriesReordering;

    /// <summary>Recall@50 differences below this count as ties, broken by diversity. Default <see cref="HistoryInterestDefaults.SelectionRecallTie"/>.</summary>
    public double RecallTie { get; set; } = HistoryInterestDefaults.SelectionRecallTie;

    /// <summary>Diversity@10 differences below this count as ties, broken by recall. Default <see cref="HistoryInterestDefaults.SelectionDiversityTie"/>.</summary>
    public double DiversityTie { get; set; } = HistoryInterestDefaults.SelectionDiversityTie;

    /// <summary>
    /// A candidate that changes the list's items (a lambda, or the row's own top 50 re-ordered) counts as keeping Unimodal's
    /// Recall@50 only when its lead over Unimodal, paired over the validation users, is at least this many standard errors
    /// (<see cref="PairedDifference"/>); Unimodal's own list re-ordered with the interests leads by exactly 0 with no error,
    /// so it always does. 0 = the mean at least Unimodal's, the rule before 2026-12-03. Default
    /// <see cref="HistoryInterestDefaults.SelectionRecallLeadErrors"/>.
    /// </summary>
    public double RecallLeadErrors { get; set; } = HistoryInterestDefaults.SelectionRecallLeadErrors;

    /// <summary>At most this many validation users are scored (a seeded sample); 0 = all. Default <see cref="HistoryInterestDefaults.SelectionUsers"/>.</summary>
    public int MaxUsers { get; set; } = HistoryInterestDefaults.SelectionUsers;

    /// <summary>Share of each user's training edges held out (users with at least three). Default <see cref="GraphEmbeddingDefaults.ValidationFraction"/>.</summary>
    public double ValidationFraction { get; set; } = GraphEmbeddingDefaults.ValidationFraction;

    /// <summary>Seed of the hold-out and the user sample. Default <see cref="GraphEmbeddingDefaults.Seed"/>.</summary>
    public int Seed { get; set; } = GraphEmbeddingDefaults.Seed;

    /// <summary>The unimodal top N the row re-ranks. Default <see cref="MmrRetrieverDefaults.PoolSize"/>.</summary>
    public int PoolSize { get; set; } = MmrRetrieverDefaults.PoolSize;

    /// <summary>
    /// Whether the hold-out's histories keep the training graph's edge weights, which then shape the interests (their
    /// fold-ins and shares) as they do in the engine's history row over a weighted graph; the hold-out's vectors train on the
    /// weights either way. false builds the interests from the histories alone, as the ML.NET
    /// <see cref="MmrRetrieverEstimator"/> does (it reads no weights): the choice for a pipeline whose GraphEmbedding alone
    /// reads a weight column. Default true.
    /// </summary>
    public bool HistoryWeights { get; set; } = true;

    /// <summary>Degree of parallelism; 0 = all cores. The choice does not depend on it.</summary>
    public int Threads { get; set; }

    /// <summary>A deep copy.</summary>
    /// <returns>A new copy with its own lambda list.</returns>
    public HistoryMmrSelectionOptions Clone()
    {
        var copy = (HistoryMmrSelectionOptions)MemberwiseClone();
        copy.Lambdas = [.. Lambdas];
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Lambdas == null || Lambdas.Length == 0) throw new ArgumentOutOfRangeException(nameof(Lambdas), "Lambdas must hold at least one value.");
        for (int i = 0; i < Lambdas.Length; i++)
        {
            if (!(Lambdas[i] >= 0 && Lambdas[i] <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambdas), Lambdas[i], "Lambdas must lie in [0, 1].");
            if (i > 0 && Lambdas[i] <= Lambdas[i - 1]) throw new ArgumentOutOfRangeException(nameof(Lambdas), Lambdas[i], "Lambdas must be strictly ascending.");
        }
        if (!double.IsFinite(DiversityRatio) || DiversityRatio <= 0) throw new ArgumentOutOfRangeException(nameof(DiversityRatio), DiversityRatio, "DiversityRatio must be finite and positive.");
        if (ReorderLambda is { } reorder && !(reorder >= 0 && reorder <= 1))
            throw new ArgumentOutOfRangeException(nameof(ReorderLambda), reorder, "ReorderLambda must lie in [0, 1] (null for no re-ordering baseline).");
        if (!double.IsFinite(RecallTie) || RecallTie < 0) throw new ArgumentOutOfRangeException(nameof(RecallTie), RecallTie, "RecallTie must be finite and non-negative.");
        if (!double.IsFinite(DiversityTie) || DiversityTie < 0) throw new ArgumentOutOfRangeException(nameof(DiversityTie), DiversityTie, "DiversityTie must be finite and non-negative.");
        if (!double.IsFinite(RecallLeadErrors) || RecallLeadErrors < 0)
            throw new ArgumentOutOfRangeException(nameof(RecallLeadErrors), RecallLeadErrors, "RecallLeadErrors must be finite and non-negative (0: the mean alone).");
        if (MaxUsers < 0) throw new ArgumentOutOfRangeException(nameof(MaxUsers), MaxUsers, "MaxUsers must be 0 (all) or positive.");
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must lie in (0, 1).");
        if (PoolSize < 1) throw new ArgumentOutOfRangeException(nameof(PoolSize), PoolSize, "PoolSize must be at least 1.");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 0 (all cores) or positive.");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
    }
}
