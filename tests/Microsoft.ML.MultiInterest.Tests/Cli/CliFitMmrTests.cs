using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>fit --retriever mmr</c>: plain and multi-interest MMR saved as models that every scorer serves alike, ONNX included.</summary>
public sealed class CliFitMmrTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-mmr-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Fit_with_the_mmr_retriever_saves_its_settings_and_every_scorer_serves_it_alike()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string plain = Path.Combine(_directory, "mmr.zip"), interests = Path.Combine(_directory, "interest-mmr.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", plain, "--retriever", "mmr", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "6",
            "--mmr-lambda", "0.4", "--mmr-pool", "20", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("Fitted the MMR pipeline", fit.Out, StringComparison.Ordinal);
        var withInterests = CliHarness.Run("fit", "--train", train, "--model", interests, "--retriever", "mmr", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "6",
            "--mmr-lambda", "0.4", "--mmr-pool", "20", "--interest-weight", "0.5", "--clusters", "8", "--components", "3", "--threads", "1");
        Assert.True(withInterests.ExitCode == 0, withInterests.Error);
        Assert.Contains("Fitted the multi-interest MMR pipeline", withInterests.Out, StringComparison.Ordinal);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), interests))
        {
            Assert.Equal(CandidateMethod.Mmr, saved.ServingStage.Method);
            Assert.Equal(0.4, saved.ServingStage.Settings.MmrLambda);
            Assert.Equal(20, saved.ServingStage.Settings.MmrPoolSize);
            Assert.Equal(0.5, saved.ServingStage.Settings.InterestWeight);
        }
        var plainLists = CliHarness.RecommendAlikeWithEveryScorer(_directory, plain, test, "mmr");
        var interestLists = CliHarness.RecommendAlikeWithEveryScorer(_directory, interests, test, "interest-mmr");
        Assert.NotEqual(plainLists, interestLists);

        // The MMR flags with another retriever: a usage error naming the flag.
        var stray = CliHarness.Run("fit", "--train", train, "--model", plain, "--retriever", "unimodal", "--mmr-lambda", "0.2");
        Assert.Equal(CliRunner.BadUsage, stray.ExitCode);
        Assert.Contains("--mmr-lambda", stray.Error, StringComparison.Ordinal);
    }
}
