using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>fit --warm-start PREVIOUS.zip</c>: implicit ALS started from a previous model's item vectors.</summary>
public sealed class CliWarmStartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-warm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly string[] Als = ["--retriever", "unimodal", "--algorithm", "implicit-als", "--dim", "8", "--threads", "1", "--seed", "1"];

    [Fact]
    public void Fit_starts_from_the_previous_zip_and_counts_started_and_new_items()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string previous = Path.Combine(_directory, "day0.zip"), next = Path.Combine(_directory, "day1.zip");
        var day0 = CliHarness.Run(["fit", "--train", train, "--model", previous, .. Als]);
        Assert.True(day0.ExitCode == 0, day0.Error);
        Assert.DoesNotContain("started from", day0.Out, StringComparison.Ordinal);

        // Day 1: the same edges in reverse line order (other keys) and two items new since day 0.
        var lines = File.ReadAllLines(train);
        string day1Train = Path.Combine(_directory, "day1.tsv");
        File.WriteAllLines(day1Train, [lines[0], .. lines.Skip(1).Reverse(), "u0\tnewA", "u1\tnewB"]);
        int items = lines.Skip(1).Select(l => l.Split('\t')[1]).Distinct().Count();
        var day1 = CliHarness.Run(["fit", "--train", day1Train, "--model", next, "--warm-start", previous, "--warm-start-iterations", "2", .. Als]);
        Assert.True(day1.ExitCode == 0, day1.Error);
        Assert.Contains($"; {items} items started from {previous}, 2 new; saved", day1.Out, StringComparison.Ordinal);
        using var saved = MultiInterestModel.Load(new MLContext(seed: 1), next);
        Assert.Equal(items + 2, saved.GraphEmbedding!.ItemEmbeddings.Count);
    }

    [Fact]
    public void A_start_Auto_does_not_apply_is_said_in_the_summary_line_as_one_clause()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string previous = Path.Combine(_directory, "d8.zip"), next = Path.Combine(_directory, "auto.zip");
        Assert.Equal(0, CliHarness.Run(["fit", "--train", train, "--model", previous, .. Als]).ExitCode);
        // Auto's implicit ALS here is d = 80 (min(128, users, items)) and its SVD smaller: a d = 8 start never applies.
        var auto = CliHarness.Run("fit", "--train", train, "--model", next, "--warm-start", previous, "--retriever", "unimodal", "--threads", "1", "--seed", "1");
        Assert.True(auto.ExitCode == 0, auto.Error);
        Assert.Contains($"; {previous} not applied (Auto chose ", auto.Out, StringComparison.Ordinal);
        Assert.True(auto.Out.Contains("the start's d = 8; the fit started cold); saved", StringComparison.Ordinal), auto.Out);
        // One story in the log too: the items matched are not said to start from the vectors the fit then did not apply.
        Assert.DoesNotContain("start from the given item vectors", auto.Error, StringComparison.Ordinal);
        Assert.Contains("start from it if Auto chooses implicit ALS at d = 8", auto.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_warm_starts_fail_before_fitting_naming_the_option()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "m.zip"), missing = Path.Combine(_directory, "nope.zip");
        var absent = CliHarness.Run(["fit", "--train", train, "--model", model, "--warm-start", missing, .. Als]);
        Assert.Equal(CliRunner.Failure, absent.ExitCode);
        Assert.Contains("--warm-start", absent.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));

        var stray = CliHarness.Run(["fit", "--train", train, "--model", model, "--warm-start-iterations", "3", .. Als]);
        Assert.Equal(CliRunner.BadUsage, stray.ExitCode);
        Assert.Contains("--warm-start-iterations sets the fit that --warm-start starts", stray.Error, StringComparison.Ordinal);

        var svd = CliHarness.Run("fit", "--train", train, "--model", model, "--warm-start", train, "--algorithm", "truncated-svd");
        Assert.Equal(CliRunner.BadUsage, svd.ExitCode);
        Assert.Contains("--warm-start starts implicit ALS", svd.Error, StringComparison.Ordinal);

        var roundRobin = CliHarness.Run("fit", "--train", train, "--model", model, "--warm-start", train, "--retriever", "round-robin", "--dcm");
        Assert.Equal(CliRunner.BadUsage, roundRobin.ExitCode);
        Assert.Contains("--warm-start", roundRobin.Error, StringComparison.Ordinal);

        string previous = Path.Combine(_directory, "d8.zip");
        Assert.Equal(0, CliHarness.Run(["fit", "--train", train, "--model", previous, .. Als]).ExitCode);
        var dimension = CliHarness.Run("fit", "--train", train, "--model", model, "--warm-start", previous, "--retriever", "unimodal", "--algorithm", "implicit-als", "--dim", "6");
        Assert.Equal(CliRunner.Failure, dimension.ExitCode);
        Assert.Contains("d = 8, but --dim is 6", dimension.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }
}
