namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>sweep</c> values the training file bounds (K below its items, clusters at most its items), refused by the flag that
/// gave them, as a usage error (exit code 2) before any trial; they ended the command with the library's option names
/// ("Cutoff (K = ...)", "lower 'clusters'") and exit code 1, naming no flag.
/// </summary>
public sealed class CliSweepGraphBoundsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-bounds-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private CliHarness.Outcome Sweep(string train, params string[] more) => CliHarness.Run(
        ["sweep", "--train", train, "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1", "--out", Path.Combine(_directory, "out"), .. more]);

    private static int Items(string train) => File.ReadLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().Count();

    [Fact]
    public void A_cutoff_at_the_item_count_names_k()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        int items = Items(train);
        var run = Sweep(train, "--space", "lambda=0,0.8", "--clusters", "4", "--k", items.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--k {items:N0} must be below the {items:N0} items of the training file", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value was", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("trial 1", run.Error + run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Clusters_above_the_item_count_name_their_flag()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        int items = Items(train);
        string more = (items + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var given = Sweep(train, "--space", "lambda=0,0.8", "--k", "5", "--clusters", more);
        Assert.Equal(2, given.ExitCode);
        Assert.Contains($"--clusters {items + 1:N0} asks for more clusters than the {items:N0} items", given.Error, StringComparison.Ordinal);

        var searched = Sweep(train, "--space", $"clusters=2,{more}", "--k", "5", "--clusters", "4");
        Assert.Equal(2, searched.ExitCode);
        Assert.Contains($"--space: clusters={more} asks for more clusters than the {items:N0} items", searched.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A truncated SVD of more components than the training file's min(users, items) names --dim, or --space's dimension, as a
    /// usage error before any trial: it ended the command with the library's "lower 'dimension'" and exit code 1.
    /// </summary>
    [Fact]
    public void A_dimension_above_the_svds_rank_names_dim_or_the_space()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var given = CliHarness.Run("sweep", "--train", train, "--algorithm", "truncated-svd", "--dim", "5000", "--threads", "1", "--clusters", "4", "--k", "5",
            "--space", "lambda=0,0.8", "--out", Path.Combine(_directory, "out"));
        Assert.Equal(2, given.ExitCode);
        Assert.Contains("sweep option BaseSettings (from --dim): The base settings ask for Dimension 5000 with the truncated SVD", given.ErrorLines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("trial 1", given.Error + given.Out, StringComparison.Ordinal);

        var searched = Sweep(train, "--space", "dimension=4,5000", "--k", "5", "--clusters", "4");
        Assert.Equal(2, searched.ExitCode);
        Assert.Contains("--space: The search space asks for dimension=5000 with the truncated SVD", searched.ErrorLines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value was", given.Error + searched.Error, StringComparison.Ordinal);
    }
}
