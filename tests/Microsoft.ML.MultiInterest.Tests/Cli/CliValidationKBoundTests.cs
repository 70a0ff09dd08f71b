namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// A given <c>--validation-k</c> at or above the training file's items is refused by flag before any fit, in evaluate and
/// fit, as sweep refuses its <c>--k</c>: every candidate's validation recall was 1, and Auto kept its first (an audit on
/// 2026-12-07: a 67-item file's Unimodal Recall@50 fell from 100% to 47.7% with <c>--validation-k 1000</c>, without a word).
/// </summary>
public sealed class CliValidationKBoundTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-validation-k-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static int Items(string train) => File.ReadLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().Count();

    [Fact]
    public void Evaluate_and_fit_refuse_a_cutoff_at_the_item_count_by_flag()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        int items = Items(train);
        string k = items.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string expected = $"--validation-k {items:N0} must be below the {items:N0} items of the training file '{train}'";

        var evaluate = CliHarness.Run("evaluate", "--train", train, "--test", test, "--clusters", "4", "--threads", "1", "--validation-k", k);
        Assert.Equal(2, evaluate.ExitCode);
        Assert.Contains(expected, evaluate.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Training embeddings", evaluate.Out, StringComparison.Ordinal);

        var fit = CliHarness.Run("fit", "--train", train, "--model", Path.Combine(_directory, "m.zip"), "--threads", "1", "--validation-k", k);
        Assert.Equal(2, fit.ExitCode);
        Assert.Contains(expected, fit.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "m.zip")));
    }

    [Fact]
    public void A_fit_choosing_its_iterations_names_validation_k_when_the_default_reaches_the_items()
    {
        // Eight items: the default cutoff (20) reaches them; implicit ALS with a hold-out refuses it by the library's option name, said by flag.
        string train = Path.Combine(_directory, "small.tsv");
        File.WriteAllLines(train, ["user\titem", .. Enumerable.Range(0, 40).SelectMany(u => Enumerable.Range(0, 4).Select(j => $"u{u}\ti{(u + j * 3) % 8}"))]);
        var fit = CliHarness.Run("fit", "--train", train, "--model", Path.Combine(_directory, "s.zip"), "--threads", "1", "--retriever", "unimodal",
            "--algorithm", "implicit-als", "--dim", "4", "--validation-fraction", "0.2");
        Assert.Equal(2, fit.ExitCode);
        Assert.Contains("Embedding option ValidationCutoff (from --validation-k)", fit.Error, StringComparison.Ordinal);
    }
}
