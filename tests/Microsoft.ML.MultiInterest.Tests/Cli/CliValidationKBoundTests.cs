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

    [Theory]
    [InlineData("evaluate", "--dcm", "--dcm-validation-fraction")]
    [InlineData("evaluate", "--mixture-embeddings", "--mix-validation-fraction")]
    [InlineData("evaluate", "--divide-conquer", "--dc-validation-fraction")]
    [InlineData("fit", "--dcm", "--dcm-validation-fraction")]
    [InlineData("fit-fused", "--dcm-validation-fraction=0.2", "--dcm-validation-fraction")] // fused's own DCM, beside a truncated SVD
    public void A_learned_models_hold_out_that_cannot_choose_is_named_by_its_own_flag(string command, string model, string flag)
    {
        // Five items: the learned model's fixed cutoff (20) holds every unseen item. It equals --validation-k's default, so
        // the refusal was said as "(from --validation-k)", a flag that does not size that hold-out (an audit, 2026-12-07).
        string train = Path.Combine(_directory, "five.tsv"), test = Path.Combine(_directory, "five-test.tsv");
        File.WriteAllLines(train, ["user\titem", .. Enumerable.Range(0, 30).SelectMany(u => Enumerable.Range(0, 3).Select(j => $"u{u}\ti{(u + j) % 5}"))]);
        File.WriteAllLines(test, ["user\titem", .. Enumerable.Range(0, 30).Select(u => $"u{u}\ti{(u + 3) % 5}")]);
        string[] run = command switch
        {
            "fit" => ["fit", "--train", train, "--model", Path.Combine(_directory, "l.zip"), "--threads", "1", "--retriever", "round-robin", model],
            "fit-fused" => ["fit", "--train", train, "--model", Path.Combine(_directory, "l.zip"), "--threads", "1", "--retriever", "fused",
                "--algorithm", "truncated-svd", "--dim", "4", model],
            _ => ["evaluate", "--train", train, "--test", test, "--out", Path.Combine(_directory, "out"), "--threads", "1", model],
        };
        var result = CliHarness.Run(run);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{flag}: the hold-out cannot choose the epochs: every one of the", result.Error, StringComparison.Ordinal);
        Assert.Contains($"Give {flag} 0", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--validation-k", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_single_vector_that_starts_DCM_is_named_by_validation_k_not_by_DCMs_flag()
    {
        // --dcm-warm-start fits the single vector first, with its own hold-out; DCM's is off (fraction 0) under a warm start.
        string train = Path.Combine(_directory, "five.tsv");
        File.WriteAllLines(train, ["user\titem", .. Enumerable.Range(0, 30).SelectMany(u => Enumerable.Range(0, 3).Select(j => $"u{u}\ti{(u + j) % 5}"))]);
        var fit = CliHarness.Run("fit", "--train", train, "--model", Path.Combine(_directory, "w.zip"), "--threads", "1", "--retriever", "round-robin",
            "--dcm", "--dcm-warm-start", "--algorithm", "negative-sampling", "--dim", "4", "--validation-fraction", "0.2");
        Assert.Equal(2, fit.ExitCode);
        Assert.Contains("Embedding option ValidationCutoff (from --validation-k)", fit.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--dcm-validation-fraction", fit.Error, StringComparison.Ordinal);
    }
}
