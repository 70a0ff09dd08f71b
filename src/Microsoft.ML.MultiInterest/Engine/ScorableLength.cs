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

    /// <summary>The squared length of <paramref name="vector"/>, summed in double (it cannot overflow for finite floats).</summary>
    public static double Squared(ReadOnlySpan<float> vector)
    {
        double squares = 0;
        foreach (float x in vector) squares += (double)x * x;
        return squares;
    }

    /// <summary>Whether a vector of squared length <paramref name="squares"/> is too long to take.</summary>
    public static bool Exceeds(double squares) => squares > float.MaxValue;

    /// <summary>"a vector of length 1E+20, whose squared length overflows a float (...)", for messages.</summary>
    public static string Describe(double squares) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"a vector of length {Math.Sqrt(squares):G3}, whose squared length overflows a float (its unit vector and cosines cannot be computed; lengths up to {Max:G3} can)");
}
