namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>--dim</c> above what a truncated SVD of the training file has (min(users, items) components), with <c>--algorithm
/// truncated-svd</c> or negative sampling started from one: a usage error naming the flag, as the embedding options' own
/// checks name it ("Embedding option Dimension (from --dim): ..."), exit code 2. It was the library's "Dimension 5000 exceeds
/// min(users, items) = ... Actual value was 5000." with exit code 1, naming no flag.
/// </summary>
public sealed class CliDimensionAboveRankTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-dim-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string[]> Commands => new()
    {
        { ["fit", "--model", "MODEL", "--retriever", "unimodal", "--algorithm", "truncated-svd"] },
        { ["fit", "--model", "MODEL", "--retriever", "unimodal", "--algorithm", "negative-sampling", "--sgd-init", "truncated-svd", "--epochs", "1"] },
        { ["evaluate", "--test", "TEST", "--algorithm", "truncated-svd", "--clusters", "4"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_dimension_above_the_svds_rank_names_dim(string[] command)
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string[] args = [.. command.Select(a => a == "MODEL" ? Path.Combine(_directory, "m.zip") : a == "TEST" ? test : a), "--train", train, "--dim", "5000", "--threads", "1"];
        var run = CliHarness.Run(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Embedding option Dimension (from --dim): Dimension 5000 exceeds min(users, items) = ", run.ErrorLines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value was", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "m.zip")));
    }
}
