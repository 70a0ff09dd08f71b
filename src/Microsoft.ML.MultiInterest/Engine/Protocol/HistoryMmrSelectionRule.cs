namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Which clause of the selection rule chose a lambda (<see cref="HistoryMmrLambdaSelection"/>).</summary>
public enum HistoryMmrSelectionRule
{
    /// <summary>
    /// Some lambdas kept Unimodal's validation Recall@50 (led it by <see cref="HistoryMmrSelectionOptions.RecallLeadErrors"/>
    /// standard errors) and reached the diversity target: the one with the best recall.
    /// </summary>
    MeetsBar,

    /// <summary>
    /// Some lambdas kept Unimodal's validation Recall@50 and reached both the diversity target and the re-ordering baseline's
    /// Diversity@10 (<see cref="HistoryMmrSelectionOptions.ReorderLambda"/>): the one with the best recall. Checked first.
    /// </summary>
    BeatsReordering,

    /// <summary>Some candidates kept Unimodal's recall (the same test), none reached the diversity target: the most diverse of them.</summary>
    KeepsRecall,

    /// <summary>No candidate kept Unimodal's recall (the same test): the one with the best recall.</summary>
    BestRecall,
}
