using System.Globalization;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// What a training file holds that the commands read otherwise than its author may expect, said the same way by every
/// command that trains on one (evaluate, fit, sweep) or reads one as users' histories (recommend --history): weights they do
/// not use (without <c>--weights</c>), and ids padded with spaces (read as written, so "i5 " and "i5" are two items).
/// </summary>
internal static class TrainingFileChecks
{
    /// <summary>Warns of unused weights and padded ids in <paramref name="edges"/>, the edges of <paramref name="path"/>.</summary>
    /// <param name="edges">The training file's edges as read.</param>
    /// <param name="path">The training file, for messages.</param>
    /// <param name="command">The command, for messages ("evaluate").</param>
    /// <param name="warnings">Where warnings go.</param>
    /// <param name="weights">
    /// What the command does with the weights: under <see cref="TrainingWeights.Trained"/> they are used, so not warned of here
    /// (<see cref="WeightedTrainingChecks"/> says what they hold); under <see cref="TrainingWeights.Unused"/> the warning names
    /// <see cref="WeightsOption.Name"/>.
    /// </param>
    public static void Warn(IReadOnlyList<RawEdge> edges, string path, string command, TextWriter warnings, TrainingWeights weights)
    {
        int weighted = 0;
        bool padded = false;
        foreach (var e in edges)
        {
            if (e.Weight != 1f) weighted++;
            padded |= IsPadded(e.User) || IsPadded(e.Item) || IsQuoted(e.User) || IsQuoted(e.Item);
        }
        if (weighted > 0 && weights != TrainingWeights.Trained)
            warnings.WriteLine($"  warning: {weighted:N0} of the {edges.Count:N0} edges of '{path}' weigh other than 1, but {command} treats every edge as one "
                + "engagement, as the evaluation protocol does: the weight column is checked, not used. "
                + (weights == TrainingWeights.Unused
                    ? $"{WeightsOption.Name} trains the embedding on it (docs/concepts.md, \"Edge weights\")."
                    : "The library's GraphEmbedding trains on weights given as WeightColumnName (docs/pipeline.md)."));
        if (padded) WarnPadded(edges, path, warnings);
        WarnNormalizationTwins(edges, path, warnings);
        WarnUnreadColumns(path, warnings, weights);
    }

    /// <summary>The file's header line, its TABs spelled out.</summary>
    internal static string Header(string path)
    {
        using var reader = TextFile.OpenRead(path);
        return (TextFile.ReadLine(reader, path, 1) ?? "").TrimEnd('\r').Replace("\t", "<TAB>", StringComparison.Ordinal);
    }

    /// <summary>
    /// Warns of the header's columns past user and item that no command reads: all but a third one named weight (read
    /// case-insensitively, as <see cref="EdgeFile"/> reads it). A file's 'score' or 'timestamp' was dropped without a word.
    /// </summary>
    internal static void WarnUnreadColumns(string path, TextWriter warnings, TrainingWeights weights)
    {
        var (unread, header, thirdRead) = UnreadColumns(path);
        if (unread.Length == 0) return;
        warnings.WriteLine($"  warning: '{path}': its {Columns(unread)} not read: "
            + "an edge file is read as its columns user and item, and a third column named 'weight' "
            + (weights == TrainingWeights.NotOffered ? "(checked, not used here)" : $"(checked, and trained on with {WeightsOption.Name})")
            + $" (header '{header}')." + (thirdRead ? "" : WeightHint));
    }

    /// <summary>
    /// Warns of the columns <c>split</c> leaves out of the files it writes (all but user, item and a third one named weight):
    /// a 'timestamp' column was dropped from the training and test files without a word, where evaluate and fit warn of it.
    /// </summary>
    internal static void WarnColumnsNotWritten(string path, TextWriter warnings)
    {
        var (unread, header, thirdRead) = UnreadColumns(path);
        if (unread.Length == 0) return;
        warnings.WriteLine($"warning: '{path}': its {Columns(unread)} not read, so the training and test files leave {(unread.Length == 1 ? "it" : "them")} out: "
            + $"split keeps the columns user and item, and a third column named 'weight' (header '{header}')." + (thirdRead ? "" : WeightHint));
    }

    private const string WeightHint = " Name the third column 'weight' if it holds the edges' weights.";

    /// <summary>"column 'score' is" or "columns 'a', 'b' are".</summary>
    private static string Columns(string[] unread) =>
        $"column{(unread.Length == 1 ? "" : "s")} {string.Join(", ", unread)} {(unread.Length == 1 ? "is" : "are")}";

    /// <summary>The header's columns past user and item that an edge file's reader skips (quoted), the header, and whether a third column is read.</summary>
    private static (string[] Unread, string Header, bool ThirdRead) UnreadColumns(string path)
    {
        string header = Header(path);
        var columns = header.Split("<TAB>").Select(name => name.Trim()).ToArray();
        bool thirdRead = columns.Length < 3 || columns[2].Equals("weight", StringComparison.OrdinalIgnoreCase);
        return (columns.Skip(thirdRead ? 3 : 2).Select(name => $"'{name}'").ToArray(), header, thirdRead);
    }

