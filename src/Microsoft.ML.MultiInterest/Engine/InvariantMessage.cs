using System.Globalization;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A log or progress message whose interpolations are formatted in the invariant culture whatever the thread's: taking
/// one as a parameter makes every <c>$"..."</c> passed to it invariant ("lambda 0.6", not "lambda 0,6" in a de-DE
/// service), and a plain string or a concatenation with one does not compile, so no message slips back to the
/// thread's culture.
/// </summary>
[InterpolatedStringHandler]
internal ref struct InvariantMessage
{
    private DefaultInterpolatedStringHandler _text;

    /// <summary>Called by the compiler for an interpolated string argument.</summary>
    public InvariantMessage(int literalLength, int formattedCount) =>
        _text = new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture);

    /// <summary>Appends a literal part.</summary>
    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    /// <summary>Appends a value, formatted in the invariant culture.</summary>
    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    /// <summary>Appends a value with a format string, in the invariant culture.</summary>
    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    /// <summary>Appends a value with an alignment, in the invariant culture.</summary>
    public void AppendFormatted<T>(T value, int alignment) => _text.AppendFormatted(value, alignment);

    /// <summary>Appends a value with an alignment and a format string, in the invariant culture.</summary>
    public void AppendFormatted<T>(T value, int alignment, string? format) => _text.AppendFormatted(value, alignment, format);

    /// <summary>Appends text as it is.</summary>
    public void AppendFormatted(string? value) => _text.AppendFormatted(value);

    /// <summary>The message; the handler is empty afterwards.</summary>
    public string ToStringAndClear() => _text.ToStringAndClear();
}
