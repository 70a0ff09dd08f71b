namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The defaults of <see cref="SweepOptions"/>, in one place.</summary>
public static class SweepDefaults
{
    /// <summary>The strategy: <see cref="SweepStrategy.Grid"/>.</summary>
    public const SweepStrategy Strategy = SweepStrategy.Grid;

    /// <summary>The metric optimised: <see cref="SweepMetric.Recall"/>.</summary>
    public const SweepMetric Metric = SweepMetric.Recall;

    /// <summary>K of the optimised metric: 50 (the paper's largest cutoff).</summary>
    public const int Cutoff = 50;

    /// <summary>Weight of Diversity@K in <see cref="SweepMetric.RecallDiversity"/>: 0.5.</summary>
    public const double DiversityWeight = 0.5;

    /// <summary>Trials of the random and local strategies when no trial budget is given: 30 (the grid and successive halving end on their own).</summary>
    public const int MaxTrials = 30;

    /// <summary>
    /// The most configurations a <see cref="SweepStrategy.Grid"/> runs without a <see cref="SweepOptions.MaxTrials"/> or
    /// <see cref="SweepOptions.TimeBudget"/>: 100,000 (about a day at one second a trial). A larger grid is refused before
    /// any trial, as it would not finish: give a trial or time budget, or search it with another strategy.
    /// </summary>
    public const int MaxUnlimitedGridConfigurations = 100_000;

    /// <summary>Share of each user's training edges held out for validation (the protocol's rule): 0.2.</summary>
    public const double ValidationFraction = 0.2;

    /// <summary>Validation users scored per full-fidelity trial (0 = all): 0.</summary>
    public const int ValidationUsers = 0;

    /// <summary>Successive halving keeps 1/<c>HalvingFactor</c> of the configurations per rung: 3.</summary>
    public const int HalvingFactor = 3;

    /// <summary>Configurations successive halving starts with (capped by the size of the space): 27.</summary>
    public const int HalvingConfigurations = 27;

    /// <summary>Smallest number of validation users a low-fidelity rung scores: 20.</summary>
    public const int MinimumFidelityUsers = 20;

    /// <summary>
    /// With a time budget, no trial starts unless this many times the best trial's full cost (scaled to all edges) is
    /// left, for the refit on all edges and the save: 3 (the ML.NET refit took 1.7x on cit-HepPh, 1.3-2.4x on Gowalla,
    /// and the zip's save and the CLI's test figures come after it).
    /// </summary>
    public const double RefitReserveFactor = 3;

    /// <summary>Fitted outputs kept per stage (least recently used dropped first): 4.</summary>
    public const int CacheEntriesPerStage = 4;
}