    private static bool IsPadded(string id) => IsInvisible(id[0]) || IsInvisible(id[^1]);

    /// <summary>
    /// A character that shows as nothing or as a space: white space (spaces, tabs, non-breaking spaces) or a format character
    /// (a zero-width space U+200B, a word joiner, a soft hyphen), which copying from a web page leaves in ids.
    /// </summary>
    private static bool IsInvisible(char c) => char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

    private static string Unpadded(string id)
    {
        int start = 0, end = id.Length;
        while (start < end && IsInvisible(id[start])) start++;
        while (end > start && IsInvisible(id[end - 1])) end--;
        return id[start..end];
    }

    /// <summary>An id in double quotes, as R's write.table and CSV exports write every field unless told not to.</summary>
    private static bool IsQuoted(string id) => id.Length >= 2 && id[0] == '"' && id[^1] == '"';

    /// <summary>What pads <paramref name="padded"/>: "spaces", or the invisible characters by code point.</summary>
    private static string Padding(IEnumerable<string> padded)
    {
        var characters = padded.SelectMany(id => id.Where(IsInvisible)).Distinct().Order().ToArray();
        return characters.All(c => c == ' ') ? "spaces"
            : "spaces or invisible characters (" + string.Join(", ", characters.Select(c => $"U+{(int)c:X4}")) + ")";
    }

    /// <summary>
    /// Warns of ids of one role that differ only in their Unicode normalisation ('é' as one code point and as 'e' with a
    /// combining accent, as files merged from two systems hold them): compared code point by code point they are two users or
    /// items. Across the training and test files evaluate says it already (<see cref="ColumnOrderHint"/>); within one file it
    /// was silent. Nothing is built unless some id is not in NFC.
    /// </summary>
    private static void WarnNormalizationTwins(IReadOnlyList<RawEdge> edges, string path, TextWriter warnings)
    {
        foreach (var (role, ids) in new[] { ("user", edges.Select(e => e.User)), ("item", edges.Select(e => e.Item)) })
        {
            var all = ids.ToHashSet(StringComparer.Ordinal);
            if (all.All(id => id.IsNormalized(System.Text.NormalizationForm.FormC))) continue;
            var twins = all.GroupBy(id => id.Normalize(System.Text.NormalizationForm.FormC), StringComparer.Ordinal).Where(g => g.Count() > 1)
                .Select(g => g.Order(StringComparer.Ordinal).ToArray()).OrderBy(g => g[0], StringComparer.Ordinal).ToArray();
            if (twins.Length == 0) continue;
            var first = twins[0];
            warnings.WriteLine($"  warning: {Counted.Of(twins.Length, $"{role} id")} of '{path}' {(twins.Length == 1 ? "is" : "are")} written in two Unicode normalisations "
                + $"(the first '{first[0]}', {first[0].Length} code units, and '{first[1]}', {first[1].Length}): ids are compared code point by code point, so each "
                + $"spelling is another {role}. Normalise the file to NFC first (e.g. Python's unicodedata.normalize('NFC', line)).");
        }
    }

    /// <summary>Counts the padded and the quoted ids of each role, and those that are another id of the role once unpadded or unquoted.</summary>
    private static void WarnPadded(IReadOnlyList<RawEdge> edges, string path, TextWriter warnings)
    {
        foreach (var (role, ids) in new[] { ("user", edges.Select(e => e.User)), ("item", edges.Select(e => e.Item)) })
        {
            var all = ids.ToHashSet(StringComparer.Ordinal);
            var padded = all.Where(IsPadded).Order(StringComparer.Ordinal).ToArray();
            if (padded.Length > 0)
            {
                var twins = padded.Where(id => all.Contains(Unpadded(id))).ToArray();
                string padding = Padding(padded), them = padding == "spaces" ? "spaces" : "characters";
                warnings.WriteLine($"  warning: {padding} pad {Counted.Of(padded.Length, $"{role} id")} of '{path}' (the first '{padded[0]}')"
                    + (twins.Length > 0 ? $"; {twins.Length:N0} of them name another {role} without the {them} ('{twins[0]}' and '{Unpadded(twins[0])}')" : "")
                    + $": ids are read exactly as written, so a padded id is another {role}. Remove the {them} unless they are part of the ids.");
            }
            var quoted = all.Where(IsQuoted).Order(StringComparer.Ordinal).ToArray();
            if (quoted.Length > 0)
            {
                var twins = quoted.Where(id => all.Contains(id[1..^1])).ToArray();
                warnings.WriteLine($"  warning: double quotes enclose {Counted.Of(quoted.Length, $"{role} id")} of '{path}' (the first '{quoted[0]}')"
                    + (twins.Length > 0 ? $"; {twins.Length:N0} of them name another {role} without them ('{twins[0]}' and '{twins[0][1..^1]}')" : "")
                    + $": ids are read exactly as written, so a quoted id is another {role}. Write the file without quotes "
                    + "(R: write.table(..., quote = FALSE)), or remove them (sed 's/\"//g'), unless they are part of the ids.");
            }
        }
    }
}
