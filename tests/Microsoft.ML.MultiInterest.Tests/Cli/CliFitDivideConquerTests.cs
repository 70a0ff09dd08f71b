using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>fit --divide-conquer</c>: the embedding trained by the divide-and-conquer model for the quota, unimodal, MMR and conditional retrievers,
/// new users served by the model from the zip and from its ONNX export alike, and the flags such a fit refuses.
/// </summary>
public sealed class CliFitDivideConquerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-divide-conquer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly string[] Small = ["--divide-conquer", "--dc-dim", "8", "--dc-epochs", "2", "--dc-clusters", "3", "--dc-validation-fraction", "0", "--candidates", "6", "--threads", "1"];

    [Theory]
    [InlineData("quota", "auto")]
    [InlineData("quota", "encoder")]
    [InlineData("unimodal", "encoder")]
    [InlineData("mmr", "encoder")]
    public void Fit_trains_the_model_and_new_users_are_served_by_it_from_the_zip_and_from_onnx(string retriever, string historyVector)
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, $"{retriever}-{historyVector}.zip");
        var fit = CliHarness.Run(["fit", "--train", train, "--model", model, "--retriever", retriever, "--history-vector", historyVector, .. Small]);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains($"Fitted the divide-and-conquer {retriever switch { "quota" => "cluster-quota", "mmr" => "MMR", _ => "unimodal" }} pipeline", fit.Out, StringComparison.Ordinal);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), model))
        {
            var settings = saved.ServingStage.Settings;
            Assert.Equal(historyVector == "encoder" ? HistoryVector.Encoder : HistoryVector.FoldIn, settings.HistoryVector);
            Assert.Equal(retriever == "quota" ? HistoryMixture.DivideConquer : HistoryMixture.Counts, settings.HistoryMixture);
        }

        AssertNewUsersServedAlike(train, model, $"{retriever}-{historyVector}");
    }

    /// <summary>
    /// <c>recommend --history</c> from the zip and <c>recommend --onnx --history</c> write one file for a trained user and three
    /// new users (histories of four items, one, four); with <paramref name="follows"/>, the new users also follow topics now.
    /// Returns the file.
    /// </summary>
    private string AssertNewUsersServedAlike(string train, string model, string name, string[]? follows = null)
    {
        string users = Path.Combine(_directory, "new-users.tsv"), history = Path.Combine(_directory, "history.tsv");
        var items = File.ReadLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().Take(9).ToArray();
        var trained = File.ReadLines(train).Skip(1).First().Split('\t')[0];
        File.WriteAllLines(users, ["user", trained, "new-a", "new-b", "new-c"]);
        File.WriteAllLines(history, ["user\titem", .. items.Take(4).Select(i => $"new-a\t{i}"), $"new-b\t{items[4]}", .. items.Skip(5).Select(i => $"new-c\t{i}")]);
        string[] followed = [];
        if (follows != null)
        {
            string topics = Path.Combine(_directory, "follows.tsv");
            File.WriteAllLines(topics, ["user\ttopic", .. follows]);
            followed = ["--follows", topics];
        }
        string Serve(string output, params string[] scorer)
        {
            output = Path.Combine(_directory, output);
            var run = CliHarness.Run(["recommend", "--model", model, "--users", users, "--history", history, "--out", output, .. followed, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            return File.ReadAllText(output);
        }
        string live = Serve($"live-{name}.tsv");
        Assert.Contains("\tHistory", live, StringComparison.Ordinal);
        Assert.Equal(live, Serve($"onnx-{name}.tsv", "--onnx", "--onnx-dir", Path.Combine(_directory, $"onnx-{name}")));
        return live;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void Fit_conditional_reads_new_users_by_the_encoder_and_the_onnx_export_serves_them_the_zips_lists(double implicitShare)
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        // Items i0..i89 in three topics of 30 (the planted groups); the rest have none.
        string conditions = Path.Combine(_directory, "conditions.tsv");
        File.WriteAllLines(conditions, ["item\tcondition", .. Enumerable.Range(0, 90).Select(i => $"i{i}\tgroup{i / 30}")]);
        string model = Path.Combine(_directory, $"conditional-{implicitShare}.zip");
        string[] merged = implicitShare > 0 ? ["--cond-implicit-share", "0.5", "--components", "2"] : [];
        var fit = CliHarness.Run(["fit", "--train", train, "--model", model, "--retriever", "conditional", "--conditions", conditions, "--history-vector", "encoder",
            "--cond-max", "2", "--cond-epochs", "2", .. merged, .. Small]);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("Fitted the divide-and-conquer conditional pipeline", fit.Out, StringComparison.Ordinal);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), model))
        {
            Assert.Equal(CandidateMethod.Conditional, saved.ServingStage.Method);
            Assert.Equal(HistoryVector.Encoder, saved.ServingStage.Settings.HistoryVector);
            Assert.Equal(implicitShare, saved.ServingStage.Settings.ImplicitShare);
        }
        string byHistory = AssertNewUsersServedAlike(train, model, $"conditional-{implicitShare}");
        // Topics followed now by the new users, in place of their history's (the plain directory serves them through ONNX; the
        // merged one refuses --follows there).
        if (implicitShare == 0)
            Assert.NotEqual(byHistory, AssertNewUsersServedAlike(train, model, "conditional-follows", ["new-a\tgroup1", "new-b\tgroup0", "new-b\tgroup2", "new-c\tgroup2"]));
    }

    [Theory]
    [InlineData(new[] { "--retriever", "history-mmr" }, "--divide-conquer trains the vectors of --retriever quota, unimodal, mmr or conditional")]
    [InlineData(new[] { "--retriever", "quota", "--algorithm", "implicit-als" }, "--algorithm sets the single vector of --algorithm, which --divide-conquer trains instead")]
    [InlineData(new[] { "--retriever", "quota", "--dim", "16" }, "--dim sets the single vector of --algorithm")]
    [InlineData(new[] { "--retriever", "quota", "--clusters", "5" }, "--clusters: with --divide-conquer the item clusters (the quota stage's, multi-interest MMR's, a merged conditional stage's) are the model's own")]
    [InlineData(new[] { "--retriever", "mmr", "--interest-weight", "0.5", "--clusters", "5" }, "--clusters: with --divide-conquer the item clusters (the quota stage's, multi-interest MMR's, a merged conditional stage's) are the model's own")]
    [InlineData(new[] { "--retriever", "quota", "--dc-alpha", "0.5" }, "--dc-alpha sets evaluate's divide-and-conquer row: fit's quota stage takes --alpha.")]
    public void Fit_refuses_what_a_divide_and_conquer_fit_does_not_read(string[] extra, string message)
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "refused.zip");
        var run = CliHarness.Run(["fit", "--train", train, "--model", model, .. Small, .. extra]);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void The_dc_options_and_the_encoder_reading_need_the_flag()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "refused.zip");
        var stray = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "quota", "--dc-epochs", "2");
        Assert.Equal(CliRunner.BadUsage, stray.ExitCode);
        Assert.Contains("--dc-epochs sets the divide-and-conquer model of --divide-conquer, which this fit does not train", stray.Error, StringComparison.Ordinal);
        var encoder = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "unimodal", "--history-vector", "encoder");
        Assert.Equal(CliRunner.BadUsage, encoder.ExitCode);
        Assert.Contains("--history-vector encoder reads a new user's history by a divide-and-conquer model's encoder: add --divide-conquer", encoder.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }
}
