using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>sweep --test</c> gives the test figures of the best setting whatever its method, by the protocol's rows as evaluate
/// scores them: a history-interest MMR best's row at the lambda the sweep chose (fixed, not chosen again on the test).
/// </summary>
public sealed class CliSweepTestFiguresTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-sweep-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_history_mmr_best_gets_its_row_at_the_chosen_lambda_as_evaluate_scores_it_at_that_lambda()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "sweep");
        string[] vectors = ["--algorithm", "truncated-svd", "--dim", "8", "--threads", "1"];
        var run = CliHarness.Run(["sweep", "--train", train, "--test", test, "--space", "method=history-mmr;mmr-lambda=0.6,0.9",
            // The objective is Diversity@10 alone, which history-interest MMR leads over the sweep's first trial (kNN-Embed at its defaults).
            "--metric", "recall-diversity", "--diversity-weight", "1", .. vectors, "--out", output]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("No test figures", run.Out, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json")));
        var best = json.RootElement.GetProperty("leaderboard").EnumerateArray().First().GetProperty("parameters");
        Assert.True(best.GetProperty("method").GetString() == "history-mmr", run.Out);
        string lambda = best.GetProperty("mmr-lambda").GetString()!;
        Assert.Contains(lambda, new[] { "0.6", "0.9" });
        var figures = json.RootElement.GetProperty("test_figures");
        // The best's rows: Unimodal and MMR beside it, no mixture row the method does not serve.
        Assert.Equal(["unimodal", "mmr", "history_mmr"], figures.EnumerateObject().Select(p => p.Name).ToArray());
        var history = figures.GetProperty("history_mmr");
        string settings = history.GetProperty("settings").GetString()!;
        Assert.StartsWith($"mmr-lambda={lambda}, ", settings, StringComparison.Ordinal);
        Assert.Contains($"Test figures of the best setting: its history-interest MMR row is {settings}", run.Out, StringComparison.Ordinal);
        Assert.Contains("| History-interest MMR |", run.Out, StringComparison.Ordinal);
        Assert.Contains("Against Unimodal, user by user", run.Out, StringComparison.Ordinal);
        double gap = history.GetProperty("recall").GetProperty("50").GetDouble() - figures.GetProperty("unimodal").GetProperty("recall").GetProperty("50").GetDouble();
        Assert.Equal(gap, history.GetProperty("versus_unimodal").GetProperty("recall").GetProperty("50").GetProperty("difference").GetDouble(), 1e-12);

        // evaluate's rows on the same training file and vectors, its history-interest MMR lambda fixed at the sweep's choice.
        string evaluated = Path.Combine(_directory, "evaluate");
        var evaluate = CliHarness.Run(["evaluate", "--train", train, "--test", test, .. vectors, "--clusters", "8", "--tuned-clusters", "0",
            "--history-mmr-lambda", lambda, "--out", evaluated]);
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluated, "metrics.json")));
        var methods = metrics.RootElement.GetProperty("methods");
        foreach (string row in new[] { "unimodal", "mmr", "history_mmr" })
        {
            var mine = figures.GetProperty(row);
            var theirs = methods.GetProperty(row);
            foreach (string measure in new[] { "recall", "ndcg", "diversity" })
                foreach (var cutoff in mine.GetProperty(measure).EnumerateObject())
                    Assert.True(Math.Abs(cutoff.Value.GetDouble() - theirs.GetProperty(measure).GetProperty(cutoff.Name).GetDouble()) < 1e-9,
                        string.Create(CultureInfo.InvariantCulture, $"{row} {measure}@{cutoff.Name}: sweep {cutoff.Value.GetDouble()}, evaluate {theirs.GetProperty(measure).GetProperty(cutoff.Name).GetDouble()}"));
        }
    }

    [Fact]
    public void Unimodal_and_mmr_bests_get_their_own_rows()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        // Diversity@50 alone as the objective: on this graph Unimodal and MMR lead the sweep's first trial (kNN-Embed at its defaults) on it.
        string[] common = ["--train", train, "--test", test, "--algorithm", "truncated-svd", "--dim", "8", "--threads", "1"];
        var unimodal = CliHarness.Run(["sweep", .. common, "--space", "method=unimodal", "--metric", "recall-diversity", "--diversity-weight", "1", "--out", Path.Combine(_directory, "unimodal")]);
        Assert.True(unimodal.ExitCode == 0, unimodal.Error);
        Assert.True(unimodal.Out.Contains("Test figures of the best setting: its Unimodal row", StringComparison.Ordinal), unimodal.Out);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "unimodal", "sweep.json"))))
            Assert.Equal(["unimodal"], json.RootElement.GetProperty("test_figures").EnumerateObject().Select(p => p.Name).ToArray());

        var mmr = CliHarness.Run(["sweep", .. common, "--space", "method=mmr;mmr-lambda=0.1;mmr-pool=60", "--metric", "recall-diversity", "--diversity-weight", "1", "--out", Path.Combine(_directory, "mmr")]);
        Assert.True(mmr.ExitCode == 0, mmr.Error);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "mmr", "sweep.json"))))
        {
            Assert.True(json.RootElement.TryGetProperty("test_figures", out var figures), mmr.Out);
            Assert.Equal(["unimodal", "mmr"], figures.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("mmr-lambda=0.1, mmr-pool=60", figures.GetProperty("mmr").GetProperty("settings").GetString());
        }
        Assert.Contains("Test figures of the best setting: its MMR row is mmr-lambda=0.1, mmr-pool=60, beside Unimodal", mmr.Out, StringComparison.Ordinal);
    }
}
