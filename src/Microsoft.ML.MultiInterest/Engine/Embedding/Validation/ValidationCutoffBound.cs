namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The validation Recall@K a hold-out can tell apart: when every scored user has at most K items it has not seen in
/// training, a list of K holds every one of them, so every set of vectors scores the same full recall and a choice made on
/// it is the first candidate's. A catalogue of K items or fewer is the plain case; a catalogue a little larger, whose users
/// have seen a few items each, is the same (21 items at K = 20: Auto kept its first candidate and Unimodal's test Recall@10
/// fell from 83 % to 31 %).
/// </summary>
internal static class ValidationCutoffBound
{
    /// <summary>Whether <paramref name="scorer"/>'s Recall@K is 1 for every scored user, whatever the vectors.</summary>
    public static bool Saturates(ValidationScorer scorer) => scorer.UserCount > 0 && scorer.Cutoff >= scorer.MostUnseenItems;

    /// <summary>Why nothing can be chosen on <paramref name="scorer"/>, for a fit's settings and messages.</summary>
    public static string Why(ValidationScorer scorer, int items) =>
        $"every one of the {scorer.UserCount:N0} validation users has at most {scorer.MostUnseenItems:N0} of the {items:N0} items unseen, so every candidate's "
        + $"validation Recall@{scorer.Cutoff:N0} (ValidationCutoff) would be 1";

    /// <summary>
    /// Refuses a hold-out that <see cref="Saturates"/> for a fit choosing its steps on it: the first step would win every
    /// time, silently.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Every scored user's list would hold all its unseen items; named <c>ValidationCutoff</c>.</exception>
    public static void Require(ValidationScorer scorer, int items)
    {
        if (Saturates(scorer))
            throw new ArgumentOutOfRangeException(nameof(GraphEmbeddingOptions.ValidationCutoff), scorer.Cutoff,
                $"{Why(scorer, items)}: the steps chosen on it would be the first. Give a ValidationCutoff below {scorer.MostUnseenItems:N0}, or no validation hold-out (ValidationFraction 0).");
    }
}
