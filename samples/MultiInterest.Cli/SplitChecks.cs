using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// Mistakes in a train/test pair that still give figures, said before anything is fitted: the two files swapped, test
/// edges left in the training file (the protocol never lists an item of the user's training history, so such an edge can
/// only be missed; a training file that is the whole dataset gives zero recall everywhere), repeated lines.
/// </summary>
internal static class SplitChecks
{
    /// <summary>Test edges (between users and items seen in training) that are training edges too.</summary>
    private static int EdgesInTraining(BipartiteGraph train, BipartiteGraph test)
    {
        int count = 0;
        for (int u = 0; u < test.UserCount; u++)
            foreach (int item in test.ItemsOf(u))
                if (u < train.UserCount && train.Contains(u, item)) count++;
        return count;
    }

    /// <summary>
    /// Warns on <paramref name="warnings"/> when the test file is the larger one or shares edges with the training file, and
    /// throws when every scoreable test edge is a training edge (nothing could be recalled). Returns how many test edges
    /// are training edges too (<see cref="EdgesInTraining"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">Every scoreable test edge is also a training edge.</exception>
    /// <param name="train">The training graph.</param>
    /// <param name="test">The scoreable test graph over the training rows.</param>
    /// <param name="unseenTestEdges">Test edges left out of <paramref name="test"/> (unseen user or item).</param>
    /// <param name="trainPath">The training file, for messages.</param>
    /// <param name="testPath">The test file, for messages.</param>
    /// <param name="jsonFile">The JSON file that records the counts (metrics.json, sweep.json).</param>
    /// <param name="warnings">Where warnings go.</param>
    public static int Check(BipartiteGraph train, BipartiteGraph test, int unseenTestEdges, string trainPath, string testPath, string jsonFile, TextWriter warnings)
    {
        int inTraining = EdgesInTraining(train, test);
        if (inTraining > 0 && inTraining == test.EdgeCount)
            throw new InvalidDataException($"Every edge of the test file '{testPath}' between a seen user and item ({test.EdgeCount:N0}) is also an edge of the "
                + $"training file '{trainPath}': no list holds an item of the user's training history, so nothing could be recalled. Is the training "
                + "file the whole dataset? Split it first (multiinterest split --edges FILE --train TRAIN --test TEST).");
        if (inTraining > 0)
            warnings.WriteLine($"  warning: {inTraining:N0} test edges ({Share(inTraining, test.EdgeCount)} of those between seen users and items) are also "
                + "training edges: no list holds an item of the user's training history, so they can only be missed (was part of the test file left "
                + $"in the training file? In a split by time, a user engaging an item again does this too); {jsonFile}: counts.test_edges_in_training.");
        long testEdges = (long)test.EdgeCount + unseenTestEdges;
        if (testEdges > train.EdgeCount)
            warnings.WriteLine($"  warning: the test file '{testPath}' has {testEdges:N0} edges, more than the training file's {train.EdgeCount:N0}: "
                + "check that --train and --test are not swapped.");
        return inTraining;
    }

    /// <summary>
    /// Says how many lines of <paramref name="path"/> repeated an edge (a graph holds each user-item pair once);
    /// <paramref name="weightsAdd"/>: the file trains the embedding under <c>--weights</c>, which adds the pair's weights.
    /// </summary>
    public static void Repeats(int lines, int edges, string path, TextWriter warnings, bool weightsAdd = false)
    {
        if (lines > edges)
            warnings.WriteLine($"  warning: {Counted.Of(lines - edges, "line")} of '{path}' repeated a (user, item) pair already read: each pair counts once"
                + (weightsAdd ? $" (but for the embedding, which under {WeightsOption.Name} trains on the pair's weights added up)." : "."));
    }

    /// <summary>
    /// <paramref name="part"/> of <paramref name="whole"/> as a percentage, to one decimal, or to the first significant
    /// digit below 0.1 % (a share that is not zero never prints as 0.0 %).
    /// </summary>
    internal static string Share(long part, long whole)
    {
        double percent = 100.0 * part / whole;
        return percent >= 0.1 || part == 0 ? percent.ToString("F1", CultureInfo.InvariantCulture) + " %"
            : percent.ToString("G1", CultureInfo.InvariantCulture) + " %";
    }
}
