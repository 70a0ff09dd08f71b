using System.Globalization;
using Microsoft.ML.MultiInterest;

namespace MultiInterest.Cli;

/// <summary>One user's list as <c>recommend</c> serves it: items best first, their scores, and where the list came from.</summary>
internal sealed record ServedList(string User, string[] Items, float[] Scores, CandidateSource Source);

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

    /// <summary>Writes <paramref name="lists"/> to <paramref name="path"/> (its directory created), scores in round-trip form.</summary>
    public static void Write(string path, IEnumerable<ServedList> lists)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory != null) Directory.CreateDirectory(directory);
        using var writer = new StreamWriter(path);
        writer.WriteLine(Header);
        foreach (var list in lists)
        {
            string source = list.Source.ToString();
            for (int r = 0; r < list.Items.Length; r++)
                writer.WriteLine($"{list.User}\t{r + 1}\t{list.Items[r]}\t{list.Scores[r].ToString("R", CultureInfo.InvariantCulture)}\t{source}");
        }
    }

    /// <summary>"Lists by source: Trained 27,050, Popular 2."</summary>
    public static string SourceSummary(IEnumerable<ServedList> lists) => $"Lists by source: {CountBySource(lists)}.";

    /// <summary>"Trained 27,050, Popular 2": the non-empty lists of each source, in the enum's order (the empty ones are counted apart).</summary>
    public static string CountBySource(IEnumerable<ServedList> lists) =>
        string.Join(", ", lists.Where(l => l.Items.Length > 0).GroupBy(l => l.Source).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}"));
}
