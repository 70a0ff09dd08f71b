namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --users FILE</c> with a line whose user id is blank (spaces or tabs only) or empty: refused naming the file and
/// the line, with every scorer, rather than served the popular list as a new user (a blank id) or skipped (an empty one).
/// </summary>
public sealed class CliBlankUserIdTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-blank-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void A_blank_or_empty_user_id_is_refused_with_its_file_and_line_by_every_scorer()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf("m.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "unimodal", "--candidates", "5");
        Assert.True(fit.ExitCode == 0, fit.Error);
        File.WriteAllLines(PathOf("blank.tsv"), ["user", "u0", "  ", "u1"]);
        File.WriteAllLines(PathOf("empty.tsv"), ["user\titem", "u0\ti1", "\ti2"]);
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"], ["--onnx"], ["--recommender"] })
        {
            var blank = CliHarness.Run(["recommend", "--model", PathOf("m.zip"), "--users", PathOf("blank.tsv"), "--out", PathOf("out.tsv"), .. scorer]);
            Assert.Equal(1, blank.ExitCode);
            Assert.Contains($"Users file '{PathOf("blank.tsv")}', line 3: the user id '  ' is blank (whitespace only) and no user of the model",
                Assert.Single(blank.ErrorLines), StringComparison.Ordinal);
            var empty = CliHarness.Run(["recommend", "--model", PathOf("m.zip"), "--users", PathOf("empty.tsv"), "--out", PathOf("out.tsv"), .. scorer]);
            Assert.Equal(1, empty.ExitCode);
            Assert.Contains($"Users file '{PathOf("empty.tsv")}', line 3: the user id is empty", Assert.Single(empty.ErrorLines), StringComparison.Ordinal);
            Assert.False(File.Exists(PathOf("out.tsv")));
        }
    }
}
