using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The rule for <c>--clusters</c> left at its default (the paper's 2,000) on a small catalogue, shared by <c>evaluate</c>
/// and <c>fit</c>: the default cannot work there, so clusters keep a useful size instead of failing.
/// </summary>
internal static class DefaultClusters
{
    /// <summary>With the default cluster count, clusters hold at least this many items on average (cit-HepPh's 2,000 hold 14).</summary>
    public const int MinimumItemsPerCluster = 10;

    /// <summary>
    /// The clusters to use over <paramref name="items"/> items: <paramref name="clusters"/>, unless it was not
    /// <paramref name="given"/> and would leave fewer than <see cref="MinimumItemsPerCluster"/> items per cluster; then one
    /// cluster per that many items (at least one), with a warning on <paramref name="log"/>.
    /// </summary>
    /// <param name="items">The items k-means can place: those with a non-zero vector.</param>
    /// <param name="clusters">The --clusters value.</param>
    /// <param name="given">Whether --clusters was given.</param>
    /// <param name="log">Where the warning goes.</param>
    /// <param name="zeroVectors">Items left out of <paramref name="items"/> for an all-zero given vector, named in the messages.</param>
    /// <exception cref="UsageException">A given <c>--clusters</c> above <paramref name="items"/>: k-means cannot make more clusters than points.</exception>
    public static int For(int items, int clusters, bool given, TextWriter log, int zeroVectors = 0)
    {
        string counted = zeroVectors > 0 ? $"{items:N0} items with a non-zero vector (of {items + zeroVectors:N0})" : $"{items:N0} items";
        if (given && clusters > items)
            throw new UsageException($"--clusters {clusters:N0} asks for more clusters than the {counted} there are to cluster: give at most {items:N0}.");
        if (given || clusters <= items / MinimumItemsPerCluster) return clusters;
        int capped = Math.Max(1, items / MinimumItemsPerCluster);
        log.WriteLine($"  warning: the default {SphericalKMeansDefaults.NumberOfClusters:N0} clusters would hold fewer than {MinimumItemsPerCluster} of the {counted} each; using {capped:N0} (one per {MinimumItemsPerCluster} items; pass --clusters to choose).");
        return capped;
    }
}
