using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads a time column as Unix seconds: a number (seconds, any numeric type read exactly), a date (a DateTime without a
/// kind read as UTC, as a text date without an offset is), or text holding a number or an ISO 8601 date. Anything else,
/// and any value that is not finite, is refused naming the row; so is a Single column past 2^24 s, which cannot hold
/// whole seconds there (DataFrame.LoadCsv gives such columns to Unix times by default).
/// </summary>
internal static class TimeColumnReader
{
    private const string Option = "timestampColumnName";

    /// <summary>Past this a Single's spacing exceeds one second: 2^24.</summary>
    private const double SingleWholeSeconds = 16_777_216;

    /// <summary>ISO 8601 calendar dates, alone or with a time (T or a space between), optional fractions and offset.</summary>
    private static readonly string[] IsoFormats = BuildIsoFormats();

    /// <summary>A getter of the column's value at the cursor's row (from 0, for messages) as Unix seconds.</summary>
    public static Func<long, double> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type.RawType == typeof(DateTime))
        {
            var g = cursor.GetGetter<DateTime>(column);
            DateTime v = default;
            return _ =>
            {
                g(ref v);
                var utc = v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime();
                return new DateTimeOffset(utc).ToUnixTimeMilliseconds() / 1000.0;
            };
        }
        if (type.RawType == typeof(DateTimeOffset))
        {
            var g = cursor.GetGetter<DateTimeOffset>(column);
            DateTimeOffset v = default;
            return _ => { g(ref v); return v.ToUnixTimeMilliseconds() / 1000.0; };
        }
        if (type is TextDataViewType) return TextGetter(cursor, column);
        var number = IdColumnReader.NumberGetter(cursor, column)
            ?? throw new ArgumentException($"{Option}: the time column '{column.Name}' has type {type}; it must be a number (Unix seconds), a date "
                + "(DateTime or DateTimeOffset) or text holding either.", Option);
        bool single = type.RawType == typeof(float);
        return row =>
        {
            double seconds = number();
            if (!double.IsFinite(seconds))
                throw new ArgumentException($"{Option}: row {row} of the time column '{column.Name}' holds {seconds.ToString(CultureInfo.InvariantCulture)}, which is no time.", Option);
            if (single && Math.Abs(seconds) >= SingleWholeSeconds)
                throw new ArgumentException($"{Option}: the time column '{column.Name}' is Single, which holds whole seconds only below 2^24 (16,777,216); "
                    + $"row {row} holds {seconds.ToString("R", CultureInfo.InvariantCulture)}, already rounded to a multiple of "
                    + $"{Spacing(seconds).ToString(CultureInfo.InvariantCulture)} s. Load the column as Int64 or Double (DataFrame.LoadCsv takes dataTypes).", Option);
            return seconds;
        };
    }

    private static Func<long, double> TextGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> text = default;
        return row =>
        {
            get(ref text);
            var span = text.Span.Trim();
            if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                return double.IsFinite(seconds) ? seconds : throw new EdgeTimeException(row, column.Name, span.ToString(), "which is not a finite number");
            if (DateTimeOffset.TryParseExact(span, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                return date.ToUnixTimeMilliseconds() / 1000.0;
            throw new EdgeTimeException(row, column.Name, span.ToString(),
                "which is neither a number (Unix seconds) nor an ISO 8601 date such as 2024-01-31 or 2024-01-31T10:30:00Z");
        };
    }

    /// <summary>The distance from a Single of this size to the next one.</summary>
    private static double Spacing(double value) => MathF.BitIncrement(MathF.Abs((float)value)) - MathF.Abs((float)value);

    private static string[] BuildIsoFormats()
    {
        var formats = new List<string> { "yyyy-MM-dd" };
        foreach (string separator in new[] { "'T'", " " })
            foreach (string time in new[] { "HH:mm", "HH:mm:ss", "HH:mm:ss.FFFFFFF" })
                foreach (string zone in new[] { "", "K", "zz" })
                    formats.Add("yyyy-MM-dd" + separator + time + zone);
        return [.. formats];
    }
}

/// <summary>
/// A text time that is neither a number nor an ISO 8601 date, or not finite. Said as a <see cref="FormatException"/> naming
/// the frame's row; <c>LoadEdges(path)</c> names the file and its line instead.
/// </summary>
internal sealed class EdgeTimeException(long row, string column, string text, string problem)
    : FormatException($"timestampColumnName: row {row} of column '{column}' holds '{text}', {problem}.")
{
    /// <summary>The frame's row, from 0.</summary>
    public long Row { get; } = row;

    /// <summary>The time column.</summary>
    public string Column { get; } = column;

    /// <summary>The text as read, trimmed.</summary>
    public string Text { get; } = text;

    /// <summary>What is wrong with it, e.g. "which is not a finite number".</summary>
    public string Problem { get; } = problem;
}
