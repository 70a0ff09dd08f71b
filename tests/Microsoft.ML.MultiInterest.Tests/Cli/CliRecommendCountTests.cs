namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --count N</c>: lists of another length than the fitted M, as <c>Recommend(user, history, N)</c> gives them
/// (a quota list of N is not the prefix of the M-long one); the engine and ONNX Runtime, which serve M, refuse it.
/// </summary>
public sealed class CliRecommendCountTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-count-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Fits a small unimodal model of M = <paramref name="candidates"/> on a split of the test data, into <paramref name="name"/>; returns the training file.</summary>
    private string FitUnimodal(string name, int candidates)
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf(name), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "unimodal", "--candidates", candidates.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(fit.ExitCode == 0, fit.Error);
        return train;
    }

    /// <summary>
    /// Lists shorter than the M asked are said, whichever scorer serves them: a list of 17 under M = 21 read as a full one
    /// (an audit's 21-item catalogue, 2026-12-07); only empty lists were counted.
    /// </summary>
    [Fact]
    public void ListsShorterThanTheMAsked_AreCounted()
    {
        FitUnimodal("u.zip", candidates: 100000);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u1"]);
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"] })
        {
            var served = CliHarness.Run(["recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("all.tsv"), .. scorer]);
            Assert.True(served.ExitCode == 0, served.Error);
            Assert.Contains("2 lists hold fewer than the M = 100,000 asked (the shortest ", served.Out + served.Error, StringComparison.Ordinal);
        }
        var full = CliHarness.Run("recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("three.tsv"), "--count", "3");
        Assert.True(full.ExitCode == 0, full.Error);
        Assert.DoesNotContain("fewer than the M", full.Out + full.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Count_GivesTheRecommendersListsOfThatLength()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf("q.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "quota", "--clusters", "4", "--candidates", "6");
        Assert.True(fit.ExitCode == 0, fit.Error);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u1", "someone-new"]);
        File.WriteAllLines(PathOf("history.tsv"), ["user\titem", "u1\ti3"]);
        var served = CliHarness.Run("recommend", "--model", PathOf("q.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("three.tsv"), "--count", "3",
            "--history", PathOf("history.tsv"));
        Assert.True(served.ExitCode == 0, served.Error);

        var ml = new MLContext(seed: 1);
        using var model = MultiInterestModel.Load(ml, PathOf("q.zip"));
        var recommender = ml.MultiInterest().CreateRecommender(model);
        var lines = File.ReadAllLines(PathOf("three.tsv")).Skip(1).Select(l => l.Split('\t')).ToArray();
        foreach (string user in new[] { "u0", "u1", "someone-new" })
        {
            var expected = recommender.Recommend(user, user == "u1" ? ["i3"] : null, 3);
            Assert.Equal(3, expected.Items.Count);
            Assert.Equal(expected.Items.Select(i => i.ItemId), lines.Where(f => f[0] == user).Select(f => f[2]));
        }

        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var refused = CliHarness.Run("recommend", "--model", PathOf("q.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--count", "3", scorer);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"leave out {scorer}", refused.Error, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A count past the catalogue serves every item the user has not seen (the recommender caps it rather than allocating
    /// for it); a negative one, or one past the longest list a stage retrieves, is refused by name before the model is read.
    /// </summary>
    [Fact]
    public void A_count_past_the_catalogue_serves_the_unseen_catalogue_and_a_count_out_of_range_is_refused_by_name()
    {
        string train = FitUnimodal("u.zip", candidates: 6);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "someone-new"]);
        var served = CliHarness.Run("recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("all.tsv"), "--count", "1000000");
        Assert.True(served.ExitCode == 0, served.Error);
        var edges = Microsoft.ML.MultiInterest.IO.EdgeFile.Read(train);
        int catalogue = edges.Select(e => e.Item).Distinct().Count(), seen = edges.Where(e => e.User == "u0").Select(e => e.Item).Distinct().Count();
        var lines = File.ReadAllLines(PathOf("all.tsv")).Skip(1).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(catalogue - seen, lines.Count(f => f[0] == "u0"));
        Assert.Equal(catalogue, lines.Count(f => f[0] == "someone-new"));

        foreach (var (count, message) in new[] { ("-1", "--count must be at least 0, not -1."), ("2147483647", "--count must be at most 1,048,576, not 2147483647.") })
        {
            var refused = CliHarness.Run("recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--count", count);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains(message, refused.Error, StringComparison.Ordinal);
        }
    }
}
