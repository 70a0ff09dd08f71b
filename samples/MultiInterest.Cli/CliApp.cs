using System.CommandLine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>The <c>multiinterest</c> command tree: every command with the option groups it accepts, so each --help lists exactly those.</summary>
internal static class CliApp
{
    /// <summary>The program's name in usage lines and hints.</summary>
    public const string Name = "multiinterest";

    /// <summary>The root command and its subcommands, writing to <paramref name="console"/>.</summary>
    public static Command Build(CliConsole console)
    {
        var root = CliRunner.Root(Name, "Multi-interest candidate retrieval (kNN-Embed, cluster quotas, MMR) on ML.NET: experiments, sweeps, fitting and serving. "
            + "Run '" + Name + " COMMAND --help' for a command's options.");
        root.Subcommands.Add(ExperimentCommands.Reproduce(console));
        root.Subcommands.Add(ExperimentCommands.Evaluate(console));
        root.Subcommands.Add(SplitCommand.Create(console));
        root.Subcommands.Add(FitCommand.Create(console));
        root.Subcommands.Add(RecommendCommand.Create(console));
        root.Subcommands.Add(ExportOnnxCommand.Create(console));
        root.Subcommands.Add(SweepCommand.Create(console));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 ok, 1 failure, 2 bad usage).</summary>
    public static int Run(IReadOnlyList<string> args, CliConsole console) => CliRunner.Run(Build(console), args, console);

    /// <summary>Adds <paramref name="options"/> to <paramref name="command"/>.</summary>
    public static Command With(this Command command, IEnumerable<Option> options)
    {
        foreach (var option in options) command.Options.Add(option);
        return command;
    }
}
