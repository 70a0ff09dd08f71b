namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The longest vector the library takes: one whose squared length a float holds (a length up to about 1.84e19), so that its
/// unit vector and cosines (MMR, Diversity, k-means' assignments) can be computed in float. A longer one, though finite, is
/// refused where it enters: normalised in float it became a zero vector, silently.
/// </summary>
internal static class ScorableLength
{
    /// <summary>The largest length taken, sqrt(float.MaxValue).</summary>
    public static readonly double Max = Math.Sqrt(float.MaxValue);

    /// <summary>Whether <paramref name="vector"/> is too long to take; <paramref name="squares"/> is its squared length (for <see cref="Describe"/>).</summary>
    public static bool TooLong(ReadOnlySpan<float> vector, out double squares)
    {
        squares = VectorMath.SquaredNormWidened(vector);
        return squares > float.MaxValue;
    }

    /// <summary>
    /// The index of the first row of <paramref name="width"/> values in <paramref name="rows"/> that is too long to take (a
    /// user's or item's components laid end to end), or -1; <paramref name="squares"/> is that row's squared length.
    /// </summary>
    public static int FirstTooLong(ReadOnlySpan<float> rows, int width, out double squares)
    {
        squares = 0;
        if (width <= 0) return -1;
        for (int r = 0; (r + 1) * width <= rows.Length; r++)
            if (TooLong(rows.Slice(r * width, width), out squares)) return r;
        return -1;
    }

    /// <summary>"a vector of length 1E+20, whose squared length overflows a float (...)", for messages.</summary>
    public static string Describe(double squares) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"a vector of length {Math.Sqrt(squares):G3}, whose squared length overflows a float (its unit vector and cosines cannot be computed; lengths up to {Max:G3} can)");
}
