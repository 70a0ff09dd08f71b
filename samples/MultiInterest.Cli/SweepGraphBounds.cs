using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// What the training file bounds in <c>sweep</c>'s command line, said by the flag that gave it before any trial (the
/// library refuses the same values, by its own option names: <c>SweepOptions.Cutoff</c>, the space's <c>clusters</c>).
/// </summary>
internal static class SweepGraphBounds
{
    /// <summary>Refuses <c>--k</c> at or above <paramref name="items"/> and a <c>clusters</c> value of <c>--space</c> above it.</summary>
    /// <param name="items">The training file's distinct items (the sweep's training graph's).</param>
    /// <param name="train">The training file, for the message.</param>
    /// <param name="cutoff">The --k value.</param>
    /// <param name="space">The --space value.</param>
    /// <exception cref="UsageException">A value the graph cannot give.</exception>
    public static void Check(int items, string train, int cutoff, SweepSearchSpace space)
    {
        // A list of every item recalls every held-out edge: each trial would score Recall 1 (SweepRunner's rule).
        if (cutoff >= items)
            throw new UsageException($"--k {cutoff:N0} must be below the {items:N0} items of the training file '{train}': a list of K items would hold every "
                + $"item a user has not seen, so every trial would score the same full recall. Give at most {items - 1:N0}.");
        if (space.Parameters.FirstOrDefault(p => p.Name == "clusters") is { } clusters
            && clusters.Values.Max(v => int.Parse(v, CultureInfo.InvariantCulture)) is var largest && largest > items)
            throw new UsageException($"--space: clusters={largest.ToString(CultureInfo.InvariantCulture)} asks for more clusters than the {items:N0} items of the "
                + $"training file '{train}' there are to cluster: give at most {items:N0}.");
    }
}
