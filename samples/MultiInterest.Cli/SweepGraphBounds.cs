using System.CommandLine;
using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// What the training file bounds in <c>sweep</c>'s command line, said by the flag that gave it before any trial (the
/// library refuses the same values, by its own option names: <c>SweepOptions.Cutoff</c>, the space's <c>clusters</c>).
/// </summary>
internal static class SweepGraphBounds
{
    /// <summary>Refuses <c>--k</c> at or above <paramref name="items"/> and a <c>clusters</c> value of <c>--space</c> above it.</summary>
    /// <param name="items">The training file's distinct items (the sweep's training graph's).</param>
    /// <param name="train">The training file, for the message.</param>
    /// <param name="cutoff">The --k value.</param>
    /// <param name="space">The --space value.</param>
    /// <exception cref="UsageException">A value the graph cannot give.</exception>
    public static void Check(int items, string train, int cutoff, SweepSearchSpace space)
    {
        // A list of every item recalls every held-out edge: each trial would score Recall 1 (SweepRunner's rule).
        if (cutoff >= items)
            throw new UsageException($"--k {cutoff:N0} must be below the {items:N0} items of the training file '{train}': a list of K items would hold every "
                + $"item a user has not seen, so every trial would score the same full recall. Give at most {items - 1:N0}.");
        if (space.Parameters.FirstOrDefault(p => p.Name == "clusters") is { } clusters
            && clusters.Values.Max(v => int.Parse(v, CultureInfo.InvariantCulture)) is var largest && largest > items)
            throw new UsageException($"--space: clusters={largest.ToString(CultureInfo.InvariantCulture)} asks for more clusters than the {items:N0} items of the "
                + $"training file '{train}' there are to cluster: give at most {items:N0}.");
    }

    /// <summary>
    /// The usage error naming the flag for the sweep's refusal of a dimension the truncated SVD cannot give on the training
    /// edges (it counts them after the validation split, so the library says it, by the space's parameter or the base
    /// settings' option): "--space: The search space asks for dimension=5000 ..." or "sweep option BaseSettings (from --dim):
    /// ..."; null for any other exception.
    /// </summary>
    /// <param name="e">The exception the sweep ended with.</param>
    /// <param name="r">The parsed command line.</param>
    /// <param name="dimension">The --dim option, which sets the base settings' dimension.</param>
    public static UsageException? ByFlag(Exception e, ParseResult r, CliOption<int> dimension) => e switch
    {
        ArgumentOutOfRangeException { ParamName: "space", ActualValue: int } space => new UsageException($"--space: {space.Message.Split(" (Parameter")[0]}"),
        ArgumentOutOfRangeException { ParamName: nameof(SweepOptions.BaseSettings), ActualValue: int value } baseSettings when value == r.Value(dimension)
            => OptionErrors.Usage("sweep", baseSettings, r, new Dictionary<string, Option> { [nameof(SweepOptions.BaseSettings)] = dimension }),
        _ => null,
    };
}
