using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// A learned row's validation hold-out refused as unable to choose its epochs (every validation user's unseen items fit in
/// one list: <c>ValidationCutoff</c>), said by the row's own flag. The generic mapping would have named --validation-k,
/// which sizes the single vector's hold-out only, whenever the row's fixed cutoff happened to equal that flag's value.
/// </summary>
internal static class LearnedHoldOut
{
    /// <summary>Runs <paramref name="fit"/>, turning that refusal into a usage error naming <paramref name="fractionFlag"/> (when not null).</summary>
    /// <typeparam name="T">What the fit returns.</typeparam>
    /// <param name="fractionFlag">The hold-out flag of the learned model <paramref name="fit"/> trains, e.g. <c>--dcm-validation-fraction</c>; null when it trains none.</param>
    /// <param name="fit">The fit.</param>
    /// <returns>What <paramref name="fit"/> returned.</returns>
    public static T Run<T>(string? fractionFlag, Func<T> fit)
    {
        try
        {
            return fit();
        }
        catch (ArgumentOutOfRangeException e) when (Usage(e, fractionFlag) is { } usage)
        {
            throw usage;
        }
    }

    /// <summary>
    /// The usage error naming <paramref name="fractionFlag"/> for a hold-out refused as unable to choose, or null for any other
    /// exception, or when no learned model's hold-out can have thrown it (<paramref name="fractionFlag"/> null).
    /// </summary>
    /// <param name="e">The exception a fit ended with.</param>
    /// <param name="fractionFlag">The hold-out flag of the one learned model that can have thrown it, or null.</param>
    private static UsageException? Usage(Exception e, string? fractionFlag)
    {
        if (fractionFlag == null || e is not ArgumentOutOfRangeException { ParamName: nameof(GraphEmbeddingOptions.ValidationCutoff) }) return null;
        string why = e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0].Split(": the steps chosen")[0];
        return new UsageException($"{fractionFlag}: the hold-out cannot choose the epochs: {why}. Give {fractionFlag} 0 (no hold-out: every epoch given is trained).");
    }
}
