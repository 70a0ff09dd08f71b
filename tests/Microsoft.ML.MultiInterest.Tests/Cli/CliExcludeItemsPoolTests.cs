namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>recommend --exclude-items</c> with --engine and --onnx on history-interest MMR and round-robin models: the recommender's lists.</summary>
public sealed class CliExcludeItemsPoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-exclude-pool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static Dictionary<string, string[]> Lists(string path) =>
        File.ReadAllLines(path).Skip(1).Select(l => l.Split('\t')).GroupBy(f => f[0])
            .ToDictionary(g => g.Key, g => g.OrderBy(f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)).Select(f => f[2]).ToArray());

    /// <summary>
    /// Round robin, and a clustered history pool with history lists, whose lists are picked by each user's own items: the
    /// excluded items travel apart from them (RetrieveWithEngine's and the scorers' excludeItems), so they pick no list.
    /// </summary>
    [Theory]
    [InlineData("round-robin")]
    [InlineData("clustered-history-lists")]
    public void EngineAndOnnx_GiveTheRecommendersLists(string kind) => Compare(kind);

    private void Compare(string kind)
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string[] retriever = kind == "round-robin"
            ? ["--retriever", "round-robin", "--dcm"]
            : ["--retriever", "history-mmr", "--history-pool", "clustered", "--history-pool-lists", "4", "--history-pool-probes", "0", "--history-pool-history-lists"];
        string[] vectors = kind == "round-robin" ? [] : ["--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2"];
        var fit = CliHarness.Run(["fit", "--train", train, "--model", PathOf("m.zip"), .. vectors, "--candidates", "5", "--threads", "1", .. retriever]);
        Assert.True(fit.ExitCode == 0, fit.Error);
        var users = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')[0]).Distinct().Take(12).ToArray();
        File.WriteAllLines(PathOf("users.tsv"), ["user", .. users, "someone-new"]);
        var plain = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("plain.tsv"), "--recommender");
        Assert.True(plain.ExitCode == 0, plain.Error);
        var before = Lists(PathOf("plain.tsv"));
        // Items outside the first users' lists: leaving them out must not change those lists anywhere.
        var listed = before.Values.SelectMany(l => l).ToHashSet();
        var items = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().ToArray();
        string[] gone = [.. items.Where(i => !listed.Contains(i)).Take(6), before[users[0]][0]];
        File.WriteAllLines(PathOf("deleted.tsv"), ["item", .. gone]);
        var live = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("live.tsv"), "--recommender",
            "--exclude-items", PathOf("deleted.tsv"));
        Assert.True(live.ExitCode == 0, live.Error);
        var expected = Lists(PathOf("live.tsv"));
        Assert.All(expected.Values, l => Assert.Empty(l.Intersect(gone)));
        var diffs = new List<string>();
        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var other = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("other.tsv"),
                "--exclude-items", PathOf("deleted.tsv"), scorer);
            Assert.True(other.ExitCode == 0, other.Error);
            var lists = Lists(PathOf("other.tsv"));
            foreach (var (user, list) in expected)
                if (!list.SequenceEqual(lists.GetValueOrDefault(user) ?? [])) diffs.Add($"{scorer} {user}: [{string.Join(",", list)}] vs [{string.Join(",", lists.GetValueOrDefault(user) ?? [])}]");
        }
        Assert.Empty(diffs);
    }
}
