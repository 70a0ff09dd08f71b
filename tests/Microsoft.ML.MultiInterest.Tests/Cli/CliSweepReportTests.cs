using System.Text.Json;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// What <c>sweep</c> reports of itself: the budget given, the trials it will run, the test row's MMR pool, and which option
/// to move when an output clashes (each was reported wrong until 2026-12-06).
/// </summary>
public sealed class CliSweepReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-sweep-report-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly string[] Vectors = ["--algorithm", "truncated-svd", "--dim", "8", "--clusters", "4", "--k", "5", "--threads", "1"];

    [Fact]
    public void Sweep_json_records_the_budget_given_and_what_loading_left_of_it()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run(["sweep", "--train", train, "--space", "lambda=0,0.8", "--budget", "1h", .. Vectors, "--out", output]);
        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json")));
        // It recorded 3599.9..., the remainder after loading.
        Assert.Equal(3600, json.RootElement.GetProperty("budget_seconds").GetDouble());
        double left = json.RootElement.GetProperty("seconds").GetProperty("budget_after_loading").GetDouble();
        Assert.InRange(left, 0, 3600);
    }

    [Fact]
    public void The_grid_counts_its_distinct_trials_as_well_as_its_configurations()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        // At lambda 0 the neighbours are not read: 6 configurations, 5 trials.
        var run = CliHarness.Run(["sweep", "--train", train, "--space", "lambda=0,0.4,0.8;neighbors=5,10", "--lambda", "0.4", "--neighbors", "5", .. Vectors,
            "--out", Path.Combine(_directory, "out")]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("(6 configurations, 5 distinct trials; strategy grid", run.Out + run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A training file repeating its lines is said, as fit says it, and the counts are of its distinct pairs, the edges the
    /// trials fit on (without --test it said nothing and counted lines: "on 6,324 training edges" for 3,162 pairs).
    /// </summary>
    [Fact]
    public void Repeated_training_lines_are_warned_of_and_the_edges_counted_once()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var lines = File.ReadAllLines(train);
        string doubled = Path.Combine(_directory, "doubled.tsv");
        File.WriteAllLines(doubled, lines.Concat(lines.Skip(1)));
        int pairs = lines.Length - 1;
        var run = CliHarness.Run(["sweep", "--train", doubled, "--space", "lambda=0.8", .. Vectors, "--out", Path.Combine(_directory, "out")]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"{pairs:N0} lines of '{doubled}' repeated a (user, item) pair already read: each pair counts once.", run.Error, StringComparison.Ordinal);
        Assert.Contains($"on {pairs:N0} training edges of {doubled}", run.Out, StringComparison.Ordinal);
        Assert.Contains($"Refitted the best on all {pairs:N0} training edges", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain($"{2 * pairs:N0} training edges", run.Out + run.Error, StringComparison.Ordinal);
    }

    /// <summary>A search Ctrl+C cut short exits 130 after writing its best (it exited 0); one that ran to its end, 0.</summary>
    [Theory]
    [InlineData(Microsoft.ML.MultiInterest.Engine.SweepStopReason.Cancelled, 130)]
    [InlineData(Microsoft.ML.MultiInterest.Engine.SweepStopReason.Exhausted, 0)]
    [InlineData(Microsoft.ML.MultiInterest.Engine.SweepStopReason.TimeBudget, 0)]
    [InlineData(Microsoft.ML.MultiInterest.Engine.SweepStopReason.TrialBudget, 0)]
    public void An_interrupted_search_exits_130(Microsoft.ML.MultiInterest.Engine.SweepStopReason reason, int exitCode) =>
        Assert.Equal(exitCode, global::MultiInterest.Cli.SweepCommand.ExitCode(reason));

    [Fact]
    public void A_model_path_on_a_sensitivity_plot_names_model()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run(["sweep", "--train", train, "--space", "lambda=0,0.8", .. Vectors, "--out", output,
            "--model", Path.Combine(output, "sensitivity-lambda.png")]);
        Assert.Equal(2, run.ExitCode);
        // It said "Give --out (sensitivity-lambda.png) another path", an output whose name is fixed.
        Assert.Contains("Give --model another path.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_above_the_catalogue_is_said_to_be_lowered_in_the_test_row()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run(["sweep", "--train", train, "--test", test, "--space", "method=mmr;mmr-lambda=0;mmr-pool=100000000",
            // Diversity alone, which MMR at lambda 0 leads, so that it is the best and has a test row.
            "--metric", "recall-diversity", "--diversity-weight", "1", .. Vectors,
            "--out", output]);
        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json")));
        string settings = json.RootElement.GetProperty("test_figures").GetProperty("mmr").GetProperty("settings").GetString()!;
        Assert.Contains("(the best's 100000000 lowered to the catalogue's ", settings, StringComparison.Ordinal);
        Assert.DoesNotContain("raised", settings, StringComparison.Ordinal);
    }
}
