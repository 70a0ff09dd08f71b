using System.Globalization;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --explain [--interests FILE]</c>: the candidates file gains the stage, the interest that placed each item and
/// the closest history item, exactly as <see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/>
/// tells them for the loaded zip, the lists unchanged; the interests file lists what each interest covers; a model whose stage
/// names no interests, and the scorers that cannot explain, are refused.
/// </summary>
public sealed class CliExplainTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-explain-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void ExplainedCandidates_AreTheRecommendersExplanation_AndTheListsAreUnchanged()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf("h.zip"), "--algorithm", "implicit-als", "--dim", "4", "--threads", "1",
            "--retriever", "history-mmr", "--history-mmr-lambda", "0.75");
        Assert.True(fit.ExitCode == 0, fit.Error);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u1", "u5", "someone-new"]);
        var plain = CliHarness.Run("recommend", "--model", PathOf("h.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("plain.tsv"));
        var explained = CliHarness.Run("recommend", "--model", PathOf("h.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("explained.tsv"),
            "--explain", "--interests", PathOf("interests.tsv"));
        Assert.True(plain.ExitCode == 0 && explained.ExitCode == 0, plain.Error + explained.Error);
        var lines = File.ReadAllLines(PathOf("explained.tsv"));
        Assert.Equal("user\trank\titem\tscore\tsource\tstage\tinterest\tclosest_history_item\tsimilarity", lines[0]);
        // The first five columns are the plain run's.
        Assert.Equal(File.ReadAllLines(PathOf("plain.tsv")), lines.Select(l => string.Join('\t', l.Split('\t').Take(5))));

        var ml = new MLContext(seed: 1);
        using var model = MultiInterestModel.Load(ml, PathOf("h.zip"));
        var recommender = ml.MultiInterest().CreateRecommender(model);
        var rows = lines.Skip(1).Select(l => l.Split('\t')).ToArray();
        foreach (string user in new[] { "u0", "u1", "u5", "someone-new" })
        {
            var expected = recommender.Explain(user);
            var mine = rows.Where(f => f[0] == user).ToArray();
            Assert.Equal(expected.Items.Select(i => (i.ItemId, expected.Stages[i.Stage], i.Interest.ToString(CultureInfo.InvariantCulture), i.ClosestHistoryItemId ?? "")),
                mine.Select(f => (f[2], f[5], f[6], f[7])));
            Assert.All(mine.Zip(expected.Items), p => Assert.Equal(float.IsNaN(p.Second.ClosestHistorySimilarity) ? "" : p.Second.ClosestHistorySimilarity.ToString("R", CultureInfo.InvariantCulture), p.First[8]));
        }
        Assert.Contains(rows, f => f[0] == "u0" && f[6] != "-1");
        Assert.All(rows.Where(f => f[0] == "someone-new"), f => Assert.Equal(("Popular", "-1", ""), (f[4], f[6], f[7])));

        // The interests file: a line per history item of each interest, the items of a user's interests its history.
        var interests = File.ReadAllLines(PathOf("interests.tsv"));
        Assert.Equal("user\tstage\tinterest\tweight\tcluster\titem", interests[0]);
        var u0 = recommender.Explain("u0");
        Assert.Equal(u0.Interests.SelectMany(i => i.HistoryItemIds.Select(item => $"u0\tCandidates\t{i.Index}\t{i.Weight.ToString("R", CultureInfo.InvariantCulture)}\t-1\t{item}")),
            interests.Where(l => l.StartsWith("u0\t", StringComparison.Ordinal)));
        Assert.DoesNotContain(interests, l => l.StartsWith("someone-new\t", StringComparison.Ordinal));
        Assert.Contains("Interests of 4 users ->", explained.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelThatNamesNoInterest_AndTheScorersThatCannotExplain_AreRefused()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf("u.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1", "--retriever", "unimodal");
        Assert.True(fit.ExitCode == 0, fit.Error);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0"]);
        var unimodal = CliHarness.Run("recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--explain");
        Assert.Equal(1, unimodal.ExitCode);
        Assert.Contains("Explain: a Unimodal stage retrieves with the single vector alone", unimodal.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("x.tsv")));
        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var refused = CliHarness.Run("recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--explain", scorer);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"leave out {scorer}", refused.Error, StringComparison.Ordinal);
        }
        var alone = CliHarness.Run("recommend", "--model", PathOf("u.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"), "--interests", PathOf("i.tsv"));
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("add --explain", alone.Error, StringComparison.Ordinal);
    }
}
