namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Why a sweep stopped.</summary>
public enum SweepStopReason
{
    /// <summary>The strategy had nothing left to try.</summary>
    Exhausted,

    /// <summary>
    /// <see cref="SweepOptions.MaxTrials"/> trials ran and the space holds distinct trials not run (or is too large to count
    /// them, or the strategy is successive halving); a space whose distinct trials all ran within the budget is <see cref="Exhausted"/>.
    /// </summary>
    TrialBudget,

    /// <summary><see cref="SweepOptions.TimeBudget"/> ran out.</summary>
    TimeBudget,

    /// <summary>The caller's cancellation token was cancelled.</summary>
    Cancelled,
}

/// <summary>The result of <see cref="SweepRunner.Run"/>: every trial, the best, and what stage reuse saved.</summary>
public sealed class SweepOutcome
{
    /// <summary>The trials in the order run.</summary>
    public required IReadOnlyList<SweepTrial> Trials { get; init; }

    /// <summary>The full-fidelity trial with the highest objective (ties: the earlier), or null if none finished.</summary>
    public SweepTrial? Best { get; init; }

    /// <summary>The defaults trial, or null.</summary>
    public SweepTrial? Defaults { get; init; }

    /// <summary>The full-fidelity trials on the Recall@K / Diversity@K Pareto front, by descending Recall.</summary>
    public required IReadOnlyList<SweepTrial> ParetoFront { get; init; }

    /// <summary>How many times each stage was fitted (cache misses).</summary>
    public required IReadOnlyDictionary<SweepStage, int> StageFits { get; init; }

    /// <summary>Wall-clock seconds of the search (split, trials).</summary>
    public double Seconds { get; init; }

    /// <summary>Seconds of the validation split.</summary>
    public double SplitSeconds { get; init; }

    /// <summary>Estimated seconds of the same trials refitting every stage (the sum of <see cref="SweepTrial.RefitSeconds"/>).</summary>
    public double RefitEverySeconds { get; init; }

    /// <summary>The speed-up of stage reuse: <see cref="RefitEverySeconds"/> over the seconds the trials took.</summary>
    public double Speedup { get; init; }

    /// <summary>Why the sweep stopped.</summary>
    public SweepStopReason StopReason { get; init; }

    /// <summary>The seed used.</summary>
    public int Seed { get; init; }

    /// <summary>The searched space.</summary>
    public required SweepSearchSpace Space { get; init; }

    /// <summary>The options used.</summary>
    public required SweepOptions Options { get; init; }

    /// <summary>
    /// The training edges every trial fitted on: the sweep's training graph less <see cref="Validation"/>, on the same user
    /// and item indices (and weights); with <see cref="Validation"/>, a partition of the training graph's edges. Null for an
    /// outcome not made by <see cref="SweepRunner.Run"/>.
    /// </summary>
    public BipartiteGraph? InnerTrain { get; init; }

    /// <summary>
    /// The validation hold-out every trial was scored on (<see cref="SweepOptions.ValidationFraction"/>, seeded by
    /// <see cref="Seed"/>), on the training graph's user and item indices, unweighted; null for an outcome not made by
    /// <see cref="SweepRunner.Run"/>. The trials score the users holding a validation edge, or
    /// <see cref="SweepOptions.ValidationUsers"/> of them drawn with the seed.
    /// </summary>
    public BipartiteGraph? Validation { get; init; }
}
