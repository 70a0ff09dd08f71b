using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// What the weights of a training file hold when <c>--weights</c> trains the embedding on them: a file whose every edge weighs
/// 1 (no weight column, or one of ones) trains as without the flag, but for pairs on several lines, whose weights add up; and
/// weights the embedding is unlikely to be meant to train on (raw counts, timestamps). Bad weights (not positive, not a
/// number) never get here: reading the file refuses them, naming the file and line.
/// </summary>
internal static class WeightedTrainingChecks
{
    /// <summary>The file's column the weights come from, as its header names it.</summary>
    private const string WeightColumn = "weight";

    /// <summary>
    /// Warns when every edge of <paramref name="path"/> weighs 1, else of weights far apart or far from 1
    /// (<see cref="GraphData.WeightWarning"/>, in the file's names: the library's own warning, which names its option, its
    /// column and a row of its data view, is not shown by <see cref="LibraryLog"/>).
    /// </summary>
    /// <param name="edges">The training file's edges as read.</param>
    /// <param name="path">The training file, for messages.</param>
    /// <param name="warnings">Where warnings go.</param>
    /// <returns>
    /// Whether the warning said the file's repeated lines (every edge weighs 1 and some pair is on several lines), all that
    /// <see cref="SplitChecks.Repeats"/> would say of them: a caller that checks a test file too then leaves them out.
    /// </returns>
    public static bool Warn(IReadOnlyList<RawEdge> edges, string path, TextWriter warnings)
    {
        if (edges.All(e => e.Weight == 1f))
        {
            int repeated = edges.Count - edges.Select(e => (e.User, e.Item)).Distinct().Count();
            warnings.WriteLine($"  warning: {WeightsOption.Name}: every edge of '{path}' weighs 1 (its header: '{TrainingFileChecks.Header(path)}'; weights are read from a third "
                + $"column named {WeightColumn}), so the embedding trains as it would without {WeightsOption.Name}"
                + (repeated == 0 ? "." : $", except that a (user, item) pair on several lines weighs its number of lines ({Counted.Of(repeated, "repeated line")}; "
                    + $"everything else, and the embedding without {WeightsOption.Name}, counts a pair once)."));
            return repeated > 0;
        }
        // The column as the header spells it (read case-insensitively, so "Weight" is named "Weight").
        string[] fields = TrainingFileChecks.Header(path).Split("<TAB>");
        string column = fields.Length >= 3 ? fields[2].Trim() : WeightColumn;
        if (GraphData.WeightWarning(edges, column, WeightsOption.Name) is { } warning)
            warnings.WriteLine($"  warning: '{path}': {warning}");
        return false;
    }
}
