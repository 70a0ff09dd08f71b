namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>evaluate --frontier</c> writes each multi-interest frontier point's paired difference from MMR's point of the same lambda and pool.</summary>
public sealed class CliFrontierPairsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-frontier-pairs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void History_frontier_points_carry_their_difference_from_MMRs_point_and_MMRs_carry_none()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--history-mmr-lambda", "0.75", "--threads", "1", "--frontier", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        var frontiers = metrics.RootElement.GetProperty("frontiers").EnumerateArray().ToList();
        int paired = 0;
        foreach (var frontier in frontiers.Where(f => f.GetProperty("method").GetString() == "history_mmr"))
        {
            int? pool = frontier.GetProperty("pool").ValueKind == System.Text.Json.JsonValueKind.Null ? null : frontier.GetProperty("pool").GetInt32();
            var mmr = frontiers.Single(f => f.GetProperty("method").GetString() == "mmr" && f.GetProperty("pool").GetInt32() == pool);
            var mmrPoints = mmr.GetProperty("points").EnumerateArray().ToList();
            Assert.All(mmrPoints, p => Assert.Equal(System.Text.Json.JsonValueKind.Null, p.GetProperty("versus_mmr").ValueKind));
            foreach (var (point, t) in frontier.GetProperty("points").EnumerateArray().Select((p, t) => (p, t)))
            {
                var versus = point.GetProperty("versus_mmr");
                foreach (var (name, field) in new[] { ("recall", "recall"), ("diversity", "diversity"), ("set_diversity", "set_diversity") })
                {
                    double expected = point.GetProperty(field).GetDouble() - mmrPoints[t].GetProperty(field).GetDouble();
                    Assert.Equal(expected, versus.GetProperty(name).GetProperty("difference").GetDouble(), 12);
                    Assert.True(versus.GetProperty(name).GetProperty("standard_error").GetDouble() >= 0);
                }
                Assert.True(versus.GetProperty("users_recall").GetInt32() > 0);
                paired++;
            }
        }
        Assert.True(paired >= 11, $"{paired} history frontier points paired");
        // Printed too, under each paired frontier (the history row's two pools), not under MMR's own.
        var lines = run.Out.Split('\n');
        var printed = lines.Select((l, i) => (l, i)).Where(p => p.l.StartsWith("  against MMR at the same lambda and pool", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(printed);
        Assert.All(printed, p => Assert.DoesNotContain("Frontier of MMR,", lines[p.i - 1], StringComparison.Ordinal));
        Assert.Contains(printed, p => lines[p.i - 1].StartsWith("Frontier of History-interest MMR", StringComparison.Ordinal));
    }
}
