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
        int at = 0;
        while (at < record.Length)
        {
            if (record[at] == '"')
            {
                at++;
                while (true)
                {
                    int quote = record.IndexOf('"', at);
                    if (quote < 0) return true; // open at the end
                    at = quote + 1;
                    if (at < record.Length && record[at] == '"') { at++; continue; }
                    break;
                }
            }
            int next = record.IndexOf(separator, at);
            if (next < 0) return false;
            at = next + 1;
        }
        return false;
    }

    /// <summary>
    /// The fields of one line (without its line break), or throws naming <paramref name="where"/> if a quote is left open;
    /// <paramref name="quoted"/> takes RFC 4180 quoting for a tab-separated line too.
    /// </summary>
    public static string[] Split(string line, char separator, string where, bool quoted = false)
    {
        if ((separator == '\t' && !quoted) || line.IndexOf('"') < 0) return line.Split(separator);
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        int at = 0;
        while (true)
        {
            field.Clear();
            if (at < line.Length && line[at] == '"')
            {
                at++;
                while (true)
                {
                    int quote = line.IndexOf('"', at);
                    if (quote < 0)
                        throw new InvalidDataException($"{where}: a quoted field is not closed before the end of the file (a quoted field may span lines; its closing quote is missing).");
                    field.Append(line, at, quote - at);
                    at = quote + 1;
                    if (at < line.Length && line[at] == '"') { field.Append('"'); at++; continue; }
                    break;
                }
                if (at < line.Length && line[at] != separator)
                    throw new InvalidDataException($"{where}: a quoted field is followed by '{line[at]}', not by the separator '{separator}' or the line's end.");
            }
            else
            {
                int next = line.IndexOf(separator, at);
                int end = next < 0 ? line.Length : next;
                field.Append(line, at, end - at);
                at = end;
            }
            fields.Add(field.ToString());
            if (at >= line.Length) return [.. fields];
            at++; // past the separator; a line ending in one has a last, empty field
            if (at == line.Length) { fields.Add(""); return [.. fields]; }
        }
    }
}
