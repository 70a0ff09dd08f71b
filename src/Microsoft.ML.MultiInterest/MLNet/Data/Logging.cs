using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest;

/// <summary>Writes progress messages to the MLContext's Log event, where ML.NET's own trainers report.</summary>
internal static class Logging
{
    public static void Info(MLContext context, string component, string message)
    {
        var host = ((IHostEnvironment)context).Register(component);
        using var channel = host.Start(component);
        channel.Info(MessageSensitivity.None, message);
    }

    /// <summary>Writes a warning: ML.NET shows it in the Log event with kind <see cref="ChannelMessageKind.Warning"/>.</summary>
    public static void Warning(MLContext context, string component, string message)
    {
        var host = ((IHostEnvironment)context).Register(component);
        using var channel = host.Start(component);
        channel.Warning(MessageSensitivity.None, message);
    }
}
