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
        return inTraining;
    }
}
