namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --exclude-items</c> (a daily-retrain walkthrough: deleted items kept being recommended until the next fit): the
/// items are left out of every list, the rest of each list in its order (the query unchanged), unknown ids counted, the same
/// lists from the recommender, the engine and ONNX Runtime, and followed topics, which take no exclusions, refuse the option.
/// </summary>
public sealed class CliExcludeItemsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-exclude-items-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Fits m.zip on <paramref name="train"/>: the single vector's ranking (truncated SVD, d = 4, one thread).</summary>
    private void FitUnimodal(string train)
    {
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf("m.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "unimodal");
        Assert.True(fit.ExitCode == 0, fit.Error);
    }

    /// <summary>The lists of a candidates file: user -> items in rank order.</summary>
    private static Dictionary<string, string[]> Lists(string path) =>
        File.ReadAllLines(path).Skip(1).Select(l => l.Split('\t')).GroupBy(f => f[0])
            .ToDictionary(g => g.Key, g => g.OrderBy(f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)).Select(f => f[2]).ToArray());

    [Fact]
    public void ExcludedItems_AreLeftOutOfEveryList_AndTheRestKeepTheirOrder()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        // The single vector's ranking, so that the list without the items is the plain list without them (a quota retriever
        // refills the quota of an excluded item's cluster from that cluster, which moves the items after it).
        FitUnimodal(train);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u1", "someone-new"]);
        var plain = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("plain.tsv"), "--recommender");
        Assert.True(plain.ExitCode == 0, plain.Error);
        var before = Lists(PathOf("plain.tsv"));

        // Two items (u0's first, and the first other one of the new user's list, the popular list) and an id the model never saw.
        string[] gone = [before["u0"][0], before["someone-new"].First(i => i != before["u0"][0])];
        File.WriteAllLines(PathOf("deleted.tsv"), ["item", .. gone, "never-an-item"]);
        var served = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("served.tsv"),
            "--exclude-items", PathOf("deleted.tsv"));
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.Contains("2 items left out of every list; 1 id the model does not know", served.Out, StringComparison.Ordinal);
        var after = Lists(PathOf("served.tsv"));
        foreach (var (user, list) in before)
        {
            Assert.Empty(after[user].Intersect(gone));
            Assert.Equal(list.Length, after[user].Length);
            // The same ranking with the excluded items taken out, filled from the next items.
            var kept = list.Except(gone).ToArray();
            Assert.Equal(kept, after[user][..kept.Length]);
        }

        // Cluster quotas leave them out too, their lists as long.
        var quota = CliHarness.Run("fit", "--train", train, "--model", PathOf("q.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "quota", "--clusters", "4");
        Assert.True(quota.ExitCode == 0, quota.Error);
        var plainQuota = CliHarness.Run("recommend", "--model", PathOf("q.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("plain-q.tsv"), "--recommender");
        var servedQuota = CliHarness.Run("recommend", "--model", PathOf("q.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("served-q.tsv"),
            "--exclude-items", PathOf("deleted.tsv"));
        Assert.True(plainQuota.ExitCode == 0 && servedQuota.ExitCode == 0, plainQuota.Error + servedQuota.Error);
        var (quotaBefore, quotaAfter) = (Lists(PathOf("plain-q.tsv")), Lists(PathOf("served-q.tsv")));
        Assert.Contains(quotaBefore.Values, l => l.Intersect(gone).Any());
        foreach (var (user, list) in quotaBefore)
        {
            Assert.Empty(quotaAfter[user].Intersect(gone));
            Assert.Equal(list.Length, quotaAfter[user].Length);
        }

        // The engine and ONNX Runtime give the recommender's lists: trained users, a new user with a --history naming an
        // excluded item (read in its history, never listed), a new user without one (the popular items).
        File.WriteAllLines(PathOf("users-h.tsv"), ["user", "u0", "u1", "someone-new", "fresh"]);
        File.WriteAllLines(PathOf("history.tsv"), ["user\titem", $"fresh\t{before["u1"][1]}", $"fresh\t{gone[0]}"]);
        foreach (string model in new[] { "m.zip", "q.zip" })
        {
            var live = CliHarness.Run("recommend", "--model", PathOf(model), "--users", PathOf("users-h.tsv"), "--out", PathOf("live.tsv"),
                "--exclude-items", PathOf("deleted.tsv"), "--history", PathOf("history.tsv"));
            Assert.True(live.ExitCode == 0, live.Error);
            var expected = Lists(PathOf("live.tsv"));
            Assert.Equal(4, expected.Count);
            foreach (string scorer in new[] { "--engine", "--onnx" })
            {
                var other = CliHarness.Run("recommend", "--model", PathOf(model), "--users", PathOf("users-h.tsv"), "--out", PathOf("other.tsv"),
                    "--exclude-items", PathOf("deleted.tsv"), "--history", PathOf("history.tsv"), scorer);
                Assert.True(other.ExitCode == 0, other.Error);
                Assert.Contains("2 items left out of every list", other.Out, StringComparison.Ordinal);
                var lists = Lists(PathOf("other.tsv"));
                foreach (var (user, list) in expected) Assert.Equal(list, lists[user]);
                Assert.All(lists.Values, l => Assert.Empty(l.Intersect(gone)));
            }
        }

        // Followed topics are served without exclusions: refused rather than ignored.
        File.WriteAllLines(PathOf("follows.tsv"), ["user\ttopic", "u0\tt"]);
        var refused = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"),
            "--exclude-items", PathOf("deleted.tsv"), "--follows", PathOf("follows.tsv"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("leave out --follows", refused.Error, StringComparison.Ordinal);
    }
    /// <summary>
    /// Every item excluded leaves every list empty, and the run says so in words: its summary read "Lists by source: ." and
    /// the engine's hand-over of the new user "... else with the popular items ()." (a first-day run found both).
    /// </summary>
    [Fact]
    public void EveryItemExcluded_TheSummaryNamesNoSource_InWords()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        FitUnimodal(train);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "someone-new"]);
        File.WriteAllLines(PathOf("all.tsv"), ["item", .. File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct()]);
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"] })
        {
            var run = CliHarness.Run(["recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("none.tsv"),
                "--exclude-items", PathOf("all.tsv"), .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Single(File.ReadAllLines(PathOf("none.tsv")));
            string all = run.Out + run.Error;
            Assert.Contains("Lists by source: none.", all, StringComparison.Ordinal);
            Assert.DoesNotContain("()", all, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// An --exclude-items file without a header (a first-day run: printf 'i920\ni349\n') lost its first item as the header, and
    /// that item kept being recommended with "1 item left out of every list" logged: refused, naming the file and the item, for
    /// every scorer, as the users file's first line is checked against the model's users.
    /// </summary>
    [Fact]
    public void ExcludeItemsFileWithoutHeader_IsRefused_NamingTheFileAndItsFirstItem()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        FitUnimodal(train);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0"]);
        string[] items = [.. File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().Take(2)];
        File.WriteAllLines(PathOf("headless.tsv"), items);
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"], ["--onnx"] })
        {
            var run = CliHarness.Run(["recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"),
                "--exclude-items", PathOf("headless.tsv"), .. scorer]);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"--exclude-items: the first line of '{PathOf("headless.tsv")}' is read as its header, but it starts with '{items[0]}', an item the model knows",
                run.Error, StringComparison.Ordinal);
            Assert.Contains("add a header line such as 'item'", run.Error, StringComparison.Ordinal);
        }
    }
}
