using System.CommandLine;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The command line's history-interest MMR row (<c>history_mmr</c>): its flags and their defaults, chosen on a
/// validation hold-out of cit-HepPh's training edges (docs/results.md), never on a test split.
/// </summary>
internal sealed class HistoryRowFlags
{
    public CliOption<double> Lambda { get; } = Opt.Double("--history-mmr-lambda", HistoryInterestDefaults.MmrLambda,
        "The history-interest MMR row (history_mmr): relevance weight (not given: chosen on a validation hold-out of the training edges when the run fits the vectors, else this default).", min: 0, max: 1);

    public Option<bool> Reorder { get; } = Opt.Flag("--history-mmr-reorder",
        "The history_mmr row re-orders its own top M (a pool as long as the list) instead of re-ranking the MMR pool; with --history-mmr-lambda only (without it both are chosen on the hold-out).");

    public CliOption<double> LeadErrors { get; } = Opt.Double("--history-mmr-lead-errors", HistoryInterestDefaults.SelectionRecallLeadErrors,
        "When history_mmr's lambda is chosen on the hold-out: a candidate that changes Unimodal's items keeps Unimodal's Recall@50 only when it leads it by at least this many standard errors, paired user by user (0: the mean alone, the rule before 2026-12-03). Unused with --history-mmr-lambda, which chooses nothing.", min: 0);

    public CliOption<double> Weight { get; } = Opt.Double("--history-interest-weight", HistoryInterestDefaults.InterestWeight,
        "The history_mmr row: weight of the proportionality term over each user's history interests (a negative value leaves the row out).");

    public CliOption<int> ItemsPerInterest { get; } = Opt.Int("--history-items-per-interest", HistoryInterestDefaults.ItemsPerInterest,
        "The history_mmr row: history items per interest (a user with n items gets min(max, n / this) interests).", min: 1);

    public CliOption<int> MaxInterests { get; } = Opt.Int("--history-max-interests", HistoryInterestDefaults.MaxInterests, "The history_mmr row: most interests per user.", min: 1);

    public CliOption<double> Regularization { get; } = Opt.Double("--history-regularization", HistoryInterestDefaults.Regularization,
        "The history_mmr row: lambda of each interest's ALS fold-in (default: the fitted implicit ALS's; for other or given vectors, fitted to the user vectors).", min: 0,
        shown: "the fitted ALS's, else fitted to the user vectors");

    public CliOption<double> UnobservedWeight { get; } = Opt.Double("--history-unobserved-weight", HistoryInterestDefaults.UnobservedWeight,
        "The history_mmr row: alpha0 of the fold-in (default: as --history-regularization).", min: 0,
        shown: "as --history-regularization");

    public CliOption<HistoryPoolSearch> PoolSearch { get; } = Opt.Choice("--history-pool", HistoryPoolDefaults.Search, k => k.ToString().ToLowerInvariant(),
        "The history_mmr row: how each interest finds its pool items: the whole catalogue (exact), an inverted file over the items scanning a few lists (clustered), or none, the pool being the user vector's own list which the interests only re-order (unimodal). When the row's lambda is chosen on the hold-out, that choice may take unimodal (metrics.json pool_search says which ran).");

    public CliOption<int> PoolLists { get; } = Opt.Int("--history-pool-lists", HistoryPoolDefaults.Lists,
        "The history_mmr row's clustered pool: inverted lists over the items (0 = about 4 sqrt(items)).", min: 0);

    public CliOption<int> PoolProbes { get; } = Opt.Int("--history-pool-probes", HistoryPoolDefaults.Probes,
        "The history_mmr row's clustered pool: lists each interest probes by centroid score.", min: 0);

    public CliOption<int> PoolUserProbes { get; } = Opt.Int("--history-pool-user-probes", HistoryPoolDefaults.UserProbes,
        "The history_mmr row's clustered pool: lists the user's own vector probes (0 = its exact list).", min: 0);

    public Option<bool> PoolHistoryLists { get; } = Opt.Flag("--history-pool-history-lists",
        "The history_mmr row's clustered pool: also search the lists of the user's own training items.");

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All => [Lambda, Reorder, LeadErrors, Weight, ItemsPerInterest, MaxInterests, Regularization, UnobservedWeight, PoolSearch, PoolLists, PoolProbes, PoolUserProbes, PoolHistoryLists];

