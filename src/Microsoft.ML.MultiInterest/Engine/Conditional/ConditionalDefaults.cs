namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The defaults of conditional retrieval (<see cref="ConditionalOptions"/>, <see cref="ConditionalRetrievalOptions"/>), in one place.</summary>
public static class ConditionalDefaults
{
    /// <summary>Training epochs over the edges: 5.</summary>
    public const int Epochs = 5;

    /// <summary>Adagrad learning rate of the condition parameters: 0.05.</summary>
    public const float LearningRate = 0.05f;

    /// <summary>Negatives per edge drawn from the target's own condition (hard negatives): 10.</summary>
    public const int HardNegatives = 10;

    /// <summary>Negatives per edge drawn uniformly from all items: 10.</summary>
    public const int GlobalNegatives = 10;

    /// <summary>τ, the softmax temperature relative to the mean training score ⟨u, i⟩: 0.2.</summary>
    public const float Temperature = 0.2f;

    /// <summary>λ, the L2 penalty on the condition vectors t_c: 0.001.</summary>
    public const float L2 = 1e-3f;

    /// <summary>Seed of the shuffles and negative draws: 1.</summary>
    public const int Seed = 1;

    /// <summary>Conditions per user at most (its most frequent ones in its history): 5.</summary>
    public const int MaxConditions = 5;

    /// <summary>Share of the quota weight given to the implicit components when both kinds are merged: 0.5.</summary>
    public const double ImplicitShare = 0.5;

    /// <summary>
    /// The implicit components' share in the pipeline stage (<c>ConditionalRetrieverEstimator</c>): 0, the conditions alone,
    /// so the stage reads no mixture columns unless asked to merge them.
    /// </summary>
    public const double StageImplicitShare = 0.0;

    /// <summary>Quota exponent over the union of explicit and implicit components: 1.</summary>
    public const double Alpha = 1.0;

    /// <summary>
    /// The unimodal ranking that fills a conditional list of M (and holds its head) is this many times M long: 2, since the
    /// conditions' quotas may already hold its first items.
    /// </summary>
    public const int FillFactor = 2;

    /// <summary>
    /// The fill ranking's length for lists of <paramref name="candidates"/> over <paramref name="items"/> items:
    /// <see cref="FillFactor"/> × M, but never past the catalogue (a longer ranking holds the same items, and its slots are
    /// allocated) nor, for M up to <see cref="RetrievalLimits.MaxCandidates"/>, past that bound.
    /// </summary>
    internal static int FillLength(int candidates, int items) =>
        (int)Math.Min((long)FillFactor * candidates, Math.Max(candidates, Math.Min(items, RetrievalLimits.MaxCandidates)));
}
