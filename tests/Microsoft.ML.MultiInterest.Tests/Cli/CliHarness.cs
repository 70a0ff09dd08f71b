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

    /// <summary>
    /// Runs <c>recommend</c> on <paramref name="model"/> for the users of <paramref name="users"/> with each scorer (the zip's
    /// lists, <c>--engine</c>, <c>--onnx</c>), asserts that each run succeeds and that all three write the same lists
    /// (user, rank, item), and returns those lines (header included).
    /// </summary>
    public static string[] RecommendAlikeWithEveryScorer(string directory, string model, string users, string name)
    {
        var lists = new List<string[]>();
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"], ["--onnx"] })
        {
            string path = Path.Combine(directory, $"{name}{lists.Count}.tsv");
            var run = Run(["recommend", "--model", model, "--users", users, "--out", path, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            lists.Add(File.ReadAllLines(path).Select(l => string.Join('\t', l.Split('\t')[..3])).ToArray());
        }
        Assert.True(lists[0].Length > 1);
        Assert.Equal(lists[0], lists[1]);
        Assert.Equal(lists[0], lists[2]);
        return lists[0];
    }

    /// <summary>
    /// A small planted graph (80 users with two of four interests each) written as an edge file with raw ids (header line) in
    /// <paramref name="directory"/>, then split by the CLI's own <c>split</c>; returns the training and test files.
    /// </summary>
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
