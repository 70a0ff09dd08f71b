using System.Globalization;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// The protocol ranks every item of the training graph by dot(u, i): an item with training edges whose given vector is all
/// zeros scores 0 and is an item like any other. evaluate's lists must hold it where its score puts it (here first, every
/// other item scoring below 0), as an independent implementation of the protocol would; the engine's rule for tables spread
/// over a key range (a zero row holds no item) does not apply to the protocol's tables, whose every row is a trained item.
/// </summary>
public sealed class CliGivenZeroItemVectorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-zero-item-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void Evaluate_lists_a_trained_item_whose_given_vector_is_zero_where_its_score_puts_it()
    {
        // 10 users, 20 items scored below 0 by every user, and "iz", seen by u9 only, whose given vector is zero.
        var train = new List<string> { "user\titem" };
        var test = new List<string> { "user\titem" };
        for (int u = 0; u < 10; u++)
        {
            for (int j = 0; j < 5; j++) train.Add($"u{u}\ti{(u * 3 + j) % 20}");
            test.Add($"u{u}\ti{(u * 3 + 5) % 20}");
        }
        train.Add("u9\tiz");
        File.WriteAllLines(PathOf("train.tsv"), train);
        File.WriteAllLines(PathOf("test.tsv"), test);
        File.WriteAllLines(PathOf("users.tsv"), ["id\tv0\tv1", .. Enumerable.Range(0, 10).Select(u => $"u{u}\t1\t0.5")]);
        File.WriteAllLines(PathOf("items.tsv"), ["id\tv0\tv1", .. Enumerable.Range(0, 20).Select(k =>
            string.Create(CultureInfo.InvariantCulture, $"i{k}\t{-(k + 1) / 10.0}\t{-(k + 1) / 20.0}")), "iz\t0\t0"]);

        var run = CliHarness.Run("evaluate", "--train", PathOf("train.tsv"), "--test", PathOf("test.tsv"), "--user-embeddings", PathOf("users.tsv"),
            "--item-embeddings", PathOf("items.tsv"), "--clusters", "2", "--threads", "1", "--out", PathOf("out"), "--export", "--plot-users", "0");
        Assert.True(run.ExitCode == 0, run.Error);
        var firsts = File.ReadLines(Path.Combine(PathOf("out"), "candidates.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(f => f[1] == "unimodal@10" && f[2] == "1").ToDictionary(f => f[0], f => (Item: f[3], Score: f[4]));
        for (int u = 0; u < 9; u++) Assert.Equal(("iz", "0"), firsts[$"u{u}"]);
        Assert.NotEqual("iz", firsts["u9"].Item); // seen in training
    }
}
