using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>fit --history-vector</c>: how the saved stage reads a new user's history, and where the flag is refused.</summary>
public sealed class CliHistoryVectorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-history-vector-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static HistoryVector Saved(string model)
    {
        using var saved = MultiInterestModel.Load(new MLContext(seed: 1), model);
        return saved.ServingStage.Settings.HistoryVector;
    }

    [Fact]
    public void Fit_records_the_fold_in_on_als_vectors_by_default_the_mean_when_asked_and_new_users_are_served_by_it()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string auto = Path.Combine(_directory, "auto.zip"), mean = Path.Combine(_directory, "mean.zip");
        string[] common = ["--retriever", "unimodal", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "6", "--threads", "1"];
        var fitAuto = CliHarness.Run(["fit", "--train", train, "--model", auto, .. common]);
        Assert.True(fitAuto.ExitCode == 0, fitAuto.Error);
        Assert.Contains("implicit-ALS fold-in", fitAuto.Out + fitAuto.Error, StringComparison.Ordinal);
        var fitMean = CliHarness.Run(["fit", "--train", train, "--model", mean, "--history-vector", "mean", .. common]);
        Assert.True(fitMean.ExitCode == 0, fitMean.Error);
        Assert.Equal(HistoryVector.FoldIn, Saved(auto));
        Assert.Equal(HistoryVector.Mean, Saved(mean));

        // A new user served from a history by the zip's recommender and by ONNX alike, differently by the two models.
        string users = Path.Combine(_directory, "new-users.tsv"), history = Path.Combine(_directory, "history.tsv");
        var items = File.ReadLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().Take(9).ToArray();
        File.WriteAllLines(users, ["user", "new-a", "new-b", "new-c"]);
        File.WriteAllLines(history, ["user\titem", .. items.Take(4).Select(i => $"new-a\t{i}"), $"new-b\t{items[4]}", .. items.Skip(5).Select(i => $"new-c\t{i}")]);
        string Serve(string model, string name, params string[] scorer)
        {
            string output = Path.Combine(_directory, name);
            var run = CliHarness.Run(["recommend", "--model", model, "--users", users, "--history", history, "--out", output, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            return File.ReadAllText(output);
        }
        string autoLive = Serve(auto, "auto-live.tsv"), autoOnnx = Serve(auto, "auto-onnx.tsv", "--onnx", "--onnx-dir", Path.Combine(_directory, "auto-onnx"));
        string meanLive = Serve(mean, "mean-live.tsv"), meanOnnx = Serve(mean, "mean-onnx.tsv", "--onnx", "--onnx-dir", Path.Combine(_directory, "mean-onnx"));
        Assert.Equal(autoLive, autoOnnx);
        Assert.Equal(meanLive, meanOnnx);
        Assert.NotEqual(autoLive, meanLive);
    }

    [Fact]
    public void The_flag_is_refused_where_the_retriever_reads_histories_its_own_way()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "refused.zip");
        var roundRobin = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "round-robin", "--dcm", "--history-vector", "fold-in");
        Assert.Equal(CliRunner.BadUsage, roundRobin.ExitCode);
        Assert.Contains("--history-vector fold-in", roundRobin.Error, StringComparison.Ordinal);
        var historyMmr = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "history-mmr", "--history-vector", "mean");
        Assert.Equal(CliRunner.BadUsage, historyMmr.ExitCode);
        Assert.Contains("--history-vector mean", historyMmr.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }
}
