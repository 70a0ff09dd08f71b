namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How a retrieval stage reads a history the model was not trained on (a new user's, served from its items) into the user's
/// single vector: the query of unimodal and MMR retrieval, and the user vector of quota and conditional retrieval.
/// </summary>
public enum HistoryVector
{
    /// <summary>
    /// Chosen at Fit: <see cref="FoldIn"/> when the item vectors carry the implicit-ALS objective they were trained with (a
    /// GraphEmbedding stage trained them by ALS), else <see cref="Mean"/>. A fitted stage records what it chose.
    /// </summary>
    Auto,

    /// <summary>The mean of the history items' vectors (what every stage used before 2026-12-05).</summary>
    Mean,

    /// <summary>
    /// The implicit-ALS fold-in of the history: the vector ALS gives a user whose history it is, solved against the item
    /// vectors with the objective they were trained with, or, for item vectors no ALS objective produced, with the objective
    /// fitted at Fit to reproduce the trained users' own vectors (as history-interest MMR's
    /// <see cref="HistoryInterestOptions.MatchUserVectors"/>). Not for round-robin stages, whose learned components read a
    /// history their own way.
    /// </summary>
    FoldIn,
}
