using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The command line's tuned multi-interest row (<c>knn_embed_tuned</c>): its flags and their defaults, the settings
/// chosen on a validation hold-out of cit-HepPh's training edges (docs/results.md), never on a test split.
/// </summary>
internal sealed class TunedRowFlags
{
    /// <summary>Clusters of the row's own k-means: 500.</summary>
    public const int Clusters = 500;

    /// <summary>m: 10.</summary>
    public const int Components = 10;

    /// <summary>Smoothing: the paper's 0.8.</summary>
    public const double Lambda = KnnSmoothedMixtureDefaults.Lambda;

    /// <summary>The query inside a cluster: the user's own vector.</summary>
    public const QuotaQuery Query = QuotaQuery.User;

    /// <summary>Quota exponent: 0.5.</summary>
    public const double Alpha = 0.5;

    /// <summary>Blend weight (used by --query blend): the engine's default.</summary>
    public const double Beta = ClusterQuotaRetrieverDefaults.Beta;

    /// <summary>Unimodal head share: 0.2 (the largest validation Recall@50 among head shares keeping Diversity@10 >= 1.10x Unimodal's).</summary>
    public const double HeadShare = 0.2;

    /// <summary>
    /// The multi-interest MMR row's relevance weight: 0.55 (on the validation hold-out, the largest Recall@50 among
    /// lambda in 0.5..0.6 keeping Diversity@10 >= 1.10x Unimodal's).
    /// </summary>
    public const double MmrLambda = 0.55;

    /// <summary>The multi-interest MMR row's interest weight nu: 0.1.</summary>
    public const double InterestWeight = 0.1;

    public CliOption<double> MmrRowLambda { get; } = Opt.Double("--mmr-lambda", MmrRetrieverDefaults.Lambda, "The MMR row: relevance weight (1 = Unimodal).", min: 0, max: 1);

    public CliOption<int> MmrRowPool { get; } = Opt.Int("--mmr-pool", MmrRetrieverDefaults.PoolSize, "The MMR rows (mmr, interest_mmr, and history_mmr's pool unless it re-orders its own list): the unimodal top N they re-rank, at least the largest cutoff (50).", min: 1);

    public CliOption<double> ReorderMmrLambda { get; } = Opt.Double("--reorder-mmr-lambda", MmrRetrieverDefaults.Lambda,
        "The row mmr_reorder: MMR over Unimodal's top M only (M the largest cutoff), a re-ordering with Unimodal's Recall@M and a more diverse head; its relevance weight (a negative value leaves the row out).", max: 1);

    public CliOption<int> TunedClusters { get; } = Opt.Int("--tuned-clusters", Clusters, "The tuned row (knn_embed_tuned): clusters of its own k-means (0 = the paper rows' --clusters).", min: 0);

    public CliOption<int> TunedComponents { get; } = Opt.Int("--tuned-components", Components, "The tuned row: m.", min: 1);

    public CliOption<double> TunedLambda { get; } = Opt.Double("--tuned-lambda", Lambda, "The tuned row: smoothing weight, the neighbours' share (0 = unsmoothed).", min: 0, max: 1);

    public CliOption<double> TunedAlpha { get; } = Opt.Double("--tuned-alpha", Alpha, "The tuned row: quota exponent.", min: 0);

    public CliOption<QuotaQuery> QueryOption { get; } = Opt.Choice("--query", Query, q => q.ToString().ToLowerInvariant(), "The tuned row: the query inside a cluster.");

    public CliOption<double> BetaOption { get; } = Opt.Double("--beta", Beta, "The tuned row: the user vector's weight in the blend query.", min: 0);

    public CliOption<double> HeadShareOption { get; } = Opt.Double("--head-share", HeadShare, "The tuned row: share of the list taken by a unimodal head.", min: 0, max: 1);

    public CliOption<double> InterestMmrLambda { get; } = Opt.Double("--interest-mmr-lambda", MmrLambda, "The multi-interest MMR row (interest_mmr): relevance weight.", min: 0, max: 1);

    public CliOption<double> InterestWeightOption { get; } = Opt.Double("--interest-weight", InterestWeight,
        "The multi-interest MMR row: weight of a PM-2 proportionality term over the tuned row's mixture (0 = no row).", min: 0);

    public Option<bool> KnnRoundRobin { get; } = Opt.Flag("--knn-round-robin",
        "Also serve the kNN-Embed mixtures by round-robin retrieval (each component's nearest items, merged by max w/rank): the knn_embed_round_robin row.");

    public Option<bool> Frontier { get; } = Opt.Flag("--frontier", "Also measure the (Recall@50, Diversity@10) frontiers (MMR lambda; tuned head share and alpha): metrics.json, frontier.png.");

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All =>
        [MmrRowLambda, MmrRowPool, ReorderMmrLambda, TunedClusters, TunedComponents, TunedLambda, TunedAlpha, QueryOption, BetaOption, HeadShareOption, InterestMmrLambda, InterestWeightOption,
            KnnRoundRobin, Frontier];

    /// <summary>The tuned and multi-interest MMR rows' settings.</summary>
    public MultiInterestRowSettings Read(ParseResult r) => new()
    {
        Components = r.Value(TunedComponents),
        Lambda = r.Value(TunedLambda),
        MmrLambda = r.Value(InterestMmrLambda),
        InterestWeight = r.Value(InterestWeightOption),
        Retrieval = new QuotaRetrievalOptions
        {
            Alpha = r.Value(TunedAlpha),
            Query = r.Value(QueryOption),
            Beta = r.Value(BetaOption),
            HeadShare = r.Value(HeadShareOption),
        },
    };
}
