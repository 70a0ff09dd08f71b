using System.CommandLine;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>The MMR stage of <c>fit --retriever mmr</c>: lambda, the pool and the interest term's weight.</summary>
internal sealed class MmrStageFlags
{
    public CliOption<double> Lambda { get; } = Opt.Double("--mmr-lambda", MmrRetrieverDefaults.Lambda, "--retriever mmr: relevance weight (1 = the unimodal list).", min: 0, max: 1);

    public CliOption<int> Pool { get; } = Opt.Int("--mmr-pool", MmrRetrieverDefaults.PoolSize, "--retriever mmr: the unimodal top N it re-ranks (at least --candidates).", min: 1);

    public CliOption<double> InterestWeight { get; } = Opt.Double("--interest-weight", MmrRetrieverDefaults.InterestWeight,
        "--retriever mmr: weight of the PM-2 term over the kNN-Embed mixtures of --clusters, --components, --neighbors, --lambda (0 = plain MMR, no clustering stage).", min: 0);

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All => [Lambda, Pool, InterestWeight];

    /// <summary>The options given on the command line.</summary>
    public IEnumerable<string> Given(ParseResult r) => All.Where(r.Given).Select(o => o.Name);

    /// <summary>The stage's options.</summary>
    public MmrRetrieverEstimator.Options Read(ParseResult r, int candidates, int threads) => new()
    {
        Candidates = candidates,
        Lambda = r.Value(Lambda),
        PoolSize = Math.Max(r.Value(Pool), candidates),
        InterestWeight = r.Value(InterestWeight),
        Threads = threads,
    };
}
