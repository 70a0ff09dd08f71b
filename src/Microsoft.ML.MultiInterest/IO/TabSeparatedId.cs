namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// The one rule for an id in a tab-separated file the library or its command line writes (edge, embedding and cluster
/// files, an ONNX export's id files, <c>recommend</c>'s candidates): it is not empty and holds no TAB and no line break.
/// An id fitted through the API may hold either (ML.NET's MapValueToKey takes any text); written as it is, it would split
/// into other columns or lines, and the file would read back with other ids. Writers refuse it before opening the file.
/// </summary>
public static class TabSeparatedId
{
    /// <summary>
    /// What keeps <paramref name="id"/> from being written to a tab-separated file and read back the same, or null if nothing
    /// does: "is null", "is empty", "holds a TAB, which separates the file's columns" or "holds a line break, which ends the file's lines".
    /// </summary>
    /// <param name="id">The id.</param>
    /// <returns>The problem, or null.</returns>
    public static string? Problem(string? id)
    {
        if (id == null) return "is null";
        if (id.Length == 0) return "is empty";
        if (id.Contains('\t', StringComparison.Ordinal)) return "holds a TAB, which separates the file's columns";
        // StreamReader.ReadLine ends a line at CR, LF or CR LF: any of them splits the id's line.
        if (id.AsSpan().IndexOfAny('\n', '\r') >= 0) return "holds a line break, which ends the file's lines";
        return null;
    }

    /// <summary>
    /// The refusal of an id <see cref="Problem"/> finds fault with: "'FILE' cannot hold the item id 'a\tb' of row 3: it holds a
    /// TAB, which separates the file's columns, so the file would read back with other ids." (TABs and line breaks shown as \t, \n, \r).
    /// </summary>
    /// <param name="file">The file being written, as the caller named it.</param>
    /// <param name="what">What the id is, e.g. "item id".</param>
    /// <param name="id">The id.</param>
    /// <param name="problem">What <see cref="Problem"/> said of it.</param>
    /// <param name="where">Where it is, after the id, e.g. "of edge 3"; null for nothing.</param>
    /// <returns>The message.</returns>
    public static string Refusal(string file, string what, string? id, string problem, string? where = null)
    {
        string at = where == null ? "" : " " + where;
        return id is { Length: > 0 }
            ? $"'{file}' cannot hold the {what} '{Escaped(id)}'{at}: it {problem}, so the file would read back with other ids."
            : $"'{file}' cannot hold the {what}{at}: it {problem}, and a tab-separated file's empty field is no id.";
    }

    /// <summary>The refusal of the first id of <paramref name="ids"/> that <see cref="Problem"/> finds fault with, or null if there is none.</summary>
    /// <param name="file">The file being written.</param>
    /// <param name="ids">The ids, in row order.</param>
    /// <param name="what">What the ids are, e.g. "item id".</param>
    /// <param name="where">Where row r's id is, e.g. r => $"of key {r + 1}".</param>
    /// <returns>The first refusal's message, or null.</returns>
    public static string? FirstRefusal(string file, IReadOnlyList<string> ids, string what, Func<int, string> where)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(where);
        for (int r = 0; r < ids.Count; r++)
            if (Problem(ids[r]) is { } problem) return Refusal(file, what, ids[r], problem, where(r));
        return null;
    }

    /// <summary>An id with its TABs and line breaks written as \t, \n and \r, so that a message shows what it holds.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The escaped id.</returns>
    public static string Escaped(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
    }
}
