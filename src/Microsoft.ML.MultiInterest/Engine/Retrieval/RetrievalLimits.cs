namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Bounds every retrieval stage's options share.</summary>
public static class RetrievalLimits
{
    /// <summary>
    /// The most candidates (M) a retrieval stage or a rank fusion takes. Every row of its candidates column holds M slots; a list
    /// never holds more than the recommendable items (M beyond them is padding), and a column of a million slots per row is a
    /// mistake, not a candidate list.
    /// </summary>
    public const int MaxCandidates = 1 << 20;

    /// <summary>
    /// Throws unless <paramref name="length"/> lies in 1..<see cref="MaxCandidates"/>: the engine's retrievers allocate a slot
    /// per user and position, so a stray huge length (a typo, an int.MaxValue) would take gigabytes before any list is built.
    /// </summary>
    /// <param name="length">A list length (M, a cutoff K, a pool size).</param>
    /// <param name="parameter">The parameter that gave it.</param>
    /// <param name="what">How the message names it, e.g. "Candidates (M)".</param>
    internal static void Check(int length, string parameter, string what)
    {
        if (length < 1 || length > MaxCandidates)
            throw new ArgumentOutOfRangeException(parameter, length, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{what} must be within 1..{MaxCandidates}: a list never holds more than the catalogue's items, and each user gets that many slots."));
    }
}
