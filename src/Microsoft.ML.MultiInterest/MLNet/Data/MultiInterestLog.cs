using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What the library's messages on <c>MLContext.Log</c> say beyond their text. A warning about one option's value on the
/// data at hand (Dimension above min(users, items) or not read under Auto, Components above the clusters, Candidates above
/// the items, edge weights far apart or far from 1 under the weight column's option) names
/// that option in its source, <c>"GraphEmbeddingTrainer; option Dimension"</c>, so that an application that set the
/// option from its own setting (a command-line flag, a configuration key) can say which, without reading the message.
/// </summary>
public static class MultiInterestLog
{
    /// <summary>How the last part of such a warning's source starts, before the option's name.</summary>
    public const string OptionSourcePrefix = "option ";

    /// <summary>
    /// The option a message of the library is about (its Options property name, e.g. "Dimension", "Components",
    /// "Candidates"), or null when it names none in its source.
    /// </summary>
    /// <param name="message">A message from <c>MLContext.Log</c>.</param>
    /// <returns>The option's name, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static string? OptionOf(LoggingEventArgs message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return OptionOf(message.Source);
    }

    /// <summary>The option named in a message's <paramref name="source"/> (see <see cref="OptionOf(LoggingEventArgs)"/>), or null.</summary>
    /// <param name="source">A message's source, "component; option NAME".</param>
    /// <returns>The option's name, or null (also for a null or empty <paramref name="source"/>).</returns>
    public static string? OptionOf(string? source)
    {
        if (string.IsNullOrEmpty(source)) return null;
        int last = source.LastIndexOf("; ", StringComparison.Ordinal);
        string part = last < 0 ? source : source[(last + 2)..];
        return part.StartsWith(OptionSourcePrefix, StringComparison.Ordinal) && part.Length > OptionSourcePrefix.Length ? part[OptionSourcePrefix.Length..] : null;
    }

    /// <summary>The channel name a warning about <paramref name="option"/> is written under (the source's last part).</summary>
    internal static string Channel(string option) => OptionSourcePrefix + option;
}
