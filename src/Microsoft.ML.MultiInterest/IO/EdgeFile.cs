using System.Globalization;

namespace Microsoft.ML.MultiInterest.IO;

/// <summary>One engagement edge with raw string ids.</summary>
/// <param name="User">Raw user id.</param>
/// <param name="Item">Raw item id.</param>
/// <param name="Weight">Edge weight (1 when the file has no weight column).</param>
public readonly record struct RawEdge(string User, string Item, float Weight);

/// <summary>
/// Reads and writes edge lists as TSV with a header line <c>user&lt;TAB&gt;item[&lt;TAB&gt;weight]</c>
/// (gzip when the name ends in .gz).
/// </summary>
public static class EdgeFile
{
    /// <summary>Reads all edges of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Bad header, a line without two columns, a line repeating the header, or a bad weight; the message names the file and line.</exception>
    /// <param name="path">A tab-separated file headed "user&lt;TAB&gt;item" (optionally "&lt;TAB&gt;weight"); a .gz name is decompressed.</param>
    /// <returns>A new list of the edges, in file order.</returns>
    public static List<RawEdge> Read(string path) => Read(TextTables.OpenRead(path), path);

    /// <summary>Reads the edges of <paramref name="content"/> (owned, seekable when gzip) as the file <paramref name="path"/>.</summary>
    internal static List<RawEdge> Read(Stream content, string path) => Read(TextTables.OpenRead(content, path), path);

    private static List<RawEdge> Read(StreamReader opened, string path)
    {
        using var reader = opened;
        var header = TextTables.ReadHeader(reader, path, "user", "item");
        bool weighted = header.Length >= 3 && header[2].Trim().Equals("weight", StringComparison.OrdinalIgnoreCase);
        var edges = new List<RawEdge>();
        foreach (var (lineNumber, line, parts) in TextTables.DataRows(reader, path))
        {
            if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'user<TAB>item' but found '{line}'.");
            if (RepeatsHeader(parts, header))
                throw new InvalidDataException($"{path}, line {lineNumber}: the line repeats the header '{string.Join("<TAB>", header)}': the file looks like files "
                    + "joined with their headers (cat a.tsv b.tsv). Keep the first file's header only (tail -n +2 the others before joining them).");
            if (TextTables.ExtraFields(parts, header.Length) is { } extra)
                throw new InvalidDataException($"{path}, line {lineNumber}: {parts.Length} fields under a header of {header.Length} ('{string.Join("<TAB>", header)}'), "
                    + $"the first extra one '{extra}'. A file with more columns names each in its header (only user, item and a third column "
                    + "'weight' are read). " + TextTables.LongRowHint(parts.Length, header.Length));
            RequireReadableId(path, lineNumber, "user", parts[0]);
            RequireReadableId(path, lineNumber, "item", parts[1]);
            float weight = 1f;
            if (weighted)
            {
                if (parts.Length < 3 || !float.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !float.IsFinite(weight) || weight <= 0)
                    throw new InvalidDataException($"{path}, line {lineNumber}: the weight must be a positive finite number, found '{(parts.Length < 3 ? "" : parts[2])}'"
                        + OutOfSingleRange(parts.Length < 3 ? "" : parts[2]) + ".");
            }
            edges.Add(new RawEdge(parts[0], parts[1], weight));
        }
        if (edges.Count == 0) throw new InvalidDataException($"The file '{path}' has a header but no edges.");
        return edges;
    }

    /// <summary>
    /// Whether a data line is the header again, as the first line is read: a byte-order mark, the case and spaces around a name
    /// aside (files joined with their headers, the second saved with a byte-order mark, carry "\uFEFFuser&lt;TAB&gt;item").
    /// Until 2026-12-07 only an exact copy of the first line was caught, and the others became a user "user" and an item "item".
    /// </summary>
    private static bool RepeatsHeader(string[] parts, string[] header)
    {
        if (parts.Length != header.Length) return false;
        for (int i = 0; i < parts.Length; i++)
            if (!string.Equals(HeaderName(parts[i]), HeaderName(header[i]), StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    private static string HeaderName(string field) => field.TrimStart(ByteOrderMark).Trim();

    private const char ByteOrderMark = '\uFEFF';

    /// <summary>
    /// Refuses an id no file means to hold: a byte-order mark (the start of a second file joined after another, which would
    /// make its first user another user) or a zero byte (a binary or UTF-16 file's, which prints as nothing).
    /// </summary>
    private static void RequireReadableId(string path, int lineNumber, string role, string id)
    {
        if (id.Contains(ByteOrderMark, StringComparison.Ordinal))
            throw new InvalidDataException($"{path}, line {lineNumber}: the {role} id holds a byte-order mark (U+FEFF, bytes EF BB BF), which starts a file saved "
                + "as 'UTF-8 with BOM': the file looks like files joined (cat a.tsv b.tsv) after one saved so. Remove the mark "
                + "(sed 's/\\xEF\\xBB\\xBF//g'), or it would be part of the id, another " + role + " than the same id without it.");
        if (id.Contains('\0', StringComparison.Ordinal))
            throw new InvalidDataException($"{path}, line {lineNumber}: the {role} id '{id.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a zero byte (NUL), "
                + "which no text id holds: the line is binary or UTF-16 data. Check the file's encoding and contents.");
    }

    /// <summary>Why a positive weight failed as a 32-bit float, for the message: it rounded to 0 or past the largest float; else "".</summary>
    private static string OutOfSingleRange(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || !double.IsFinite(value)) return "";
        if ((float)value == 0) return ", which rounds to 0 as a 32-bit float (the smallest positive one is 1.4E-45): scale the weights up";
        return float.IsInfinity((float)value) ? ", which is above the largest 32-bit float (3.4E+38): scale the weights down" : "";
    }

    /// <summary>Writes edges as <c>user&lt;TAB&gt;item</c> (plus weight when any weight differs from 1).</summary>
    /// <exception cref="ArgumentException">An id is empty or holds a TAB or a line break (<see cref="TabSeparatedId"/>), or a weight is not positive and finite: Read would refuse the file.</exception>
    /// <param name="path">The file to write (created or overwritten).</param>
    /// <param name="edges">The edges, written in order.</param>
    public static void Write(string path, IEnumerable<RawEdge> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var list = edges as IList<RawEdge> ?? edges.ToList();
        // Refused before the file is opened: Read refuses what it could not read back.
        for (int e = 0; e < list.Count; e++)
        {
            TextTables.RequireWritableId(path, "user id", list[e].User, $"of edge {e}", nameof(edges));
            TextTables.RequireWritableId(path, "item id", list[e].Item, $"of edge {e}", nameof(edges));
            if (!(float.IsFinite(list[e].Weight) && list[e].Weight > 0))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Edge {e} has weight {list[e].Weight}: a weight must be positive and finite."), nameof(edges));
        }
        bool weighted = list.Any(e => e.Weight != 1f);
        using var writer = TextTables.OpenWrite(path);
        writer.WriteLine(weighted ? "user\titem\tweight" : "user\titem");
        foreach (var e in list)
            writer.WriteLine(weighted ? $"{e.User}\t{e.Item}\t{e.Weight.ToString("R", CultureInfo.InvariantCulture)}" : $"{e.User}\t{e.Item}");
    }
}
