using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// A model fitted through the API on item ids holding a TAB or a line break, served by <c>recommend --out FILE</c>: the
/// candidates file (and <c>--interests</c>'s) cannot hold such an id, so the command refuses it naming the file, the id and
/// what is wrong, and writes nothing, rather than a file whose lines split the id into other columns or lines.
/// </summary>
public sealed class CliUnwritableIdTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-unwritable-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>A quota and history-MMR model fitted through the API on the test edges, every item id given <paramref name="infix"/> after its 'i'.</summary>
    private string ModelWithItemIds(string infix)
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        foreach (var e in edges) e.Item = "i" + infix + e.Item[1..];
        var raw = ml.Data.LoadFromEnumerable(edges);
        string path = PathOf("model.zip");
        ml.Model.Save(MLNetTestData.TwoRetrieverChain(ml, raw), raw.Schema, path);
        return path;
    }

    [Theory]
    [InlineData("\t", "\\t", "holds a TAB")]
    [InlineData("\n", "\\n", "holds a line break")]
    [InlineData("\r\n", "\\r\\n", "holds a line break")]
    public void Recommend_refuses_an_item_id_its_candidates_file_cannot_hold(string infix, string shown, string problem)
    {
        string model = ModelWithItemIds(infix);
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "u1"]);
        foreach (string[] extra in new[] { Array.Empty<string>(), ["--engine"], ["--explain", "--interests", PathOf("interests.tsv")] })
        {
            var run = CliHarness.Run(["recommend", "--model", model, "--users", PathOf("users.tsv"), "--out", PathOf("out.tsv"), .. extra]);
            Assert.Equal(1, run.ExitCode);
            string error = Assert.Single(run.ErrorLines);
            Assert.Contains($"'{PathOf("out.tsv")}' cannot hold the item id 'i{shown}", error, StringComparison.Ordinal);
            Assert.Contains(problem, error, StringComparison.Ordinal);
            Assert.False(File.Exists(PathOf("out.tsv")));
            Assert.False(File.Exists(PathOf("interests.tsv")));
        }
    }
}
