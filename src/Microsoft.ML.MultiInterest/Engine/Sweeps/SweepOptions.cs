namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How a sweep searches, what it optimises and how long it may run.</summary>
public sealed class SweepOptions
{
    /// <summary>The search strategy. Default <see cref="SweepDefaults.Strategy"/>.</summary>
    public SweepStrategy Strategy { get; set; } = SweepDefaults.Strategy;

    /// <summary>The validation figure maximised. Default <see cref="SweepDefaults.Metric"/>.</summary>
    public SweepMetric Metric { get; set; } = SweepDefaults.Metric;

    /// <summary>K of the metric (candidates retrieved per user: M = K). Default <see cref="SweepDefaults.Cutoff"/>.</summary>
    public int Cutoff { get; set; } = SweepDefaults.Cutoff;

    /// <summary>w of <see cref="SweepMetric.RecallDiversity"/>, in [0, 1]. Default <see cref="SweepDefaults.DiversityWeight"/>.</summary>
    public double DiversityWeight { get; set; } = SweepDefaults.DiversityWeight;

    /// <summary>
    /// Trials at most (every evaluation counts, including the defaults and each successive-halving rung). 0 = no limit
    /// for <see cref="SweepStrategy.Grid"/> and <see cref="SweepStrategy.SuccessiveHalving"/> (each ends on its own, halving after
    /// its last rung) or with a <see cref="TimeBudget"/>, <see cref="SweepDefaults.MaxTrials"/> otherwise. A grid over more than
    /// <see cref="SweepDefaults.MaxUnlimitedGridConfigurations"/> configurations needs this or a <see cref="TimeBudget"/>.
    /// </summary>
    public int MaxTrials { get; set; }

    /// <summary>
    /// Wall-clock budget of the search, at most about 49.7 days, or null for none. The first trial always runs to its end
    /// (with <see cref="IncludeDefaults"/>, the base settings on every validation user), so the sweep has a best to refit
    /// even when the budget is shorter than one trial: the search then takes that trial's time, not the budget. After it,
    /// no trial starts once the time left is less than the estimated refit of the best setting, and a trial running at the
    /// deadline is stopped and discarded. The refit itself is not timed by the budget.
    /// </summary>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>The longest <see cref="TimeBudget"/>: 4,294,967,294 ms (about 49.7 days), the longest a cancellation timer waits.</summary>
    internal static readonly TimeSpan MaxTimeBudget = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary>
    /// Seeds the validation split, the strategy and every stage's seed (embedding, k-means). Null: the ML.NET face
    /// derives it from the <c>MLContext</c> seed; the engine then uses <see cref="GraphEmbeddingDefaults.Seed"/>.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Share of each user's training edges held out for validation (users with at least 3 edges). Default <see cref="SweepDefaults.ValidationFraction"/>.</summary>
    public double ValidationFraction { get; set; } = SweepDefaults.ValidationFraction;

    /// <summary>Validation users scored per full-fidelity trial (a seeded sample; 0 = all). Default <see cref="SweepDefaults.ValidationUsers"/>.</summary>
    public int ValidationUsers { get; set; } = SweepDefaults.ValidationUsers;

    /// <summary>
    /// Whether trials that differ only downstream of a stage reuse its fitted output (a cache keyed by the upstream
    /// options). Default true; false refits every stage of every trial (to measure the speed-up).
    /// </summary>
    public bool ReuseStages { get; set; } = true;

    /// <summary>Whether the first trial is the base settings with the defaults of the searched options, so the best is never worse than them on validation. Default true.</summary>
    public bool IncludeDefaults { get; set; } = true;

    /// <summary>Successive halving's reduction factor (at least 2). Default <see cref="SweepDefaults.HalvingFactor"/>.</summary>
    public int HalvingFactor { get; set; } = SweepDefaults.HalvingFactor;

    /// <summary>Configurations successive halving starts with. Default <see cref="SweepDefaults.HalvingConfigurations"/>.</summary>
    public int HalvingConfigurations { get; set; } = SweepDefaults.HalvingConfigurations;

