using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace MultiInterest.Cli.Common;

/// <summary>
/// Runs a command tree with one exit-code convention: 0 success; 2 bad usage (a parse error, an unknown option, a
/// missing required option, or a <see cref="UsageException"/>), one line naming the problem and where --help is;
/// 1 failure at run time (a missing file, bad data), one line <c>error: message</c>.
/// </summary>
internal static class CliRunner
{
    /// <summary>Exit code of a run that did its work.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a run that failed on its inputs (files, data) after the command line was accepted.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a command line that could not be accepted.</summary>
    public const int BadUsage = 2;

    /// <summary>A root command named <paramref name="name"/> with --help (on every command) and --version (the library's informational version).</summary>
    public static Command Root(string name, string description)
    {
        var version = new VersionOption();
        version.Action = new PrintVersion();
        // A plain Command rather than RootCommand: the name in usage lines and hints is the program's, also under a test host.
        return new Command(name, description) { new HelpOption(), version };
    }

    /// <summary>The library's assembly informational version (what --version prints).</summary>
    public static string LibraryVersion =>
        typeof(Microsoft.ML.MultiInterest.Engine.GraphEmbeddingDefaults).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Microsoft.ML.MultiInterest.Engine.GraphEmbeddingDefaults).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> and runs the chosen command; returns the exit code.</summary>
    public static int Run(Command root, IReadOnlyList<string> args, CliConsole console)
    {
        // `help CMD` reads as `CMD --help`; no arguments at all is a usage error that shows the commands.
        if (args.Count > 0 && args[0] == "help") args = [.. args.Skip(1), "--help"];
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false };
        if (args.Count == 0)
        {
            root.Parse(["--help"]).Invoke(invocation);
            return BadUsage;
        }
        if (parse.Action is ParseErrorAction)
            return Usage(console, FirstError(parse), CommandPath(parse));
        if (parse.UnmatchedTokens.Count > 0 && UnknownWordUnderHelpOrVersion(root, args) is { } unknown)
            return Usage(console, FirstError(unknown), CommandPath(unknown));
        try
        {
            return parse.Invoke(invocation);
        }
        catch (Exception) when (TerminationCleanup.Stopping is { } stop)
        {
            // The signal's clean-up removed the files the run was writing, and the run failed on that, not on its input.
            console.Error.WriteLine(stop.Message);
            return stop.Code;
        }
        catch (UsageException e)
        {
            return Usage(console, e.Message, CommandPath(parse));
        }
        catch (OutOfMemoryException e)
        {
            // A table too large for the machine (a huge dimension or list length): one line, not a crash with a stack trace.
            console.Error.WriteLine($"error: out of memory ({OneLine(e.Message)}): lower the sizes asked for (dimension, components, clusters, candidates) or use a larger machine.");
            return Failure;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or KeyNotFoundException or InvalidOperationException
            or FormatException or UnauthorizedAccessException or OperationCanceledException or NotSupportedException or OverflowException)
        {
            // .NET appends " (Parameter 'name')" to an argument exception's message: the library's own words name what was wrong.
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            console.Error.WriteLine($"error: {OneLine(message)}");
            return Failure;
        }
    }

    /// <summary>The error to show: the one about an unknown word when there is one (a typo is the likeliest mistake), else the first.</summary>
    private static string FirstError(ParseResult parse) => UnknownWordError(parse) ?? parse.Errors[0].Message;

    /// <summary>
    /// The command line without its --help and --version, parsed, when it then fails on a word no command or option matches
    /// (a mistyped command or option); else null. Both options clear the parse errors, so `splt --help`, `help splt` or
    /// `splt --version` would print the help or the version and exit 0; they should win over a missing required option only.
    /// </summary>
    private static ParseResult? UnknownWordUnderHelpOrVersion(Command root, IReadOnlyList<string> args)
    {
        var words = root.Options.Where(o => o is HelpOption or VersionOption).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        var withoutThem = root.Parse(args.Where(a => !words.Contains(a)).ToArray());
        return UnknownWordError(withoutThem) != null ? withoutThem : null;
    }

    /// <summary>The parse error about the first word no command or option matched; null when there is none (or, on a command that takes unmatched words, it is no error).</summary>
    private static string? UnknownWordError(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count == 0) return null;
        string token = $"'{parse.UnmatchedTokens[0]}'";
        return parse.Errors.FirstOrDefault(error => error.Message.Contains(token, StringComparison.Ordinal))?.Message;
    }

    private static int Usage(CliConsole console, string message, string command)
    {
        console.Error.WriteLine($"{OneLine(message)} See '{command} --help'.");
        return BadUsage;
    }

    /// <summary>"multiinterest evaluate": the command the error belongs to, for the hint.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result != null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(result.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>--version: the library's informational version on standard output.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(LibraryVersion);
            return Success;
        }
    }
}
