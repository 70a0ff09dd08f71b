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
}
