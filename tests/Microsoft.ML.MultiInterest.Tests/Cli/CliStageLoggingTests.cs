namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// What a run redirected to a file says while it works, and what it says of choices made on too little: sweep's stages (a
/// first-day run printed only "Sweeping 9 configurations..." for the 181 s of its embedding fit and nothing during its
/// 166 s refit), and the history_mmr lambda chosen on a handful of validation users.
/// </summary>
public sealed class CliStageLoggingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-stage-logging-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Sweep_logs_the_embedding_fit_each_trial_and_the_refit_as_they_happen()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("sweep", "--train", train, "--space", "lambda=0,0.8", "--algorithm", "truncated-svd", "--dim", "8", "--clusters", "8",
            "--threads", "1", "--out", Path.Combine(_directory, "sweep"));
        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.ErrorLines;
        int start = Array.FindIndex(lines, l => l.Contains("fitting the embedding (", StringComparison.Ordinal));
        int end = Array.FindIndex(lines, l => l.Contains("embedding fitted in ", StringComparison.Ordinal));
        int trial = Array.FindIndex(lines, l => l.Contains("trial 1", StringComparison.Ordinal));
        int refit = Array.FindIndex(lines, l => l.Contains("refitting the best configuration on all ", StringComparison.Ordinal));
        Assert.True(start >= 0 && end > start && trial > end && refit > trial, run.Error);

        // Auto's selection, the longest part of a sweep's embedding fit, is heard from at each validation measurement, as fit's is.
        var auto = CliHarness.Run("sweep", "--train", train, "--space", "lambda=0.8", "--clusters", "8", "--threads", "1", "--out", Path.Combine(_directory, "auto"));
        Assert.True(auto.ExitCode == 0, auto.Error);
        Assert.Contains("] embedding: Validation measurement 1: ", auto.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// On a graph of a dozen users the lambda was "chosen on 1 validation user" without a word of what that is worth: a warning
    /// says how few they are and what the default lambda would have been.
    /// </summary>
    [Fact]
    public void A_history_mmr_lambda_chosen_on_few_validation_users_is_warned_of()
    {
        var lines = new List<string> { "user\titem" };
        for (int u = 0; u < 12; u++)
            for (int j = 0; j < 6; j++)
                lines.Add($"u{u}\ti{(u * 5 + j * 3) % 24}");
        string edges = Path.Combine(_directory, "edges.tsv"), train = Path.Combine(_directory, "train.tsv"), test = Path.Combine(_directory, "test.tsv");
        File.WriteAllLines(edges, lines);
        Assert.Equal(0, CliHarness.Run("split", "--edges", edges, "--train", train, "--test", test).ExitCode);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "truncated-svd", "--dim", "2", "--clusters", "2",
            "--tuned-clusters", "0", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("history_mmr lambda", run.Out, StringComparison.Ordinal);
        Assert.Contains("warning: history_mmr's lambda was chosen on ", run.Error, StringComparison.Ordinal);
        Assert.Contains("The default lambda would be ", run.Error, StringComparison.Ordinal);
    }
}
