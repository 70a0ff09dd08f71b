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
}
