using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// A given <c>--validation-k</c> the training file cannot tell candidates apart by, refused by flag before any fit, as
/// sweep refuses its <c>--k</c> (<see cref="SweepGraphBounds"/>). Left at its default, the library says it: Auto falls back to
/// implicit ALS and says why in its settings, a fit choosing its steps refuses it by option name (mapped to the flag).
/// </summary>
internal static class ValidationKBound
{
    /// <summary>Refuses <paramref name="cutoff"/> at or above <paramref name="items"/> when the embedding chooses on a hold-out.</summary>
    /// <param name="items">The training file's distinct items.</param>
    /// <param name="train">The training file, for the message.</param>
    /// <param name="cutoff">The --validation-k value.</param>
    /// <param name="algorithm">The embedding's algorithm: Auto reads the cutoff.</param>
    /// <param name="fraction">The embedding's validation fraction: another algorithm reads the cutoff when it is above 0.</param>
    /// <exception cref="UsageException">A cutoff whose Recall@K is 1 for every candidate.</exception>
    public static void Check(int items, string train, int cutoff, EmbeddingAlgorithm algorithm, double fraction)
    {
        bool holdout = algorithm == EmbeddingAlgorithm.Auto || fraction > 0;
        // A list of every item recalls every held-out edge: every candidate would score Recall 1, and the first would be kept.
        if (holdout && cutoff >= items)
            throw new UsageException($"--validation-k {cutoff:N0} must be below the {items:N0} items of the training file '{train}': a list of K items would hold "
                + $"every item a user has not seen, so every candidate would score the same full validation recall and the first would be kept. Give at most {Math.Max(items - 1, 1):N0}.");
    }
}
