using System.Text.Json;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Tests.Sweeps;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>sweep --export-validation DIR</c>: the validation hold-out written as the training file's lines the trials fitted on
/// and those they were scored on, from which sweep.json's figures are derived again (until 2026-12-07 the hold-out could
/// not be seen).
/// </summary>
public sealed class CliSweepValidationExportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-sweep-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_exported_files_part_the_training_file_and_give_sweep_jsons_figures_again()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out"), exported = Path.Combine(_directory, "holdout");
        var run = CliHarness.Run(["sweep", "--train", train, "--space", "method=unimodal;dimension=6,8", "--algorithm", "truncated-svd", "--dim", "8",
            "--clusters", "4", "--k", "5", "--threads", "1", "--out", output, "--export-validation", exported]);
        Assert.True(run.ExitCode == 0, run.Error);

        string innerPath = Path.Combine(exported, "inner-train.tsv"), validationPath = Path.Combine(exported, "validation.tsv");
        Assert.Equal("user\titem", File.ReadLines(innerPath).First());
        Assert.Equal("user\titem", File.ReadLines(validationPath).First());
        var (all, inner, validation) = (EdgeFile.Read(train), EdgeFile.Read(innerPath), EdgeFile.Read(validationPath));
        // A partition of the training file's lines, each side in the file's order.
        Assert.NotEmpty(validation);
        var held = validation.Select(e => (e.User, e.Item)).ToHashSet();
        Assert.Equal(all.Where(e => !held.Contains((e.User, e.Item))), inner);
        Assert.Equal(all.Where(e => held.Contains((e.User, e.Item))), validation);
        Assert.Equal(all.Count, inner.Count + validation.Count);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json")));
        var root = json.RootElement;
        Assert.Equal(innerPath, root.GetProperty("validation").GetProperty("exported_train").GetString());
        Assert.Equal(validationPath, root.GetProperty("validation").GetProperty("exported_validation").GetString());
        int k = root.GetProperty("k").GetInt32(), seed = root.GetProperty("seed").GetInt32();
        int derived = 0;
        foreach (var trial in root.GetProperty("leaderboard").EnumerateArray())
        {
            var parameters = trial.GetProperty("parameters");
            if (parameters.GetProperty("method").GetString() != "unimodal") continue;
            var embedding = new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = int.Parse(parameters.GetProperty("dimension").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                Seed = seed, Threads = 1,
            };
            var again = SweepValidationSplitTests.Rederive(all, inner, validation, embedding, k);
            Assert.Equal(trial.GetProperty("users").GetInt32(), again.Users);
            Assert.Equal(trial.GetProperty("recall").GetDouble(), again.Recall, 12);
            Assert.Equal(trial.GetProperty("ndcg").GetDouble(), again.Ndcg, 12);
            Assert.Equal(trial.GetProperty("diversity").GetDouble(), again.Diversity, 12);
            derived++;
        }
        Assert.Equal(2, derived);
    }

    [Fact]
    public void Without_the_option_nothing_is_exported()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run(["sweep", "--train", train, "--space", "method=unimodal", "--algorithm", "truncated-svd", "--dim", "8",
            "--clusters", "4", "--k", "5", "--threads", "1", "--out", output]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(File.Exists(Path.Combine(output, "inner-train.tsv")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json")));
        Assert.False(json.RootElement.GetProperty("validation").TryGetProperty("exported_train", out _));
    }
}
