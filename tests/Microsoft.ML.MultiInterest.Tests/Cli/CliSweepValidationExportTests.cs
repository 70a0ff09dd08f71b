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
        var run = CliHarness.Run(["sweep", "--train", train, "--space", "method=unimodal,knn-embed,mmr,history-mmr;dimension=6,8",
            "--algorithm", "truncated-svd", "--dim", "8", "--clusters", "4", "--k", "5", "--threads", "1", "--out", output, "--export-validation", exported]);
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
        // Every trial, whatever its method, from its "settings" (the searched parameters and the base settings it ran with, seeds included).
        int k = root.GetProperty("k").GetInt32(), seed = root.GetProperty("seed").GetInt32();
        var methods = new List<string>();
        foreach (var trial in root.GetProperty("leaderboard").EnumerateArray())
        {
            var settings = trial.GetProperty("settings");
            var again = SweepValidationSplitTests.Rederive(all, inner, validation, SettingsOf(settings), k);
            Assert.Equal(seed, settings.GetProperty("seed").GetInt32());
            Assert.Equal(trial.GetProperty("users").GetInt32(), again.Users);
            Assert.Equal(trial.GetProperty("recall").GetDouble(), again.Recall, 12);
            Assert.Equal(trial.GetProperty("ndcg").GetDouble(), again.Ndcg, 12);
            Assert.Equal(trial.GetProperty("diversity").GetDouble(), again.Diversity, 12);
            methods.Add(settings.GetProperty("method").GetString()!);
        }
        // Two dimensions of each method (the defaults trial, kNN-Embed at d = 8, is one of them).
        Assert.Equal(["history-mmr", "history-mmr", "knn-embed", "knn-embed", "mmr", "mmr", "unimodal", "unimodal"], methods.Order());
    }

    /// <summary>A trial's settings as sweep.json writes them, read back as a user would (every key the trial's method runs).</summary>
    private static SweepSettings SettingsOf(JsonElement s)
    {
        double Number(string name) => s.GetProperty(name).GetDouble();
        int Integer(string name) => s.GetProperty(name).GetInt32();
        Assert.Equal("truncated-svd", s.GetProperty("algorithm").GetString());
        var settings = new SweepSettings
        {
            Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = Integer("dimension"), Seed = Integer("seed"), Threads = 1 },
            Method = s.GetProperty("method").GetString() switch
            {
                "unimodal" => SweepRetrievalMethod.Unimodal,
                "mmr" => SweepRetrievalMethod.Mmr,
                "history-mmr" => SweepRetrievalMethod.HistoryMmr,
                "knn-embed" => SweepRetrievalMethod.KnnEmbed,
                var other => throw new FormatException($"unknown method {other}"),
            },
        };
        if (settings.Method is SweepRetrievalMethod.Mmr or SweepRetrievalMethod.HistoryMmr)
        {
            settings.MmrLambda = Number("mmr-lambda");
            settings.MmrPool = Integer("mmr-pool");
        }
        if (settings.Method == SweepRetrievalMethod.HistoryMmr)
        {
            settings.InterestWeight = Number("interest-weight");
            settings.ItemsPerInterest = Integer("items-per-interest");
            settings.MaxInterests = Integer("max-interests");
        }
        if (settings.Method == SweepRetrievalMethod.KnnEmbed)
        {
            settings.Clustering = new SphericalKMeansOptions
            {
                Clusters = Integer("clusters"), MaxIterations = Integer("kmeans-iterations"), Tolerance = Number("kmeans-tolerance"), Seed = Integer("kmeans-seed"), Threads = 1,
            };
            settings.Components = Integer("components");
            settings.Lambda = Number("lambda");
            settings.Alpha = Number("alpha");
            if (settings.Lambda > 0) settings.Neighbors = Integer("neighbors");
            else Assert.False(s.TryGetProperty("neighbors", out _));
        }
        return settings;
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
