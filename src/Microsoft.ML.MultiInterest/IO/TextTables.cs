using System.IO.Compression;

namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// Opens tab-separated text files, transparently gzip-compressed when the name ends in .gz or, for a pipe or a device
/// without a name to go by, when the bytes are gzip's.
/// </summary>
internal static class TextTables
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading as UTF-8 text. A .gz file (or gzip through a pipe, /dev/stdin) is decompressed
    /// and checked against its gzip trailer when the end is read, so a truncated or corrupt file throws an
    /// <see cref="InvalidDataException"/> naming it; so does a file of another compression (bzip2, zip, xz, zstd, lz4, 7z).
    /// </summary>
    public static StreamReader OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new FileNotFoundException($"'{path}' is a folder: give a file.", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
        return OpenRead(File.OpenRead(path), path);
    }

    /// <summary>
    /// Reads <paramref name="raw"/> (owned) as the file <paramref name="path"/>: gzip-checked when the name ends in .gz, or
    /// when gzip's bytes come without a name to go by (a pipe, /dev/stdin); another compression's bytes are refused by name.
    /// </summary>
    public static StreamReader OpenRead(Stream raw, string path)
    {
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        Stream stream;
        try
        {
            stream = CompressedInput.Uncompressed(raw, path, gz);
        }
        catch
        {
            raw.Dispose(); // owned: a refused file is not left open (on Windows, locked against the rename the message advises)
            throw;
        }
        // Strict: bytes that are not UTF-8 (a cp1252 'é') throw instead of becoming U+FFFD, which would merge two ids.
        return new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The next line of <paramref name="reader"/>, or null at the end; bytes that are not UTF-8 throw naming the file.</summary>
    public static string? ReadLine(StreamReader reader, string path, int lineNumber)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (System.Text.DecoderFallbackException e)
        {
            string bytes = e.BytesUnknown == null ? "" : " (" + string.Join(" ", e.BytesUnknown.Select(b => $"0x{b:X2}")) + ")";
            // The reader decodes a block ahead, so the bad bytes are at this line or a later one: the file is read again from
            // its start (only now, on the way to the error) for the exact line, and where it cannot be, the earliest is said.
            string where = FirstLineNotUtf8(path) is { } exact && exact >= lineNumber ? $"line {exact} holds bytes{bytes} that are not UTF-8"
                : $"bytes{bytes} at line {lineNumber} or after it (the earliest line they can be on) are not UTF-8";
            throw new InvalidDataException($"The file '{path}' is not UTF-8 text: {where} "
                + "(ids are read as UTF-8, and a byte that is not would change them silently). Convert the file first, e.g. iconv -f cp1252 -t utf-8.", e);
        }
    }

    /// <summary>
    /// The 1-based line of <paramref name="path"/> holding its first byte that is not UTF-8, read from the start (gzip
    /// decompressed); null when the file cannot be read again or holds no such byte now.
    /// </summary>
    private static int? FirstLineNotUtf8(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            using var reader = OpenRead(path);
            var stream = reader.BaseStream; // the bytes, before any decoding
            var buffer = new byte[1 << 16];
            int kept = 0, line = 1;
            while (true)
            {
                int read = stream.Read(buffer, kept, buffer.Length - kept);
                int length = kept + read;
                int at = 0;
                while (at < length)
                {
                    var status = System.Text.Rune.DecodeFromUtf8(buffer.AsSpan(at, length - at), out _, out int consumed);
                    if (status == System.Buffers.OperationStatus.InvalidData) return line;
                    // A sequence cut by the buffer's end is decoded with the next read; at the file's end it is not UTF-8.
                    if (status == System.Buffers.OperationStatus.NeedMoreData) break;
                    if (buffer[at] == (byte)'\n') line++;
                    at += consumed;
                }
                if (read == 0) return at < length ? line : null;
                kept = length - at;
                Array.Copy(buffer, at, buffer, 0, kept);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    public static StreamWriter OpenWrite(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        Stream stream = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionLevel.Optimal);
        return new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
    }

    /// <summary>Reads the header line and checks it starts with the expected column names.</summary>
    public static string[] ReadHeader(StreamReader reader, string path, params string[] expected)
    {
        var line = ReadLine(reader, path, 1) ?? throw new InvalidDataException($"The file '{path}' is empty: a header line ({string.Join("<TAB>", expected)}) is expected.");
        var header = line.TrimEnd('\r').Split('\t');
        for (int i = 0; i < expected.Length; i++)
        {
            if (i >= header.Length || !string.Equals(header[i].Trim(), expected[i], StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"The file '{path}' must start with a header whose column {i + 1} is '{expected[i]}', but the header is '{Shortened(line)}'"
                    + HeaderHint(header, expected));
        }
        return header;
    }

    /// <summary>A line as a message quotes it: at most 80 characters (a per-user list can run to thousands).</summary>
    private static string Shortened(string line)
    {
        line = line.Replace("\0", "\\0"); // a zero byte (UTF-16 read as UTF-8) would print as nothing, or cut a terminal's line
        return line.Length <= 80 ? line : line[..77] + "...";
    }

    /// <summary>What a wrong first line most likely means, for the message: another separator, no header, or other column names.</summary>
    private static string HeaderHint(string[] fields, string[] expected)
    {
        string names = string.Join("<TAB>", expected);
        // UTF-16 without a byte-order mark reads as UTF-8 with a zero byte beside every ASCII character.
        // The zero byte comes after each character in little-endian order, before it in big-endian.
        if (fields.FirstOrDefault(f => f.Contains('\0')) is { } wide)
            return ": it looks like UTF-16 text without a byte-order mark (a zero byte beside every character), and this reader takes UTF-8. "
                + $"Convert the file first, e.g. iconv -f {(wide[0] == '\0' ? "utf-16be" : "utf-16le")} -t utf-8.";
        // SNAP's edge lists open with '#' comment lines (the graph's name, then '# FromNodeId<TAB>ToNodeId'); a comment can
        // hold spaces or tabs, so it is said before any separator guess.
        if (fields.Length > 0 && fields[0].TrimStart().StartsWith('#'))
            return ": it is a comment line ('#', as SNAP's edge lists begin), and this reader takes no comments. Remove them and "
                + $"add the header, e.g. (printf '{names.Replace("<TAB>", "\\t")}\\n'; grep -v '^#' FILE) > edges.tsv.";
        if (fields.Length == 1)
        {
            string only = fields[0];
            string[] tokens = only.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length > expected.Length && tokens.All(t => long.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
                return $": it looks like a user id followed by that user's items (LightGCN's format), not a header. {EdgeListHint}";
            foreach (var (separator, name) in new[] { (',', "comma"), (';', "semicolon"), (' ', "space") })
                if (only.Trim().Contains(separator))
                    return $": it looks {name}-separated, and this reader takes TAB-separated columns under a header '{names}'"
                        + (separator == ' ' ? ": replace its separators by TABs." : $": replace its separators by TABs (for a whole unsplit edge file, "
                            + $"benchmarks/peers/prepare_datasets.py csv --csv FILE --out DIR{(separator == ';' ? " --delimiter ';'" : "")} writes DIR/edges.tsv.gz, "
                            + "and `multiinterest split` then makes a train/test pair).");
        }
        // R's write.table and spreadsheets' CSV export quote every field by default; the names inside the quotes are right.
        if (fields.Length >= expected.Length && expected.Select((name, i) => string.Equals(fields[i].Trim().Trim('"', '\''), name, StringComparison.OrdinalIgnoreCase)).All(same => same))
            return ": its names are in quotes, and this reader takes fields as written, so the ids would keep their quotes too ('\"42\"' another id than '42'). "
                + "Write the file without quotes (R: write.table(..., quote = FALSE); pandas: to_csv(..., quoting=csv.QUOTE_NONE)), or remove them: sed 's/\"//g'.";
        if (fields.Length >= expected.Length && fields.All(f => double.TryParse(f, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)))
            return $": it looks like data, not a header; add the header line '{names}' first (it is required so that a missing one is never read as data).";
        // The right names in another order: renaming the header alone would read every value under the wrong name.
        if (fields.Length >= expected.Length && expected.All(name => fields.Any(f => string.Equals(f.Trim(), name, StringComparison.OrdinalIgnoreCase))))
            return $": it names the same columns in another order, and the columns are read by position, '{names}'. Put the columns themselves in that "
                + "order (renaming the header alone would read every value the wrong way round).";
        if (fields.Length >= expected.Length)
            return $". If the file's first columns are these, name them so in the header line ('{names}'"
                + ((fields.Length - expected.Length) switch
                {
                    0 => "",
                    1 => ", then a name for the last column, which is not read unless it is 'weight'",
                    int more => $", then a name for each of the other {more} columns, which are not read unless the third is 'weight'",
                })
                + "): the names are checked so that a file without a header never loses its first line as one.";
        return ".";
    }

    /// <summary>What to do with a file listing each user's items on one line, for messages about such a file.</summary>
    public const string EdgeListHint = "An edge file holds one user-item pair per line; a file listing each user's items on one line "
        + "('user item item ...', LightGCN's train.txt) must be converted first: benchmarks/peers/prepare_datasets.py lightgcn writes the edge files "
        + "of a train/test pair of them, prepare_datasets.py lists those of one unsplit file.";

    /// <summary>
    /// What to say of a row longer than its header: <see cref="EdgeListHint"/>, and when the row is longer by exactly one
    /// field, that R's <c>write.table</c> writes such files (its row names an unnamed first column, the header not naming it).
    /// </summary>
    public static string LongRowHint(int fields, int columns) => fields == columns + 1
        ? "A header one field shorter than the lines is what R's write.table writes by default (row names first, unnamed): write with "
            + "row.names = FALSE, or name that first column in the header. " + EdgeListHint
        : EdgeListHint;

    /// <summary>
    /// The first non-empty field beyond the header's <paramref name="columns"/>, or null: a row longer than its header is not
    /// read in part (empty trailing fields, as a trailing tab leaves, are allowed).
    /// </summary>
    public static string? ExtraFields(string[] parts, int columns)
    {
        for (int i = columns; i < parts.Length; i++)
            if (parts[i].Trim().Length > 0) return parts[i];
        return null;
    }

    /// <summary>The non-empty lines after the header, split on tabs, with their 1-based line numbers.</summary>
    public static IEnumerable<(int LineNumber, string Line, string[] Parts)> DataRows(StreamReader reader, string path)
    {
        int lineNumber = 1;
        string? line;
        while ((line = ReadLine(reader, path, lineNumber + 1)) != null)
        {
            lineNumber++;
            line = line.TrimEnd('\r');
            if (line.Length == 0) continue;
            yield return (lineNumber, line, line.Split('\t'));
        }
    }

    /// <summary>Refuses an id <see cref="TabSeparatedId"/> finds fault with (empty, or holding a TAB or a line break), naming the file.</summary>
    /// <param name="path">The file being written.</param>
    /// <param name="what">What the id is, for the message (e.g. "user id").</param>
    /// <param name="id">The id.</param>
    /// <param name="where">Where it is, for the message (e.g. "of edge 1").</param>
    /// <param name="parameter">The parameter that gave it.</param>
    internal static void RequireWritableId(string path, string what, string id, string where, string parameter)
    {
        if (TabSeparatedId.Problem(id) is { } problem) throw new ArgumentException(TabSeparatedId.Refusal(path, what, id, problem, where), parameter);
    }
}
