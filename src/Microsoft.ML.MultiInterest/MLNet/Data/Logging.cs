using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Writes progress messages to the MLContext's Log event, where ML.NET's own trainers report, in the invariant culture
/// (<see cref="InvariantMessage"/>), so a service's log reads alike on every machine.
/// </summary>
internal static class Logging
{
    public static void Info(MLContext context, string component, InvariantMessage message) =>
        Write(context, component, message.ToStringAndClear(), warning: false);

    /// <summary>Writes a warning: ML.NET shows it in the Log event with kind <see cref="ChannelMessageKind.Warning"/>.</summary>
    public static void Warning(MLContext context, string component, InvariantMessage message) =>
        Write(context, component, message.ToStringAndClear(), warning: true);

    /// <summary>
    /// Writes a warning about the value of <paramref name="option"/>, named in the message's source ("component; option NAME",
    /// <see cref="MultiInterestLog.OptionOf(LoggingEventArgs)"/>) so that a caller can map it to its own setting without reading the text.
    /// </summary>
    public static void Warning(MLContext context, string component, string option, InvariantMessage message) =>
        Write(context, component, message.ToStringAndClear(), warning: true, MultiInterestLog.Channel(option));

    private static void Write(MLContext context, string component, string message, bool warning, string? channelName = null)
    {
        // A host registered without a seed takes one from the context's random source, the one a stage left unseeded draws its
        // seed from (StageReporter.SeedOf): every message would move it, so a model's seeds depended on how many messages the
        // fits before it wrote (another tenant's data, on a context shared by several tenants). Logging draws nothing.
        var host = ((IHostEnvironment)context).Register(component, seed: 0);
        using var channel = host.Start(channelName ?? component);
        if (warning) channel.Warning(MessageSensitivity.None, message);
        else channel.Info(MessageSensitivity.None, message);
    }
}
