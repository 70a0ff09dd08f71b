using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// What a test file's figures cannot score, said the same way by every command that scores one (evaluate, sweep --test):
/// nothing scoreable is refused, unseen edges are counted and said (misses by default), a test file that is the training
/// file is refused and shared edges, swapped files and repeated lines are warned of (<see cref="SplitChecks"/>).
/// </summary>
internal static class TestFileChecks
{
    /// <summary>Says and checks <paramref name="heldOut"/> (built from <paramref name="testEdges"/> over the training ids); returns the test edges that are training edges too.</summary>
    /// <param name="heldOut">The scoreable test graph and what was left out of it.</param>
    /// <param name="train">The training graph over <paramref name="users"/> and <paramref name="items"/>.</param>
    /// <param name="testEdges">The test file's edges as read.</param>
    /// <param name="trainLines">The training file's edges as read (lines), for the repeated-lines warning.</param>
    /// <param name="users">The training users' ids.</param>
    /// <param name="items">The training items' ids.</param>
    /// <param name="trainPath">The training file, for messages.</param>
    /// <param name="testPath">The test file, for messages.</param>
    /// <param name="unseen">How the figures score unseen edges.</param>
    /// <param name="jsonFile">The JSON file that records the counts (metrics.json, sweep.json).</param>
    /// <param name="warnings">Where warnings go.</param>
    /// <param name="trainWeighted">Whether the embedding trains on the training file's weights (<c>--weights</c>), which add up over repeated lines.</param>
    /// <param name="trainRepeatsSaid">
    /// Whether the training file's repeated lines were said already (<see cref="WeightedTrainingChecks.Warn"/>), so that a
    /// command says them once.
    /// </param>
    /// <exception cref="InvalidDataException">No test edge is scoreable, or every scoreable one is a training edge.</exception>
    public static int Check(HeldOutGraph heldOut, BipartiteGraph train, IReadOnlyList<RawEdge> testEdges, int trainLines, IdMap users, IdMap items,
        string trainPath, string testPath, UnseenHeldOut unseen, string jsonFile, TextWriter warnings, bool trainWeighted,
        bool trainRepeatsSaid)
    {
        var (test, unseenTestEdges) = (heldOut.Graph, heldOut.UnseenEdges);
        // Most of a test file unseen is seldom the data: more often the two files' columns disagree.
        string? columnHint = ColumnOrderHint.For(testEdges, users, items);
        if (test.EdgeCount == 0)
            throw new InvalidDataException($"No edge of the test file '{testPath}' is between a user and an item seen in training: there is nothing to evaluate.{columnHint}");
        if (unseenTestEdges > 0)
            warnings.WriteLine($"  warning: {unseenTestEdges:N0} test edges name a user or item with no training edge (or no given embedding): "
                + (unseen == UnseenHeldOut.Miss ? "they count as misses (--unseen drop leaves them out)" : "they are left out of the figures (--unseen drop)")
                + $" ({Counted.Of(heldOut.Misses.UnseenUsers, "test user")} with no training edge at all); {jsonFile}: counts.test_edges_unseen, "
                + (unseen == UnseenHeldOut.Miss ? "counts.test_users_missed (users all of whose held-out edges are unseen, scored 0)"
                    : "counts.test_users_left_out (users all of whose held-out edges are unseen, in no figure)") + $".{columnHint}");
        int weighted = testEdges.Count(e => e.Weight != 1f);
        if (weighted > 0)
            warnings.WriteLine($"  warning: {weighted:N0} of the {testEdges.Count:N0} edges of '{testPath}' weigh other than 1, but held-out edges are "
                + "unweighted in the evaluation protocol: each counts once in Recall and NDCG, whatever its weight.");
        int inTraining = SplitChecks.Check(train, test, unseenTestEdges, trainPath, testPath, jsonFile, warnings);
        if (!trainRepeatsSaid) SplitChecks.Repeats(trainLines, train.EdgeCount, trainPath, warnings, trainWeighted);
        SplitChecks.Repeats(testEdges.Count, test.EdgeCount + unseenTestEdges, testPath, warnings);
        WarnLargeHoldOuts(test, users, warnings);
        return inTraining;
    }

    /// <summary>
    /// Held-out items of one user from which the exact EMD of its mixtures (<see cref="EarthMoversDistance"/>, about n
    /// augmentations of O(m n) for n held-out items) takes seconds.
    /// </summary>
    internal const int SlowEarthMoverItems = 5_000;

    /// <summary>
    /// Warns of test users holding out <see cref="SlowEarthMoverItems"/> items or more, before the run: one such user's
    /// goodness of fit took most of an evaluate (an audit, 2026-12-07: a user holding out 17,321 items raised the metrics
    /// stage from 0.7 s to 27.9 s on 2 cores), and a user's EMD runs on one thread.
    /// </summary>
    internal static void WarnLargeHoldOuts(BipartiteGraph test, IdMap users, TextWriter warnings)
    {
        int count = 0, most = -1;
        for (int u = 0; u < test.UserCount; u++)
        {
            if (test.DegreeOf(u) < SlowEarthMoverItems) continue;
            count++;
            if (most < 0 || test.DegreeOf(u) > test.DegreeOf(most)) most = u;
        }
        if (count == 0) return;
        warnings.WriteLine($"  warning: {Counted.Of(count, "test user")} with {SlowEarthMoverItems:N0} held-out items or more (the most: '{users[most]}', "
            + $"{test.DegreeOf(most):N0}): the rows' goodness of fit (EMD) is exact, and its time grows with the square of a user's held-out "
            + "items, on one thread per user (17,321 took 27 s on 2 cores). The lists and their Recall, NDCG and Diversity do not depend on it.");
    }
}
