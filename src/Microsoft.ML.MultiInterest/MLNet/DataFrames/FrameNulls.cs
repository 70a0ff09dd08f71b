using Microsoft.Data.Analysis;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Refuses nulls in the DataFrame columns an edge is read from. A DataFrame's view gives a null number as 0 (integers) or
/// NaN (floating point), which would read as a real id or weight, and a null string as an empty id; so a null is said, with
/// its column and row, rather than read as data or dropped.
/// </summary>
internal static class FrameNulls
{
    /// <summary>Throws when the column <paramref name="name"/> of <paramref name="frame"/> (if it has one of that name) holds a null.</summary>
    /// <param name="frame">The edges.</param>
    /// <param name="name">The column, or null when the option is unset.</param>
    /// <param name="option">The parameter that named it.</param>
    /// <param name="role">What each row needs from it, e.g. "an item id".</param>
    public static void Refuse(DataFrame frame, string? name, string option, string role)
    {
        if (name == null || frame.Columns.IndexOf(name) < 0) return;
        var column = frame.Columns[name];
        if (column.NullCount == 0) return;
        long first = 0;
        while (first < column.Length && column[first] != null) first++;
        throw new EdgeFrameRowException($"Column '{name}' ({option}) of the DataFrame holds {column.NullCount} null value{(column.NullCount == 1 ? "" : "s")} (the first at row {first}): "
            + $"every edge needs {role}, and a null would be read as 0, NaN or an empty id. Drop such rows first (frame.DropNulls()) or fill them (FillNulls).", option, first, name, role);
    }
}
