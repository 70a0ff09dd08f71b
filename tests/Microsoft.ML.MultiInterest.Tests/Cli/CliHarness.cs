using System.CommandLine;
using MultiInterest.Cli;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>Runs the CLI's real command tree in process, capturing standard output and standard error (plain progress: not a terminal).</summary>
internal static class CliHarness
{
    public sealed record Outcome(int ExitCode, string Out, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Outcome Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, new CliConsole(output, error, Interactive: false));
        return new Outcome(code, output.ToString(), error.ToString());
    }

    /// <summary>Parses without running: the command tree as the program builds it.</summary>
    public static ParseResult Parse(params string[] args) => CliApp.Build(new CliConsole(TextWriter.Null, TextWriter.Null, Interactive: false)).Parse(args);

    /// <summary>A small two-community edge file (header line, raw ids) in <paramref name="directory"/>.</summary>
    public static (string Train, string Test) WriteSplit(string directory)
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 30, users: 80, itemsPerUserPerGroup: 8, seed: 3);
        var lines = new List<string> { "user\titem" };
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u).ToArray())
                lines.Add($"u{u}\ti{i}");
        string edges = Path.Combine(directory, "edges.tsv");
        File.WriteAllLines(edges, lines);
        string train = Path.Combine(directory, "train.tsv"), test = Path.Combine(directory, "test.tsv");
        var split = Run("split", "--edges", edges, "--train", train, "--test", test);
        Assert.True(split.ExitCode == 0, split.Error);
        return (train, test);
    }
}
