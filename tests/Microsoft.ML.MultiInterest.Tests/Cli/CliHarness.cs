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
    /// Runs <c>recommend</c> on <paramref name="model"/> for the users of <paramref name="users"/> and one user the model does
    /// not know, with each scorer (the zip's lists, <c>--engine</c>, <c>--onnx</c>); asserts that each run succeeds, that all
    /// three write the same lists (user, rank, item, source), the known users' marked Trained and the stranger's the popular
    /// fallback, and returns the known users' lines (user, rank, item; header included).
    /// </summary>
    public static string[] RecommendAlikeWithEveryScorer(string directory, string model, string users, string name)
    {
        string withStranger = Path.Combine(directory, $"{name}-users.tsv");
        File.WriteAllLines(withStranger, [.. File.ReadAllLines(users), Stranger]);
        var lists = new List<string[][]>();
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"], ["--onnx"] })
        {
            string path = Path.Combine(directory, $"{name}{lists.Count}.tsv");
            var run = Run(["recommend", "--model", model, "--users", withStranger, "--out", path, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            lists.Add(File.ReadAllLines(path).Select(l => l.Split('\t')).ToArray());
        }
        string Columns(string[] f) => string.Join('\t', f[0], f[1], f[2], f[4]);
        Assert.Equal(lists[0].Select(Columns), lists[1].Select(Columns));
        Assert.Equal(lists[0].Select(Columns), lists[2].Select(Columns));
        var stranger = lists[0].Where(f => f[0] == Stranger).ToArray();
        Assert.NotEmpty(stranger);
        Assert.All(stranger, f => Assert.Equal("Popular", f[4]));
        var known = lists[0].Where(f => f[0] != Stranger).ToArray();
        Assert.True(known.Length > 1);
        Assert.All(known.Skip(1), f => Assert.Equal("Trained", f[4]));
        return [.. known.Select(f => string.Join('\t', f[..3]))];
    }

    /// <summary>
    /// Runs <c>recommend --history</c> on <paramref name="model"/> for the users of <paramref name="users"/> with the live
    /// recommender, <c>--engine</c> and <c>--onnx</c>; asserts that each run succeeds and that all three write the same file,
    /// and returns its lines split into fields (header left out).
    /// </summary>
    public static string[][] RecommendWithHistoryAlike(string directory, string model, string users, string history)
    {
        string Serve(string name, params string[] scorer)
        {
            string output = Path.Combine(directory, name);
            var run = Run(["recommend", "--model", model, "--users", users, "--history", history, "--out", output, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            return File.ReadAllText(output);
        }
        string live = Serve("live.tsv", "--recommender");
        Assert.Equal(live, Serve("engine.tsv", "--engine"));
        Assert.Equal(live, Serve("onnx.tsv", "--onnx"));
        return live.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t')).ToArray();
    }

    /// <summary>The id of the user <see cref="RecommendAlikeWithEveryScorer"/> adds, one no model here is trained on.</summary>
    private const string Stranger = "stranger-nobody-trained";

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
