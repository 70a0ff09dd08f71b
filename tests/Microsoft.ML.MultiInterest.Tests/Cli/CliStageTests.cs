using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --stage COLUMN</c> on a zip whose pipeline holds two retrieval stages (quotas into QuotaCandidates, then
/// history-interest MMR into Candidates): without it the last stage is served, with it the named one, each list the one
/// <see cref="MultiInterestRecommender"/> gives for that stage of the loaded model; an unknown column and the scorers that
/// serve only the last stage are refused.
/// </summary>
public sealed class CliStageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-stage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void TheNamedStageIsServed_TheLastWithoutIt()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var chain = MLNetTestData.TwoRetrieverChain(ml, raw);
        string zip = PathOf("two.zip");
        ml.Model.Save(chain, raw.Schema, zip);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u3", "u7", "someone-new"]);
        string[] serve = ["recommend", "--model", zip, "--users", PathOf("users.tsv")];

        using var loaded = MultiInterestModel.Load(ml, zip);
        var byColumn = new Dictionary<string, MultiInterestRecommender>
        {
            ["QuotaCandidates"] = mi.CreateRecommender(loaded, "QuotaCandidates"),
            ["Candidates"] = mi.CreateRecommender(loaded, "Candidates"),
        };
        string[] Expected(MultiInterestRecommender recommender) =>
            [.. new[] { "u0", "u3", "u7", "someone-new" }.SelectMany(u => recommender.Recommend(u).Items.Select(i => $"{u}\t{i.ItemId}"))];
        string[] Served(string file) => [.. File.ReadAllLines(file).Skip(1).Select(l => l.Split('\t')).Select(f => $"{f[0]}\t{f[2]}")];
        // The two stages' lists differ, so serving the wrong one is seen.
        Assert.NotEqual(Expected(byColumn["QuotaCandidates"]), Expected(byColumn["Candidates"]));

        var last = CliHarness.Run([.. serve, "--out", PathOf("last.tsv")]);
        Assert.True(last.ExitCode == 0, last.Error);
        Assert.Equal(Expected(byColumn["Candidates"]), Served(PathOf("last.tsv")));
        foreach (var (column, recommender) in byColumn)
        {
            var named = CliHarness.Run([.. serve, "--out", PathOf($"{column}.tsv"), "--stage", column]);
            Assert.True(named.ExitCode == 0, named.Error);
            Assert.Equal(Expected(recommender), Served(PathOf($"{column}.tsv")));
        }

        var unknown = CliHarness.Run([.. serve, "--out", PathOf("x.tsv"), "--stage", "NoSuchColumn"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("NoSuchColumn", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("QuotaCandidates", unknown.Error, StringComparison.Ordinal);
        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var refused = CliHarness.Run([.. serve, "--out", PathOf("y.tsv"), "--stage", "QuotaCandidates", scorer]);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"leave out {scorer}", refused.Error, StringComparison.Ordinal);
        }
    }
}