    /// <summary>The row's settings, or null when the row is left out.</summary>
    public HistoryMmrRowSettings? Read(ParseResult r)
    {
        double weight = r.Value(Weight);
        if (weight < 0) return null;
        if (r.GetValue(Reorder) && !r.Given(Lambda))
            throw new UsageException("--history-mmr-reorder goes with --history-mmr-lambda: without a lambda, the lambda and the re-ordering are chosen together on a validation hold-out.");
        return new HistoryMmrRowSettings
        {
            MmrLambda = r.Value(Lambda),
            Reorder = r.GetValue(Reorder),
            InterestWeight = weight,
            Interests = new HistoryInterestOptions
            {
                ItemsPerInterest = r.Value(ItemsPerInterest),
                MaxInterests = r.Value(MaxInterests),
                Regularization = r.Value(Regularization),
                UnobservedWeight = r.Value(UnobservedWeight),
                // Without a given objective the fold-in is fitted to the user vectors; a fitted ALS replaces this below.
                MatchUserVectors = !r.Given(Regularization) && !r.Given(UnobservedWeight),
            },
            Pool = new HistoryPoolOptions
            {
                Search = r.Value(PoolSearch),
                Lists = r.Value(PoolLists),
                Probes = r.Value(PoolProbes),
                UserProbes = r.Value(PoolUserProbes),
                HistoryLists = r.GetValue(PoolHistoryLists),
            },
        };
    }

    /// <summary>
    /// The history-interest MMR stage of <c>fit --retriever history-mmr</c>: the same settings as the row; the fold-in
    /// objective as given, else the fitted implicit ALS's, else fitted to the user vectors (the stage decides at Fit).
    /// </summary>
    public MmrRetrieverEstimator.Options Stage(ParseResult r, int candidates, int threads)
    {
        // The row's reading of the flags is the one reading; only the fold-in's "not given" becomes null here.
        var row = Read(r) ?? throw new UsageException(
            $"--history-interest-weight must be non-negative with --retriever history-mmr (got {Opt.Text(r.Value(Weight))}).");
        var (regularizationGiven, unobservedGiven) = Given(r);
        return new MmrRetrieverEstimator.Options
        {
            Candidates = candidates,
            Interests = MmrInterests.History,
            Lambda = row.MmrLambda,
            PoolSize = row.PoolFor(candidates, MmrRetrieverDefaults.PoolSize),
            InterestWeight = row.InterestWeight,
            ItemsPerInterest = row.Interests.ItemsPerInterest,
            MaxInterests = row.Interests.MaxInterests,
            FoldInRegularization = regularizationGiven ? row.Interests.Regularization : null,
            FoldInUnobservedWeight = unobservedGiven ? row.Interests.UnobservedWeight : null,
            PoolSearch = row.Pool.Search,
            PoolLists = row.Pool.Lists,
            PoolProbes = row.Pool.Probes,
            PoolUserProbes = row.Pool.UserProbes,
            PoolHistoryLists = row.Pool.HistoryLists,
            Threads = threads,
        };
    }

    /// <summary>Which fold-in settings the command line gave (the rest follow the fitted implicit ALS, if any).</summary>
    public (bool Regularization, bool UnobservedWeight) Given(ParseResult r) => (r.Given(Regularization), r.Given(UnobservedWeight));

    /// <summary>
    /// Gives the fold-in the objective of the embeddings the run fitted, when they are implicit ALS, for the settings the
    /// command line did not give: an interest's vector is then the one ALS itself would fit.
    /// </summary>
    public static void MatchFittedAls(HistoryMmrRowSettings? row, ImplicitAlsOptions? als, (bool Regularization, bool UnobservedWeight) given)
    {
        if (row == null || als == null) return;
        if (!given.Regularization) row.Interests.Regularization = als.Regularization;
        if (!given.UnobservedWeight) row.Interests.UnobservedWeight = als.UnobservedWeight;
        row.Interests.RegularizationExponent = als.RegularizationExponent;
        row.Interests.MatchUserVectors = false;
    }
}
