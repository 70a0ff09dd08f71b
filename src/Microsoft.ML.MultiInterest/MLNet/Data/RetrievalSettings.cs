using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The settings of a fitted retrieval stage beyond M and alpha, saved with the model so that serving
/// (<see cref="MultiInterestModel.RetrieveWithEngine"/>, <see cref="MultiInterestModel.ExportOnnx"/>) retrieves as the fit did.
/// Models saved before these settings existed read back the defaults, which is what they used.
/// </summary>
public sealed record RetrievalSettings
{
    /// <summary>The quota query inside a cluster. Default <see cref="ClusterQuotaRetrieverDefaults.Query"/>.</summary>
    public QuotaQuery Query { get; init; } = ClusterQuotaRetrieverDefaults.Query;

    /// <summary>Weight of the user vector in the Blend query. Default <see cref="ClusterQuotaRetrieverDefaults.Beta"/>.</summary>
    public double Beta { get; init; } = ClusterQuotaRetrieverDefaults.Beta;

    /// <summary>Share of the list reserved for the unimodal head. Default <see cref="ClusterQuotaRetrieverDefaults.HeadShare"/>.</summary>
    public double HeadShare { get; init; } = ClusterQuotaRetrieverDefaults.HeadShare;

    /// <summary>
    /// How a cluster-quota stage builds a new user's mixture from its history, as resolved at Fit (<see cref="HistoryMixture.Counts"/>
    /// or <see cref="HistoryMixture.DivideConquer"/>, never Auto; the latter reads the divide-and-conquer tables the stage keeps,
    /// saved in the zip with it). Default <see cref="HistoryMixture.Counts"/>: what other stages, and quota stages saved before
    /// the setting existed, use.
    /// </summary>
    public HistoryMixture HistoryMixture { get; init; } = HistoryMixture.Counts;

    /// <summary>Whether the stage keeps a divide-and-conquer model's encoder tables (<see cref="HistoryVector.Encoder"/> or <see cref="HistoryMixture.DivideConquer"/>).</summary>
    internal bool ReadsByDivideConquer => HistoryVector == HistoryVector.Encoder || HistoryMixture == HistoryMixture.DivideConquer;

    /// <summary>MMR relevance weight. Default <see cref="MmrRetrieverDefaults.Lambda"/>.</summary>
    public double MmrLambda { get; init; } = MmrRetrieverDefaults.Lambda;

    /// <summary>MMR pool length. Default <see cref="MmrRetrieverDefaults.PoolSize"/>.</summary>
    public int MmrPoolSize { get; init; } = MmrRetrieverDefaults.PoolSize;

    /// <summary>Weight of multi-interest MMR's interest term. Default <see cref="MmrRetrieverDefaults.InterestWeight"/>.</summary>
    public double InterestWeight { get; init; } = MmrRetrieverDefaults.InterestWeight;

    /// <summary>
    /// The interests of MMR's proportionality term: the kNN-Embed mixture, or the user's own history interests (history-interest
    /// MMR, whose pool is also ranked by the best score over the user's vector and its interests' vectors). Default
    /// <see cref="MmrRetrieverDefaults.Interests"/>; models saved before the setting existed read it back.
    /// </summary>
    public MmrInterests Interests { get; init; } = MmrRetrieverDefaults.Interests;

    /// <summary>History items per interest of history-interest MMR. Default <see cref="HistoryInterestDefaults.ItemsPerInterest"/>.</summary>
    public int ItemsPerInterest { get; init; } = HistoryInterestDefaults.ItemsPerInterest;

    /// <summary>Most interests per user of history-interest MMR. Default <see cref="HistoryInterestDefaults.MaxInterests"/>.</summary>
    public int MaxInterests { get; init; } = HistoryInterestDefaults.MaxInterests;

    /// <summary>Spherical k-means iterations per history of history-interest MMR. Default <see cref="HistoryInterestDefaults.Iterations"/>.</summary>
    public int InterestIterations { get; init; } = HistoryInterestDefaults.Iterations;

    /// <summary>
    /// How a history the stage was not trained on becomes the user's vector, as resolved at Fit (<see cref="HistoryVector.Mean"/>,
    /// <see cref="HistoryVector.FoldIn"/> or <see cref="HistoryVector.Encoder"/>, never Auto): the fold-in reads <see cref="FoldInRegularization"/>,
    /// <see cref="FoldInRegularizationExponent"/>, <see cref="FoldInUnobservedWeight"/> and <see cref="FoldInMatchUserVectors"/>;
    /// the encoder, the divide-and-conquer tables the stage keeps (saved in the zip with it).
    /// History-interest MMR always folds in. Default <see cref="HistoryVector.Mean"/>; models saved before the setting existed read it back.
    /// </summary>
    public HistoryVector HistoryVector { get; init; } = HistoryVector.Mean;

    /// <summary>Whether a history the stage was not trained on is read by its fold-in (history-interest MMR, or <see cref="HistoryVector"/> = FoldIn).</summary>
    internal bool FoldsInHistories => Interests == MmrInterests.History || HistoryVector == HistoryVector.FoldIn;

    /// <summary>λ of the fold-in (history-interest MMR's, or a new user's vector's), as resolved at Fit. Default <see cref="HistoryInterestDefaults.Regularization"/>.</summary>
    public double FoldInRegularization { get; init; } = HistoryInterestDefaults.Regularization;

