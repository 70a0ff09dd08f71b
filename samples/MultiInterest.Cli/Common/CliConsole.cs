using Spectre.Console;

namespace MultiInterest.Cli.Common;

/// <summary>Where a command writes: results to <see cref="Out"/>, errors and plain progress to <see cref="Error"/>.</summary>
/// <param name="Out">Standard output: tables, metrics, the files written.</param>
/// <param name="Error">Standard error: error messages, and progress lines when not <paramref name="Interactive"/>.</param>
/// <param name="Interactive">Whether progress is drawn as Spectre.Console bars on the terminal.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool Interactive)
{
    /// <summary>
    /// The process's console: bars only when standard output is a terminal that Spectre.Console can redraw
    /// (not redirected, not a CI log); otherwise plain lines, as a pipe or a log file wants.
    /// </summary>
    public static CliConsole System() => new(Console.Out, Console.Error, !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);
}
