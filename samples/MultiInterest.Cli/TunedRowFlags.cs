using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// The command line's tuned multi-interest row (<c>knn_embed_tuned</c>): its flags and their defaults, the settings
/// chosen on a validation hold-out of cit-HepPh's training edges (docs/results.md), never on a test split.
/// </summary>
internal static class TunedRowFlags
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

    public const string Usage = """
  --mmr-lambda X (0.5) --mmr-pool N (100)   the MMR row: unimodal top N re-ranked, relevance weight X (1 = Unimodal)
  --tuned-clusters N (500; 0 = --clusters') --tuned-components N (10) --tuned-lambda X (0.8) --tuned-alpha X (0.5)
  --query component|user|blend (user) --beta X (1) --head-share X (0.2)   the tuned multi-interest row (knn_embed_tuned)
  --interest-mmr-lambda X (0.55) --interest-weight X (0.1; 0 = no row)   the multi-interest MMR row (interest_mmr): MMR plus
      a PM-2 proportionality term over the tuned row's mixture
  --frontier   also measure the (Recall@50, Diversity@10) frontiers (MMR lambda; tuned head share and alpha): metrics.json, frontier.png
""";

    public static MultiInterestRowSettings Read(CommandLine cl)
    {
        string query = cl.String("query") ?? Query.ToString().ToLowerInvariant();
        return new MultiInterestRowSettings
        {
            Components = cl.Int("tuned-components", Components),
            Lambda = cl.Double("tuned-lambda", Lambda),
            MmrLambda = cl.Double("interest-mmr-lambda", MmrLambda),
            InterestWeight = cl.Double("interest-weight", InterestWeight),
            Retrieval = new QuotaRetrievalOptions
            {
                Alpha = cl.Double("tuned-alpha", Alpha),
                Query = Enum.TryParse<QuotaQuery>(query, ignoreCase: true, out var q) && Enum.IsDefined(q) && !int.TryParse(query, out _) ? q
                    : throw new UsageException($"--query must be component, user or blend, not '{query}'."),
                Beta = cl.Double("beta", Beta),
                HeadShare = cl.Double("head-share", HeadShare),
            },
        };
    }
}
