using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary><c>--seed</c> and <c>--threads</c>: shared by every command that fits a model.</summary>
internal sealed class RunFlags
{
    public CliOption<int> Seed { get; } = Opt.Int("--seed", GraphEmbeddingDefaults.Seed, "Seed of every stage (embedding, k-means, sampling, the clustered neighbour index); a clustered history pool's lists always take seed 0, so a loaded model rebuilds them alike.");

    public CliOption<int> Threads { get; } = Opt.Int("--threads", 0, "Worker threads (0 = all cores). With 1 the same --seed gives identical output (a model zip's entries, not its timestamps); more change, from run to run, only what SGD trains (negative sampling, mixture embeddings, DCM, divide-and-conquer, and auto with --auto-sgd): on a small graph or a short fit as much as another --seed does.", min: 0, max: ThreadLimits.MaxThreads);

    /// <summary>Both options.</summary>
    public IReadOnlyList<Option> All => [Seed, Threads];
}
