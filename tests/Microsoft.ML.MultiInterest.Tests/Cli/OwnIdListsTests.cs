using System.Text.Json;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>evaluate</c> on a graph whose users and items are the same nodes says how many Unimodal lists recommend a user to
/// itself (the protocol excludes training items only), and stays quiet where an equal id turns up no more than chance gives.
/// </summary>
public sealed class OwnIdListsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-own-id-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(90, true)]   // 7.2x chance
    [InlineData(40, false)]  // 3.2x chance
    public void The_note_needs_far_more_lists_than_chance(int lists, bool said)
    {
        var warnings = new StringWriter();
        OwnIdLists.Note(new OwnIdLists.Count(50, lists, 100, 12.5), warnings);
        Assert.Equal(said, warnings.ToString().Contains($"{lists} test users of the 100 whose id is also an item's have that item", StringComparison.Ordinal));
    }

    [Fact]
    public void A_graph_of_one_numbering_says_how_many_lists_hold_the_users_own_id()
    {
        // 40 groups of 10 nodes, each following the others of its group both ways; each node holds out its next two.
        const int groups = 40, size = 10;
        string Node(int g, int k) => $"n{g * size + k}";
        var train = new List<string> { "user\titem" };
        var test = new List<string> { "user\titem" };
        for (int g = 0; g < groups; g++)
            for (int k = 0; k < size; k++)
                for (int other = 0; other < size; other++)
                {
                    if (other == k) continue;
                    bool heldOut = other == (k + 1) % size || other == (k + 2) % size;
                    (heldOut ? test : train).Add($"{Node(g, k)}\t{Node(g, other)}");
                }
        string trainPath = Path.Combine(_directory, "train.tsv"), testPath = Path.Combine(_directory, "test.tsv"), output = Path.Combine(_directory, "out");
        File.WriteAllLines(trainPath, train);
        File.WriteAllLines(testPath, test);
        var run = CliHarness.Run("evaluate", "--train", trainPath, "--test", testPath, "--algorithm", "truncated-svd", "--dim", "8", "--threads", "1",
            "--out", output, "--plot-users", "0");
        Assert.True(run.ExitCode == 0, run.Error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        var counts = metrics.RootElement.GetProperty("counts");
        Assert.Equal(groups * size, counts.GetProperty("test_users_id_also_item").GetInt32());
        int holding = counts.GetProperty("unimodal_lists_with_own_id").GetInt32();
        // Chance would put a user's own item in its top 50 of 400 items for about 50 users; the note needs 5x that.
        Assert.InRange(holding, 250, groups * size);
        Assert.Contains($"{holding:N0} test users of the {groups * size} whose id is also an item's have that item in their own Unimodal top 50", run.Out + run.Error,
            StringComparison.Ordinal);
        // And at the head, where the slot costs most: a count of its own, at most the top 50's.
        var head = System.Text.RegularExpressions.Regex.Match(run.Out + run.Error, @"; ([\d,]+) in their top 10\)");
        Assert.True(head.Success, run.Out + run.Error);
        Assert.InRange(int.Parse(head.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture), 1, holding);

        // The data named by --name rather than by its folder (a temp folder's random name here); a blank name is refused.
        Assert.StartsWith("mi-cli-own-id-", metrics.RootElement.GetProperty("dataset").GetString(), StringComparison.Ordinal);
        var named = CliHarness.Run("evaluate", "--train", trainPath, "--test", testPath, "--algorithm", "truncated-svd", "--dim", "8", "--threads", "1",
            "--out", output, "--plot-users", "0", "--name", "Deezer-like");
        Assert.True(named.ExitCode == 0, named.Error);
        using (var renamed = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))))
            Assert.Equal("Deezer-like", renamed.RootElement.GetProperty("dataset").GetString());
        var blank = CliHarness.Run("evaluate", "--train", trainPath, "--test", testPath, "--name", " ");
        Assert.Equal(2, blank.ExitCode);
        Assert.Contains("--name is blank", blank.Error, StringComparison.Ordinal);
    }
}
