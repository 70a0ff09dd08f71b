using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// <c>--neighbor-index exact|clustered --neighbor-lists N --neighbor-probes N</c>: which user index kNN smoothing searches.
/// Exact by default, so runs without the flags give the recorded figures.
/// </summary>
internal sealed record NeighborIndexOption(NeighborIndexKind Kind, int Lists, int Probes)
{
    /// <summary>Reads the three options.</summary>
    public static NeighborIndexOption Read(CommandLine cl)
    {
        var kind = cl.String("neighbor-index") switch
        {
            null or "exact" => NeighborIndexKind.Exact,
            "clustered" => NeighborIndexKind.Clustered,
            var other => throw new UsageException($"--neighbor-index must be 'exact' or 'clustered', not '{other}'."),
        };
        var option = new NeighborIndexOption(kind, cl.Int("neighbor-lists", ClusteredNeighborIndexDefaults.Lists), cl.Int("neighbor-probes", ClusteredNeighborIndexDefaults.Probes));
        if (option.Lists < 0) throw new UsageException("--neighbor-lists must be 0 (automatic) or positive.");
        if (option.Probes < 1) throw new UsageException("--neighbor-probes must be at least 1.");
        return option;
    }

    /// <summary>The clustered index's options (lists, probes, threads).</summary>
    public ClusteredNeighborIndexOptions Clustered(int threads) => new() { Lists = Lists, Probes = Probes, Threads = threads };
}
