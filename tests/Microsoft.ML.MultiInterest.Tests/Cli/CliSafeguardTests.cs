using Microsoft.ML;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// Mistakes a new user makes on the command line, each refused or warned of before it costs data or gives a misleading
/// figure: outputs that overwrite inputs, a split with nothing held out, an MMR pool shorter than the lists it scores, an
/// unwritable --out found only after serving, a --history of another catalogue.
/// </summary>
public sealed class CliSafeguardTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-safeguards-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private string WriteEdges(string name, params string[] lines)
    {
        File.WriteAllLines(PathOf(name), ["user\titem", .. lines]);
        return PathOf(name);
    }

    [Fact]
    public void Split_refuses_an_output_that_is_its_input_or_the_other_output_and_leaves_the_input_untouched()
    {
        string edges = WriteEdges("edges.tsv", "a\t1", "a\t2", "a\t3", "b\t1", "b\t2", "b\t3");
        string before = File.ReadAllText(edges);

        var overInput = CliHarness.Run("split", "--edges", edges, "--train", edges, "--test", PathOf("test.tsv"));
        Assert.Equal(CliRunner.BadUsage, overInput.ExitCode);
        Assert.Contains("--edges and --train name the same file", Assert.Single(overInput.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(edges));

        // Through a symbolic link to the edge file's folder, and through a hard link to the edge file itself.
        string linked = Path.Combine(_directory, "linked");
        Directory.CreateSymbolicLink(linked, _directory);
        var viaFolderLink = CliHarness.Run("split", "--edges", edges, "--train", Path.Combine(linked, "edges.tsv"), "--test", PathOf("test.tsv"));
        Assert.Equal(CliRunner.BadUsage, viaFolderLink.ExitCode);
        Assert.Contains("--edges and --train name the same file", Assert.Single(viaFolderLink.ErrorLines), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            string hardLink = PathOf("hard.tsv");
            using (var ln = System.Diagnostics.Process.Start("ln", [edges, hardLink])) ln.WaitForExit();
            var viaHardLink = CliHarness.Run("split", "--edges", edges, "--train", PathOf("train.tsv"), "--test", hardLink);
            Assert.Equal(CliRunner.BadUsage, viaHardLink.ExitCode);
            Assert.Contains("--edges and --test name the same file", Assert.Single(viaHardLink.ErrorLines), StringComparison.Ordinal);
        }
        Assert.Equal(before, File.ReadAllText(edges));

        // Through another spelling of the same path.
        string other = Path.Combine(_directory, ".", "out.tsv");
        var sameOutputs = CliHarness.Run("split", "--edges", edges, "--train", PathOf("out.tsv"), "--test", other);
        Assert.Equal(CliRunner.BadUsage, sameOutputs.ExitCode);
        Assert.Contains("--train and --test name the same file", Assert.Single(sameOutputs.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("out.tsv")));
    }

    [Fact]
    public void Split_warns_when_no_user_has_enough_edges_to_hold_any_out()
    {
        string edges = WriteEdges("few.tsv", "a\t1", "a\t2", "b\t1");
        var run = CliHarness.Run("split", "--edges", edges, "--train", PathOf("train.tsv"), "--test", PathOf("test.tsv"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning: nothing was held out", run.Error, StringComparison.Ordinal);
        Assert.Contains("a user needs 3 or more distinct edges", run.Error, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(PathOf("test.tsv"))); // the header alone

        // With a held-out edge there is no such warning.
        string enough = WriteEdges("enough.tsv", "a\t1", "a\t2", "a\t3", "b\t1", "b\t2", "b\t3");
        var fine = CliHarness.Run("split", "--edges", enough, "--train", PathOf("train2.tsv"), "--test", PathOf("test2.tsv"));
        Assert.Equal(0, fine.ExitCode);
        Assert.DoesNotContain("nothing was held out", fine.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_refuses_an_mmr_pool_shorter_than_the_largest_cutoff_by_its_flag()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--mmr-pool", "20");
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains("(from --mmr-pool)", line, StringComparison.Ordinal);
        Assert.Contains("below the largest cutoff (50)", line, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
        // Named by its flag even when another flag holds the same value.
        var twin = CliHarness.Run("evaluate", "--train", train, "--test", test, "--mmr-pool", "20", "--neighbors", "20");
        Assert.Contains("(from --mmr-pool)", Assert.Single(twin.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// Regression (a walkthrough of outputs under failure): evaluate --export rewrote its own --user-embeddings, given from
    /// the --out folder, as float32 text: the input was lost without a word.
    /// </summary>
    [Fact]
    public void Evaluate_refuses_an_input_that_its_out_folder_would_overwrite()
    {
        string train = WriteEdges("train.tsv", "a\t1", "a\t2", "b\t1", "b\t2");
        string test = WriteEdges("test.tsv", "a\t3");
        string users = PathOf("user_embeddings.tsv");
        File.WriteAllLines(users, ["a\t0.006582096937964627\t1", "b\t1\t0"]);
        File.WriteAllLines(PathOf("item_embeddings.tsv"), ["1\t1\t0", "2\t0\t1", "3\t1\t1"]);
        string before = File.ReadAllText(users);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--user-embeddings", users, "--item-embeddings", PathOf("item_embeddings.tsv"),
            "--out", _directory, "--export");
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains("--user-embeddings and --out (user_embeddings.tsv) name the same file", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(users));
        // Without --export nothing of that name is written: the same inputs are read (a review found them refused too).
        var withoutExport = CliHarness.Run("evaluate", "--train", train, "--test", test, "--user-embeddings", users, "--item-embeddings", PathOf("item_embeddings.tsv"),
            "--out", _directory, "--plot-users", "0");
        Assert.DoesNotContain("name the same file", withoutExport.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(users));
    }

    [Fact]
    public void Recommend_checks_its_out_path_before_serving_and_says_when_a_history_names_no_known_item()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = PathOf("m.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);

        // --out over an input, and an --out that cannot be written: refused before the model is even loaded.
        var overUsers = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", test);
        Assert.Equal(CliRunner.BadUsage, overUsers.ExitCode);
        Assert.Contains("--users and --out name the same file", Assert.Single(overUsers.ErrorLines), StringComparison.Ordinal);
        File.WriteAllText(PathOf("a-file"), "");
        var unwritable = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", Path.Combine(PathOf("a-file"), "lists.tsv"));
        Assert.Equal(CliRunner.BadUsage, unwritable.ExitCode);
        Assert.Contains("--out", Assert.Single(unwritable.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("users/s", unwritable.Out, StringComparison.Ordinal); // nobody was served
        var folder = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", _directory);
        Assert.Equal(CliRunner.BadUsage, folder.ExitCode);
        Assert.Contains("--out", Assert.Single(folder.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("is a folder", folder.ErrorLines[0], StringComparison.Ordinal);

        // A new user whose history names only items the model does not know gets the popular fallback, and is told why.
        string users = WriteEdges("new-users.tsv", "newcomer\tx");
        string history = WriteEdges("history.tsv", "newcomer\tno-such-item", "newcomer\tnor-this-one");
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--onnx"] })
        {
            var run = CliHarness.Run(["recommend", "--model", model, "--users", users, "--history", history, "--out", PathOf("lists.tsv"), .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains("'newcomer') has a --history but none of its items is one the model knows", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("has no --history:", run.Error, StringComparison.Ordinal);
            // Every scorer's log counts the history edges it serves from (none here) and those it ignores: the live
            // recommender's too (before 2026-12-05 only --engine and --onnx said so).
            Assert.Contains("2 edges with an item the model does not know", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("their lists come from these histories", run.Out, StringComparison.Ordinal);
            Assert.Contains("Items added to the catalogue since the fit are learned by the next fit", run.Error, StringComparison.Ordinal);
            Assert.All(File.ReadAllLines(PathOf("lists.tsv")).Skip(1), l => Assert.Equal("Popular", l.Split('\t')[4]));
        }
    }

    [Fact]
    public void Fit_replaces_an_earlier_model_whole_and_says_so()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = PathOf("replaced.zip");
        var first = CliHarness.Run("fit", "--train", train, "--model", model, "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1");
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.DoesNotContain("replacing", first.Out, StringComparison.Ordinal);
        var second = CliHarness.Run("fit", "--train", train, "--model", model, "--algorithm", "truncated-svd", "--dim", "3", "--threads", "1");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("(replacing the file there)", second.Out, StringComparison.Ordinal);
        // Written beside it and moved over it: no partial file is left, and the file is the second model.
        Assert.Equal(["replaced.zip"], Directory.GetFiles(_directory, "replaced.zip*").Select(Path.GetFileName));
        var loaded = MultiInterestModel.Load(new MLContext(), model);
        Assert.Equal(3, loaded.GraphEmbedding!.ItemEmbeddings.Dimension);
    }

    /// <summary>
    /// A sweep's model, leaderboard, plots and sweep.json are one set: a run that fails after its search, before they are all
    /// written (here its standard output closed while it prints the test figures, as a pipe into <c>head</c> is; a Ctrl+C there
    /// did the same), leaves the earlier run's set whole. It saved its model and leaderboard first, so the folder held this
    /// run's model beside the earlier run's sweep.json, which described another best (found by a walkthrough of sweeps).
    /// </summary>
    [Fact]
    public void Sweep_replaces_its_model_leaderboard_and_sweep_json_together_or_not_at_all()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = PathOf("sweep");
        string[] common = ["sweep", "--train", train, "--test", test, "--algorithm", "truncated-svd", "--dim", "8", "--clusters", "8", "--threads", "1", "--out", output];
        var first = CliHarness.Run([.. common, "--space", "lambda=0,0.8"]);
        Assert.True(first.ExitCode == 0, first.Error);
        string[] files = ["model.zip", "leaderboard.tsv", "sweep.json", "sensitivity-lambda.png"];
        var before = files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(output, f)));

        var closing = new ClosingWriter("Test figures of the best setting");
        int code = global::MultiInterest.Cli.CliApp.Run([.. common, "--space", "components=2,3;lambda=0.5,1"], new CliConsole(closing, new StringWriter(), Interactive: false));
        Assert.True(closing.Closed, "the run never printed its test figures");
        Assert.NotEqual(0, code);
        foreach (string file in files)
            Assert.True(before[file].AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, file))), $"{file} was replaced by the failed run");
        Assert.False(File.Exists(Path.Combine(output, "sensitivity-components.png")));
        Assert.Empty(Directory.GetFiles(output, ".partial-*"));

        // Run whole, it replaces every file of the set, and sweep.json describes the model saved beside it.
        var second = CliHarness.Run([.. common, "--space", "components=2,3;lambda=0.5,1"]);
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains(", replacing the file there)", second.Out, StringComparison.Ordinal);
        Assert.Contains("lambda=0.5,1", File.ReadAllText(Path.Combine(output, "sweep.json")), StringComparison.Ordinal);
        Assert.False(before["model.zip"].AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, "model.zip"))));
    }

    /// <summary>
    /// Regression (a review): --model naming one of the sensitivity plots the sweep writes into --out was not checked (the
    /// leaderboard and sweep.json were); the whole search ran, then the set's moves failed half-way (exit 1), this run's
    /// leaderboard beside the earlier run's sweep.json. It is refused before the training file is read.
    /// </summary>
    [Fact]
    public void Sweep_refuses_a_model_path_that_is_one_of_its_plots_before_any_trial()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = PathOf("sweep");
        var run = CliHarness.Run("sweep", "--train", train, "--space", "lambda=0,0.8;neighbors=5,10", "--algorithm", "truncated-svd", "--dim", "8", "--clusters", "8",
            "--threads", "1", "--out", output, "--model", Path.Combine(output, "sensitivity-neighbors.png"));
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        // --model is named as the one to move: the plot's name is fixed (it said "Give --out (sensitivity-neighbors.png) another path").
        string error = Assert.Single(run.ErrorLines);
        Assert.Contains("--out (sensitivity-neighbors.png) and --model name the same file", error, StringComparison.Ordinal);
        Assert.Contains("Give --model another path.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Sweep over", run.Out, StringComparison.Ordinal);
    }

    /// <summary>Standard output that closes (an IOException, as a broken pipe gives) once <paramref name="trigger"/> has been written to it.</summary>
    private sealed class ClosingWriter(string trigger) : StringWriter
    {
        public bool Closed { get; private set; }

        public override void Write(char value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(char[] buffer, int index, int count)
        {
            base.Write(buffer, index, count);
            Check();
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            base.Write(buffer);
            Check();
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            Check();
        }

        public override void WriteLine(ReadOnlySpan<char> buffer)
        {
            base.WriteLine(buffer);
            Check();
        }

        private void Check()
        {
            if (Closed || !ToString().Contains(trigger, StringComparison.Ordinal)) return;
            Closed = true;
            throw new IOException("Broken pipe");
        }
    }
}
