namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// Splits the lines of a delimited text file into fields exactly as written: nothing trimmed, no byte that is not UTF-8
/// let through (<see cref="TextTables.OpenRead(string)"/>). A tab-separated line is split plainly, quotes included, as the
/// CLI's edge files are, unless its file's header is quoted; any other separator takes RFC 4180 quoting, a field that starts with a double quote running to
/// the closing one, with <c>""</c> for a quote inside.
/// </summary>
internal static class DelimitedRows
{
    /// <summary>Whether a line's fields are all wrapped in double quotes (R's write.table quotes a tab-separated file's text so).</summary>
    public static bool AllQuoted(string line, char separator) =>
        line.Split(separator).All(f => f.Length >= 2 && f[0] == '"' && f[^1] == '"');

    /// <summary>
    /// Whether a record ends inside a quoted field, read as <see cref="Split"/> reads it: only a field that starts with a
    /// double quote is quoted (a stray quote inside an unquoted field, <c>i"1</c>, opens nothing).
    /// </summary>
    public static bool EndsInsideQuotes(string record, char separator)
    {
        for (int at = 0; at < record.Length;)
        {
            if (record[at] == '"' && (at = PastClosingQuote(record, at)) < 0) return true; // open at the end
            int next = record.IndexOf(separator, at);
            if (next < 0) return false;
            at = next + 1;
        }
        return false;
    }

    /// <summary>
    /// The index just past the closing quote of the quoted field opening at <paramref name="open"/> (<c>""</c> inside it is a
    /// quote), or -1 when the record ends before it closes.
    /// </summary>
    private static int PastClosingQuote(string record, int open)
    {
        for (int at = open + 1; ;)
        {
            int quote = record.IndexOf('"', at);
            if (quote < 0) return -1;
            if (quote + 1 < record.Length && record[quote + 1] == '"') { at = quote + 2; continue; }
            return quote + 1;
        }
    }

    /// <summary>
    /// The fields of one line (without its line break), or throws naming <paramref name="where"/> if a quote is left open;
    /// <paramref name="quoted"/> takes RFC 4180 quoting for a tab-separated line too.
    /// </summary>
    public static string[] Split(string line, char separator, string where, bool quoted = false)
    {
        if ((separator == '\t' && !quoted) || line.IndexOf('"') < 0) return line.Split(separator);
        var fields = new List<string>();
        int at = 0;
        while (true)
        {
            if (at < line.Length && line[at] == '"')
            {
                int end = PastClosingQuote(line, at);
                if (end < 0)
                    throw new InvalidDataException($"{where}: a quoted field is not closed before the end of the file (a quoted field may span lines; its closing quote is missing).");
                if (end < line.Length && line[end] != separator)
                    throw new InvalidDataException($"{where}: a quoted field is followed by '{line[end]}', not by the separator '{separator}' or the line's end.");
                fields.Add(line[(at + 1)..(end - 1)].Replace("\"\"", "\"", StringComparison.Ordinal));
                at = end;
            }
            else
            {
                int next = line.IndexOf(separator, at);
                int end = next < 0 ? line.Length : next;
                fields.Add(line[at..end]);
                at = end;
            }
            if (at >= line.Length) return [.. fields];
            at++; // past the separator; a line ending in one has a last, empty field
            if (at == line.Length) { fields.Add(""); return [.. fields]; }
        }
    }
}
