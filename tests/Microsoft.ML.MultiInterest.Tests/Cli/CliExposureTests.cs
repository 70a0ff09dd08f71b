using System.Globalization;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>evaluate</c>'s catalogue exposure: printed, in metrics.json, and re-derived here from candidates.tsv and the training file.</summary>
public sealed class CliExposureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-exposure-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Evaluate_reports_each_rows_exposure_as_its_exported_lists_give_it()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--history-interest-weight", "-1", "--threads", "1", "--out", output, "--export");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("Catalogue exposure of all test users' lists together", run.Out, StringComparison.Ordinal);

        // The catalogue: every item with a training edge, by degree; the head the items of degree >= the ⌈n/5⌉-th largest.
        var trainingEdges = File.ReadLines(train).Skip(1).Select(l => l.Split('\t')).Select(p => (User: p[0], Item: p[1])).Distinct().ToList();
        var degree = trainingEdges.GroupBy(e => e.Item).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var userDegree = trainingEdges.GroupBy(e => e.User).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        int headDegree = degree.Values.OrderDescending().ElementAt((int)Math.Ceiling(0.2 * degree.Count) - 1);
        var lists = File.ReadLines(Path.Combine(output, "candidates.tsv")).Skip(1).Select(l => l.Split('\t'))
            .GroupBy(p => p[1]).ToDictionary(g => g.Key, g => g.Select(p => p[3]).ToList(), StringComparer.Ordinal);
        // Held-out items per test user, those with a training edge (the others are in neither head nor tail).
        var heldOut = File.ReadLines(test).Skip(1).Select(l => l.Split('\t')).Where(p => degree.ContainsKey(p[1]))
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var listsByUser = File.ReadLines(Path.Combine(output, "candidates.tsv")).Skip(1).Select(l => l.Split('\t'))
            .GroupBy(p => (Row: p[1], User: p[0])).ToDictionary(g => g.Key, g => g.Select(p => p[3]).ToHashSet(StringComparer.Ordinal));
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        int checkedRows = 0, checkedPairs = 0;
        foreach (var method in metrics.RootElement.GetProperty("methods").EnumerateObject())
        {
            foreach (var atK in method.Value.GetProperty("exposure").EnumerateObject())
            {
                var items = lists[$"{method.Name}@{atK.Name}"];
                var exposure = items.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
                var counts = degree.Keys.Select(i => exposure.GetValueOrDefault(i)).Order().ToArray();
                double gini = counts.Select((x, k) => (2.0 * (k + 1) - counts.Length - 1) * x).Sum() / ((double)counts.Length * items.Count);
                Assert.Equal((double)exposure.Count / degree.Count, atK.Value.GetProperty("coverage").GetDouble(), 12);
                Assert.Equal(gini, atK.Value.GetProperty("gini").GetDouble(), 12);
                Assert.Equal((double)items.Count(i => degree[i] < headDegree) / items.Count, atK.Value.GetProperty("long_tail_share").GetDouble(), 12);
                // Long-tail recall: over the test users with a held-out long-tail item, the share of those items their list holds.
                var tailRecalls = TailShares(method.Name, atK.Name);
                Assert.Equal(tailRecalls.Count, atK.Value.GetProperty("long_tail_users").GetInt32());
                Assert.Equal(tailRecalls.Average(), atK.Value.GetProperty("long_tail_recall").GetDouble(), 12);
                checkedRows++;

                // Against Unimodal over the same users: the mean of the per-user differences of those shares, and its standard
                // error, the differences' sample deviation (n − 1) over √n.
                if (method.Name == "unimodal") continue;
                var paired = method.Value.GetProperty("versus_unimodal");
                var differences = tailRecalls.Zip(TailShares("unimodal", atK.Name), (a, b) => a - b).ToList();
                double mean = differences.Average();
                double standardError = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (differences.Count - 1) / differences.Count);
                Assert.Equal(differences.Count, paired.GetProperty("users_long_tail_recall").GetInt32());
                var gap = paired.GetProperty("long_tail_recall").GetProperty(atK.Name);
                Assert.Equal(mean, gap.GetProperty("difference").GetDouble(), 12);
                Assert.Equal(standardError, gap.GetProperty("standard_error").GetDouble(), 12);
                checkedPairs++;

                // Within each activity quartile (the test users whose training degree lies in its range; equal degrees share
                // one), the same pairing over its users alone.
                int quartileUsers = 0;
                foreach (var quartile in method.Value.GetProperty("by_activity").EnumerateArray())
                {
                    var block = quartile.GetProperty("versus_unimodal");
                    if (quartile.GetProperty("users").GetInt32() == 0) continue;
                    int low = quartile.GetProperty("degree_min").GetInt32(), high = quartile.GetProperty("degree_max").GetInt32();
                    bool InQuartile(string user) => userDegree[user] >= low && userDegree[user] <= high;
                    var within = TailShares(method.Name, atK.Name, InQuartile).Zip(TailShares("unimodal", atK.Name, InQuartile), (a, b) => a - b).ToList();
                    Assert.Equal(within.Count, block.GetProperty("users_long_tail_recall").GetInt32());
                    quartileUsers += within.Count;
                    var difference = block.GetProperty("long_tail_recall").GetProperty(atK.Name).GetProperty("difference");
                    if (within.Count == 0) Assert.Equal(System.Text.Json.JsonValueKind.Null, difference.ValueKind);
                    else Assert.Equal(within.Average(), difference.GetDouble(), 12);
                }
                Assert.Equal(differences.Count, quartileUsers);
            }
        }
        Assert.True(checkedRows >= 6, $"only {checkedRows} rows and cutoffs checked");
        Assert.True(checkedPairs >= 3, $"only {checkedPairs} long-tail pairs checked");
        Assert.Contains("Long-tail recall against Unimodal, user by user over the", run.Out, StringComparison.Ordinal);

        // Per test user holding out a long-tail item (of those <paramref name="among"/> takes), in one order for every row: the
        // share of those items ROW@K lists.
        List<double> TailShares(string row, string k, Func<string, bool>? among = null) =>
            heldOut.OrderBy(u => u.Key, StringComparer.Ordinal).Where(u => among == null || among(u.Key))
                .Select(u => (User: u.Key, Tail: u.Value.Where(i => degree[i] < headDegree).ToList())).Where(u => u.Tail.Count > 0)
                .Select(u => (double)u.Tail.Count(i => listsByUser.TryGetValue(($"{row}@{k}", u.User), out var l) && l.Contains(i)) / u.Tail.Count).ToList();
    }
}
