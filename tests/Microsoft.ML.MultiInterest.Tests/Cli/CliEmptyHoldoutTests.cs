namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>fit</c> and <c>evaluate</c> on a graph whose items are each engaged by one user: every user has the edges a hold-out
/// needs, yet every drawn edge goes back to training, so history_mmr's lambda cannot be chosen. Until 2026-12-06 the run
/// checked the users' degrees only and then ended with "No user of the 5 has 3 or more training edges" (each has 4).
/// </summary>
public sealed class CliEmptyHoldoutTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-empty-holdout-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void Fit_and_evaluate_keep_the_default_lambda_and_say_why()
    {
        File.WriteAllLines(PathOf("train.tsv"), ["user\titem", .. Enumerable.Range(0, 20).Select(e => $"u{e / 4}\ti{e}")]);
        File.WriteAllLines(PathOf("test.tsv"), ["user\titem", .. Enumerable.Range(0, 5).Select(u => $"u{u}\ti{(u + 1) % 5 * 4}")]);
        const string Why = "(every edge drawn from the 5 users with 3 or more training edges was its item's last training edge";

        var fit = CliHarness.Run("fit", "--train", PathOf("train.tsv"), "--model", PathOf("m.zip"), "--algorithm", "implicit-als", "--dim", "2", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("history_mmr lambda: the default 0.75 " + Why, fit.Out, StringComparison.Ordinal);

        var evaluate = CliHarness.Run("evaluate", "--train", PathOf("train.tsv"), "--test", PathOf("test.tsv"), "--algorithm", "implicit-als", "--dim", "2",
            "--threads", "1", "--clusters", "2", "--plot-users", "0");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("history_mmr lambda: the default 0.75 " + Why, evaluate.Out, StringComparison.Ordinal);
    }
}
