namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --new-item-edges FILE</c>: items added since the fit are folded into the live recommender before serving
/// (<see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>), the edges counted in
/// the log; the engine and ONNX Runtime, which serve the saved model, refuse it, and so does a round-robin model.
/// </summary>
public sealed class CliNewItemEdgesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-new-items-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void NewItemEdges_FoldTheItemsIn_TheListsAreTheFoldedRecommenders_AndOtherScorersRefuseIt()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var fit = CliHarness.Run("fit", "--train", train, "--model", PathOf("m.zip"), "--algorithm", "implicit-als", "--dim", "4", "--threads", "1",
            "--retriever", "unimodal", "--candidates", "6");
        Assert.True(fit.ExitCode == 0, fit.Error);
        var edges = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')).ToArray();
        // "i-new" is engaged by the users of a trained item; plus an edge of a known item and one of a user the model does not know.
        string[] users = [.. edges.Where(f => f[1] == edges[0][1]).Select(f => f[0])];
        File.WriteAllLines(PathOf("new-items.tsv"), ["user\titem", .. users.Select(u => $"{u}\ti-new"), $"{users[0]}\t{edges[1][1]}", "stranger\ti-new", "stranger\ti-lonely"]);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u1", "u2", "someone-new"]);
        File.WriteAllLines(PathOf("history.tsv"), ["user\titem", "someone-new\ti-new", $"someone-new\t{edges[0][1]}"]);
        var served = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("lists.tsv"),
            "--new-item-edges", PathOf("new-items.tsv"), "--history", PathOf("history.tsv"));
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.Contains($"1 new item folded in from {users.Length} edges of users the model knows (the implicit-ALS item step against their vectors, the embedding's objective)",
            served.Out, StringComparison.Ordinal);
        Assert.Contains("1 edge of items the model knows (not read", served.Out, StringComparison.Ordinal);
        Assert.Contains("2 edges of users the model has no trained vector for", served.Out, StringComparison.Ordinal);
        Assert.Contains("1 new item (the first 'i-lonely') left unknown", served.Error, StringComparison.Ordinal);
        // The folded item is read in the history: no edge of --history is counted as naming an item the model does not know.
        Assert.DoesNotContain("with an item the model does not know", served.Out, StringComparison.Ordinal);

        var ml = new MLContext(seed: 1);
        using var model = MultiInterestModel.Load(ml, PathOf("m.zip"));
        var recommender = ml.MultiInterest().CreateRecommender(model).FoldInNewItems(users.Select(u => (u, "i-new"))).Recommender;
        var lines = File.ReadAllLines(PathOf("lists.tsv")).Skip(1).Select(l => l.Split('\t')).ToArray();
        foreach (string user in new[] { "u0", "u1", "u2", "someone-new" })
        {
            var expected = recommender.Recommend(user, user == "someone-new" ? ["i-new", edges[0][1]] : null);
            Assert.Equal(expected.Items.Select(i => i.ItemId), lines.Where(f => f[0] == user).Select(f => f[2]));
        }

        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var refused = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"),
                "--new-item-edges", PathOf("new-items.tsv"), scorer);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("--new-item-edges", refused.Error, StringComparison.Ordinal);
            Assert.Contains($"leave out {scorer}", refused.Error, StringComparison.Ordinal);
        }
        var roundRobin = CliHarness.Run("fit", "--train", train, "--model", PathOf("rr.zip"), "--retriever", "round-robin", "--dcm", "--candidates", "5", "--threads", "1");
        Assert.True(roundRobin.ExitCode == 0, roundRobin.Error);
        var refusedModel = CliHarness.Run("recommend", "--model", PathOf("rr.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"),
            "--new-item-edges", PathOf("new-items.tsv"));
        Assert.Equal(2, refusedModel.ExitCode);
        Assert.Contains("RoundRobinRetriever", refusedModel.Error, StringComparison.Ordinal);
    }
}