    /// <summary>
    /// The settings of every option outside the search space (and the "defaults" trial). Null: the library's defaults,
    /// with the number of clusters capped at one per 10 items on small catalogues.
    /// </summary>
    public SweepSettings? BaseSettings { get; set; }

    /// <summary>Degree of parallelism of every stage; 0 = all cores.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Whether these options would run a grid over <paramref name="space"/> that cannot finish: <see cref="SweepStrategy.Grid"/>
    /// over more than <see cref="SweepDefaults.MaxUnlimitedGridConfigurations"/> configurations with neither
    /// <see cref="MaxTrials"/> nor <see cref="TimeBudget"/> (the sweep refuses it before any trial).
    /// </summary>
    /// <param name="space">The space to sweep.</param>
    /// <returns>True if the sweep would refuse these options over <paramref name="space"/> for that reason.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="space"/> is null.</exception>
    public bool RunsUnfinishableGrid(SweepSearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return Strategy == SweepStrategy.Grid && MaxTrials <= 0 && TimeBudget == null && space.Size > SweepDefaults.MaxUnlimitedGridConfigurations;
    }

    /// <summary>A copy (the base settings deep-copied).</summary>
    /// <returns>A new <see cref="SweepOptions"/> with the same values.</returns>
    public SweepOptions Clone()
    {
        var copy = (SweepOptions)MemberwiseClone();
        copy.BaseSettings = BaseSettings?.Clone();
        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Cutoff < 1) throw new ArgumentOutOfRangeException(nameof(Cutoff), Cutoff, "Cutoff (K) must be at least 1.");
        if (double.IsNaN(DiversityWeight) || DiversityWeight < 0 || DiversityWeight > 1)
            throw new ArgumentOutOfRangeException(nameof(DiversityWeight), DiversityWeight, "DiversityWeight must lie in [0, 1].");
        if (MaxTrials < 0) throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "MaxTrials must be 0 (strategy default) or positive.");
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget, "TimeBudget must be positive.");
        // Past it the deadline's timer refused it after the validation split, as an error naming only its 'delay'.
        if (TimeBudget is { } longBudget && longBudget > MaxTimeBudget)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), longBudget, $"TimeBudget ({longBudget.TotalDays.ToString("N1", System.Globalization.CultureInfo.InvariantCulture)} days) "
                + "must be at most 49.7 days, the longest a sweep can time: leave it null for no time limit, or bound the search with MaxTrials.");
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must lie strictly between 0 and 1.");
        if (ValidationUsers < 0) throw new ArgumentOutOfRangeException(nameof(ValidationUsers), ValidationUsers, "ValidationUsers must be 0 (all) or positive.");
        if (HalvingFactor < 2) throw new ArgumentOutOfRangeException(nameof(HalvingFactor), HalvingFactor, "HalvingFactor must be at least 2.");
        if (HalvingConfigurations < 1) throw new ArgumentOutOfRangeException(nameof(HalvingConfigurations), HalvingConfigurations, "HalvingConfigurations must be at least 1.");
        if (Threads < 0) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 0 (all cores) or positive.");
        Parallelism.CheckAtMostMax(Threads, nameof(Threads));
        if (!Enum.IsDefined(Strategy)) throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "Strategy is not a known strategy.");
        if (!Enum.IsDefined(Metric)) throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Metric is not a known metric.");
        try
        {
            BaseSettings?.Validate();
        }
        catch (ArgumentException e) when (e.ParamName != null && SweepSettings.PropertyOf(e.ParamName) is { } property)
        {
            // SweepSettings names a value as a search space does ("components"); here it is an option of BaseSettings.
            string name = $"{nameof(BaseSettings)}.{property}";
            string reason = SweepSearchSpace.Reason(e);
            if (reason.StartsWith(e.ParamName, StringComparison.Ordinal)) reason = name + reason[e.ParamName.Length..];
            throw new ArgumentOutOfRangeException(name, (e as ArgumentOutOfRangeException)?.ActualValue, reason);
        }
    }
}
