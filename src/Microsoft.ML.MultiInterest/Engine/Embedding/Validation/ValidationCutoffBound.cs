namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The validation Recall@K a catalogue can tell apart: a list of K at or above the item count holds every item a user has
/// not seen, so every set of vectors scores the same full recall and a choice made on it is the first candidate's.
/// </summary>
internal static class ValidationCutoffBound
{
    /// <summary>Whether Recall@<paramref name="cutoff"/> over <paramref name="items"/> items is 1 whatever the vectors.</summary>
    public static bool Saturates(int cutoff, int items) => cutoff >= items;

    /// <summary>Why nothing can be chosen at <paramref name="cutoff"/>, for a fit's settings and messages.</summary>
    public static string Why(int cutoff, int items) =>
        $"ValidationCutoff {cutoff:N0} is not below the {items:N0} items, so every candidate's validation Recall@{cutoff:N0} would be 1";

    /// <summary>
    /// Refuses a <paramref name="cutoff"/> that <see cref="Saturates"/> for a fit choosing its steps on a hold-out: the first
    /// step would win every time, silently.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The cutoff is not below <paramref name="items"/>; named <c>ValidationCutoff</c>.</exception>
    public static void Require(int cutoff, int items)
    {
        if (Saturates(cutoff, items))
            throw new ArgumentOutOfRangeException(nameof(GraphEmbeddingOptions.ValidationCutoff), cutoff,
                $"{Why(cutoff, items)}: the steps chosen on it would be the first. Give at most {Math.Max(items - 1, 1):N0}, or no validation hold-out (ValidationFraction 0).");
    }
}
