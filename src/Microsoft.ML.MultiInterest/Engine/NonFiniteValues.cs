namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The error of a table holding a NaN or an infinity (<see cref="EmbeddingMatrix.ThrowIfNotFinite(string)"/>): an
/// <see cref="ArgumentException"/> that carries what it found in its <see cref="Exception.Data"/>, so a trainer can tell a
/// table its training made non-finite (divergence, said with the settings to lower) from a caller's bad input.
/// </summary>
internal static class NonFiniteValues
{
    private const string WhatKey = "MultiInterest.NonFinite.What", ValueKey = "MultiInterest.NonFinite.Value", RowKey = "MultiInterest.NonFinite.Row";

    /// <summary>"The item components contain a non-finite value (NaN) in row 3, column 0."</summary>
    public static ArgumentException Error(string what, float value, int row, int column)
    {
        var e = new ArgumentException($"The {what} contain a non-finite value ({value}) in row {row}, column {column}.");
        e.Data[WhatKey] = what;
        e.Data[ValueKey] = value;
        e.Data[RowKey] = row;
        return e;
    }

    /// <summary>What <paramref name="e"/> found, when it is such an error.</summary>
    public static bool TryRead(Exception e, out string what, out float value, out int row)
    {
        if (e.Data[WhatKey] is string w && e.Data[ValueKey] is float v && e.Data[RowKey] is int r)
        {
            (what, value, row) = (w, v, r);
            return true;
        }
        (what, value, row) = ("", 0f, 0);
        return false;
    }
}
