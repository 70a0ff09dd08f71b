using System.Globalization;
using Microsoft.ML.MultiInterest;

namespace MultiInterest.Cli;

/// <summary>One user's list as <c>recommend</c> serves it: items best first, their scores, and where the list came from.</summary>
/// <remarks><c>Explanation</c>: the list as <see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/> tells it (<c>--explain</c>), else null.</remarks>
internal sealed record ServedList(string User, string[] Items, float[] Scores, CandidateSource Source, RecommendationExplanation? Explanation = null);

/// <summary>
/// The candidates file <c>recommend --out</c> writes: <c>user rank item score source</c>, a line per candidate, the users in
/// the order of the users file. The source column says whether a list is the user's own (<c>Trained</c>), built from the
/// <c>--history</c> given (<c>History</c>), the followed topics' (<c>FollowedTopics</c>) or the popular fallback
/// (<c>Popular</c>, whose scores are training degrees), so a fallback never passes for a personal list.
/// </summary>
internal static class CandidateFile
{
    /// <summary>The header line.</summary>
    public const string Header = "user\trank\titem\tscore\tsource";

    /// <summary>The columns <c>recommend --explain</c> adds after <see cref="Header"/>'s.</summary>
    public const string ExplainedColumns = "stage\tinterest\tclosest_history_item\tsimilarity";

    /// <summary>The header line of <c>recommend --interests</c>'s file.</summary>
    public const string InterestsHeader = "user\tstage\tinterest\tweight\tcluster\titem";

    /// <summary>
    /// Writes <paramref name="lists"/> to <paramref name="path"/> (its directory created), scores in round-trip form; explained lists
    /// (<c>--explain</c>, every list or none) with <see cref="ExplainedColumns"/> too (an empty closest item and similarity without history).
    /// </summary>
    public static void Write(string path, IEnumerable<ServedList> lists)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        var all = lists.ToList();
        bool explained = all.Count > 0 && all.All(l => l.Explanation != null);
        using var writer = new StreamWriter(path);
        writer.WriteLine(explained ? Header + "\t" + ExplainedColumns : Header);
        foreach (var list in all)
        {
            string source = list.Source.ToString();
            for (int r = 0; r < list.Items.Length; r++)
            {
                string line = $"{list.User}\t{r + 1}\t{list.Items[r]}\t{list.Scores[r].ToString("R", CultureInfo.InvariantCulture)}\t{source}";
                if (explained)
                {
                    var e = list.Explanation!;
                    var item = e.Items[r];
                    line += $"\t{e.Stages[item.Stage]}\t{item.Interest.ToString(CultureInfo.InvariantCulture)}\t{item.ClosestHistoryItemId}\t"
                        + (float.IsNaN(item.ClosestHistorySimilarity) ? "" : item.ClosestHistorySimilarity.ToString("R", CultureInfo.InvariantCulture));
                }
                writer.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// Writes the explained lists' interests (<c>recommend --interests</c>): a line per (user, stage, interest, history item it covers),
    /// one line with an empty item for an interest that covers none; users in the order of the lists.
    /// </summary>
    public static void WriteInterests(string path, IEnumerable<ServedList> lists)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        using var writer = new StreamWriter(path);
        writer.WriteLine(InterestsHeader);
        foreach (var list in lists)
        {
            if (list.Explanation is not { } e) continue;
            foreach (var interest in e.Interests)
            {
                string head = $"{list.User}\t{e.Stages[interest.Stage]}\t{interest.Index.ToString(CultureInfo.InvariantCulture)}\t"
                    + $"{interest.Weight.ToString("R", CultureInfo.InvariantCulture)}\t{interest.Cluster.ToString(CultureInfo.InvariantCulture)}\t";
                if (interest.HistoryItemIds.Count == 0) writer.WriteLine(head);
                foreach (string item in interest.HistoryItemIds) writer.WriteLine(head + item);
            }
        }
    }

    /// <summary>"Lists by source: Trained 27,050, Popular 2."</summary>
    public static string SourceSummary(IEnumerable<ServedList> lists) => $"Lists by source: {CountBySource(lists)}.";

    /// <summary>
    /// "Trained 27,050, Popular 2": the non-empty lists of each source, in the enum's order (the empty ones are counted apart);
    /// "none" when every list is empty (every item excluded), which would otherwise read as a cut-off line.
    /// </summary>
    public static string CountBySource(IEnumerable<ServedList> lists)
    {
        string counts = string.Join(", ", lists.Where(l => l.Items.Length > 0).GroupBy(l => l.Source).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}"));
        return counts.Length > 0 ? counts : "none";
    }
}