    /// <summary>ν of the fold-in, as resolved at Fit. Default <see cref="HistoryInterestDefaults.RegularizationExponent"/>.</summary>
    public double FoldInRegularizationExponent { get; init; } = HistoryInterestDefaults.RegularizationExponent;

    /// <summary>α0 of the fold-in, as resolved at Fit. Default <see cref="HistoryInterestDefaults.UnobservedWeight"/>.</summary>
    public double FoldInUnobservedWeight { get; init; } = HistoryInterestDefaults.UnobservedWeight;

    /// <summary>
    /// Whether the fold-in is fitted to the user vectors (<see cref="HistoryInterestOptions.MatchUserVectors"/>),
    /// as Fit decides when the item vectors carry no implicit-ALS objective and no fold-in value was given. Default false;
    /// models saved before the setting existed read it back.
    /// </summary>
    public bool FoldInMatchUserVectors { get; init; }

    /// <summary>
    /// Whether <see cref="FoldInRegularization"/> and <see cref="FoldInUnobservedWeight"/> are already the values fitted to the
    /// user vectors (<see cref="FoldInMatchUserVectors"/>): Fit records them, so a loaded model only scales each user's
    /// interests instead of fitting the objective again (a grid of fold-ins over a sample of users, seconds on a dense graph).
    /// False for models saved before 2026-11-30, which refit on load (deterministically, to the same values).
    /// </summary>
    public bool FoldInFitted { get; init; }

    /// <summary>
    /// How history-interest MMR searches each user's pool: exactly, or through an inverted file over the items. Default
    /// <see cref="HistoryPoolDefaults.Search"/>; models saved before the setting existed read it back.
    /// </summary>
    public HistoryPoolSearch PoolSearch { get; init; } = HistoryPoolDefaults.Search;

    /// <summary>Inverted lists of the clustered pool (0 = automatic). Default <see cref="HistoryPoolDefaults.Lists"/>.</summary>
    public int PoolLists { get; init; } = HistoryPoolDefaults.Lists;

    /// <summary>Lists each interest vector of the clustered pool probes. Default <see cref="HistoryPoolDefaults.Probes"/>.</summary>
    public int PoolProbes { get; init; } = HistoryPoolDefaults.Probes;

    /// <summary>Lists the user's own vector probes in the clustered pool (0 = its exact list). Default <see cref="HistoryPoolDefaults.UserProbes"/>.</summary>
    public int PoolUserProbes { get; init; } = HistoryPoolDefaults.UserProbes;

    /// <summary>Whether the clustered pool also searches the lists of the user's history items. Default <see cref="HistoryPoolDefaults.HistoryLists"/>.</summary>
    public bool PoolHistoryLists { get; init; } = HistoryPoolDefaults.HistoryLists;

    /// <summary>
    /// Conditions per user at most of conditional retrieval (its most frequent ones in its history). Default
    /// <see cref="ConditionalDefaults.MaxConditions"/>; models saved before the setting existed read it back.
    /// </summary>
    public int MaxConditions { get; init; } = ConditionalDefaults.MaxConditions;

    /// <summary>
    /// Share of the quota weight conditional retrieval gives the implicit (kNN-Embed) components it merges with the
    /// conditions; 0 = the conditions alone. Their query is <see cref="Query"/> (and <see cref="Beta"/>). Default
    /// <see cref="ConditionalDefaults.StageImplicitShare"/>; models saved before the setting existed read it back.
    /// </summary>
    public double ImplicitShare { get; init; } = ConditionalDefaults.StageImplicitShare;

    /// <summary>The engine's conditional retrieval options of these settings with quota exponent <paramref name="alpha"/>.</summary>
    /// <param name="alpha">The quota exponent finite and non-negative (0: equal quotas, 1: by the condition shares); checked when the engine options are validated, not here.</param>
    /// <returns>New engine options.</returns>
    public ConditionalRetrievalOptions Conditional(double alpha) =>
        new() { Alpha = alpha, HeadShare = HeadShare, ImplicitShare = ImplicitShare, ImplicitQuery = Query, Beta = Beta };

    /// <summary>The engine's pool options of these settings; <paramref name="threads"/> build the clustered lists.</summary>
    /// <param name="threads">Threads that build the clustered pool lists; 0 = all cores.</param>
    /// <returns>New engine options.</returns>
    public HistoryPoolOptions Pool(int threads = 0) => new()
    {
        Search = PoolSearch,
        Lists = PoolLists,
        Probes = PoolProbes,
        UserProbes = PoolUserProbes,
        HistoryLists = PoolHistoryLists,
        Threads = threads,
    };

    /// <summary>The engine's history-interest options of these settings (for <see cref="Engine.HistoryInterests.Build"/>).</summary>
    /// <returns>New engine options.</returns>
    public HistoryInterestOptions History() => new()
    {
        MatchUserVectors = FoldInMatchUserVectors,
        ItemsPerInterest = ItemsPerInterest,
        MaxInterests = MaxInterests,
        Iterations = InterestIterations,
        Regularization = FoldInRegularization,
        RegularizationExponent = FoldInRegularizationExponent,
        UnobservedWeight = FoldInUnobservedWeight,
    };

    /// <summary>The engine's quota options with quota exponent <paramref name="alpha"/>.</summary>
    /// <param name="alpha">The quota exponent finite and non-negative (0: equal quotas, 1: by the mixture weights); checked when the engine options are validated, not here.</param>
    /// <returns>New engine options.</returns>
    public QuotaRetrievalOptions Quota(double alpha) => new() { Alpha = alpha, Query = Query, Beta = Beta, HeadShare = HeadShare };
}
