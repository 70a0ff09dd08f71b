namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A DataFrame row an edge cannot be read from (a null or empty id, a null weight). It says so as an
/// <see cref="ArgumentException"/> naming the frame's row; <c>LoadEdges(path)</c> turns it into an
/// <see cref="InvalidDataException"/> naming the file instead.
/// </summary>
internal sealed class EdgeFrameRowException(string message, string option, long row, string column, string role) : ArgumentException(message, option)
{
    /// <summary>The message without ArgumentException's parameter suffix, to be thrown again under another type.</summary>
    public string Reason { get; } = message;

    /// <summary>The frame's row, from 0.</summary>
    public long Row { get; } = row;

    /// <summary>The column that lacks a value.</summary>
    public string Column { get; } = column;

    /// <summary>What every edge needs from that column, e.g. "an item id".</summary>
    public string Role { get; } = role;
}
