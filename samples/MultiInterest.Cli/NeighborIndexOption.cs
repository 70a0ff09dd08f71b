using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>--neighbor-index exact|clustered --neighbor-lists N --neighbor-probes N</c>: which user index kNN smoothing searches.
/// Exact by default, so runs without the flags give the recorded figures.
/// </summary>
internal sealed record NeighborIndexOption(NeighborIndexKind Kind, int Lists, int Probes)
{
    /// <summary>The clustered index's options (lists, probes, the run's <c>--seed</c>, threads).</summary>
    public ClusteredNeighborIndexOptions Clustered(int seed, int threads) => new() { Lists = Lists, Probes = Probes, Seed = seed, Threads = threads };

    /// <summary>The three options, declared once.</summary>
    internal sealed class Flags
    {
        public CliOption<NeighborIndexKind> Index { get; } = Opt.Choice("--neighbor-index", KnnSmoothedMixtureDefaults.NeighborIndex, k => k.ToString().ToLowerInvariant(),
            "How kNN smoothing finds each user's neighbours: brute force, or an inverted-file index scanning a few lists.");

        public CliOption<int> Lists { get; } = Opt.Int("--neighbor-lists", ClusteredNeighborIndexDefaults.Lists, "Inverted lists of the clustered index (0 = about 4 sqrt(users)).", min: 0);

        public CliOption<int> Probes { get; } = Opt.Int("--neighbor-probes", ClusteredNeighborIndexDefaults.Probes, "Lists the clustered index scans per query.", min: 1);

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All => [Index, Lists, Probes];

        /// <summary>The options as given.</summary>
        public NeighborIndexOption Read(ParseResult r) => new(r.Value(Index), r.Value(Lists), r.Value(Probes));
    }
}
