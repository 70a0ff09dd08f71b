namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>fit</c>'s library warnings about an option's value on the training file name the flag that set it: "--dim" for
/// Dimension above min(users, items), "--components" for Components above the clusters, "--candidates" for Candidates above
/// the items, as the command's usage errors do ("... option Dimension (from --dim): ..."). They named the options only.
/// </summary>
public sealed class CliOptionWarningFlagsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-option-warnings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Fits_option_warnings_name_the_flags()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("fit", "--train", train, "--model", Path.Combine(_directory, "m.zip"), "--retriever", "quota", "--algorithm", "implicit-als",
            "--dim", "90", "--clusters", "2", "--components", "7", "--candidates", "500", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        string all = run.Out + run.Error;
        Assert.Contains("GraphEmbeddingTrainer option Dimension (from --dim): Dimension 90 exceeds min(users, items) = ", all, StringComparison.Ordinal);
        Assert.Contains("KnnSmoothedMixtureEstimator option Components (from --components): Components (m = 7) exceeds the 2 item clusters", all, StringComparison.Ordinal);
        Assert.Contains("ClusterQuotaRetrieverEstimator option Candidates (from --candidates): Candidates (M = 500) exceeds the ", all, StringComparison.Ordinal);
    }
}
