using System.Globalization;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>evaluate</c>'s row <c>mmr_reorder</c>: MMR over Unimodal's longest list only, a re-ordering of it.</summary>
public sealed class CliReorderRowTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-reorder-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Evaluate_adds_the_reordering_row_whose_longest_lists_are_unimodals_items()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "reorder");
        string[] common = ["evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--history-interest-weight", "-1", "--threads", "1"];
        var run = CliHarness.Run([.. common, "--out", output, "--export"]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("MMR re-ordering Unimodal's list", run.Out, StringComparison.Ordinal);
        using (var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))))
            Assert.True(metrics.RootElement.GetProperty("methods").TryGetProperty("mmr_reorder", out _));
        // Its longest lists hold Unimodal's items, re-ordered; its shorter ones are their prefixes.
        var rows = File.ReadLines(Path.Combine(output, "candidates.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        int longest = rows.Where(p => p[1].StartsWith("unimodal@", StringComparison.Ordinal)).Max(p => int.Parse(p[1]["unimodal@".Length..], CultureInfo.InvariantCulture));
        Dictionary<string, List<string>> Lists(string method) =>
            rows.Where(p => p[1] == method).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.OrderBy(p => int.Parse(p[2], CultureInfo.InvariantCulture)).Select(p => p[3]).ToList());
        var unimodal = Lists($"unimodal@{longest}");
        var reordered = Lists($"mmr_reorder@{longest}");
        var head = Lists("mmr_reorder@10");
        Assert.Equal(unimodal.Keys.Order(), reordered.Keys.Order());
        foreach (var (user, items) in unimodal)
        {
            Assert.Equal(items.Order(), reordered[user].Order());
            Assert.Equal(reordered[user].Take(10), head[user]);
        }
        Assert.Contains(unimodal, p => !p.Value.SequenceEqual(reordered[p.Key]));

        // A negative lambda leaves the row out; one above 1 is refused naming the option.
        var without = CliHarness.Run([.. common, "--reorder-mmr-lambda", "-1"]);
        Assert.True(without.ExitCode == 0, without.Error);
        Assert.DoesNotContain("MMR re-ordering", without.Out, StringComparison.Ordinal);
        var bad = CliHarness.Run([.. common, "--reorder-mmr-lambda", "2"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--reorder-mmr-lambda", bad.Error, StringComparison.Ordinal);
    }
}
